// calendar_data(): whole objects, expand, limit-recurrence-set and partial selection.
#include "calendar/output.hpp"

#include "tests/unit/calendar/test_support.hpp"

#include <gtest/gtest.h>

namespace atrium::calendar {
namespace {

using testing::utc;

std::size_t count(const std::string& text, std::string_view needle) {
  std::size_t n = 0;
  for (std::size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
  return n;
}

TEST(CalendarData, WholeObject) {
  const Object o = testing::corpus_object("google_weekly_dst.ics");
  EXPECT_EQ(calendar_data(o, {}), o.to_ical());
}

TEST(CalendarData, ExpandGivesUtcInstances) {
  const Object o = testing::corpus_object("google_weekly_dst.ics");
  const std::string out =
      calendar_data(o, {.expand = TimeRange{utc("20260301T000000Z"), utc("20260401T000000Z")}});
  EXPECT_EQ(count(out, "BEGIN:VEVENT"), 4u);
  EXPECT_EQ(count(out, "BEGIN:VTIMEZONE"), 0u);
  EXPECT_EQ(count(out, "RRULE"), 0u);
  EXPECT_EQ(count(out, "EXDATE"), 0u);
  EXPECT_EQ(count(out, "TZID"), 0u);
  EXPECT_NE(out.find("RECURRENCE-ID:20260310T140000Z"), std::string::npos);
  EXPECT_NE(out.find("DTSTART:20260310T140000Z"), std::string::npos);
  EXPECT_NE(out.find("DTEND:20260310T150000Z"), std::string::npos);
  EXPECT_NE(out.find("RECURRENCE-ID:20260324T140000Z"), std::string::npos);
  EXPECT_NE(out.find("DTSTART:20260325T170000Z"), std::string::npos);
  EXPECT_NE(out.find("X-WR-CALNAME:Work"), std::string::npos);  // VCALENDAR properties stay
  // The expanded text is itself a valid object with the same instances.
  const Object again = testing::parse_ok(out);
  const Expansion a = expand(again, {});
  const Expansion b = expand(o, TimeRange{utc("20260301T000000Z"), utc("20260401T000000Z")});
  ASSERT_EQ(a.instances.size(), b.instances.size());
  for (std::size_t i = 0; i < a.instances.size(); ++i) {
    EXPECT_EQ(a.instances[i].start, b.instances[i].start);
    EXPECT_EQ(a.instances[i].end, b.instances[i].end);
    EXPECT_EQ(a.instances[i].recurrence_id, b.instances[i].recurrence_id);
  }
}

TEST(CalendarData, ExpandAllDayAndNonRecurring) {
  const Object o = testing::corpus_object("google_allday.ics");
  const std::string out = calendar_data(o, {.expand = TimeRange{utc("20260701"), utc("20260801")}});
  EXPECT_NE(out.find("DTSTART:20260704T000000Z"), std::string::npos);
  EXPECT_NE(out.find("DTEND:20260707T000000Z"), std::string::npos);
  EXPECT_EQ(out.find("RECURRENCE-ID"), std::string::npos);
  // Outside the range: no component at all.
  const std::string none = calendar_data(o, {.expand = TimeRange{utc("20260801"), utc("20260901")}});
  EXPECT_EQ(none.find("BEGIN:VEVENT"), std::string::npos);
  EXPECT_NE(none.find("BEGIN:VCALENDAR"), std::string::npos);
}

TEST(CalendarData, LimitRecurrenceSet) {
  const Object o = testing::corpus_object("google_weekly_dst.ics");
  const std::string early =
      calendar_data(o, {.limit_recurrence_set = TimeRange{utc("20260301T000000Z"), utc("20260320T000000Z")}});
  EXPECT_EQ(count(early, "BEGIN:VEVENT"), 1u);
  EXPECT_NE(early.find("RRULE"), std::string::npos);
  EXPECT_NE(early.find("BEGIN:VTIMEZONE"), std::string::npos);
  const std::string late =
      calendar_data(o, {.limit_recurrence_set = TimeRange{utc("20260320T000000Z"), utc("20260401T000000Z")}});
  EXPECT_EQ(count(late, "BEGIN:VEVENT"), 2u);
  EXPECT_NE(late.find("Team sync (moved)"), std::string::npos);
}

TEST(CalendarData, PartialSelection) {
  const Object o = testing::corpus_object("google_weekly_dst.ics");
  CalendarDataRequest request;
  request.comp = CalendarDataRequest::Comp{
      .name = "VCALENDAR",
      .all_props = true,
      .all_comps = false,
      .comps = {CalendarDataRequest::Comp{.name = "VEVENT", .all_props = false, .props = {"SUMMARY", "UID"},
                                          .all_comps = false}},
  };
  const std::string out = calendar_data(o, request);
  EXPECT_EQ(count(out, "BEGIN:VEVENT"), 2u);
  EXPECT_EQ(count(out, "SUMMARY:"), 2u);
  EXPECT_EQ(count(out, "UID:"), 2u);
  EXPECT_EQ(out.find("DTSTART"), std::string::npos);
  EXPECT_EQ(out.find("BEGIN:VALARM"), std::string::npos);
  EXPECT_EQ(out.find("BEGIN:VTIMEZONE"), std::string::npos);
  EXPECT_NE(out.find("PRODID:"), std::string::npos);
  // VCALENDAR without its properties, events whole.
  request.comp->all_props = false;
  request.comp->props = {"VERSION"};
  request.comp->comps = {CalendarDataRequest::Comp{.name = "VEVENT"}};
  const std::string events = calendar_data(o, request);
  EXPECT_EQ(events.find("PRODID:"), std::string::npos);
  EXPECT_NE(events.find("VERSION:2.0"), std::string::npos);
  EXPECT_EQ(count(events, "BEGIN:VALARM"), 1u);
}

TEST(CalendarData, ExpandThenSelect) {
  const Object o = testing::corpus_object("apple_weekdays_cancelled.ics");
  CalendarDataRequest request{
      .comp = CalendarDataRequest::Comp{.name = "VCALENDAR",
                                        .all_comps = false,
                                        .comps = {{.name = "VEVENT", .all_props = false,
                                                   .props = {"DTSTART", "RECURRENCE-ID", "STATUS"}}}},
      .expand = TimeRange{utc("20260330T000000Z"), utc("20260401T000000Z")}};
  const std::string out = calendar_data(o, request);
  EXPECT_EQ(count(out, "BEGIN:VEVENT"), 2u);
  EXPECT_EQ(count(out, "STATUS:CANCELLED"), 1u);
  EXPECT_NE(out.find("DTSTART:20260330T071500Z"), std::string::npos);
}

}  // namespace
}  // namespace atrium::calendar
