// parse(): each validation error, the limits, and what a valid object carries.
#include "calendar/object.hpp"

#include "tests/unit/calendar/test_support.hpp"

#include <gtest/gtest.h>

#include <string>

namespace atrium::calendar {
namespace {

using testing::ics;
using testing::utc;

std::optional<ParseErrorCode> error_of(std::string_view text, const ParseOptions& options = {}) {
  ParseResult r = parse(text, options);
  if (const auto* e = std::get_if<ParseError>(&r)) {
    EXPECT_FALSE(e->message.empty());
    return e->code;
  }
  return std::nullopt;
}

TEST(Parse, ErrorTable) {
  struct Case {
    const char* what;
    std::string text;
    ParseErrorCode code;
  };
  const Case cases[] = {
      {"plain text", "hello world\r\n", ParseErrorCode::not_icalendar},
      {"empty", "", ParseErrorCode::not_icalendar},
      {"vCard", "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:A\r\nEND:VCARD\r\n", ParseErrorCode::not_icalendar},
      {"no VERSION",
       "BEGIN:VCALENDAR\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260101T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
       ParseErrorCode::invalid},
      {"bad DTSTART", ics({"BEGIN:VEVENT", "UID:a", "DTSTART:tomorrow", "END:VEVENT"}), ParseErrorCode::invalid},
      {"no DTSTART", ics({"BEGIN:VEVENT", "UID:a", "SUMMARY:x", "END:VEVENT"}), ParseErrorCode::invalid},
      {"DTEND and DURATION",
       ics({"BEGIN:VEVENT", "UID:a", "DTSTART:20260101T100000Z", "DTEND:20260101T110000Z", "DURATION:PT1H",
            "END:VEVENT"}),
       ParseErrorCode::invalid},
      {"ends before start",
       ics({"BEGIN:VEVENT", "UID:a", "DTSTART:20260101T100000Z", "DTEND:20260101T090000Z", "END:VEVENT"}),
       ParseErrorCode::invalid},
      {"DATE start, DATE-TIME end",
       ics({"BEGIN:VEVENT", "UID:a", "DTSTART;VALUE=DATE:20260101", "DTEND:20260102T090000Z", "END:VEVENT"}),
       ParseErrorCode::invalid},
      {"bad RRULE", ics({"BEGIN:VEVENT", "UID:a", "DTSTART:20260101T100000Z", "RRULE:FREQ=SOMETIMES", "END:VEVENT"}),
       ParseErrorCode::invalid},
      {"impossible RRULE",
       ics({"BEGIN:VEVENT", "UID:a", "DTSTART:20260101T100000Z", "RRULE:FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30",
            "END:VEVENT"}),
       ParseErrorCode::invalid},
      {"SECONDLY filtered by day",
       ics({"BEGIN:VEVENT", "UID:a", "DTSTART:20260101T100000Z", "RRULE:FREQ=SECONDLY;BYMONTHDAY=15", "END:VEVENT"}),
       ParseErrorCode::invalid},
      {"HOURLY filtered by hour",
       ics({"BEGIN:VEVENT", "UID:a", "DTSTART:20260101T100000Z", "RRULE:FREQ=HOURLY;BYHOUR=9,17", "END:VEVENT"}),
       ParseErrorCode::invalid},
      {"HOURLY on a DATE",
       ics({"BEGIN:VEVENT", "UID:a", "DTSTART;VALUE=DATE:20260101", "RRULE:FREQ=HOURLY", "END:VEVENT"}),
       ParseErrorCode::invalid},
      {"two masters",
       ics({"BEGIN:VEVENT", "UID:a", "DTSTART:20260101T100000Z", "END:VEVENT", "BEGIN:VEVENT", "UID:a",
            "DTSTART:20260102T100000Z", "END:VEVENT"}),
       ParseErrorCode::invalid},
      {"same RECURRENCE-ID twice",
       ics({"BEGIN:VEVENT", "UID:a", "DTSTART:20260101T100000Z", "RRULE:FREQ=DAILY", "END:VEVENT", "BEGIN:VEVENT",
            "UID:a", "RECURRENCE-ID:20260102T100000Z", "DTSTART:20260102T120000Z", "END:VEVENT", "BEGIN:VEVENT",
            "UID:a", "RECURRENCE-ID:20260102T100000Z", "DTSTART:20260102T130000Z", "END:VEVENT"}),
       ParseErrorCode::invalid},
      {"two VCALENDARs", ics({"BEGIN:VEVENT", "UID:a", "DTSTART:20260101T100000Z", "END:VEVENT"}) +
                             ics({"BEGIN:VEVENT", "UID:a", "DTSTART:20260101T100000Z", "END:VEVENT"}),
       ParseErrorCode::invalid},
      {"no component", ics({"X-WR-CALNAME:empty"}), ParseErrorCode::invalid},
      {"NUL byte", ics({"BEGIN:VEVENT", "UID:a", "DTSTART:20260101T100000Z", "SUMMARY:a", "END:VEVENT"}) +
                       std::string(1, '\0'),
       ParseErrorCode::invalid},
      {"control character", ics({"BEGIN:VEVENT", "UID:a\x08b", "DTSTART:20260101T100000Z", "END:VEVENT"}),
       ParseErrorCode::invalid},
      {"Latin-1 text", ics({"BEGIN:VEVENT", "UID:a", "DTSTART:20260101T100000Z", "SUMMARY:caf\xE9", "END:VEVENT"}),
       ParseErrorCode::invalid},
      {"hostile VTIMEZONE",
       ics({"BEGIN:VTIMEZONE", "TZID:H", "BEGIN:STANDARD", "DTSTART:16000101T000000", "RRULE:FREQ=MINUTELY",
            "TZOFFSETFROM:+0100", "TZOFFSETTO:+0000", "END:STANDARD", "END:VTIMEZONE", "BEGIN:VEVENT", "UID:a",
            "DTSTART;TZID=H:20260101T100000", "END:VEVENT"}),
       ParseErrorCode::invalid},
      {"two UIDs",
       ics({"BEGIN:VEVENT", "UID:a", "DTSTART:20260101T100000Z", "END:VEVENT", "BEGIN:VEVENT", "UID:b",
            "DTSTART:20260102T100000Z", "END:VEVENT"}),
       ParseErrorCode::multiple_uids},
      {"no UID", ics({"BEGIN:VEVENT", "DTSTART:20260101T100000Z", "END:VEVENT"}), ParseErrorCode::missing_uid},
      {"override without UID",
       ics({"BEGIN:VEVENT", "UID:a", "DTSTART:20260101T100000Z", "RRULE:FREQ=DAILY", "END:VEVENT", "BEGIN:VEVENT",
            "RECURRENCE-ID:20260102T100000Z", "DTSTART:20260102T120000Z", "END:VEVENT"}),
       ParseErrorCode::missing_uid},
      {"event and todo",
       ics({"BEGIN:VEVENT", "UID:a", "DTSTART:20260101T100000Z", "END:VEVENT", "BEGIN:VTODO", "UID:a", "END:VTODO"}),
       ParseErrorCode::mixed_component_types},
      {"VFREEBUSY",
       ics({"BEGIN:VFREEBUSY", "UID:a", "DTSTART:20260101T100000Z", "DTEND:20260102T100000Z", "END:VFREEBUSY"}),
       ParseErrorCode::unsupported_component},
      {"X- component", ics({"BEGIN:X-THING", "UID:a", "END:X-THING"}), ParseErrorCode::unsupported_component},
      {"METHOD", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:a\r\n"
                 "DTSTART:20260101T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
       ParseErrorCode::method_present},
  };
  for (const Case& c : cases) EXPECT_EQ(error_of(c.text), c.code) << c.what;
}

TEST(Parse, AcceptsExpandingSubDailyRules) {
  for (const char* rule : {"RRULE:FREQ=HOURLY;BYMINUTE=0,30;COUNT=10", "RRULE:FREQ=MINUTELY;INTERVAL=15;BYSECOND=0",
                           "RRULE:FREQ=SECONDLY;COUNT=5"}) {
    EXPECT_EQ(error_of(ics({"BEGIN:VEVENT", "UID:a", "DTSTART:20260101T100000Z", rule, "END:VEVENT"})), std::nullopt)
        << rule;
  }
}

TEST(Parse, Preconditions) {
  EXPECT_EQ(precondition(ParseErrorCode::not_icalendar), "supported-calendar-data");
  EXPECT_EQ(precondition(ParseErrorCode::invalid), "valid-calendar-data");
  EXPECT_EQ(precondition(ParseErrorCode::multiple_uids), "valid-calendar-object-resource");
  EXPECT_EQ(precondition(ParseErrorCode::missing_uid), "valid-calendar-object-resource");
  EXPECT_EQ(precondition(ParseErrorCode::mixed_component_types), "valid-calendar-object-resource");
  EXPECT_EQ(precondition(ParseErrorCode::method_present), "valid-calendar-object-resource");
  EXPECT_EQ(precondition(ParseErrorCode::unsupported_component), "supported-calendar-component");
  EXPECT_EQ(precondition(ParseErrorCode::too_large), "max-resource-size");
}

TEST(Parse, Limits) {
  const std::string event = ics({"BEGIN:VEVENT", "UID:a", "DTSTART:20260101T100000Z", "SUMMARY:x", "END:VEVENT"});
  EXPECT_EQ(error_of(event, {.limits = {.max_bytes = 40}}), ParseErrorCode::too_large);
  EXPECT_EQ(error_of(event, {.limits = {.max_depth = 1}}), ParseErrorCode::invalid);
  EXPECT_EQ(error_of(event, {.limits = {.max_components = 1}}), ParseErrorCode::invalid);
  EXPECT_EQ(error_of(event, {.limits = {.max_properties = 3}}), ParseErrorCode::invalid);
  EXPECT_EQ(error_of(event), std::nullopt);
  // Deep nesting inside an event.
  std::string deep = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260101T100000Z\r\n";
  for (int i = 0; i < 50; ++i) deep += "BEGIN:VALARM\r\n";
  EXPECT_EQ(error_of(deep), ParseErrorCode::invalid);
}

TEST(Parse, ValidObject) {
  const std::string text = ics({"BEGIN:VEVENT", "UID:event-1@example.com", "DTSTAMP:20260101T000000Z",
                                "DTSTART:20260105T100000Z", "DURATION:PT90M", "SUMMARY:Planning",
                                "FOO-UNKNOWN:tolerated", "X-CUSTOM;X-PARAM=1:kept", "END:VEVENT"});
  const Object o = testing::parse_ok(text);
  EXPECT_EQ(o.uid(), "event-1@example.com");
  EXPECT_EQ(o.kind(), ComponentKind::event);
  EXPECT_FALSE(o.recurs());
  EXPECT_EQ(o.bounds().first_start, utc("20260105T100000Z"));
  EXPECT_EQ(o.bounds().last_end, utc("20260105T113000Z"));
  const std::string out = o.to_ical();
  EXPECT_EQ(out.find("X-LIC-ERROR"), std::string::npos);
  EXPECT_NE(out.find("X-CUSTOM;X-PARAM=1:kept"), std::string::npos);
  EXPECT_NE(out.find("\r\n"), std::string::npos);
  // Copies are deep and independent.
  Object copy = o;
  EXPECT_EQ(copy.to_ical(), out);
  Object moved = std::move(copy);
  EXPECT_EQ(moved.uid(), o.uid());
}

TEST(Parse, OutputIsFoldedCleanly) {
  // libical 3.0 folds some long values into "\r\r\n \r\n"; to_ical() must not.
  const std::string uid(77, '7');
  const Object o = testing::parse_ok(ics({"BEGIN:VEVENT", "UID:" + uid, "DTSTART:20260101T100000Z",
                                          "SUMMARY:" + std::string(200, 's') + "\xC3\xA9" + std::string(100, 't'),
                                          "END:VEVENT"}));
  const std::string out = o.to_ical();
  EXPECT_EQ(out.find("\r\r"), std::string::npos);
  std::size_t start = 0;
  while (start < out.size()) {
    const std::size_t eol = out.find("\r\n", start);
    ASSERT_NE(eol, std::string::npos);
    EXPECT_LE(eol - start, 75u);
    start = eol + 2;
  }
  EXPECT_EQ(testing::parse_ok(out).uid(), uid);
}

TEST(Parse, AcceptsBareLineFeedsAndBom) {
  const std::string text =
      "\xEF\xBB\xBF" "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\nBEGIN:VTODO\nUID:t\nEND:VTODO\nEND:VCALENDAR\n";
  const Object o = testing::parse_ok(text);
  EXPECT_EQ(o.kind(), ComponentKind::todo);
  EXPECT_FALSE(o.bounds().first_start);
  EXPECT_FALSE(o.bounds().last_end);
}

TEST(Parse, OverridesOnlyAndRecurrenceFlag) {
  // An invitation to one instance: no master, only the override.
  const Object o = testing::parse_ok(ics({"BEGIN:VEVENT", "UID:x", "RECURRENCE-ID:20260310T090000Z",
                                          "DTSTART:20260310T100000Z", "DTEND:20260310T110000Z", "END:VEVENT"}));
  EXPECT_TRUE(o.recurs());
  EXPECT_EQ(o.bounds().first_start, utc("20260310T100000Z"));
  EXPECT_EQ(o.bounds().last_end, utc("20260310T110000Z"));
}

TEST(Parse, UnknownTzidIsReadAsFloating) {
  const std::string text = ics({"BEGIN:VEVENT", "UID:u", "DTSTART;TZID=Mars/Olympus:20260105T100000", "END:VEVENT"});
  EXPECT_EQ(testing::parse_ok(text).bounds().first_start, utc("20260105T100000Z"));
  EXPECT_EQ(testing::parse_ok(text, {.floating = *Zone::from_name("Europe/Berlin")}).bounds().first_start,
            utc("20260105T090000Z"));
}

TEST(Parse, PrefixedAndWindowsTzids) {
  const std::string mozilla =
      ics({"BEGIN:VEVENT", "UID:m", "DTSTART;TZID=/mozilla.org/20050126_1/Europe/Berlin:20260705T100000", "END:VEVENT"});
  EXPECT_EQ(testing::parse_ok(mozilla).bounds().first_start, utc("20260705T080000Z"));
  const Object outlook = testing::corpus_object("outlook_windows_tzid_no_vtimezone.ics");
  EXPECT_EQ(outlook.bounds().first_start, utc("20260701T160000Z"));
  EXPECT_EQ(outlook.bounds().last_end, utc("20260701T170000Z"));
}

}  // namespace
}  // namespace atrium::calendar
