// Typed errors of the DAV XML parsers. The executor maps each kind to a status and, where an
// RFC names one, to a DAV:error precondition body (see the table on ErrorKind).
#pragma once

#include <string>
#include <variant>

namespace atrium::dav::xml {

enum class ErrorKind {
  malformed,              // not well-formed XML, bad UTF-8, unbound prefix          → 400
  too_large,              // body over ParseLimits::max_bytes or max_elements         → 413
  too_deep,               // element nesting over ParseLimits::max_depth              → 400
  doctype,                // a DOCTYPE (DTDs and entities are refused outright)       → 400
  unexpected_root,        // the root element is not the one the method takes        → 400 (REPORT: see unsupported_report)
  missing_element,        // a required element or attribute is absent                → 400
  invalid_value,          // bad sync-level, nresults, time in calendar-data options  → 400
  invalid_filter,         // a filter breaks its grammar or has a bad time-range      → 403 CALDAV:valid-filter / CARDDAV:supported-filter
  unsupported_collation,  // text-match names a collation we do not implement         → 403 CALDAV:supported-collation / CARDDAV:supported-collation
  unsupported_data_type,  // calendar-data / address-data content-type or version     → 403 CALDAV:supported-calendar-data / CARDDAV:supported-address-data
  unsupported_report,     // REPORT body whose root is no report we implement         → 403 DAV:supported-report
};

struct Error {
  ErrorKind kind;
  std::string detail;  // for logs and the response description; never parsed

  friend bool operator==(const Error&, const Error&) = default;
};

// A parse result: the typed request, or why the body was refused.
template <class T>
using Result = std::variant<T, Error>;

}  // namespace atrium::dav::xml
