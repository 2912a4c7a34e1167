// CALDAV:calendar-query: prop request, filter, optional timezone.
#include "dav/xml/calendar_query.hpp"

#include "dav/xml/calendar_filter.hpp"

#include <utility>

namespace atrium::dav::xml {

Result<CalendarQuery> parse_calendar_query(const Element& root) {
  CalendarQuery q;
  auto prop = parse_prop_request(root, PropChoice::any);
  if (auto* err = std::get_if<Error>(&prop)) return std::move(*err);
  q.prop = std::move(std::get<PropRequest>(prop));
  const Element* filter = root.child(ns::caldav, "filter");
  if (!filter) return Error{ErrorKind::missing_element, "calendar-query without CALDAV:filter"};
  auto f = parse_calendar_filter(*filter);
  if (auto* err = std::get_if<Error>(&f)) return std::move(*err);
  q.filter = std::move(std::get<calendar::Filter>(f));
  if (const Element* tz = root.child(ns::caldav, "timezone")) q.timezone = tz->text();
  if (const Element* tzid = root.child(ns::caldav, "timezone-id")) q.timezone_id = tzid->trimmed_text();
  return q;
}

}  // namespace atrium::dav::xml
