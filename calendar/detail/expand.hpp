// calendar/ internals: the recurrence set of an object as spans tied to their libical
// components, which expand(), matches(), calendar-data output and free/busy all build on.
#pragma once

#include "calendar/detail/ical.hpp"
#include "calendar/recurrence.hpp"

#include <optional>
#include <vector>

namespace atrium::calendar::detail {

struct Occurrence {
  std::optional<UtcSeconds> recurrence_id;  // nullopt: the object does not recur
  Span span;
  icalcomponent* component = nullptr;
  std::size_t index = 0;  // position among object_components()
  bool overridden = false;
};

struct OccurrenceSet {
  std::vector<Occurrence> items;  // ordered by span start, then recurrence-id
  bool truncated = false;         // an iteration or instance limit was reached
  bool infinite = false;          // some RRULE has neither COUNT nor UNTIL
};

// The span a component has at its own DTSTART (RFC 4791 §9.9 rules for its kind).
Span own_span(icalcomponent* comp, ComponentKind kind, icalcomponent* root, const Zone& floating);

// The occurrences of the object whose spans match [s, e) (see overlaps()).
OccurrenceSet occurrences(const Object::Impl& impl, const Zone& floating, UtcSeconds s, UtcSeconds e,
                          const ExpandLimits& limits);

// Whether the master has RRULE or RDATE, or any component has RECURRENCE-ID.
bool object_recurs(const Object::Impl& impl);

// The index bounds (see Bounds), spending at most `max_iterations` recurrence steps. When the
// whole recurrence set was computed (every rule ends, no limit reached) and `all` is given, it
// receives every occurrence.
Bounds compute_bounds(const Object::Impl& impl, const Zone& floating, std::size_t max_iterations,
                      std::vector<Occurrence>* all = nullptr);

}  // namespace atrium::calendar::detail
