// expand(): the public view of the recurrence set.
#include "calendar/recurrence.hpp"

#include "calendar/detail/expand.hpp"

namespace atrium::calendar {

Expansion expand(const Object& object, const TimeRange& window, const ExpandLimits& limits) {
  const detail::OccurrenceSet set = detail::occurrences(object.impl(), object.floating(), detail::range_start(window),
                                                        detail::range_end(window), limits);
  Expansion out;
  out.truncated = set.truncated;
  out.instances.reserve(set.items.size());
  for (const detail::Occurrence& o : set.items) {
    if (o.span.rule == detail::SpanRule::always || o.span.rule == detail::SpanRule::never) continue;
    Instance i;
    i.recurrence_id = o.recurrence_id;
    i.start = o.span.start;
    i.end = o.span.end == detail::plus_infinity ? o.span.start : o.span.end;
    i.component = o.index;
    i.overridden = o.overridden;
    out.instances.push_back(i);
  }
  return out;
}

}  // namespace atrium::calendar
