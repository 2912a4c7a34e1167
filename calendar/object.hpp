// A calendar object resource (RFC 4791 §4.1): parsed and validated from the bytes of a CalDAV PUT,
// with what the store indexes (UID, component kind, recurrence, time-range bounds).
#pragma once

#include "calendar/filter.hpp"
#include "calendar/zone.hpp"

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace atrium::calendar {

// The component type a resource holds (RFC 4791 §4.1: one type per resource).
enum class ComponentKind { event, todo, journal };

std::string_view to_string(ComponentKind kind);  // "VEVENT", "VTODO", "VJOURNAL"

// The span an index stores for time-range queries (RFC 4791 §9.9 rules, all instances included).
// A query range [s, e) can match only if (!first_start || e >= *first_start) and
// (!last_end || s <= *last_end); the bounds may be wider than the instances, never narrower.
struct Bounds {
  std::optional<UtcSeconds> first_start;  // nullopt: open (e.g. a VTODO without any date)
  std::optional<UtcSeconds> last_end;     // nullopt: open (infinite RRULE, or too many instances)
};

// One instance of an event as an index stores it: an interval [start, end) when end > start,
// an instant when end == start (RFC 4791 §9.9: it overlaps [s, e) when s <= start < e).
struct InstanceSpan {
  UtcSeconds start = 0;
  UtcSeconds end = 0;
  friend bool operator==(const InstanceSpan&, const InstanceSpan&) = default;
};

// Whether an event instance stored as `span` overlaps the range [s, e) (either end open).
bool overlaps(const InstanceSpan& span, const TimeRange& range);

// The most instances an object's exact_instances() lists; beyond, queries parse the object.
inline constexpr std::size_t max_exact_instances = 1000;

// Bounds on what parsing and validating one resource may cost.
struct ParseLimits {
  std::size_t max_bytes = 10u << 20;      // whole resource (10 MiB)
  std::size_t max_depth = 6;              // BEGIN nesting (VCALENDAR > VEVENT > VALARM is 3)
  std::size_t max_components = 1000;      // BEGIN lines
  std::size_t max_properties = 20000;     // content lines that are not BEGIN/END
  std::size_t max_iterations = 100000;    // recurrence steps spent on the bounds
};

struct ParseOptions {
  ParseLimits limits;
  Zone floating = Zone::utc();  // where floating times and DATE values are read (calendar-timezone)
  // False when the caller only evaluates or outputs the object (a report): bounds() and
  // exact_bounds() are then left open/false, which saves a whole recurrence expansion.
  bool compute_bounds = true;
};

enum class ParseErrorCode {
  not_icalendar,           // not an iCalendar stream
  too_large,               // over ParseLimits::max_bytes (CALDAV:max-resource-size)
  invalid,                 // iCalendar, but not valid (syntax, bad values, limits, duplicate instances)
  multiple_uids,           // components with different UIDs
  missing_uid,             // a VEVENT/VTODO/VJOURNAL without UID
  mixed_component_types,   // e.g. a VEVENT and a VTODO in one resource
  unsupported_component,   // a top-level component other than VEVENT, VTODO, VJOURNAL, VTIMEZONE
  method_present,          // METHOD is for iTIP messages, not stored resources
};

std::string_view to_string(ParseErrorCode code);

// The CalDAV precondition element a PUT answers with (RFC 4791 §5.3.2.1), without namespace:
// "supported-calendar-data", "valid-calendar-data", "valid-calendar-object-resource",
// "supported-calendar-component", "max-resource-size".
std::string_view precondition(ParseErrorCode code);

struct ParseError {
  ParseErrorCode code;
  std::string message;  // for humans (a DAV:error description or a log line); never empty
};

// One parsed, valid calendar object resource. Owns its libical tree (deep-copied on copy).
//
// Thread: one Object may be used by one thread at a time (libical caches time zone expansions in
// the tree); distinct Objects are independent.
class Object {
 public:
  Object(const Object& other);
  Object& operator=(const Object& other);
  Object(Object&&) noexcept;
  Object& operator=(Object&&) noexcept;
  ~Object();

  const std::string& uid() const;
  ComponentKind kind() const;
  // True when the object has an RRULE or RDATE, or overridden instances (RECURRENCE-ID).
  bool recurs() const;
  // Computed at parse time with ParseOptions::floating.
  const Bounds& bounds() const;
  // True when bounds() is exactly the span of the object's only instance, independent of the
  // zone floating times are read in: one VEVENT, not recurring, DTSTART and DTEND in UTC or with
  // a TZID. A time-range test on such an object needs no parsing: it overlaps [s, e) when
  // s < last_end && e > first_start, or, for an instant (first_start == last_end),
  // s <= first_start < e (RFC 4791 §9.9).
  bool exact_bounds() const;
  // For a recurring VEVENT object whose every time (DTSTART, DTEND, RECURRENCE-ID, RDATE,
  // EXDATE, RRULE's UNTIL) is UTC or carries a TZID, whose rules all end (COUNT or UNTIL) and
  // which has at most max_exact_instances instances: every instance, ordered by start. Like
  // exact_bounds(), it does not depend on the zone floating times are read in, so a time-range
  // test needs no parsing. nullopt otherwise (and when parsed without compute_bounds).
  const std::optional<std::vector<InstanceSpan>>& exact_instances() const;
  // The zone floating times are read in (ParseOptions::floating).
  const Zone& floating() const;

  // The whole object as iCalendar text (CRLF line ends, folded), libical's error markers removed.
  std::string to_ical() const;

  // For calendar/ internals (detail/ical.hpp defines it).
  struct Impl;
  const Impl& impl() const { return *impl_; }
  explicit Object(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

using ParseResult = std::variant<Object, ParseError>;

// Parses and validates `bytes` as one calendar object resource for storing (RFC 4791 §4.1).
// Never throws on bad input; work and memory are bounded by `options.limits`. Accepts CRLF or LF.
ParseResult parse(std::string_view bytes, const ParseOptions& options = {});

}  // namespace atrium::calendar
