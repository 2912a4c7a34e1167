// Recurrence expansion: the instances of an object inside a UTC window (RRULE, RDATE, EXDATE,
// overridden and THISANDFUTURE instances), with hard caps so a hostile rule costs bounded work.
#pragma once

#include "calendar/filter.hpp"
#include "calendar/object.hpp"

#include <cstddef>
#include <optional>
#include <vector>

namespace atrium::calendar {

struct ExpandLimits {
  std::size_t max_instances = 1000;     // instances returned
  std::size_t max_iterations = 100000;  // recurrence steps taken, whether or not they land in the window
};

struct Instance {
  // The instance's RECURRENCE-ID in UTC; nullopt for an object that does not recur.
  std::optional<UtcSeconds> recurrence_id;
  UtcSeconds start = 0;
  UtcSeconds end = 0;      // == start for instants (DTSTART only, VTODO DUE only)
  std::size_t component = 0;  // index of the source among the object's VEVENT/VTODO/VJOURNAL, in order
  bool overridden = false;    // the source is a component with RECURRENCE-ID
};

struct Expansion {
  std::vector<Instance> instances;  // ordered by start, then recurrence-id
  bool truncated = false;           // a limit was reached: instances may be missing
};

// The instances of `object` that overlap `window` (an absent end is open; RFC 4791 §9.9 rules:
// intervals overlap when start < window.end and end > window.start, instants when
// window.start <= t < window.end). Floating times are read in object.floating(). EXDATE removes
// instances (overrides included); a STATUS:CANCELLED override stays an instance. Instances
// without any time (a VTODO with no DTSTART, DUE, COMPLETED or CREATED) are never returned.
// DTSTART is always an instance; when the rule would not produce it, COUNT counts the rule's own
// instances on top (libical's reading of an unsynchronised DTSTART).
Expansion expand(const Object& object, const TimeRange& window, const ExpandLimits& limits = {});

}  // namespace atrium::calendar
