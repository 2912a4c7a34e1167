// expand() and the bounds: exact instance times across DST changes, RRULE parts, RDATE, EXDATE,
// overrides, THISANDFUTURE and the caps on hostile rules.
#include "calendar/recurrence.hpp"

#include "tests/unit/calendar/test_support.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

namespace atrium::calendar {
namespace {

using testing::ics;
using testing::utc;

struct Expected {
  const char* rid;  // nullptr: no recurrence-id
  const char* start;
  const char* end;
  bool overridden = false;
};

void expect_instances(const Expansion& got, const std::vector<Expected>& want) {
  ASSERT_EQ(got.instances.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE(i);
    const Instance& in = got.instances[i];
    if (want[i].rid == nullptr) {
      EXPECT_FALSE(in.recurrence_id);
    } else {
      EXPECT_EQ(in.recurrence_id, utc(want[i].rid));
    }
    EXPECT_EQ(in.start, utc(want[i].start));
    EXPECT_EQ(in.end, utc(want[i].end));
    EXPECT_EQ(in.overridden, want[i].overridden);
  }
}

const TimeRange everything{};

TEST(Expand, GoogleWeeklyAcrossUsDstWithExdateAndMovedInstance) {
  const Object o = testing::corpus_object("google_weekly_dst.ics");
  const Expansion e = expand(o, everything);
  EXPECT_FALSE(e.truncated);
  expect_instances(e, {
                          {"20260224T150000Z", "20260224T150000Z", "20260224T160000Z"},
                          {"20260303T150000Z", "20260303T150000Z", "20260303T160000Z"},
                          // US DST starts 2026-03-08: 10:00 EDT is 14:00Z.
                          {"20260310T140000Z", "20260310T140000Z", "20260310T150000Z"},
                          // 03-17 is an EXDATE; 03-24 moved to 03-25 13:00 EDT.
                          {"20260324T140000Z", "20260325T170000Z", "20260325T180000Z", true},
                          {"20260331T140000Z", "20260331T140000Z", "20260331T150000Z"},
                      });
  EXPECT_EQ(e.instances[3].component, 1u);
  EXPECT_EQ(e.instances[0].component, 0u);
  EXPECT_EQ(o.bounds().first_start, utc("20260224T150000Z"));
  EXPECT_EQ(o.bounds().last_end, utc("20260331T150000Z"));
}

TEST(Expand, OutlookSecondTuesdayAcrossEuDst) {
  const Object o = testing::corpus_object("outlook_monthly_second_tuesday.ics");
  expect_instances(expand(o, everything), {
                                              {"20260113T080000Z", "20260113T080000Z", "20260113T090000Z"},
                                              {"20260210T080000Z", "20260210T080000Z", "20260210T090000Z"},
                                              {"20260310T080000Z", "20260310T080000Z", "20260310T090000Z"},
                                              // EU DST starts 2026-03-29.
                                              {"20260414T070000Z", "20260414T070000Z", "20260414T080000Z"},
                                              {"20260512T070000Z", "20260512T070000Z", "20260512T080000Z"},
                                          });
}

TEST(Expand, AppleWeekdaysKeepCancelledOverride) {
  const Object o = testing::corpus_object("apple_weekdays_cancelled.ics");
  const Expansion e = expand(o, everything);
  expect_instances(e, {
                          {"20260326T081500Z", "20260326T081500Z", "20260326T083000Z"},
                          {"20260327T081500Z", "20260327T081500Z", "20260327T083000Z"},
                          {"20260330T071500Z", "20260330T071500Z", "20260330T073000Z"},
                          {"20260331T071500Z", "20260331T071500Z", "20260331T073000Z", true},
                          {"20260401T071500Z", "20260401T071500Z", "20260401T073000Z"},
                          {"20260402T071500Z", "20260402T071500Z", "20260402T073000Z"},
                          {"20260403T071500Z", "20260403T071500Z", "20260403T073000Z"},
                      });
}

TEST(Expand, WindowKeepsOverlappingInstancesOnly) {
  const Object o = testing::corpus_object("google_weekly_dst.ics");
  // Starts inside the 03-03 instance: it overlaps; 03-10 starts exactly at the end: excluded.
  const Expansion e = expand(o, TimeRange{utc("20260303T153000Z"), utc("20260310T140000Z")});
  expect_instances(e, {{"20260303T150000Z", "20260303T150000Z", "20260303T160000Z"}});
  // The moved instance is found at its new time, not at its RECURRENCE-ID.
  EXPECT_TRUE(expand(o, TimeRange{utc("20260324T000000Z"), utc("20260325T000000Z")}).instances.empty());
  EXPECT_EQ(expand(o, TimeRange{utc("20260325T000000Z"), utc("20260326T000000Z")}).instances.size(), 1u);
  // Open ends.
  EXPECT_EQ(expand(o, TimeRange{utc("20260320T000000Z"), std::nullopt}).instances.size(), 2u);
  EXPECT_EQ(expand(o, TimeRange{std::nullopt, utc("20260301T000000Z")}).instances.size(), 1u);
}

TEST(Expand, FloatingTimesRdatePeriodAndExdate) {
  const Object o = testing::corpus_object("thunderbird_floating_rdate.ics");
  expect_instances(expand(o, everything), {
                                              {"20260110T180000Z", "20260110T180000Z", "20260110T190000Z"},
                                              {"20260112T180000Z", "20260112T180000Z", "20260112T190000Z"},
                                              {"20260120T180000Z", "20260120T180000Z", "20260120T190000Z"},
                                              {"20260125T170000Z", "20260125T170000Z", "20260125T190000Z"},
                                          });
  const Object berlin =
      testing::corpus_object("thunderbird_floating_rdate.ics", {.floating = *Zone::from_name("Europe/Berlin")});
  const Expansion e = expand(berlin, everything);
  ASSERT_EQ(e.instances.size(), 4u);
  EXPECT_EQ(e.instances[0].start, utc("20260110T170000Z"));
  EXPECT_EQ(e.instances[3].end, utc("20260125T180000Z"));
}

TEST(Expand, AllDayWithDateRdateAndExdate) {
  const Object o = testing::parse_ok(
      ics({"BEGIN:VEVENT", "UID:d", "DTSTART;VALUE=DATE:20260301", "RRULE:FREQ=WEEKLY;COUNT=3",
           "RDATE;VALUE=DATE:20260305", "EXDATE;VALUE=DATE:20260308", "END:VEVENT"}));
  expect_instances(expand(o, everything), {
                                              {"20260301", "20260301", "20260302"},
                                              {"20260305", "20260305", "20260306"},
                                              {"20260315", "20260315", "20260316"},
                                          });
  // All-day dates follow the floating zone.
  const Object tokyo = testing::parse_ok(ics({"BEGIN:VEVENT", "UID:d2", "DTSTART;VALUE=DATE:20260301", "END:VEVENT"}),
                                         {.floating = *Zone::from_name("Asia/Tokyo")});
  expect_instances(expand(tokyo, everything), {{nullptr, "20260228T150000Z", "20260301T150000Z"}});
}

TEST(Expand, RulePartsCountUntilBymonthday) {
  struct Case {
    const char* rule;
    std::vector<const char*> starts;
  };
  const Case cases[] = {
      {"RRULE:FREQ=MONTHLY;BYMONTHDAY=31;COUNT=4",
       {"20260131T090000Z", "20260331T090000Z", "20260531T090000Z", "20260731T090000Z"}},
      {"RRULE:FREQ=DAILY;UNTIL=20260203T090000Z", {"20260131T090000Z", "20260201T090000Z", "20260202T090000Z",
                                                   "20260203T090000Z"}},
      {"RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=SA,SU;COUNT=4",
       {"20260131T090000Z", "20260201T090000Z", "20260214T090000Z", "20260215T090000Z"}},
      {"RRULE:FREQ=YEARLY;BYMONTH=2;BYDAY=-1SA;COUNT=2", {"20260131T090000Z", "20260228T090000Z", "20270227T090000Z"}},
      {"RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=3",
       {"20260131T090000Z", "20260227T090000Z", "20260331T090000Z", "20260430T090000Z"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.rule);
    // DTSTART (a Saturday) is always the first instance, even where the rule would not produce it;
    // COUNT then counts the rule's own instances (libical's reading of an unsynchronised DTSTART).
    const Object o = testing::parse_ok(ics({"BEGIN:VEVENT", "UID:r", "DTSTART:20260131T090000Z", c.rule, "END:VEVENT"}));
    const Expansion e = expand(o, everything);
    std::vector<UtcSeconds> starts;
    for (const Instance& i : e.instances) starts.push_back(i.start);
    std::vector<UtcSeconds> want;
    for (const char* s : c.starts) want.push_back(utc(s));
    EXPECT_EQ(starts, want);
  }
}

TEST(Expand, MultiValuedExdateAndRdate) {
  const Object o = testing::parse_ok(ics({"BEGIN:VEVENT", "UID:m", "DTSTART:20260101T100000Z", "RRULE:FREQ=DAILY;COUNT=5",
                                          "EXDATE:20260102T100000Z,20260103T100000Z",
                                          "RDATE:20260201T100000Z,20260202T100000Z", "END:VEVENT"}));
  std::vector<UtcSeconds> starts;
  for (const Instance& i : expand(o, everything).instances) starts.push_back(i.start);
  EXPECT_EQ(starts, (std::vector<UtcSeconds>{utc("20260101T100000Z"), utc("20260104T100000Z"), utc("20260105T100000Z"),
                                             utc("20260201T100000Z"), utc("20260202T100000Z")}));
}

TEST(Expand, DateExdateOnDateTimeSeries) {
  // Some clients write EXDATE as a DATE against a DATE-TIME series: the instance on that local day goes.
  const Object o = testing::parse_ok(
      ics({"BEGIN:VEVENT", "UID:x", "DTSTART;TZID=Europe/Berlin:20260301T003000", "RRULE:FREQ=DAILY;COUNT=3",
           "EXDATE;VALUE=DATE:20260302", "END:VEVENT"}));
  const Expansion e = expand(o, everything);
  ASSERT_EQ(e.instances.size(), 2u);
  EXPECT_EQ(e.instances[1].start, utc("20260302T233000Z"));  // 03-03 00:30 Berlin
}

TEST(Expand, ExdateRemovesOverride) {
  const Object o = testing::parse_ok(ics({"BEGIN:VEVENT", "UID:x", "DTSTART:20260301T100000Z", "DURATION:PT1H",
                                          "RRULE:FREQ=DAILY;COUNT=3", "EXDATE:20260302T100000Z", "END:VEVENT",
                                          "BEGIN:VEVENT", "UID:x", "RECURRENCE-ID:20260302T100000Z",
                                          "DTSTART:20260302T150000Z", "DURATION:PT1H", "END:VEVENT"}));
  const Expansion e = expand(o, everything);
  ASSERT_EQ(e.instances.size(), 2u);
  EXPECT_EQ(e.instances[1].start, utc("20260303T100000Z"));
}

TEST(Expand, ThisAndFutureShiftsLaterInstances) {
  const Object o = testing::parse_ok(
      ics({"BEGIN:VEVENT", "UID:f", "DTSTART:20260301T100000Z", "DTEND:20260301T110000Z", "RRULE:FREQ=DAILY;COUNT=4",
           "END:VEVENT", "BEGIN:VEVENT", "UID:f", "RECURRENCE-ID;RANGE=THISANDFUTURE:20260303T100000Z",
           "DTSTART:20260303T120000Z", "DTEND:20260303T123000Z", "END:VEVENT"}));
  expect_instances(expand(o, everything), {
                                              {"20260301T100000Z", "20260301T100000Z", "20260301T110000Z"},
                                              {"20260302T100000Z", "20260302T100000Z", "20260302T110000Z"},
                                              {"20260303T100000Z", "20260303T120000Z", "20260303T123000Z", true},
                                              {"20260304T100000Z", "20260304T120000Z", "20260304T123000Z", true},
                                          });
}

TEST(Expand, NonRecurringHasNoRecurrenceId) {
  const Object o = testing::corpus_object("google_allday.ics");
  expect_instances(expand(o, everything), {{nullptr, "20260704", "20260707"}});
  EXPECT_FALSE(o.recurs());
}

TEST(Expand, InfiniteRuleSkipsAheadToTheWindow) {
  const Object o = testing::corpus_object("google_birthday_yearly.ics");
  EXPECT_TRUE(o.recurs());
  EXPECT_EQ(o.bounds().first_start, utc("19900315"));
  EXPECT_FALSE(o.bounds().last_end);
  const Expansion e = expand(o, TimeRange{utc("20260101"), utc("20270101")});
  expect_instances(e, {{"20260315", "20260315", "20260316"}});
}

TEST(Expand, HostileRulesAreBounded) {
  // SECONDLY forever, window far away: the iteration cap ends the walk.
  const Object secondly = testing::parse_ok(
      ics({"BEGIN:VEVENT", "UID:s", "DTSTART:20260101T000000Z", "RRULE:FREQ=SECONDLY", "END:VEVENT"}));
  EXPECT_FALSE(secondly.bounds().last_end);
  const auto t0 = std::chrono::steady_clock::now();
  const Expansion e = expand(secondly, TimeRange{utc("20300101"), utc("20300102")}, {.max_iterations = 20000});
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  EXPECT_TRUE(e.truncated);
  // A huge COUNT is finite but past the cap: the bounds stay open.
  const Object counted = testing::parse_ok(
      ics({"BEGIN:VEVENT", "UID:c", "DTSTART:20260101T000000Z", "RRULE:FREQ=MINUTELY;COUNT=100000000", "END:VEVENT"}),
      {.limits = {.max_iterations = 1000}});
  EXPECT_EQ(counted.bounds().first_start, utc("20260101T000000Z"));
  EXPECT_FALSE(counted.bounds().last_end);
  // UNTIL bounds the end without walking every instance.
  const Object until = testing::parse_ok(
      ics({"BEGIN:VEVENT", "UID:u", "DTSTART:20260101T000000Z", "DURATION:PT30S", "RRULE:FREQ=MINUTELY;UNTIL=20270101T000000Z",
           "END:VEVENT"}),
      {.limits = {.max_iterations = 1000}});
  ASSERT_TRUE(until.bounds().last_end);
  EXPECT_GE(*until.bounds().last_end, utc("20270101T000030Z"));
  EXPECT_LE(*until.bounds().last_end, utc("20270102T000030Z"));
  // The instance cap.
  const Expansion capped = expand(counted, everything, {.max_instances = 10, .max_iterations = 1000});
  EXPECT_EQ(capped.instances.size(), 10u);
  EXPECT_TRUE(capped.truncated);
}

TEST(Bounds, TodoAndJournalRules) {
  const Object due = testing::corpus_object("thunderbird_todo_due.ics");
  EXPECT_EQ(due.kind(), ComponentKind::todo);
  EXPECT_EQ(due.bounds().first_start, utc("20260301T080000Z"));
  EXPECT_EQ(due.bounds().last_end, utc("20260331T150000Z"));
  const Object no_due = testing::corpus_object("apple_todo_no_due.ics");
  EXPECT_EQ(no_due.bounds().first_start, utc("20260402T101010Z"));
  EXPECT_FALSE(no_due.bounds().last_end);
  const Object only_due = testing::parse_ok(ics({"BEGIN:VTODO", "UID:t", "DUE:20260501T120000Z", "END:VTODO"}));
  EXPECT_EQ(only_due.bounds().first_start, utc("20260501T120000Z"));
  EXPECT_EQ(only_due.bounds().last_end, utc("20260501T120000Z"));
  const Object done = testing::parse_ok(ics({"BEGIN:VTODO", "UID:t", "CREATED:20260401T000000Z",
                                             "COMPLETED:20260410T000000Z", "END:VTODO"}));
  EXPECT_EQ(done.bounds().first_start, utc("20260401T000000Z"));
  EXPECT_EQ(done.bounds().last_end, utc("20260410T000000Z"));
  const Object journal = testing::corpus_object("thunderbird_journal.ics");
  EXPECT_EQ(journal.kind(), ComponentKind::journal);
  EXPECT_EQ(journal.bounds().first_start, utc("20260410"));
  EXPECT_EQ(journal.bounds().last_end, utc("20260411"));
}

}  // namespace
}  // namespace atrium::calendar
