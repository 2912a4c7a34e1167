// Time zones for evaluating iCalendar times: the zone floating times and all-day dates are read in
// (a calendar's CALDAV:calendar-timezone, UTC by default), and the Windows-to-Olson name table
// Outlook's TZIDs need.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace atrium::calendar {

// A time zone handle: cheap to copy (copies share one immutable definition). Zones built from
// names come from libical's built-in database and live for the process.
//
// Thread: libical expands a zone's transitions lazily, so a zone made by from_icalendar() (and the
// Objects evaluated with it) must be used by one thread at a time; utc() and from_name() zones are
// libical's built-in ones.
class Zone {
 public:
  // UTC: floating times are read as UTC.
  static Zone utc();

  // An Olson name ("Europe/Berlin") or a Windows name ("W. Europe Standard Time"); nullopt when
  // neither libical's zone database nor the Windows table knows it.
  static std::optional<Zone> from_name(std::string_view name);

  // The value of CALDAV:calendar-timezone: a VCALENDAR holding exactly one VTIMEZONE. When the
  // VTIMEZONE's TZID is a known Olson or Windows name the built-in definition is used (clients'
  // VTIMEZONEs are often truncated); otherwise the VTIMEZONE itself. nullopt when the text is not a
  // VCALENDAR with one usable VTIMEZONE or is longer than 1 MiB.
  static std::optional<Zone> from_icalendar(std::string_view text);

  // The zone's TZID ("UTC" for utc()).
  const std::string& name() const;
  bool is_utc() const;

  // For calendar/ internals: the libical zone (nullptr for UTC).
  struct Impl;
  const Impl& impl() const { return *impl_; }

 private:
  explicit Zone(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

// The Olson name for a Windows time zone name as Outlook and Exchange write it in TZID
// ("W. Europe Standard Time" -> "Europe/Berlin"; CLDR's territory-001 mapping). ASCII
// case-insensitive; nullopt for names not in the table.
std::optional<std::string_view> olson_for_windows(std::string_view windows_name);

}  // namespace atrium::calendar
