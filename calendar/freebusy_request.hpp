// The VFREEBUSY request a client POSTs to its schedule outbox (RFC 6638 §5, RFC 5546 §3.3.2):
// which attendees' busy time it asks for, over which range.
#pragma once

#include "calendar/filter.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atrium::calendar {

struct FreeBusyRequest {
  TimeRange range;                     // DTSTART/DTEND, both present
  std::string uid;                     // may be empty
  std::string organizer;               // the ORGANIZER value as written ("mailto:…")
  std::vector<std::string> attendees;  // ATTENDEE values as written, in order, duplicates removed
};

// Parses an iCalendar stream holding METHOD:REQUEST and one VFREEBUSY with DTSTART, DTEND,
// ORGANIZER and at least one ATTENDEE; nullopt for anything else. At most 100 attendees and
// 64 KiB of input; work is bounded like calendar::parse.
std::optional<FreeBusyRequest> parse_freebusy_request(std::string_view text);

}  // namespace atrium::calendar
