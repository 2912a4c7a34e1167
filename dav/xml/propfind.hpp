// PROPFIND request bodies (RFC 4918 §9.1, §14.20).
#pragma once

#include "dav/xml/document.hpp"
#include "dav/xml/error.hpp"
#include "dav/xml/names.hpp"
#include "dav/xml/report_props.hpp"

#include <string_view>
#include <vector>

namespace atrium::dav::xml {

struct Propfind {
  PropRequestKind kind = PropRequestKind::allprop;
  // kind == prop: the names asked for, in order, duplicates removed;
  // kind == allprop: the DAV:include names (RFC 4918 §14.8); kind == propname: empty.
  std::vector<QName> props;

  friend bool operator==(const Propfind&, const Propfind&) = default;
};

// A blank body is allprop (RFC 4918 §9.1). Otherwise the root must be DAV:propfind
// (unexpected_root) holding DAV:allprop, DAV:propname or DAV:prop (missing_element).
Result<Propfind> parse_propfind(std::string_view body, const ParseLimits& limits = {});

}  // namespace atrium::dav::xml
