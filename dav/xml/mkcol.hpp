// Extended MKCOL (RFC 5689 §5.1) and MKCALENDAR (RFC 4791 §5.3.1) request bodies: the properties
// to set on the new collection.
#pragma once

#include "dav/xml/document.hpp"
#include "dav/xml/error.hpp"
#include "dav/xml/names.hpp"
#include "dav/xml/proppatch.hpp"

#include <optional>
#include <string_view>
#include <vector>

namespace atrium::dav::xml {

struct Mkcol {
  // DAV:resourcetype's child element names (DAV:collection, CALDAV:calendar, CARDDAV:addressbook,
  // …) when the body set it; nullopt when it did not (plain collection, or a calendar for
  // MKCALENDAR).
  std::optional<std::vector<QName>> resource_type;
  // Every other property in DAV:set order (displayname, calendar-description,
  // supported-calendar-component-set, calendar-timezone, dead properties, …).
  std::vector<PropertyValue> props;

  friend bool operator==(const Mkcol&, const Mkcol&) = default;
};

// A blank body is a plain MKCOL (empty Mkcol). Otherwise the root must be DAV:mkcol
// (unexpected_root) and each DAV:set must hold a DAV:prop (missing_element).
Result<Mkcol> parse_mkcol(std::string_view body, const ParseLimits& limits = {});

// A blank body is an empty Mkcol. Otherwise the root must be CALDAV:mkcalendar; DAV:set is
// optional.
Result<Mkcol> parse_mkcalendar(std::string_view body, const ParseLimits& limits = {});

}  // namespace atrium::dav::xml
