// CALDAV:calendar-query REPORT bodies (RFC 4791 §7.8, §9.5).
#pragma once

#include "calendar/filter.hpp"
#include "dav/xml/document.hpp"
#include "dav/xml/error.hpp"
#include "dav/xml/report_props.hpp"

#include <optional>
#include <string>

namespace atrium::dav::xml {

struct CalendarQuery {
  PropRequest prop;  // prop.calendar_data set when CALDAV:calendar-data was asked
  calendar::Filter filter;
  // CALDAV:timezone (a VCALENDAR with one VTIMEZONE, as text) for floating times; nullopt = UTC.
  std::optional<std::string> timezone;
  // CALDAV:timezone-id (RFC 7809), the same by TZID.
  std::optional<std::string> timezone_id;
};

// `root` is CALDAV:calendar-query. CALDAV:filter is required (missing_element); see
// parse_calendar_filter and parse_prop_request for the other errors.
Result<CalendarQuery> parse_calendar_query(const Element& root);

}  // namespace atrium::dav::xml
