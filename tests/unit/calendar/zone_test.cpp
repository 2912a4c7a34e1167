// Zone: names, the Windows table and calendar-timezone VTIMEZONEs.
#include "calendar/zone.hpp"

#include "calendar/object.hpp"
#include "tests/unit/calendar/test_support.hpp"

#include <gtest/gtest.h>

namespace atrium::calendar {
namespace {

using testing::utc;

TEST(WindowsZones, MapsOutlookNames) {
  struct Case {
    const char* windows;
    std::optional<std::string_view> olson;
  };
  const Case cases[] = {
      {"W. Europe Standard Time", "Europe/Berlin"},
      {"w. europe standard time", "Europe/Berlin"},
      {"Pacific Standard Time", "America/Los_Angeles"},
      {"GMT Standard Time", "Europe/London"},
      {"Tokyo Standard Time", "Asia/Tokyo"},
      {"AUS Eastern Standard Time", "Australia/Sydney"},
      {"Europe/Berlin", std::nullopt},
      {"", std::nullopt},
  };
  for (const Case& c : cases) EXPECT_EQ(olson_for_windows(c.windows), c.olson) << c.windows;
}

TEST(Zone, FromName) {
  EXPECT_TRUE(Zone::utc().is_utc());
  EXPECT_EQ(Zone::utc().name(), "UTC");
  auto berlin = Zone::from_name("Europe/Berlin");
  ASSERT_TRUE(berlin);
  EXPECT_EQ(berlin->name(), "Europe/Berlin");
  EXPECT_FALSE(berlin->is_utc());
  auto pacific = Zone::from_name("Pacific Standard Time");
  ASSERT_TRUE(pacific);
  EXPECT_EQ(pacific->name(), "America/Los_Angeles");
  EXPECT_TRUE(Zone::from_name("UTC")->is_utc());
  EXPECT_FALSE(Zone::from_name("Nowhere/Special"));
  EXPECT_FALSE(Zone::from_name(""));
  EXPECT_FALSE(Zone::from_name("../../etc/passwd"));
}

const char* const custom_zone =
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\n"
    "BEGIN:VTIMEZONE\r\nTZID:Office Time\r\n"
    "BEGIN:STANDARD\r\nDTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\n"
    "TZOFFSETFROM:+0400\r\nTZOFFSETTO:+0300\r\nEND:STANDARD\r\n"
    "BEGIN:DAYLIGHT\r\nDTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\n"
    "TZOFFSETFROM:+0300\r\nTZOFFSETTO:+0400\r\nEND:DAYLIGHT\r\n"
    "END:VTIMEZONE\r\nEND:VCALENDAR\r\n";

TEST(Zone, FromCalendarTimezone) {
  auto zone = Zone::from_icalendar(custom_zone);
  ASSERT_TRUE(zone);
  EXPECT_EQ(zone->name(), "Office Time");
  // A floating event read in that zone: 10:00 at +03:00 in January, +04:00 in July.
  const std::string winter = testing::ics({"BEGIN:VEVENT", "UID:f1", "DTSTAMP:20260101T000000Z",
                                           "DTSTART:20260115T100000", "DTEND:20260115T110000", "END:VEVENT"});
  const std::string summer = testing::ics({"BEGIN:VEVENT", "UID:f2", "DTSTAMP:20260101T000000Z",
                                           "DTSTART:20260715T100000", "DTEND:20260715T110000", "END:VEVENT"});
  EXPECT_EQ(testing::parse_ok(winter, {.floating = *zone}).bounds().first_start, utc("20260115T070000Z"));
  EXPECT_EQ(testing::parse_ok(summer, {.floating = *zone}).bounds().first_start, utc("20260715T060000Z"));
}

TEST(Zone, FromCalendarTimezoneKnownNameUsesDatabase) {
  const std::string text =
      "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\nBEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n"
      "BEGIN:STANDARD\r\nDTSTART:19701025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\n"
      "END:VTIMEZONE\r\nEND:VCALENDAR\r\n";
  auto zone = Zone::from_icalendar(text);
  ASSERT_TRUE(zone);
  const std::string summer = testing::ics({"BEGIN:VEVENT", "UID:f3", "DTSTAMP:20260101T000000Z",
                                           "DTSTART:20260715T100000", "END:VEVENT"});
  // The truncated client copy has no DST; the database does.
  EXPECT_EQ(testing::parse_ok(summer, {.floating = *zone}).bounds().first_start, utc("20260715T080000Z"));
}

TEST(Zone, FromCalendarTimezoneRefusesBadInput) {
  EXPECT_FALSE(Zone::from_icalendar(""));
  EXPECT_FALSE(Zone::from_icalendar("not a calendar"));
  EXPECT_FALSE(Zone::from_icalendar("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"));
  // Rules libical would expand for a very long time.
  const std::string hostile =
      "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTIMEZONE\r\nTZID:Hostile\r\n"
      "BEGIN:STANDARD\r\nDTSTART:16000101T000000\r\nRRULE:FREQ=SECONDLY\r\n"
      "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0000\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\nEND:VCALENDAR\r\n";
  EXPECT_FALSE(Zone::from_icalendar(hostile));
}

}  // namespace
}  // namespace atrium::calendar
