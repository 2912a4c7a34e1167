// CALDAV:calendar-multiget: prop request and hrefs.
#include "dav/xml/calendar_multiget.hpp"

#include <utility>

namespace atrium::dav::xml {

Result<CalendarMultiget> parse_calendar_multiget(const Element& root) {
  CalendarMultiget m;
  auto prop = parse_prop_request(root, PropChoice::any);
  if (auto* err = std::get_if<Error>(&prop)) return std::move(*err);
  m.prop = std::move(std::get<PropRequest>(prop));
  m.hrefs = hrefs(root);
  if (m.hrefs.empty()) return Error{ErrorKind::missing_element, "calendar-multiget without DAV:href"};
  return m;
}

}  // namespace atrium::dav::xml
