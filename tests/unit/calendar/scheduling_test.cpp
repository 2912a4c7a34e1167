// iTIP derivations: the scheduling view, REQUEST/CANCEL/REPLY messages, and the stored versions
// after a reply, a delivery, a cancellation or an update; invitations shaped as Thunderbird,
// Outlook and Apple Calendar write them.
#include "calendar/scheduling.hpp"

#include "tests/unit/calendar/test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>

namespace atrium::calendar {
namespace {

using testing::ics;
using testing::utc;

// Thunderbird: a weekly series in Europe/Berlin with an EXDATE, one moved instance that adds an
// attendee and drops two, a VALARM and Mozilla's X- properties.
constexpr std::string_view thunderbird_invitation =
    "BEGIN:VCALENDAR\r\n"
    "PRODID:-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN\r\n"
    "VERSION:2.0\r\n"
    "X-WR-CALNAME:Anna (work)\r\n"
    "BEGIN:VTIMEZONE\r\n"
    "TZID:Europe/Berlin\r\n"
    "X-LIC-LOCATION:Europe/Berlin\r\n"
    "BEGIN:DAYLIGHT\r\n"
    "TZOFFSETFROM:+0100\r\n"
    "TZOFFSETTO:+0200\r\n"
    "TZNAME:CEST\r\n"
    "DTSTART:19700329T020000\r\n"
    "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\n"
    "END:DAYLIGHT\r\n"
    "BEGIN:STANDARD\r\n"
    "TZOFFSETFROM:+0200\r\n"
    "TZOFFSETTO:+0100\r\n"
    "TZNAME:CET\r\n"
    "DTSTART:19701025T030000\r\n"
    "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\n"
    "END:STANDARD\r\n"
    "END:VTIMEZONE\r\n"
    "BEGIN:VEVENT\r\n"
    "CREATED:20260201T090000Z\r\n"
    "LAST-MODIFIED:20260201T091500Z\r\n"
    "DTSTAMP:20260201T091500Z\r\n"
    "UID:5f0c8a2e-7d1b-4c8e-9a55-2b1d3e4f6a7b\r\n"
    "SUMMARY:Design review\r\n"
    "ORGANIZER;CN=Anna Schmidt:mailto:anna@example.com\r\n"
    "ATTENDEE;CN=Anna Schmidt;PARTSTAT=ACCEPTED;ROLE=CHAIR;CUTYPE=INDIVIDUAL:mai\r\n"
    " lto:anna@example.com\r\n"
    "ATTENDEE;CN=Bob Meyer;PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;CUTYPE=IND\r\n"
    " IVIDUAL;RSVP=TRUE;SCHEDULE-STATUS=1.2:mailto:bob@example.com\r\n"
    "ATTENDEE;CN=\"Weber, Carol\";PARTSTAT=ACCEPTED;ROLE=OPT-PARTICIPANT;CUTYPE=I\r\n"
    " NDIVIDUAL;RSVP=TRUE;SCHEDULE-STATUS=2.0:mailto:Carol.Weber@Example.com\r\n"
    "ATTENDEE;CN=Room Rhein;PARTSTAT=ACCEPTED;ROLE=NON-PARTICIPANT;CUTYPE=ROOM:m\r\n"
    " ailto:rhein@rooms.example.com\r\n"
    "RRULE:FREQ=WEEKLY;COUNT=6;BYDAY=TU\r\n"
    "EXDATE;TZID=Europe/Berlin:20260317T100000\r\n"
    "DTSTART;TZID=Europe/Berlin:20260303T100000\r\n"
    "DTEND;TZID=Europe/Berlin:20260303T110000\r\n"
    "STATUS:CONFIRMED\r\n"
    "SEQUENCE:2\r\n"
    "LOCATION:Rhein\r\n"
    "DESCRIPTION:Walk through the new storage layer.\r\n"
    "TRANSP:OPAQUE\r\n"
    "X-MOZ-GENERATION:3\r\n"
    "BEGIN:VALARM\r\n"
    "ACTION:DISPLAY\r\n"
    "TRIGGER;VALUE=DURATION:-PT15M\r\n"
    "DESCRIPTION:Default Mozilla Description\r\n"
    "END:VALARM\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\n"
    "CREATED:20260201T090000Z\r\n"
    "LAST-MODIFIED:20260205T120000Z\r\n"
    "DTSTAMP:20260205T120000Z\r\n"
    "UID:5f0c8a2e-7d1b-4c8e-9a55-2b1d3e4f6a7b\r\n"
    "SUMMARY:Design review (afternoon)\r\n"
    "ORGANIZER;CN=Anna Schmidt:mailto:anna@example.com\r\n"
    "ATTENDEE;CN=Anna Schmidt;PARTSTAT=ACCEPTED;ROLE=CHAIR:mailto:anna@example.com\r\n"
    "ATTENDEE;CN=Bob (afternoon);PARTSTAT=TENTATIVE;ROLE=REQ-PARTICIPANT:mailto:bob@example.com\r\n"
    "ATTENDEE;CN=Dave Kim;PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:dave@example.com\r\n"
    "RECURRENCE-ID;TZID=Europe/Berlin:20260324T100000\r\n"
    "DTSTART;TZID=Europe/Berlin:20260324T140000\r\n"
    "DTEND;TZID=Europe/Berlin:20260324T150000\r\n"
    "STATUS:CONFIRMED\r\n"
    "X-MOZ-GENERATION:4\r\n"
    "END:VEVENT\r\n"
    "END:VCALENDAR\r\n";

constexpr std::string_view la_timezone =
    "BEGIN:VTIMEZONE\r\n"
    "TZID:America/Los_Angeles\r\n"
    "BEGIN:DAYLIGHT\r\n"
    "TZOFFSETFROM:-0800\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r\n"
    "DTSTART:20070311T020000\r\n"
    "TZNAME:PDT\r\n"
    "TZOFFSETTO:-0700\r\n"
    "END:DAYLIGHT\r\n"
    "BEGIN:STANDARD\r\n"
    "TZOFFSETFROM:-0700\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r\n"
    "DTSTART:20071104T020000\r\n"
    "TZNAME:PST\r\n"
    "TZOFFSETTO:-0800\r\n"
    "END:STANDARD\r\n"
    "END:VTIMEZONE\r\n";

// Apple Calendar: quoted CN and EMAIL parameters, the organiser as a urn:uuid attendee, attendees
// without PARTSTAT and with every SCHEDULE-AGENT value.
std::string apple_invitation() {
  return std::string(
             "BEGIN:VCALENDAR\r\n"
             "VERSION:2.0\r\n"
             "PRODID:-//Apple Inc.//macOS 14.3//EN\r\n"
             "CALSCALE:GREGORIAN\r\n") +
         std::string(la_timezone) +
         "BEGIN:VEVENT\r\n"
         "TRANSP:OPAQUE\r\n"
         "DTEND;TZID=America/Los_Angeles:20260410T100000\r\n"
         "UID:8C2B7E1A-3F4D-4B8E-9C1A-0D2E3F4A5B6C\r\n"
         "DTSTAMP:20260401T170000Z\r\n"
         "X-APPLE-TRAVEL-ADVISORY-BEHAVIOR:AUTOMATIC\r\n"
         "SEQUENCE:0\r\n"
         "SUMMARY:Coffee\r\n"
         "LAST-MODIFIED:20260401T170000Z\r\n"
         "DTSTART;TZID=America/Los_Angeles:20260410T093000\r\n"
         "CREATED:20260401T165500Z\r\n"
         "ORGANIZER;CN=\"Erin Park\";EMAIL=\"erin@example.org\":mailto:erin@example.org\r\n"
         "ATTENDEE;CN=\"Erin Park\";CUTYPE=INDIVIDUAL;EMAIL=\"erin@example.org\";PARTSTAT=ACC\r\n"
         " EPTED;ROLE=CHAIR:urn:uuid:9a0b1c2d-3e4f-5a6b-7c8d-9e0f1a2b3c4d\r\n"
         "ATTENDEE;CN=\"Frank Otto\";CUTYPE=INDIVIDUAL;EMAIL=\"frank@example.org\";PARTSTAT=N\r\n"
         " EEDS-ACTION;RSVP=TRUE;SCHEDULE-AGENT=CLIENT:mailto:frank@example.org\r\n"
         "ATTENDEE;CUTYPE=INDIVIDUAL;EMAIL=\"gina@example.org\";ROLE=REQ-PARTICIPANT;RSVP=T\r\n"
         " RUE:MAILTO:Gina@Example.ORG\r\n"
         "ATTENDEE;CN=Projector;CUTYPE=resource;SCHEDULE-AGENT=NONE:mailto:projector@ex\r\n"
         " ample.org\r\n"
         "ATTENDEE;SCHEDULE-AGENT=X-LOCAL:mailto:hal@example.org\r\n"
         "ATTENDEE;SCHEDULE-AGENT=SERVER;PARTSTAT=X-THINKING:mailto:ivy@example.org\r\n"
         "BEGIN:VALARM\r\n"
         "X-WR-ALARMUID:4B3C2D1E-0F9A-4B8C-8D7E-6F5A4B3C2D1E\r\n"
         "UID:4B3C2D1E-0F9A-4B8C-8D7E-6F5A4B3C2D1E\r\n"
         "TRIGGER:-PT5M\r\n"
         "ACTION:DISPLAY\r\n"
         "DESCRIPTION:Reminder\r\n"
         "END:VALARM\r\n"
         "END:VEVENT\r\n"
         "END:VCALENDAR\r\n";
}

std::string replaced(std::string text, std::string_view from, std::string_view to) {
  const std::size_t pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos) text.replace(pos, from.size(), to);
  return text;
}

std::string unfolded(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text.substr(i, 3) == "\r\n " || text.substr(i, 3) == "\r\n\t") {
      i += 2;
      continue;
    }
    out += text[i];
  }
  return out;
}

std::size_t count(std::string_view text, std::string_view needle) {
  std::size_t n = 0;
  for (std::size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
  return n;
}

bool contains(std::string_view text, std::string_view needle) { return text.find(needle) != std::string_view::npos; }

// RFC 5545 §3.1: CRLF only, content lines of at most 75 octets.
void expect_well_formed(const std::string& text) {
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t eol = text.find("\r\n", start);
    ASSERT_NE(eol, std::string::npos) << "unterminated line";
    EXPECT_LE(eol - start, 75u) << text.substr(start, eol - start);
    EXPECT_EQ(text.substr(start, eol - start).find('\n'), std::string::npos);
    start = eol + 2;
  }
}

// The content lines (unfolded) of `text` whose name is `name`.
std::vector<std::string> lines_named(std::string_view text, std::string_view name) {
  std::vector<std::string> out;
  const std::string flat = unfolded(text);
  std::size_t start = 0;
  while (start < flat.size()) {
    std::size_t eol = flat.find("\r\n", start);
    if (eol == std::string::npos) eol = flat.size();
    const std::string line = flat.substr(start, eol - start);
    if (line.size() > name.size() && line.compare(0, name.size(), name) == 0 &&
        (line[name.size()] == ':' || line[name.size()] == ';')) {
      out.push_back(line);
    }
    start = eol + 2;
  }
  return out;
}

// The VEVENT blocks of `text`, unfolded, in order.
std::vector<std::string> events(std::string_view text) {
  std::vector<std::string> out;
  const std::string flat = unfolded(text);
  for (std::size_t pos = flat.find("BEGIN:VEVENT\r\n"); pos != std::string::npos;
       pos = flat.find("BEGIN:VEVENT\r\n", pos + 1)) {
    const std::size_t end = flat.find("END:VEVENT\r\n", pos);
    if (end == std::string::npos) break;
    out.push_back(flat.substr(pos, end - pos));
  }
  return out;
}

// The ATTENDEE line of `email` in one block ("" when absent).
std::string attendee_line(std::string_view block, std::string_view email) {
  for (const std::string& l : lines_named(block, "ATTENDEE")) {
    std::string lower = l;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (lower.size() >= email.size() + 8 && lower.compare(lower.size() - email.size() - 7, std::string::npos,
                                                          "mailto:" + std::string(email)) == 0) {
      return l;
    }
  }
  return {};
}

// An iTIP message as a stored object: METHOD checked and removed (parse() refuses it), the rest
// must be a valid calendar object resource.
Object parse_message(const std::string& text, std::string_view method) {
  expect_well_formed(text);
  const std::vector<std::string> methods = lines_named(text, "METHOD");
  EXPECT_EQ(methods.size(), 1u) << text;
  if (!methods.empty()) {
    EXPECT_EQ(methods.front(), "METHOD:" + std::string(method));
  }
  std::string stripped = text;
  const std::size_t pos = stripped.find("\r\nMETHOD:");
  if (pos != std::string::npos) stripped.erase(pos, stripped.find("\r\n", pos + 2) - pos);
  return testing::parse_ok(stripped);
}

const Participant* find(const Scheduling& s, std::string_view email) {
  for (const Participant& p : s.attendees) {
    if (p.email == email) return &p;
  }
  return nullptr;
}

Object thunderbird() { return testing::parse_ok(thunderbird_invitation); }

// ---- scheduling(), partstat_of() -------------------------------------------------------------

TEST(Scheduling, PartStatNames) {
  EXPECT_EQ(to_string(PartStat::needs_action), "NEEDS-ACTION");
  EXPECT_EQ(to_string(PartStat::accepted), "ACCEPTED");
  EXPECT_EQ(to_string(PartStat::declined), "DECLINED");
  EXPECT_EQ(to_string(PartStat::tentative), "TENTATIVE");
  EXPECT_EQ(to_string(PartStat::delegated), "DELEGATED");
  EXPECT_EQ(to_string(PartStat::other), "X-UNKNOWN");
}

TEST(Scheduling, NoOrganizerIsNoSchedulingObject) {
  const Object o = testing::parse_ok(ics({"BEGIN:VEVENT", "UID:plain", "DTSTART:20260301T090000Z",
                                          "ATTENDEE:mailto:bob@example.com", "SUMMARY:Solo", "END:VEVENT"}));
  EXPECT_FALSE(scheduling(o).has_value());
  EXPECT_FALSE(scheduling(testing::corpus_object("google_allday.ics")).has_value());
  // Still an attendee for partstat_of(): the two questions are separate.
  EXPECT_EQ(partstat_of(o, "bob@example.com"), PartStat::needs_action);
}

TEST(Scheduling, OrganizerWithoutAttendees) {
  const Object o = testing::parse_ok(ics({"BEGIN:VEVENT", "UID:org-only", "DTSTART:20260301T090000Z",
                                          "ORGANIZER:mailto:anna@example.com", "END:VEVENT"}));
  const auto s = scheduling(o);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->organizer.email, "anna@example.com");
  EXPECT_TRUE(s->attendees.empty());
  EXPECT_EQ(s->summary, "");
  EXPECT_EQ(s->sequence, 0);
}

TEST(Scheduling, ThunderbirdMasterAndOverride) {
  const auto s = scheduling(thunderbird());
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->organizer.address, "mailto:anna@example.com");
  EXPECT_EQ(s->organizer.email, "anna@example.com");
  EXPECT_EQ(s->organizer.name, "Anna Schmidt");
  EXPECT_TRUE(s->organizer.server_schedules);
  EXPECT_EQ(s->summary, "Design review");
  EXPECT_EQ(s->sequence, 2);
  // Master's four, then the override's new one; the organiser is listed as an attendee too.
  ASSERT_EQ(s->attendees.size(), 5u);
  EXPECT_EQ(s->attendees[0].email, "anna@example.com");
  EXPECT_EQ(s->attendees[1].email, "bob@example.com");
  EXPECT_EQ(s->attendees[2].email, "carol.weber@example.com");
  EXPECT_EQ(s->attendees[3].email, "rhein@rooms.example.com");
  EXPECT_EQ(s->attendees[4].email, "dave@example.com");
  // Bob is in both: the master's parameters win over the override's TENTATIVE.
  const Participant& bob = s->attendees[1];
  EXPECT_EQ(bob.name, "Bob Meyer");
  EXPECT_EQ(bob.partstat, PartStat::needs_action);
  EXPECT_TRUE(bob.rsvp);
  EXPECT_EQ(bob.cutype, "INDIVIDUAL");
  const Participant& carol = s->attendees[2];
  EXPECT_EQ(carol.address, "mailto:Carol.Weber@Example.com");
  EXPECT_EQ(carol.name, "Weber, Carol");
  EXPECT_EQ(carol.partstat, PartStat::accepted);
  EXPECT_EQ(s->attendees[3].cutype, "ROOM");
  EXPECT_FALSE(s->attendees[3].rsvp);
  EXPECT_EQ(s->attendees[4].name, "Dave Kim");
  EXPECT_TRUE(s->attendees[4].rsvp);
}

TEST(Scheduling, AppleParametersAndScheduleAgent) {
  const auto s = scheduling(testing::parse_ok(apple_invitation()));
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->organizer.name, "Erin Park");
  EXPECT_EQ(s->summary, "Coffee");
  ASSERT_EQ(s->attendees.size(), 6u);
  // A urn:uuid address is kept as written but has no email to match.
  EXPECT_EQ(s->attendees[0].address, "urn:uuid:9a0b1c2d-3e4f-5a6b-7c8d-9e0f1a2b3c4d");
  EXPECT_EQ(s->attendees[0].email, "");
  EXPECT_EQ(s->attendees[0].partstat, PartStat::accepted);
  const Participant* frank = find(*s, "frank@example.org");
  ASSERT_NE(frank, nullptr);
  EXPECT_FALSE(frank->server_schedules);  // SCHEDULE-AGENT=CLIENT
  EXPECT_TRUE(frank->rsvp);
  const Participant* gina = find(*s, "gina@example.org");  // MAILTO:Gina@Example.ORG
  ASSERT_NE(gina, nullptr);
  EXPECT_EQ(gina->address, "MAILTO:Gina@Example.ORG");
  EXPECT_EQ(gina->partstat, PartStat::needs_action);  // no PARTSTAT
  EXPECT_EQ(gina->name, "");
  EXPECT_TRUE(gina->server_schedules);
  const Participant* projector = find(*s, "projector@example.org");
  ASSERT_NE(projector, nullptr);
  EXPECT_FALSE(projector->server_schedules);  // NONE
  EXPECT_EQ(projector->cutype, "RESOURCE");   // upper-cased
  const Participant* hal = find(*s, "hal@example.org");
  ASSERT_NE(hal, nullptr);
  EXPECT_FALSE(hal->server_schedules);  // unknown values count as NONE
  const Participant* ivy = find(*s, "ivy@example.org");
  ASSERT_NE(ivy, nullptr);
  EXPECT_TRUE(ivy->server_schedules);  // SERVER
  EXPECT_EQ(ivy->partstat, PartStat::other);
}

TEST(Scheduling, OutlookCorpus) {
  const Object o = testing::corpus_object("outlook_monthly_second_tuesday.ics");
  const auto s = scheduling(o);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->organizer.name, "Anna Schmidt");
  EXPECT_EQ(s->summary, "Monthly review");
  ASSERT_EQ(s->attendees.size(), 1u);
  EXPECT_EQ(s->attendees[0].email, "bob@example.com");
  EXPECT_TRUE(s->attendees[0].rsvp);
  EXPECT_EQ(partstat_of(o, "bob@example.com"), PartStat::needs_action);
}

TEST(Scheduling, OverridesOnly) {
  // An attendee invited to one instance only stores the override alone.
  const Object o = testing::parse_ok(ics({"BEGIN:VEVENT", "UID:only-one", "RECURRENCE-ID:20260310T090000Z",
                                          "DTSTART:20260310T100000Z", "DTEND:20260310T110000Z", "SUMMARY:Moved",
                                          "SEQUENCE:4", "ORGANIZER:mailto:anna@example.com",
                                          "ATTENDEE;PARTSTAT=DECLINED:mailto:dave@example.com", "END:VEVENT"}));
  const auto s = scheduling(o);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->summary, "Moved");
  EXPECT_EQ(s->sequence, 4);
  ASSERT_EQ(s->attendees.size(), 1u);
  EXPECT_EQ(s->attendees[0].partstat, PartStat::declined);
}

TEST(Scheduling, PartstatOf) {
  const Object o = thunderbird();
  EXPECT_EQ(partstat_of(o, "bob@example.com"), PartStat::needs_action);  // the master's, not TENTATIVE
  EXPECT_EQ(partstat_of(o, "carol.weber@example.com"), PartStat::accepted);
  EXPECT_EQ(partstat_of(o, "dave@example.com"), PartStat::needs_action);  // override only
  EXPECT_EQ(partstat_of(o, "anna@example.com"), PartStat::accepted);
  EXPECT_EQ(partstat_of(o, "mailto:Carol.Weber@EXAMPLE.com"), PartStat::accepted);
  EXPECT_FALSE(partstat_of(o, "mallory@example.com").has_value());
  EXPECT_FALSE(partstat_of(o, "").has_value());
}

TEST(Scheduling, ManyAttendeesStayCheap) {
  std::string body = "BEGIN:VEVENT\r\nUID:crowd\r\nDTSTART:20260301T090000Z\r\nORGANIZER:mailto:a@example.com\r\n";
  for (int i = 0; i < 5000; ++i) body += "ATTENDEE:mailto:user" + std::to_string(i % 2500) + "@example.com\r\n";
  body += "END:VEVENT";
  const auto s = scheduling(testing::parse_ok(ics({body})));
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->attendees.size(), 2500u);
}

// ---- itip_request() --------------------------------------------------------------------------

TEST(ItipRequest, WholeObjectWithoutServerParameters) {
  const Object o = testing::parse_ok(apple_invitation());
  const std::string before = o.to_ical();
  const std::string out = itip_request(o);
  EXPECT_EQ(o.to_ical(), before);  // the caller's object is untouched
  const Object back = parse_message(out, "REQUEST");
  EXPECT_FALSE(contains(unfolded(out), "SCHEDULE-AGENT"));
  EXPECT_FALSE(contains(unfolded(out), "SCHEDULE-STATUS"));
  // Everything else stays: VTIMEZONE, VALARM, Apple's X- property, every attendee.
  EXPECT_EQ(count(out, "BEGIN:VTIMEZONE"), 1u);
  EXPECT_EQ(count(out, "BEGIN:VALARM"), 1u);
  EXPECT_TRUE(contains(out, "X-APPLE-TRAVEL-ADVISORY-BEHAVIOR:AUTOMATIC"));
  EXPECT_EQ(lines_named(out, "ATTENDEE").size(), 6u);
  const auto s = scheduling(back);
  ASSERT_TRUE(s.has_value());
  const Participant* frank = find(*s, "frank@example.org");
  ASSERT_NE(frank, nullptr);
  EXPECT_TRUE(frank->rsvp);
  EXPECT_TRUE(frank->server_schedules);  // the parameter is gone from the message
}

TEST(ItipRequest, ThunderbirdSeries) {
  const Object o = thunderbird();
  const std::string out = itip_request(o);
  const Object back = parse_message(out, "REQUEST");
  EXPECT_EQ(count(out, "BEGIN:VEVENT"), 2u);
  EXPECT_FALSE(contains(unfolded(out), "SCHEDULE-STATUS"));
  EXPECT_TRUE(contains(out, "X-WR-CALNAME"));
  // The instances are the same.
  const TimeRange march{utc("20260301T000000Z"), utc("20260501T000000Z")};
  EXPECT_EQ(expand(back, march).instances.size(), expand(o, march).instances.size());
}

// ---- itip_cancel() ---------------------------------------------------------------------------

TEST(ItipCancel, WholeObject) {
  const Object o = thunderbird();
  const std::string before = o.to_ical();
  const std::string out = itip_cancel(o);
  EXPECT_EQ(o.to_ical(), before);
  const Object back = parse_message(out, "CANCEL");
  const auto comps = events(out);
  ASSERT_EQ(comps.size(), 2u);
  for (const std::string& c : comps) {
    EXPECT_EQ(lines_named(c, "STATUS"), std::vector<std::string>{"STATUS:CANCELLED"});
    EXPECT_FALSE(contains(c, "BEGIN:VALARM"));
  }
  EXPECT_EQ(lines_named(comps[0], "SEQUENCE"), std::vector<std::string>{"SEQUENCE:3"});
  EXPECT_EQ(lines_named(comps[1], "SEQUENCE"), std::vector<std::string>{"SEQUENCE:1"});  // absent = 0
  EXPECT_EQ(lines_named(comps[0], "ATTENDEE").size(), 4u);
  EXPECT_EQ(lines_named(comps[1], "ATTENDEE").size(), 3u);
  EXPECT_FALSE(contains(unfolded(out), "SCHEDULE-STATUS"));
  EXPECT_EQ(count(out, "BEGIN:VTIMEZONE"), 1u);
  EXPECT_EQ(back.uid(), o.uid());
}

TEST(ItipCancel, ForSomeAttendees) {
  const Object o = thunderbird();
  // Carol is only in the master: the override is not hers to cancel.
  const std::string carol = itip_cancel(o, {"carol.weber@example.com"});
  parse_message(carol, "CANCEL");
  auto comps = events(carol);
  ASSERT_EQ(comps.size(), 1u);
  EXPECT_FALSE(contains(comps[0], "RECURRENCE-ID"));
  ASSERT_EQ(lines_named(comps[0], "ATTENDEE").size(), 1u);
  EXPECT_NE(attendee_line(comps[0], "carol.weber@example.com"), "");
  EXPECT_TRUE(contains(comps[0], "STATUS:CANCELLED"));
  EXPECT_TRUE(contains(comps[0], "SEQUENCE:3"));
  // Dave only in the override: the CANCEL names that instance alone.
  comps = events(itip_cancel(o, {"dave@example.com"}));
  ASSERT_EQ(comps.size(), 1u);
  EXPECT_TRUE(contains(comps[0], "RECURRENCE-ID;TZID=Europe/Berlin:20260324T100000"));
  EXPECT_EQ(lines_named(comps[0], "ATTENDEE").size(), 1u);
  // Bob and Dave: both components, each with its own lines.
  comps = events(itip_cancel(o, {"bob@example.com", "dave@example.com"}));
  ASSERT_EQ(comps.size(), 2u);
  EXPECT_EQ(lines_named(comps[0], "ATTENDEE").size(), 1u);
  EXPECT_EQ(lines_named(comps[1], "ATTENDEE").size(), 2u);
  // Nobody named attends: the whole object rather than an empty message.
  const std::string nobody = itip_cancel(o, {"mallory@example.com"});
  parse_message(nobody, "CANCEL");
  comps = events(nobody);
  ASSERT_EQ(comps.size(), 2u);
  EXPECT_TRUE(lines_named(comps[0], "ATTENDEE").empty());
  EXPECT_TRUE(lines_named(comps[0], "ORGANIZER").size() == 1u);
}

TEST(ItipCancel, ReplacesStatusAndTodo) {
  const Object todo = testing::parse_ok(ics({"BEGIN:VTODO", "UID:task-1", "DUE:20260310T170000Z",
                                             "STATUS:IN-PROCESS", "STATUS:NEEDS-ACTION", "SEQUENCE:7",
                                             "ORGANIZER:mailto:anna@example.com",
                                             "ATTENDEE;PARTSTAT=IN-PROCESS:mailto:bob@example.com", "END:VTODO"}));
  const std::string out = itip_cancel(todo);
  parse_message(out, "CANCEL");
  EXPECT_EQ(lines_named(out, "STATUS"), std::vector<std::string>{"STATUS:CANCELLED"});
  EXPECT_EQ(lines_named(out, "SEQUENCE"), std::vector<std::string>{"SEQUENCE:8"});
}

// ---- itip_reply() ----------------------------------------------------------------------------

TEST(ItipReply, OnlyTheRequiredProperties) {
  const Object accepted = testing::parse_ok(with_partstat(thunderbird(), "bob@example.com", PartStat::accepted));
  const auto out = itip_reply(accepted, "bob@example.com");
  ASSERT_TRUE(out.has_value());
  const Object back = parse_message(*out, "REPLY");
  EXPECT_EQ(back.uid(), accepted.uid());
  const auto comps = events(*out);
  ASSERT_EQ(comps.size(), 2u);
  for (const std::string& c : comps) {
    const std::vector<std::string> attendees = lines_named(c, "ATTENDEE");
    ASSERT_EQ(attendees.size(), 1u);
    EXPECT_TRUE(contains(attendees[0], "PARTSTAT=ACCEPTED"));
    EXPECT_TRUE(contains(attendees[0], "mailto:bob@example.com"));
    EXPECT_FALSE(contains(attendees[0], "SCHEDULE-STATUS"));
    for (std::string_view gone : {"LOCATION", "DESCRIPTION", "RRULE", "EXDATE", "STATUS", "TRANSP", "CREATED",
                                  "LAST-MODIFIED", "X-MOZ-GENERATION", "BEGIN:VALARM"}) {
      EXPECT_FALSE(contains(c, std::string("\r\n") + std::string(gone))) << gone;
    }
    for (std::string_view kept : {"UID:", "DTSTART;TZID=Europe/Berlin", "DTEND;TZID=Europe/Berlin", "DTSTAMP:",
                                  "ORGANIZER;CN=Anna Schmidt:mailto:anna@example.com", "SUMMARY:"}) {
      EXPECT_TRUE(contains(c, kept)) << kept;
    }
  }
  EXPECT_TRUE(contains(comps[0], "SEQUENCE:2"));
  EXPECT_TRUE(contains(comps[1], "RECURRENCE-ID;TZID=Europe/Berlin:20260324T100000"));
  // The zone the times use comes along; the attendee's calendar name does not.
  EXPECT_EQ(count(*out, "BEGIN:VTIMEZONE"), 1u);
  EXPECT_FALSE(contains(*out, "X-WR-CALNAME"));
  EXPECT_TRUE(contains(*out, "PRODID:"));
  EXPECT_EQ(partstat_of(back, "bob@example.com"), PartStat::accepted);
}

TEST(ItipReply, OnlyTheInstancesTheAttendeeIsIn) {
  const Object o = thunderbird();
  const auto dave = itip_reply(o, "Dave@Example.com");
  ASSERT_TRUE(dave.has_value());
  parse_message(*dave, "REPLY");
  auto comps = events(*dave);
  ASSERT_EQ(comps.size(), 1u);
  EXPECT_TRUE(contains(comps[0], "RECURRENCE-ID"));
  const auto carol = itip_reply(o, "carol.weber@example.com");
  ASSERT_TRUE(carol.has_value());
  comps = events(*carol);
  ASSERT_EQ(comps.size(), 1u);
  EXPECT_FALSE(contains(comps[0], "RECURRENCE-ID"));
  EXPECT_FALSE(itip_reply(o, "mallory@example.com").has_value());
  EXPECT_FALSE(itip_reply(o, "").has_value());
}

TEST(ItipReply, DefaultPartstatDurationAndUnusedZones) {
  // Gina has no PARTSTAT: the reply says NEEDS-ACTION outright.
  const auto gina = itip_reply(testing::parse_ok(apple_invitation()), "gina@example.org");
  ASSERT_TRUE(gina.has_value());
  parse_message(*gina, "REPLY");
  const std::vector<std::string> lines = lines_named(*gina, "ATTENDEE");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_TRUE(contains(lines[0], "PARTSTAT=NEEDS-ACTION"));
  EXPECT_TRUE(contains(*gina, "CALSCALE:GREGORIAN"));
  EXPECT_FALSE(contains(*gina, "X-APPLE"));
  EXPECT_EQ(count(*gina, "BEGIN:VTIMEZONE"), 1u);
  // UTC times with DURATION: the end is kept, the zone nothing uses is dropped.
  const Object utc_event = testing::parse_ok(
      std::string("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Example//EN\r\n") + std::string(la_timezone) +
      "BEGIN:VEVENT\r\nUID:dur-1\r\nDTSTAMP:20260301T000000Z\r\nDTSTART:20260305T160000Z\r\nDURATION:PT45M\r\n"
      "ORGANIZER:mailto:erin@example.org\r\nATTENDEE;PARTSTAT=DECLINED;SCHEDULE-AGENT=SERVER:mailto:frank@example.org\r\n"
      "COMMENT:internal note\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
  const auto frank = itip_reply(utc_event, "frank@example.org");
  ASSERT_TRUE(frank.has_value());
  const Object back = parse_message(*frank, "REPLY");
  EXPECT_TRUE(contains(*frank, "DURATION:PT45M"));
  EXPECT_FALSE(contains(*frank, "COMMENT"));
  EXPECT_FALSE(contains(*frank, "SCHEDULE-AGENT"));
  EXPECT_EQ(count(*frank, "BEGIN:VTIMEZONE"), 0u);
  EXPECT_EQ(partstat_of(back, "frank@example.org"), PartStat::declined);
}

// ---- with_partstat() -------------------------------------------------------------------------

TEST(WithPartstat, SetsEveryLineAndDropsRsvp) {
  const Object o = thunderbird();
  const std::string before = o.to_ical();
  const std::string out = with_partstat(o, "MAILTO:Bob@example.com", PartStat::declined);
  EXPECT_EQ(o.to_ical(), before);
  expect_well_formed(out);
  const Object back = testing::parse_ok(out);
  const auto comps = events(out);
  ASSERT_EQ(comps.size(), 2u);
  for (const std::string& c : comps) {
    const std::string bob = attendee_line(c, "bob@example.com");
    EXPECT_EQ(count(bob, "PARTSTAT="), 1u) << bob;
    EXPECT_TRUE(contains(bob, "PARTSTAT=DECLINED"));
    EXPECT_FALSE(contains(bob, "RSVP"));
  }
  EXPECT_TRUE(contains(attendee_line(comps[0], "bob@example.com"), "SCHEDULE-STATUS=1.2"));  // left alone
  EXPECT_TRUE(contains(attendee_line(comps[0], "carol.weber@example.com"), "RSVP=TRUE"));    // others untouched
  EXPECT_EQ(partstat_of(back, "carol.weber@example.com"), PartStat::accepted);
  // NEEDS-ACTION again keeps the RSVP request.
  const std::string again = with_partstat(o, "bob@example.com", PartStat::needs_action);
  EXPECT_TRUE(contains(attendee_line(events(again)[0], "bob@example.com"), "RSVP=TRUE"));
}

TEST(WithPartstat, UnchangedWhenNoAttendeeOrUnnamedValue) {
  const Object o = thunderbird();
  EXPECT_EQ(with_partstat(o, "mallory@example.com", PartStat::accepted), o.to_ical());
  EXPECT_EQ(with_partstat(o, "", PartStat::accepted), o.to_ical());
  EXPECT_EQ(with_partstat(o, "bob@example.com", PartStat::other), o.to_ical());
  // A non-mailto attendee cannot be named by email.
  const Object apple = testing::parse_ok(apple_invitation());
  EXPECT_EQ(with_partstat(apple, "urn:uuid:9a0b1c2d-3e4f-5a6b-7c8d-9e0f1a2b3c4d", PartStat::declined), apple.to_ical());
}

TEST(WithPartstat, RepeatedParametersCollapse) {
  const Object o = testing::parse_ok(ics({"BEGIN:VEVENT", "UID:dup", "DTSTART:20260301T090000Z",
                                          "ORGANIZER:mailto:anna@example.com",
                                          "ATTENDEE;PARTSTAT=DECLINED;PARTSTAT=TENTATIVE;RSVP=TRUE;RSVP=FALSE:mailto:b@x.org",
                                          "END:VEVENT"}));
  const std::string out = with_partstat(o, "b@x.org", PartStat::accepted);
  const std::string line = attendee_line(out, "b@x.org");
  EXPECT_EQ(count(line, "PARTSTAT="), 1u) << line;
  EXPECT_TRUE(contains(line, "PARTSTAT=ACCEPTED"));
  EXPECT_FALSE(contains(line, "RSVP"));
}

// ---- apply_reply() ---------------------------------------------------------------------------

TEST(ApplyReply, MasterReply) {
  const Object copy = thunderbird();
  // Bob declines the series; his reply names only the master.
  const Object reply = testing::parse_ok(ics({"BEGIN:VEVENT", "UID:5f0c8a2e-7d1b-4c8e-9a55-2b1d3e4f6a7b",
                                              "DTSTAMP:20260206T080000Z", "DTSTART:20260303T090000Z",
                                              "SEQUENCE:2", "ORGANIZER:mailto:anna@example.com",
                                              "ATTENDEE;PARTSTAT=DECLINED:mailto:BOB@example.com", "END:VEVENT"}));
  const std::string before = copy.to_ical();
  const auto out = apply_reply(copy, reply);
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(copy.to_ical(), before);
  expect_well_formed(*out);
  testing::parse_ok(*out);
  const auto comps = events(*out);
  ASSERT_EQ(comps.size(), 2u);
  const std::string bob = attendee_line(comps[0], "bob@example.com");
  EXPECT_TRUE(contains(bob, "PARTSTAT=DECLINED"));
  EXPECT_EQ(count(bob, "PARTSTAT="), 1u);
  EXPECT_TRUE(contains(bob, "SCHEDULE-STATUS=2.0"));
  EXPECT_EQ(count(bob, "SCHEDULE-STATUS"), 1u);  // replaces the 1.2 it had
  EXPECT_TRUE(contains(bob, "CN=Bob Meyer"));     // the rest of the line stays
  // The override keeps its own answer.
  EXPECT_TRUE(contains(attendee_line(comps[1], "bob@example.com"), "PARTSTAT=TENTATIVE"));
  EXPECT_FALSE(contains(attendee_line(comps[1], "bob@example.com"), "SCHEDULE-STATUS"));
}

TEST(ApplyReply, InstanceReplyMatchedInUtc) {
  const Object copy = thunderbird();
  // 10:00 Berlin (CET) is 09:00Z: the reply writes the instance in UTC.
  const Object reply = testing::parse_ok(ics({"BEGIN:VEVENT", "UID:5f0c8a2e-7d1b-4c8e-9a55-2b1d3e4f6a7b",
                                              "RECURRENCE-ID:20260324T090000Z", "DTSTAMP:20260206T080000Z",
                                              "DTSTART:20260324T130000Z", "ORGANIZER:mailto:anna@example.com",
                                              "ATTENDEE;PARTSTAT=ACCEPTED:mailto:dave@example.com", "END:VEVENT"}));
  const auto out = apply_reply(copy, reply);
  ASSERT_TRUE(out.has_value());
  const auto comps = events(*out);
  ASSERT_EQ(comps.size(), 2u);
  const std::string dave = attendee_line(comps[1], "dave@example.com");
  EXPECT_TRUE(contains(dave, "PARTSTAT=ACCEPTED"));
  EXPECT_TRUE(contains(dave, "SCHEDULE-STATUS=2.0"));
  EXPECT_TRUE(contains(dave, "RSVP=TRUE"));
  EXPECT_EQ(attendee_line(comps[0], "dave@example.com"), "");  // the master is not touched
}

TEST(ApplyReply, ReplyFromItipReplyRoundTrip) {
  const Object copy = thunderbird();
  // The attendee's copy, accepted, turned into a REPLY, received by the organiser's server.
  const Object attendee_copy = testing::parse_ok(with_partstat(copy, "carol.weber@example.com", PartStat::tentative));
  const auto message = itip_reply(attendee_copy, "carol.weber@example.com");
  ASSERT_TRUE(message.has_value());
  const auto out = apply_reply(copy, parse_message(*message, "REPLY"));
  ASSERT_TRUE(out.has_value());
  const Object back = testing::parse_ok(*out);
  EXPECT_EQ(partstat_of(back, "carol.weber@example.com"), PartStat::tentative);
  EXPECT_EQ(partstat_of(back, "bob@example.com"), PartStat::needs_action);
}

TEST(ApplyReply, InstanceWithoutOverrideChangesNothing) {
  const Object copy = thunderbird();
  const Object reply = testing::parse_ok(ics({"BEGIN:VEVENT", "UID:5f0c8a2e-7d1b-4c8e-9a55-2b1d3e4f6a7b",
                                              "RECURRENCE-ID;TZID=Europe/Berlin:20260310T100000",
                                              "DTSTART:20260310T090000Z", "ORGANIZER:mailto:anna@example.com",
                                              "ATTENDEE;PARTSTAT=DECLINED:mailto:bob@example.com", "END:VEVENT"}));
  const auto out = apply_reply(copy, reply);
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(*out, copy.to_ical());
}

TEST(ApplyReply, RefusesForeignReplies) {
  const Object copy = thunderbird();
  const Object other_uid = testing::parse_ok(ics({"BEGIN:VEVENT", "UID:something-else", "DTSTART:20260303T090000Z",
                                                  "ATTENDEE;PARTSTAT=ACCEPTED:mailto:bob@example.com", "END:VEVENT"}));
  EXPECT_FALSE(apply_reply(copy, other_uid).has_value());
  const Object stranger = testing::parse_ok(ics({"BEGIN:VEVENT", "UID:5f0c8a2e-7d1b-4c8e-9a55-2b1d3e4f6a7b",
                                                 "DTSTART:20260303T090000Z",
                                                 "ATTENDEE;PARTSTAT=ACCEPTED:mailto:mallory@example.com", "END:VEVENT"}));
  EXPECT_FALSE(apply_reply(copy, stranger).has_value());
  const Object nobody = testing::parse_ok(ics({"BEGIN:VEVENT", "UID:5f0c8a2e-7d1b-4c8e-9a55-2b1d3e4f6a7b",
                                               "DTSTART:20260303T090000Z", "END:VEVENT"}));
  EXPECT_FALSE(apply_reply(copy, nobody).has_value());
  // Only the first attendee of a reply answers: a second line cannot speak for Carol.
  const Object forged = testing::parse_ok(ics({"BEGIN:VEVENT", "UID:5f0c8a2e-7d1b-4c8e-9a55-2b1d3e4f6a7b",
                                               "DTSTART:20260303T090000Z",
                                               "ATTENDEE;PARTSTAT=ACCEPTED:mailto:bob@example.com",
                                               "ATTENDEE;PARTSTAT=DECLINED:mailto:carol.weber@example.com",
                                               "END:VEVENT"}));
  const auto out = apply_reply(copy, forged);
  ASSERT_TRUE(out.has_value());
  const Object back = testing::parse_ok(*out);
  EXPECT_EQ(partstat_of(back, "bob@example.com"), PartStat::accepted);
  EXPECT_EQ(partstat_of(back, "carol.weber@example.com"), PartStat::accepted);
}

TEST(ApplyReply, TodoPartstatsSurvive) {
  const Object copy = testing::parse_ok(ics({"BEGIN:VTODO", "UID:task-2", "DUE:20260310T170000Z",
                                             "ORGANIZER:mailto:anna@example.com",
                                             "ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:bob@example.com", "END:VTODO"}));
  const Object reply = testing::parse_ok(ics({"BEGIN:VTODO", "UID:task-2", "DUE:20260310T170000Z",
                                              "ATTENDEE;PARTSTAT=COMPLETED:mailto:bob@example.com", "END:VTODO"}));
  const auto out = apply_reply(copy, reply);
  ASSERT_TRUE(out.has_value());
  EXPECT_TRUE(contains(attendee_line(*out, "bob@example.com"), "PARTSTAT=COMPLETED"));
  // A VEVENT reply for a VTODO with the same UID is no answer to it.
  const Object event_reply = testing::parse_ok(ics({"BEGIN:VEVENT", "UID:task-2", "DTSTART:20260310T170000Z",
                                                    "ATTENDEE;PARTSTAT=ACCEPTED:mailto:bob@example.com",
                                                    "END:VEVENT"}));
  EXPECT_FALSE(apply_reply(copy, event_reply).has_value());
}

// ---- with_schedule_status() ------------------------------------------------------------------

TEST(WithScheduleStatus, SetsAndReplaces) {
  const Object o = thunderbird();
  const std::string before = o.to_ical();
  const std::string out = with_schedule_status(o, {{"bob@example.com", "1.1"},
                                                   {"carol.weber@example.com", "3.7"},
                                                   {"mailto:DAVE@example.com", "5.3"},
                                                   {"rhein@rooms.example.com", "2.0\";X-EVIL=\"1"}});
  EXPECT_EQ(o.to_ical(), before);
  expect_well_formed(out);
  testing::parse_ok(out);
  const auto comps = events(out);
  ASSERT_EQ(comps.size(), 2u);
  const std::string bob = attendee_line(comps[0], "bob@example.com");
  EXPECT_TRUE(contains(bob, "SCHEDULE-STATUS=1.1"));
  EXPECT_EQ(count(bob, "SCHEDULE-STATUS"), 1u);
  const std::string carol = attendee_line(comps[0], "carol.weber@example.com");
  EXPECT_TRUE(contains(carol, "SCHEDULE-STATUS=3.7"));
  EXPECT_EQ(count(carol, "SCHEDULE-STATUS"), 1u);
  EXPECT_TRUE(contains(attendee_line(comps[1], "bob@example.com"), "SCHEDULE-STATUS=1.1"));  // every component
  EXPECT_TRUE(contains(attendee_line(comps[1], "dave@example.com"), "SCHEDULE-STATUS=5.3"));
  // Not a status code: left as it was, nothing injected.
  EXPECT_FALSE(contains(attendee_line(comps[0], "rhein@rooms.example.com"), "SCHEDULE-STATUS"));
  EXPECT_FALSE(contains(out, "X-EVIL"));
  EXPECT_FALSE(contains(attendee_line(comps[0], "anna@example.com"), "SCHEDULE-STATUS"));
  // Several codes at once are one quoted list.
  const std::string two = with_schedule_status(o, {{"bob@example.com", "1.2,3.7"}});
  EXPECT_TRUE(contains(attendee_line(events(two)[0], "bob@example.com"), "SCHEDULE-STATUS=\"1.2,3.7\""));
  EXPECT_EQ(with_schedule_status(o, {}), o.to_ical());
}

// ---- as_cancelled() --------------------------------------------------------------------------

TEST(AsCancelled, EveryComponent) {
  const Object o = thunderbird();
  const std::string before = o.to_ical();
  const std::string out = as_cancelled(o);
  EXPECT_EQ(o.to_ical(), before);
  expect_well_formed(out);
  const Object back = testing::parse_ok(out);  // stored: no METHOD
  const auto comps = events(out);
  ASSERT_EQ(comps.size(), 2u);
  for (const std::string& c : comps) EXPECT_EQ(lines_named(c, "STATUS"), std::vector<std::string>{"STATUS:CANCELLED"});
  EXPECT_TRUE(contains(comps[0], "SEQUENCE:2"));  // the attendee's copy does not bump it
  EXPECT_TRUE(contains(comps[0], "BEGIN:VALARM"));
  // Cancelled instances are free time.
  EXPECT_TRUE(booked_periods(back, TimeRange{utc("20260301"), utc("20260501")}).empty());
  const Object plain = testing::corpus_object("google_allday.ics");
  EXPECT_EQ(count(as_cancelled(plain), "STATUS:CANCELLED"), 1u);
}

// ---- merge_update() --------------------------------------------------------------------------

// Bob's copy after he accepted the series and declined the afternoon instance.
Object bob_copy() {
  return testing::parse_ok(replaced(replaced(std::string(thunderbird_invitation),
                                             "CN=Bob Meyer;PARTSTAT=NEEDS-ACTION", "CN=Bob Meyer;PARTSTAT=ACCEPTED"),
                                    "CN=Bob (afternoon);PARTSTAT=TENTATIVE", "CN=Bob (afternoon);PARTSTAT=DECLINED"));
}

TEST(MergeUpdate, KeepsAnswerWhenOnlySummaryChanged) {
  const Object current = bob_copy();
  ASSERT_TRUE(contains(attendee_line(events(current.to_ical())[1], "bob@example.com"), "PARTSTAT=DECLINED"));
  const Object update = testing::parse_ok(replaced(replaced(std::string(thunderbird_invitation), "SUMMARY:Design review\r\n",
                                                            "SUMMARY:Design review: storage\r\n"),
                                                   "LOCATION:Rhein", "LOCATION:Main"));
  const std::string before = current.to_ical();
  const std::string out = merge_update(current, update, "bob@example.com");
  EXPECT_EQ(current.to_ical(), before);
  expect_well_formed(out);
  testing::parse_ok(out);
  const auto comps = events(out);
  ASSERT_EQ(comps.size(), 2u);
  EXPECT_TRUE(contains(comps[0], "SUMMARY:Design review: storage"));
  EXPECT_TRUE(contains(attendee_line(comps[0], "bob@example.com"), "PARTSTAT=ACCEPTED"));
  EXPECT_TRUE(contains(attendee_line(comps[1], "bob@example.com"), "PARTSTAT=DECLINED"));
  // The organiser's version of everything else, RSVP included.
  EXPECT_TRUE(contains(attendee_line(comps[0], "bob@example.com"), "RSVP=TRUE"));
  EXPECT_TRUE(contains(attendee_line(comps[0], "carol.weber@example.com"), "PARTSTAT=ACCEPTED"));
}

TEST(MergeUpdate, ResetsWhenTheSeriesMoves) {
  const Object current = bob_copy();
  const Object moved = testing::parse_ok(replaced(replaced(std::string(thunderbird_invitation),
                                                           "DTSTART;TZID=Europe/Berlin:20260303T100000",
                                                           "DTSTART;TZID=Europe/Berlin:20260303T103000"),
                                                  "DTEND;TZID=Europe/Berlin:20260303T110000",
                                                  "DTEND;TZID=Europe/Berlin:20260303T113000"));
  auto comps = events(merge_update(current, moved, "bob@example.com"));
  ASSERT_EQ(comps.size(), 2u);
  EXPECT_TRUE(contains(attendee_line(comps[0], "bob@example.com"), "PARTSTAT=NEEDS-ACTION"));
  // The override did not move: its answer stays.
  EXPECT_TRUE(contains(attendee_line(comps[1], "bob@example.com"), "PARTSTAT=DECLINED"));

  const Object exdate = testing::parse_ok(replaced(std::string(thunderbird_invitation),
                                                   "EXDATE;TZID=Europe/Berlin:20260317T100000",
                                                   "EXDATE;TZID=Europe/Berlin:20260317T100000,20260331T100000"));
  comps = events(merge_update(current, exdate, "bob@example.com"));
  EXPECT_TRUE(contains(attendee_line(comps[0], "bob@example.com"), "PARTSTAT=NEEDS-ACTION"));

  const Object longer = testing::parse_ok(replaced(std::string(thunderbird_invitation), "COUNT=6", "COUNT=8"));
  comps = events(merge_update(current, longer, "bob@example.com"));
  EXPECT_TRUE(contains(attendee_line(comps[0], "bob@example.com"), "PARTSTAT=NEEDS-ACTION"));
}

TEST(MergeUpdate, ResetsOnlyTheMovedInstance) {
  const Object current = bob_copy();
  const Object update = testing::parse_ok(replaced(replaced(std::string(thunderbird_invitation),
                                                            "DTSTART;TZID=Europe/Berlin:20260324T140000",
                                                            "DTSTART;TZID=Europe/Berlin:20260324T150000"),
                                                   "DTEND;TZID=Europe/Berlin:20260324T150000",
                                                   "DTEND;TZID=Europe/Berlin:20260324T160000"));
  const auto comps = events(merge_update(current, update, "bob@example.com"));
  ASSERT_EQ(comps.size(), 2u);
  EXPECT_TRUE(contains(attendee_line(comps[0], "bob@example.com"), "PARTSTAT=ACCEPTED"));
  EXPECT_TRUE(contains(attendee_line(comps[1], "bob@example.com"), "PARTSTAT=TENTATIVE"));  // as sent
}

TEST(MergeUpdate, NewOverrides) {
  const Object current = bob_copy();
  const std::string base(thunderbird_invitation);
  const std::size_t end = base.rfind("END:VCALENDAR");
  auto with_override = [&](std::string_view start, std::string_view end_time) {
    return testing::parse_ok(
        base.substr(0, end) +
        "BEGIN:VEVENT\r\nUID:5f0c8a2e-7d1b-4c8e-9a55-2b1d3e4f6a7b\r\nDTSTAMP:20260206T120000Z\r\n"
        "RECURRENCE-ID;TZID=Europe/Berlin:20260331T100000\r\n"
        "DTSTART;TZID=Europe/Berlin:" + std::string(start) + "\r\nDTEND;TZID=Europe/Berlin:" + std::string(end_time) +
        "\r\nSUMMARY:Design review (remote)\r\nORGANIZER:mailto:anna@example.com\r\n"
        "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:bob@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
  };
  // Same slot, new summary: the series' answer carries over.
  auto comps = events(merge_update(current, with_override("20260331T100000", "20260331T110000"), "bob@example.com"));
  ASSERT_EQ(comps.size(), 3u);
  EXPECT_TRUE(contains(attendee_line(comps[2], "bob@example.com"), "PARTSTAT=ACCEPTED"));
  // Moved: asked again.
  comps = events(merge_update(current, with_override("20260331T120000", "20260331T130000"), "bob@example.com"));
  ASSERT_EQ(comps.size(), 3u);
  EXPECT_TRUE(contains(attendee_line(comps[2], "bob@example.com"), "PARTSTAT=NEEDS-ACTION"));
  EXPECT_TRUE(contains(attendee_line(comps[0], "bob@example.com"), "PARTSTAT=ACCEPTED"));
  // Longer: asked again.
  comps = events(merge_update(current, with_override("20260331T100000", "20260331T120000"), "bob@example.com"));
  EXPECT_TRUE(contains(attendee_line(comps[2], "bob@example.com"), "PARTSTAT=NEEDS-ACTION"));
}

TEST(MergeUpdate, OtherAttendeeOrNoAnswer) {
  const Object current = bob_copy();
  const Object update = thunderbird();
  // Not an attendee of the update: the update as sent.
  EXPECT_EQ(merge_update(current, update, "mallory@example.com"), update.to_ical());
  // Gina never answered (no PARTSTAT in her copy): the update's value is dropped too.
  const Object apple = testing::parse_ok(apple_invitation());
  const Object apple_update = testing::parse_ok(replaced(
      replaced(apple_invitation(), "SUMMARY:Coffee", "SUMMARY:Coffee & cake"), "ROLE=REQ-PARTICIPANT;RSVP=T\r\n RUE",
      "ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;RSVP=T\r\n RUE"));
  const std::string out = merge_update(apple, apple_update, "gina@example.org");
  EXPECT_TRUE(contains(out, "Coffee & cake"));
  EXPECT_EQ(partstat_of(testing::parse_ok(out), "gina@example.org"), PartStat::needs_action);
  EXPECT_FALSE(contains(attendee_line(out, "gina@example.org"), "PARTSTAT"));
}

// ---- booked_periods() ------------------------------------------------------------------------

TEST(BookedPeriods, RecurringWithExdateAndOverride) {
  const Object o = thunderbird();
  const auto periods = booked_periods(o, TimeRange{utc("20260301"), utc("20260501")});
  // Tuesdays from 3 March, six by COUNT, 17 March excluded; Berlin moves to CEST on 29 March.
  ASSERT_EQ(periods.size(), 5u);
  const UtcSeconds starts[] = {utc("20260303T090000Z"), utc("20260310T090000Z"), utc("20260324T130000Z"),
                               utc("20260331T080000Z"), utc("20260407T080000Z")};
  for (std::size_t i = 0; i < periods.size(); ++i) {
    EXPECT_EQ(periods[i].start, starts[i]) << i;
    EXPECT_EQ(periods[i].end - periods[i].start, 3600) << i;
    EXPECT_EQ(periods[i].type, BusyType::busy);
  }
  // Not clipped: an instance overlapping the window's start counts whole.
  const auto partial = booked_periods(o, TimeRange{utc("20260303T093000Z"), utc("20260304")});
  ASSERT_EQ(partial.size(), 1u);
  EXPECT_EQ(partial[0].start, utc("20260303T090000Z"));
  // The same periods conflict with the calendar's busy time.
  const Object* all[] = {&o};
  EXPECT_EQ(busy_periods(all, TimeRange{utc("20260301"), utc("20260501")}).size(), 5u);
}

TEST(BookedPeriods, FreeInstancesTakeNoTime) {
  const Object transparent = testing::corpus_object("google_allday.ics");  // TRANSP:TRANSPARENT
  EXPECT_TRUE(booked_periods(transparent, TimeRange{utc("20260701"), utc("20260801")}).empty());
  const Object instant = testing::parse_ok(ics({"BEGIN:VEVENT", "UID:instant", "DTSTART:20260301T090000Z",
                                                "END:VEVENT"}));
  EXPECT_TRUE(booked_periods(instant, {}).empty());
  const Object todo = testing::parse_ok(ics({"BEGIN:VTODO", "UID:t", "DTSTART:20260301T090000Z",
                                             "DUE:20260301T100000Z", "END:VTODO"}));
  EXPECT_TRUE(booked_periods(todo, {}).empty());
  // The cancelled weekday of Apple's stand-up is free, the others are booked.
  const Object standup = testing::corpus_object("apple_weekdays_cancelled.ics");
  EXPECT_EQ(booked_periods(standup, TimeRange{utc("20260301"), utc("20260501")}).size(), 6u);
  const Object tentative = testing::parse_ok(ics({"BEGIN:VEVENT", "UID:maybe", "DTSTART:20260301T090000Z",
                                                  "DTEND:20260301T100000Z", "STATUS:TENTATIVE", "END:VEVENT"}));
  const auto maybe = booked_periods(tentative, {});
  ASSERT_EQ(maybe.size(), 1u);
  EXPECT_EQ(maybe[0].type, BusyType::busy_tentative);
}

TEST(BookedPeriods, BoundedOnEndlessRules) {
  const Object daily = testing::parse_ok(ics({"BEGIN:VEVENT", "UID:forever", "DTSTART:20260101T090000Z",
                                              "DTEND:20260101T093000Z", "RRULE:FREQ=DAILY",
                                              "END:VEVENT"}));
  const auto periods = booked_periods(daily, {}, ExpandLimits{.max_instances = 50, .max_iterations = 1000});
  EXPECT_LE(periods.size(), 50u);
  EXPECT_FALSE(periods.empty());
}


// ---- odd and hostile input -------------------------------------------------------------------

TEST(SchedulingRobustness, OddAddressesAndSequences) {
  const Object o = testing::parse_ok(ics({"BEGIN:VEVENT", "UID:odd", "DTSTART:20260301T090000Z",
                                          "DTEND:20260301T100000Z", "SEQUENCE:2147483647",
                                          "ORGANIZER:urn:uuid:0000", "ATTENDEE:mailto:", "ATTENDEE:MAILTO: Spaced@X.org ",
                                          "ATTENDEE;VALUE=TEXT:just text", "ATTENDEE;PARTSTAT=:mailto:empty@x.org",
                                          "END:VEVENT"}));
  const auto s = scheduling(o);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->organizer.email, "");
  EXPECT_EQ(s->sequence, 2147483647);
  EXPECT_NE(find(*s, "spaced@x.org"), nullptr);
  EXPECT_FALSE(partstat_of(o, "").has_value());
  EXPECT_FALSE(itip_reply(o, "mailto:").has_value());
  const std::string cancel = itip_cancel(o);
  parse_message(cancel, "CANCEL");
  EXPECT_TRUE(contains(cancel, "SEQUENCE:2147483647"));  // saturates rather than wrapping
  const Object negative = testing::parse_ok(ics({"BEGIN:VEVENT", "UID:neg", "DTSTART:20260301T090000Z",
                                                 "SEQUENCE:-4", "ORGANIZER:mailto:a@x.org", "END:VEVENT"}));
  EXPECT_TRUE(contains(itip_cancel(negative), "SEQUENCE:1"));
}

// Every function on every client-shaped file of the corpus, for every attendee: no crash, and every
// output is well-formed and parses back (without METHOD).
TEST(SchedulingRobustness, WholeCorpus) {
  for (const auto& entry : std::filesystem::directory_iterator(ATRIUM_CALENDAR_CORPUS_DIR)) {
    if (entry.path().extension() != ".ics") continue;
    SCOPED_TRACE(entry.path().filename().string());
    const Object o = testing::corpus_object(entry.path().filename().string());
    std::vector<std::string> emails = {"nobody@example.com"};
    if (const auto s = scheduling(o)) {
      for (const Participant& p : s->attendees) emails.push_back(p.email);
    }
    parse_message(itip_request(o), "REQUEST");
    parse_message(itip_cancel(o), "CANCEL");
    testing::parse_ok(as_cancelled(o));
    const std::string status = with_schedule_status(o, {{emails.back(), "1.2"}});
    testing::parse_ok(status);
    for (const std::string& e : emails) {
      parse_message(itip_cancel(o, {e}), "CANCEL");
      if (const auto reply = itip_reply(o, e)) {
        const Object r = parse_message(*reply, "REPLY");
        const auto applied = apply_reply(o, r);
        ASSERT_TRUE(applied.has_value());
        testing::parse_ok(*applied);
      }
      const Object accepted = testing::parse_ok(with_partstat(o, e, PartStat::accepted));
      testing::parse_ok(merge_update(accepted, o, e));
      if (e != "nobody@example.com" && !e.empty()) {
        EXPECT_EQ(partstat_of(accepted, e), PartStat::accepted);
      }
    }
    booked_periods(o, {}, ExpandLimits{.max_instances = 100, .max_iterations = 10000});
  }
}

}  // namespace
}  // namespace atrium::calendar
