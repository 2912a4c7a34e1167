// iCalendar UTC date-times as CalDAV carries them in attributes (RFC 4791 §9.9: "20060104T000000Z")
// and the CALDAV:time-range style elements built from them.
#pragma once

#include "calendar/filter.hpp"
#include "dav/xml/document.hpp"
#include "dav/xml/error.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace atrium::dav::xml {

// Parses exactly YYYYMMDD "T" HHMMSS "Z" (RFC 5545 DATE-TIME, UTC form) into seconds since the
// epoch. Years 0000–9999; a leap second (SS = 60) counts as :59. nullopt when anything else.
std::optional<calendar::UtcSeconds> parse_utc_datetime(std::string_view text);

// The inverse, for tests and responses (e.g. "20060104T000000Z").
std::string format_utc_datetime(calendar::UtcSeconds t);

enum class RangeEnds {
  at_least_one,  // CALDAV:time-range in a filter or free-busy-query: start, end or both
  both,          // CALDAV:expand, limit-recurrence-set, limit-freebusy-set: both required
};

// Reads the start/end attributes of `e`. Refuses (kind `on_error`) a value that is not a UTC
// date-time, a missing end the rule requires, and end <= start.
Result<calendar::TimeRange> parse_time_range(const Element& e, RangeEnds ends, ErrorKind on_error);

}  // namespace atrium::dav::xml
