// The property request every REPORT carries (DAV:prop, or DAV:allprop / DAV:propname where the
// report allows them), with the options of CALDAV:calendar-data and CARDDAV:address-data.
#pragma once

#include "calendar/filter.hpp"
#include "dav/xml/document.hpp"
#include "dav/xml/error.hpp"
#include "dav/xml/names.hpp"

#include <optional>
#include <string>
#include <vector>

namespace atrium::dav::xml {

// CARDDAV:address-data in a report's prop (RFC 6352 §10.4): which vCard properties to return and
// in which format.
struct AddressDataRequest {
  std::string content_type = "text/vcard";
  std::string version = "3.0";  // RFC 6352's default; "4.0" asks for vCard 4
  bool all_props = true;        // false when CARDDAV:prop children name the properties
  std::vector<std::string> props;  // upper-cased vCard property names, when !all_props

  friend bool operator==(const AddressDataRequest&, const AddressDataRequest&) = default;
};

enum class PropRequestKind { allprop, propname, prop };

struct PropRequest {
  PropRequestKind kind = PropRequestKind::prop;
  // kind == prop: the names asked for, in order (calendar-data / address-data included);
  // kind == allprop: the DAV:include names (RFC 4918 §14.8), if any.
  std::vector<QName> props;
  std::optional<calendar::CalendarDataRequest> calendar_data;  // when CALDAV:calendar-data was asked
  std::optional<AddressDataRequest> address_data;             // when CARDDAV:address-data was asked
};

enum class PropChoice {
  prop_only,  // the report's grammar has only DAV:prop (sync-collection)
  any,        // DAV:allprop | DAV:propname | DAV:prop (calendar-query, addressbook-query, multigets)
};

// Reads the property request among `parent`'s children. No element at all gives an empty `prop`
// request (some clients send sync-collection without DAV:prop). Errors: bad calendar-data /
// address-data options (invalid_value, unsupported_data_type).
Result<PropRequest> parse_prop_request(const Element& parent, PropChoice choice);

// The names of `prop`'s children (PROPFIND prop, property-search prop).
std::vector<QName> prop_names(const Element& prop);

// CALDAV:calendar-data as a request (RFC 4791 §9.6). Refuses a content-type other than
// text/calendar or a version other than 2.0 (unsupported_data_type), and comp/expand/limit
// elements without their required attributes (invalid_value).
Result<calendar::CalendarDataRequest> parse_calendar_data_request(const Element& e);

// CARDDAV:address-data as a request (RFC 6352 §10.4). Refuses a content-type other than
// text/vcard or a version other than 3.0/4.0 (unsupported_data_type).
Result<AddressDataRequest> parse_address_data_request(const Element& e);

// The trimmed text of every DAV:href child of `parent`, in order (multiget bodies).
std::vector<std::string> hrefs(const Element& parent);

}  // namespace atrium::dav::xml
