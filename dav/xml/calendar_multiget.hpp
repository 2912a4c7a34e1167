// CALDAV:calendar-multiget REPORT bodies (RFC 4791 §7.9, §9.10).
#pragma once

#include "dav/xml/document.hpp"
#include "dav/xml/error.hpp"
#include "dav/xml/report_props.hpp"

#include <string>
#include <vector>

namespace atrium::dav::xml {

struct CalendarMultiget {
  PropRequest prop;
  std::vector<std::string> hrefs;  // trimmed DAV:href texts as sent (percent-encoded, maybe absolute URIs)
};

// `root` is CALDAV:calendar-multiget; at least one DAV:href (missing_element).
Result<CalendarMultiget> parse_calendar_multiget(const Element& root);

}  // namespace atrium::dav::xml
