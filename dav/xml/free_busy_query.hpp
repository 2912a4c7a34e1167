// CALDAV:free-busy-query REPORT bodies (RFC 4791 §7.10, §9.11).
#pragma once

#include "calendar/filter.hpp"
#include "dav/xml/document.hpp"
#include "dav/xml/error.hpp"

namespace atrium::dav::xml {

struct FreeBusyQuery {
  calendar::TimeRange range;  // start or end present (an open end is allowed by RFC 4791 §9.9)
};

// `root` is CALDAV:free-busy-query with one CALDAV:time-range (missing_element); a bad range is
// invalid_value.
Result<FreeBusyQuery> parse_free_busy_query(const Element& root);

}  // namespace atrium::dav::xml
