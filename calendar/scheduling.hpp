// iTIP (RFC 5546) for implicit scheduling (RFC 6638): who organises and attends a calendar
// object, and the messages and stored versions the server derives from it when the organiser
// or an attendee changes it. Pure: text in, text out; the DAV layer decides where they go.
#pragma once

#include "calendar/freebusy.hpp"
#include "calendar/object.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atrium::calendar {

enum class PartStat { needs_action, accepted, declined, tentative, delegated, other };
std::string_view to_string(PartStat p);  // "NEEDS-ACTION", "ACCEPTED", … ("X-UNKNOWN" for other)

// One ORGANIZER or ATTENDEE: its calendar address and parameters.
struct Participant {
  std::string address;  // the value as written, e.g. "mailto:Bob@Example.com"
  std::string email;    // the mailto: address, lower-cased; empty when not a mailto: URI
  std::string name;     // CN
  PartStat partstat = PartStat::needs_action;  // absent PARTSTAT is NEEDS-ACTION (RFC 5545)
  std::string cutype;   // CUTYPE upper-cased; empty = INDIVIDUAL
  bool rsvp = false;
  // SCHEDULE-AGENT (RFC 6638 §7.1): false when CLIENT or NONE: the server must not schedule for it.
  bool server_schedules = true;
};

// The scheduling view of an object: the organiser and every attendee of any of its components
// (master and overrides; an attendee listed in several is listed once, with the master's
// parameters when the master has it). nullopt when the object has no ORGANIZER (then it is no
// scheduling object resource and nothing is sent).
struct Scheduling {
  Participant organizer;
  std::vector<Participant> attendees;  // the organiser too, when it is also an ATTENDEE
  std::string summary;                 // the master's SUMMARY (for mail subjects)
  int sequence = 0;                    // the master's SEQUENCE
};
std::optional<Scheduling> scheduling(const Object& object);

// `email`'s PARTSTAT in the master (or the first component that lists it); nullopt when `email`
// is no attendee.
std::optional<PartStat> partstat_of(const Object& object, std::string_view email);

// An iTIP REQUEST for the attendees: the whole object with METHOD:REQUEST on the VCALENDAR and
// without SCHEDULE-STATUS, SCHEDULE-AGENT and SCHEDULE-FORCE-SEND parameters (RFC 6638 §7.1-7.3:
// never in a scheduling message); CRLF, folded.
std::string itip_request(const Object& object);

// An iTIP CANCEL (RFC 5546 §3.2.5) for the whole object: METHOD:CANCEL, each component with
// STATUS:CANCELLED and SEQUENCE raised by one, without VALARMs and scheduling parameters (as for
// REQUEST). `attendees` (lower-case emails) limits the ATTENDEE lines to those being cancelled, and
// then drops the components none of them attends (unless that would drop all); empty keeps them all.
std::string itip_cancel(const Object& object, const std::vector<std::string>& attendees = {});

// An iTIP REPLY (RFC 5546 §3.2.3) from `email`: METHOD:REPLY, and per component only UID,
// RECURRENCE-ID, DTSTART, DTEND/DUE/DURATION, SEQUENCE, DTSTAMP, ORGANIZER, SUMMARY and the one
// ATTENDEE line of `email` with its PARTSTAT (written NEEDS-ACTION when absent); no VALARM, no
// scheduling parameters, and only VERSION, PRODID and CALSCALE on the VCALENDAR. Components that do
// not list `email` are left out. VTIMEZONEs the kept properties use are kept. nullopt when `email`
// is no attendee.
std::optional<std::string> itip_reply(const Object& object, std::string_view email);

// The object as stored with every ATTENDEE line of `email` set to `partstat` (RSVP removed when
// the answer is not NEEDS-ACTION). Unchanged text (to_ical) when `email` is no attendee or
// `partstat` is `other` (which names no value to write).
std::string with_partstat(const Object& object, std::string_view email, PartStat partstat);

// The organiser's copy with PARTSTAT of the attendees a REPLY carries taken over: for each
// component of `reply` (matched by RECURRENCE-ID; a reply for an instance the copy has no
// override for changes nothing), the ATTENDEE of the reply's attendee gets the reply's PARTSTAT
// and SCHEDULE-STATUS=2.0. The replying attendee is the first ATTENDEE the reply names (master
// first); other ATTENDEE lines in it are ignored. nullopt when the reply's UID or component type
// differs or it names no attendee of the copy. `reply` is parsed with its METHOD line removed
// (parse() refuses METHOD).
std::optional<std::string> apply_reply(const Object& organizer_copy, const Object& reply);

// The object with SCHEDULE-STATUS (RFC 6638 §7.3) set on the ATTENDEE lines of the given
// attendees (lower-case email → status such as "1.2" delivered, "1.1" pending, "3.7" invalid
// user, "5.3" no scheduling support); other ATTENDEE lines keep theirs. Keys may also be written
// as mailto: URIs; a value that is no status code list (digits, dots, commas) is ignored.
std::string with_schedule_status(const Object& object, const std::map<std::string, std::string>& status);

// The attendee's copy after its organiser cancelled: STATUS:CANCELLED on every component.
std::string as_cancelled(const Object& object);

// An attendee's copy updated to the organiser's new version: `update` as sent, but the ATTENDEE
// line of `email` keeps the PARTSTAT it had in `current` unless the update moved any instance
// (DTSTART, DTEND/DUE/DURATION, RRULE, RDATE or EXDATE differ), in which case it is NEEDS-ACTION
// again as the organiser sent it. Decided per component, matched by RECURRENCE-ID; an override new
// in `update` keeps the master's answer when it starts at its RECURRENCE-ID and lasts as long as the
// current master.
std::string merge_update(const Object& current, const Object& update, std::string_view email);

// The instances of `object` (within `limits`) as busy periods of an attendee who accepts it: the
// time a resource would be booked, to test for conflicts with busy_periods() of its calendar. One
// period per instance that overlaps `window` (not clipped, not merged), ordered by start, typed and
// skipped as busy_periods() does (free: TRANSP:TRANSPARENT, STATUS:CANCELLED; instants take no
// time). Empty for a VTODO or VJOURNAL.
std::vector<BusyPeriod> booked_periods(const Object& object, const TimeRange& window, const ExpandLimits& limits = {});

}  // namespace atrium::calendar
