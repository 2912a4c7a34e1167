// calendar/ internals: the libical side of Object and Zone, and the time arithmetic every part
// shares (resolving TZIDs, local time to UTC seconds, the RFC 4791 §9.9 span rules). Not for use
// outside calendar/.
#pragma once

#include "calendar/filter.hpp"
#include "calendar/object.hpp"
#include "calendar/zone.hpp"

#include <libical/ical.h>

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace atrium::calendar {

namespace detail {

struct ComponentDeleter {
  void operator()(icalcomponent* c) const noexcept { icalcomponent_free(c); }
};
using ComponentPtr = std::unique_ptr<icalcomponent, ComponentDeleter>;

struct ZoneDeleter {
  void operator()(icaltimezone* z) const noexcept { icaltimezone_free(z, 1); }
};
using ZonePtr = std::unique_ptr<icaltimezone, ZoneDeleter>;

constexpr UtcSeconds minus_infinity = std::numeric_limits<UtcSeconds>::min();
constexpr UtcSeconds plus_infinity = std::numeric_limits<UtcSeconds>::max();

}  // namespace detail

struct Zone::Impl {
  std::string name;
  icaltimezone* zone = nullptr;  // nullptr: UTC; else built-in (not owned) or owned below
  detail::ZonePtr owned;
};

struct Object::Impl {
  detail::ComponentPtr root;  // the VCALENDAR
  std::string uid;
  ComponentKind kind = ComponentKind::event;
  bool recurs = false;
  Bounds bounds;
  bool exact_bounds = false;
  std::optional<std::vector<InstanceSpan>> exact_instances;
  Zone floating = Zone::utc();
};

namespace detail {

// Days since 1970-01-01 of a proleptic Gregorian date, and back (Howard Hinnant's algorithms):
// valid for every year libical can hold, unlike time_t conversions that stop at 2038 or 1902.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d);
void civil_from_days(std::int64_t z, int& y, int& m, int& d);

// The libical kind for VEVENT/VTODO/VJOURNAL.
icalcomponent_kind ical_kind(ComponentKind kind);

// The zone a TZID names in this object: its own VTIMEZONE first, then libical's database by
// Olson name, then the Windows name table, then the Olson name at the end of a prefixed TZID
// ("/mozilla.org/20050126_1/Europe/Berlin"). nullptr when unknown.
icaltimezone* resolve_tzid(icalcomponent* root, const char* tzid);

// A DATE or DATE-TIME property value with its zone attached: UTC ("Z"), the TZID's zone, or the
// floating zone for floating times, DATE values and unknown TZIDs. nullopt when the property has
// no usable time value.
std::optional<icaltimetype> property_time(icalproperty* prop, icalcomponent* root, const Zone& floating);

// A local time (zone attached as above; no zone = UTC) in UTC seconds; DATE values are midnight.
UtcSeconds to_utc(icaltimetype t);

// UTC seconds as a libical UTC DATE-TIME.
icaltimetype from_utc(UtcSeconds s);

// Seconds of a libical duration (negative when is_neg); days count 86400 (callers needing the
// nominal day go through add_nominal()).
std::int64_t duration_seconds(const icaldurationtype& d);

// Time `t` moved by whole days in its own zone's local time (RFC 5545 nominal days).
icaltimetype add_days(icaltimetype t, int days);

// First property of `kind` in `comp`, or nullptr.
inline icalproperty* first_property(icalcomponent* comp, icalproperty_kind kind) {
  return icalcomponent_get_first_property(comp, kind);
}

// Snapshots of a component's children and properties. libical keeps one iteration cursor per
// component, so nested walks over the same component must not use get_first/get_next directly.
std::vector<icalcomponent*> children(icalcomponent* comp, icalcomponent_kind kind = ICAL_ANY_COMPONENT);
std::vector<icalproperty*> properties(icalcomponent* comp, icalproperty_kind kind = ICAL_ANY_PROPERTY);

// The object's VEVENT/VTODO/VJOURNAL components, in order (master and overrides).
std::vector<icalcomponent*> object_components(const Object::Impl& impl);

// RFC 4791 §9.9: how an instance is tested against a time range [s, e).
enum class SpanRule {
  interval,        // s < end && e > start
  at_start,        // s <= start && e > start (an instant)
  at_end,          // s < end && e >= end (VTODO with DUE only)
  start_due,       // VTODO DTSTART+DUE: (s < end || s <= start) && (e > start || e >= end)
  start_duration,  // VTODO DTSTART+DURATION: s <= end && (e > start || e >= end)
  closed,          // VTODO COMPLETED/CREATED: s <= end && e >= start
  always,          // VTODO without any date
  never,           // VJOURNAL without DTSTART
};

struct Span {
  UtcSeconds start = minus_infinity;
  UtcSeconds end = plus_infinity;
  SpanRule rule = SpanRule::interval;
};

// Whether `span` matches the range [s, e) (absent ends already mapped to the infinities).
bool overlaps(const Span& span, UtcSeconds s, UtcSeconds e);

inline UtcSeconds range_start(const TimeRange& r) { return r.start.value_or(minus_infinity); }
inline UtcSeconds range_end(const TimeRange& r) { return r.end.value_or(plus_infinity); }

// The text value of a property as a text-match sees it: TEXT unescaped, others as written.
std::string property_text(icalproperty* prop);

// A property's or parameter's name as written in iCalendar (X- and IANA names included).
std::string property_name(icalproperty* prop);
std::string parameter_name(icalparameter* param);
std::string parameter_value(icalparameter* param);
std::string component_name(icalcomponent* comp);

// Serialises a component (libical output: CRLF, folded).
std::string to_text(icalcomponent* comp);

}  // namespace detail
}  // namespace atrium::calendar
