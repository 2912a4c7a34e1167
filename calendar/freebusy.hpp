// Free/busy time (RFC 4791 §7.10, RFC 5545 §3.6.4): the busy periods a set of objects yields in a
// range, merged per FBTYPE, and their VFREEBUSY form for free-busy-query and scheduling.
#pragma once

#include "calendar/filter.hpp"
#include "calendar/object.hpp"
#include "calendar/recurrence.hpp"

#include <optional>
#include <span>
#include <string>
#include <vector>

namespace atrium::calendar {

enum class BusyType { busy, busy_tentative, busy_unavailable };

std::string_view to_string(BusyType type);  // "BUSY", "BUSY-TENTATIVE", "BUSY-UNAVAILABLE"

struct BusyPeriod {
  UtcSeconds start = 0;
  UtcSeconds end = 0;  // > start
  BusyType type = BusyType::busy;
};

// The busy time of `objects` within [range.start, range.end) (both ends required; an absent end
// yields nothing), clipped to the range, with overlapping or touching periods of one type merged;
// ordered by type, then start. Per RFC 4791 §7.10 only VEVENT instances count: TRANSP:TRANSPARENT
// and STATUS:CANCELLED instances are free, STATUS:TENTATIVE is BUSY-TENTATIVE, anything else
// BUSY; Outlook's X-MICROSOFT-CDO-BUSYSTATUS:OOF makes it BUSY-UNAVAILABLE and :FREE free.
// Instants (no duration) take no time. Each object is expanded within `limits`.
std::vector<BusyPeriod> busy_periods(std::span<const Object* const> objects, const TimeRange& range,
                                     const ExpandLimits& limits = {});

struct FreeBusyOptions {
  UtcSeconds dtstamp = 0;              // the caller's "now" (the library reads no clock)
  std::optional<std::string> uid;      // for iTIP replies
  std::optional<std::string> organizer;  // cal-address, e.g. "mailto:a@example.com"
  std::optional<std::string> attendee;
  std::optional<std::string> method;   // e.g. "REPLY" for a scheduling response; none for a report
};

// A VCALENDAR holding one VFREEBUSY for `range` (DTSTART/DTEND) with one FREEBUSY property per
// period, FBTYPE set; CRLF, folded. Both range ends are required (absent ones are written as the
// epoch).
std::string freebusy_to_ical(const std::vector<BusyPeriod>& periods, const TimeRange& range,
                             const FreeBusyOptions& options = {});

}  // namespace atrium::calendar
