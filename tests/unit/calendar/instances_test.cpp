// exact_instances(): the instance list an index stores for recurring events must give every
// time-range answer the full evaluation gives, and must not depend on the floating zone.
#include "calendar/object.hpp"
#include "calendar/recurrence.hpp"

#include "tests/unit/calendar/test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace atrium::calendar {
namespace {

using testing::ics;
using testing::parse_ok;
using testing::utc;

bool any_overlap(const std::vector<InstanceSpan>& spans, const TimeRange& r) {
  return std::any_of(spans.begin(), spans.end(), [&](const InstanceSpan& s) { return overlaps(s, r); });
}

// Windows of 1 hour to 40 days, every few hours over the object's span (and some around it),
// plus open-ended ones: each answered from the instances must equal expand()'s answer.
void expect_agrees_with_expansion(const Object& o, const std::vector<InstanceSpan>& spans) {
  ASSERT_FALSE(spans.empty());
  const UtcSeconds first = spans.front().start - 3 * 86400, last = spans.back().end + 3 * 86400;
  std::vector<TimeRange> windows = {{std::nullopt, std::nullopt},
                                    {spans.front().start, std::nullopt},
                                    {std::nullopt, spans.front().start},
                                    {std::nullopt, spans.front().start + 1},
                                    {spans.back().end, std::nullopt},
                                    {spans.back().end - 1, std::nullopt}};
  for (UtcSeconds len : {UtcSeconds{3600}, UtcSeconds{86400}, UtcSeconds{40 * 86400}}) {
    for (UtcSeconds s = first; s < last; s += 5 * 3600 + 17 * 60) windows.push_back({s, s + len});
  }
  for (const InstanceSpan& sp : spans) {  // the edges exactly
    windows.push_back({sp.start, sp.start + 1});
    windows.push_back({sp.start - 60, sp.start});
    windows.push_back({sp.end, sp.end + 60});
    windows.push_back({sp.end - 1, sp.end});
  }
  for (const TimeRange& w : windows) {
    const bool expanded = !expand(o, w).instances.empty();
    ASSERT_EQ(any_overlap(spans, w), expanded)
        << "window " << w.start.value_or(-1) << ".." << w.end.value_or(-1);
  }
}

ParseOptions floating_in(const char* zone) {
  ParseOptions options;
  options.floating = *Zone::from_name(zone);
  return options;
}

TEST(ExactInstances, ZonedWeeklyWithExdateAndOverride) {
  const std::string text = ics({"BEGIN:VEVENT", "UID:w", "DTSTART;TZID=Europe/Berlin:20260302T090000",
                                "DTEND;TZID=Europe/Berlin:20260302T100000", "RRULE:FREQ=WEEKLY;BYDAY=MO,TH;COUNT=20",
                                "EXDATE;TZID=Europe/Berlin:20260305T090000", "END:VEVENT", "BEGIN:VEVENT", "UID:w",
                                "RECURRENCE-ID;TZID=Europe/Berlin:20260309T090000",
                                "DTSTART;TZID=Europe/Berlin:20260309T113000", "DTEND;TZID=Europe/Berlin:20260309T123000",
                                "END:VEVENT"});
  const Object o = parse_ok(text);
  ASSERT_TRUE(o.exact_instances());
  const auto& spans = *o.exact_instances();
  EXPECT_EQ(spans.size(), 19u);  // 20 by COUNT, one excluded
  EXPECT_EQ(spans.front().start, utc("20260302T080000Z"));
  // The override moved 9 March's instance (CET, UTC+1) to 11:30.
  EXPECT_TRUE(std::any_of(spans.begin(), spans.end(), [](const InstanceSpan& s) {
    return s.start == utc("20260309T103000Z") && s.end == utc("20260309T113000Z");
  }));
  // Over the DST change on 29 March the UTC time moves by an hour.
  EXPECT_TRUE(std::any_of(spans.begin(), spans.end(),
                          [](const InstanceSpan& s) { return s.start == utc("20260330T070000Z"); }));
  EXPECT_TRUE(std::is_sorted(spans.begin(), spans.end(),
                             [](const InstanceSpan& a, const InstanceSpan& b) { return a.start < b.start; }));
  expect_agrees_with_expansion(o, spans);
  // The same object read with another floating zone has the same instances.
  const Object other = parse_ok(text, floating_in("America/New_York"));
  ASSERT_TRUE(other.exact_instances());
  EXPECT_EQ(*other.exact_instances(), spans);
}

TEST(ExactInstances, UtcDailyUntilWithRdateAndInstants) {
  const Object o = parse_ok(ics({"BEGIN:VEVENT", "UID:d", "DTSTART:20260110T070000Z", "DURATION:PT30M",
                                 "RRULE:FREQ=DAILY;INTERVAL=2;UNTIL=20260201T070000Z", "RDATE:20260205T120000Z",
                                 "END:VEVENT"}));
  ASSERT_TRUE(o.exact_instances());
  EXPECT_EQ(o.exact_instances()->size(), 13u);  // 10 Jan … 1 Feb every other day, and the RDATE
  expect_agrees_with_expansion(o, *o.exact_instances());

  const Object instants = parse_ok(ics({"BEGIN:VEVENT", "UID:i", "DTSTART:20260110T070000Z",
                                        "RRULE:FREQ=WEEKLY;COUNT=4", "END:VEVENT"}));
  ASSERT_TRUE(instants.exact_instances());
  for (const InstanceSpan& s : *instants.exact_instances()) EXPECT_EQ(s.start, s.end);
  expect_agrees_with_expansion(instants, *instants.exact_instances());
}

TEST(ExactInstances, NoneWhereTheAnswerDependsOnTheZoneOrHasNoEnd) {
  const char* const cases[][2] = {
      {"floating DTSTART", "DTSTART:20260110T070000|RRULE:FREQ=DAILY;COUNT=3"},
      {"all-day", "DTSTART;VALUE=DATE:20260110|RRULE:FREQ=DAILY;COUNT=3"},
      {"unknown TZID (read as floating)", "DTSTART;TZID=Nowhere/Special:20260110T070000|RRULE:FREQ=DAILY;COUNT=3"},
      {"floating EXDATE", "DTSTART:20260110T070000Z|RRULE:FREQ=DAILY;COUNT=3|EXDATE:20260111T070000"},
      {"floating RDATE", "DTSTART:20260110T070000Z|RRULE:FREQ=DAILY;COUNT=3|RDATE:20260120T070000"},
      {"infinite rule", "DTSTART:20260110T070000Z|RRULE:FREQ=DAILY"},
      {"more instances than stored", "DTSTART:20260110T070000Z|RRULE:FREQ=HOURLY;COUNT=1001"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> lines = {"BEGIN:VEVENT", "UID:x"};
    std::string rest = c[1];
    for (std::size_t at = 0; at != std::string::npos;) {
      const std::size_t bar = rest.find('|', at);
      lines.push_back(rest.substr(at, bar == std::string::npos ? bar : bar - at));
      at = bar == std::string::npos ? bar : bar + 1;
    }
    lines.push_back("END:VEVENT");
    std::string text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Atrium tests//EN\r\n";
    for (const auto& l : lines) text += l + "\r\n";
    text += "END:VCALENDAR\r\n";
    const Object o = parse_ok(text);
    EXPECT_FALSE(o.exact_instances()) << c[0];
  }
  // A single event has exact bounds instead; a task never has instances.
  EXPECT_FALSE(parse_ok(ics({"BEGIN:VEVENT", "UID:s", "DTSTART:20260110T070000Z", "END:VEVENT"})).exact_instances());
  EXPECT_FALSE(parse_ok(ics({"BEGIN:VTODO", "UID:t", "DTSTART:20260110T070000Z", "RRULE:FREQ=DAILY;COUNT=2",
                             "END:VTODO"}))
                   .exact_instances());
  // Without compute_bounds (reports), nothing is computed.
  ParseOptions report;
  report.compute_bounds = false;
  EXPECT_FALSE(parse_ok(ics({"BEGIN:VEVENT", "UID:r", "DTSTART:20260110T070000Z", "RRULE:FREQ=DAILY;COUNT=2",
                             "END:VEVENT"}),
                        report)
                   .exact_instances());
}

// Every recurring event of the client corpus: where it has instances, they agree with expand().
TEST(ExactInstances, CorpusAgreesWithExpansion) {
  int checked = 0;
  for (const char* name : {"google_weekly_dst.ics", "outlook_monthly_second_tuesday.ics",
                           "apple_weekdays_cancelled.ics", "google_birthday_yearly.ics",
                           "outlook_windows_tzid_no_vtimezone.ics", "thunderbird_floating_rdate.ics"}) {
    const Object o = testing::corpus_object(name);
    if (!o.exact_instances()) continue;
    expect_agrees_with_expansion(o, *o.exact_instances());
    ++checked;
  }
  EXPECT_GE(checked, 1);
}

}  // namespace
}  // namespace atrium::calendar
