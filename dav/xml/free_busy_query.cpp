// CALDAV:free-busy-query: one time-range.
#include "dav/xml/free_busy_query.hpp"

#include "dav/xml/time_range.hpp"

namespace atrium::dav::xml {

Result<FreeBusyQuery> parse_free_busy_query(const Element& root) {
  const Element* tr = root.child(ns::caldav, "time-range");
  if (!tr) return Error{ErrorKind::missing_element, "free-busy-query without CALDAV:time-range"};
  auto range = parse_time_range(*tr, RangeEnds::at_least_one, ErrorKind::invalid_value);
  if (auto* err = std::get_if<Error>(&range)) return std::move(*err);
  return FreeBusyQuery{std::get<calendar::TimeRange>(range)};
}

}  // namespace atrium::dav::xml
