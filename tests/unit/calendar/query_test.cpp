// matches(): table tests for each filter kind over corpus objects.
#include "calendar/query.hpp"

#include "tests/unit/calendar/test_support.hpp"

#include <gtest/gtest.h>

namespace atrium::calendar {
namespace {

using testing::utc;

Filter vcalendar(std::vector<CompFilter> comps) { return Filter{CompFilter{.name = "VCALENDAR", .comps = std::move(comps)}}; }

TimeRange range(const char* s, const char* e) { return TimeRange{utc(s), utc(e)}; }

struct Case {
  const char* what;
  Filter filter;
  bool result;
};

void run(const Object& o, const std::vector<Case>& cases, const Zone& floating = Zone::utc()) {
  for (const Case& c : cases) EXPECT_EQ(matches(o, c.filter, floating), c.result) << c.what;
}

TEST(Query, CompFilters) {
  const Object o = testing::corpus_object("google_weekly_dst.ics");
  run(o, {
             {"root only", vcalendar({}), true},
             {"VEVENT exists", vcalendar({{.name = "VEVENT"}}), true},
             {"VTODO exists", vcalendar({{.name = "VTODO"}}), false},
             {"VTODO is-not-defined", vcalendar({{.name = "VTODO", .is_not_defined = true}}), true},
             {"VEVENT is-not-defined", vcalendar({{.name = "VEVENT", .is_not_defined = true}}), false},
             {"VTIMEZONE exists", vcalendar({{.name = "VTIMEZONE"}}), true},
             {"VALARM in VEVENT", vcalendar({{.name = "VEVENT", .comps = {{.name = "VALARM"}}}}), true},
             {"wrong root", Filter{CompFilter{.name = "VEVENT"}}, false},
         });
}

TEST(Query, TimeRangeWithExpansion) {
  const Object o = testing::corpus_object("google_weekly_dst.ics");
  auto tr = [](const char* s, const char* e) {
    return vcalendar({{.name = "VEVENT", .time_range = range(s, e)}});
  };
  run(o, {
             {"instance after DST", tr("20260310T143000Z", "20260310T144500Z"), true},
             {"EXDATE'd slot", tr("20260317T000000Z", "20260318T000000Z"), false},
             {"moved instance's old slot", tr("20260324T000000Z", "20260325T000000Z"), false},
             {"moved instance's new slot", tr("20260325T170000Z", "20260325T171500Z"), true},
             {"touching the end only", tr("20260310T150000Z", "20260310T160000Z"), false},
             {"after the last", tr("20260401T000000Z", "20270101T000000Z"), false},
             {"open start", vcalendar({{.name = "VEVENT", .time_range = TimeRange{std::nullopt, utc("20260224T150001Z")}}}),
              true},
             {"open end", vcalendar({{.name = "VEVENT", .time_range = TimeRange{utc("20260331T145959Z"), std::nullopt}}}),
              true},
             // Only the override has "moved" in its SUMMARY; only it is in this range.
             {"override props with time range",
              vcalendar({{.name = "VEVENT",
                          .time_range = range("20260325T000000Z", "20260326T000000Z"),
                          .props = {{.name = "SUMMARY", .text = TextMatch{.text = "moved"}}}}}),
              true},
             {"master props in override's range",
              vcalendar({{.name = "VEVENT",
                          .time_range = range("20260325T000000Z", "20260326T000000Z"),
                          .props = {{.name = "LOCATION", .text = TextMatch{.text = "Room 4"}}}}}),
              false},
         });
}

TEST(Query, AlarmTimeRange) {
  const Object o = testing::corpus_object("google_weekly_dst.ics");
  auto alarm = [](const char* s, const char* e) {
    return vcalendar({{.name = "VEVENT", .comps = {{.name = "VALARM", .time_range = range(s, e)}}}});
  };
  run(o, {
             {"10 minutes before 03-10", alarm("20260310T134500Z", "20260310T135500Z"), true},
             {"not at the start", alarm("20260310T135500Z", "20260310T140500Z"), false},
             {"before the first", alarm("20260101T000000Z", "20260224T145000Z"), false},
             {"first trigger", alarm("20260224T145000Z", "20260224T145001Z"), true},
         });
  // Apple's acknowledged alarm (5 minutes before, Berlin time).
  const Object apple = testing::corpus_object("apple_weekdays_cancelled.ics");
  run(apple, {
                 {"apple trigger after DST", alarm("20260401T071000Z", "20260401T071001Z"), true},
                 {"ACKNOWLEDGED defined",
                  vcalendar({{.name = "VEVENT",
                              .comps = {{.name = "VALARM", .props = {{.name = "ACKNOWLEDGED"}}}}}}),
                  true},
             });
  // VTODO with an absolute trigger.
  const Object todo = testing::corpus_object("thunderbird_todo_due.ics");
  auto todo_alarm = [](const char* s, const char* e) {
    return vcalendar({{.name = "VTODO", .comps = {{.name = "VALARM", .time_range = range(s, e)}}}});
  };
  run(todo, {
                {"absolute trigger", todo_alarm("20260330T075959Z", "20260330T080001Z"), true},
                {"elsewhere", todo_alarm("20260331T000000Z", "20260401T000000Z"), false},
            });
}

TEST(Query, AlarmOnFrequentSeries) {
  // Hourly for years: the alarm search must not spend its instance cap far before the range.
  const Object o = testing::parse_ok(testing::ics(
      {"BEGIN:VEVENT", "UID:h", "DTSTART:20200101T000000Z", "DURATION:PT30M", "RRULE:FREQ=HOURLY", "BEGIN:VALARM",
       "ACTION:DISPLAY", "DESCRIPTION:x", "TRIGGER;RELATED=END:-PT5M", "END:VALARM", "END:VEVENT"}));
  auto alarm = [](const char* s, const char* e) {
    return vcalendar({{.name = "VEVENT", .comps = {{.name = "VALARM", .time_range = range(s, e)}}}});
  };
  run(o, {
             {"at :25", alarm("20260601T102400Z", "20260601T102600Z"), true},
             {"not at :40", alarm("20260601T103500Z", "20260601T104500Z"), false},
         });
}

TEST(Query, PropAndParamFilters) {
  const Object o = testing::corpus_object("google_weekly_dst.ics");
  auto event = [](std::vector<PropFilter> props) { return vcalendar({{.name = "VEVENT", .props = std::move(props)}}); };
  run(o, {
             {"SUMMARY contains", event({{.name = "SUMMARY", .text = TextMatch{.text = "team"}}}), true},
             {"SUMMARY octet case", event({{.name = "SUMMARY", .text = TextMatch{.text = "team", .collation = Collation::octet}}}),
              false},
             {"SUMMARY negated", event({{.name = "SUMMARY", .text = TextMatch{.text = "team", .negate = true}}}), false},
             {"DESCRIPTION unescaped", event({{.name = "DESCRIPTION", .text = TextMatch{.text = "sync, bring"}}}), true},
             {"LOCATION defined", event({{.name = "LOCATION"}}), true},
             {"LOCATION is-not-defined", event({{.name = "LOCATION", .is_not_defined = true}}), false},
             {"URL is-not-defined", event({{.name = "URL", .is_not_defined = true}}), true},
             {"UID equals",
              event({{.name = "UID", .text = TextMatch{.text = "5t8hd0sq0ub2k3ts0l1l2h1d3c@google.com", .match = MatchType::equals}}}),
              true},
             {"ATTENDEE with PARTSTAT NEEDS-ACTION",
              event({{.name = "ATTENDEE", .params = {{.name = "PARTSTAT", .text = TextMatch{.text = "needs-action"}}}}}), true},
             {"ATTENDEE with PARTSTAT DECLINED",
              event({{.name = "ATTENDEE", .params = {{.name = "PARTSTAT", .text = TextMatch{.text = "DECLINED"}}}}}), false},
             {"ATTENDEE without PARTSTAT",
              event({{.name = "ATTENDEE", .params = {{.name = "PARTSTAT", .is_not_defined = true}}}}), false},
             {"ATTENDEE without DELEGATED-TO",
              event({{.name = "ATTENDEE", .params = {{.name = "DELEGATED-TO", .is_not_defined = true}}}}), true},
             {"ATTENDEE value and param",
              event({{.name = "ATTENDEE",
                      .text = TextMatch{.text = "dan@"},
                      .params = {{.name = "RSVP", .text = TextMatch{.text = "TRUE", .match = MatchType::equals}}}}}),
              true},
             {"X- param", event({{.name = "ATTENDEE", .params = {{.name = "X-NUM-GUESTS", .text = TextMatch{.text = "0"}}}}}),
              true},
             {"DTSTAMP time-range", event({{.name = "DTSTAMP", .time_range = range("20260201T000000Z", "20260202T000000Z")}}),
              true},
             {"DTSTAMP outside", event({{.name = "DTSTAMP", .time_range = range("20260202T000000Z", "20260203T000000Z")}}),
              false},
             {"DTSTART with TZID time-range",
              event({{.name = "DTSTART", .time_range = range("20260224T150000Z", "20260224T150001Z")}}), true},
         });
  const Object outlook = testing::corpus_object("outlook_monthly_second_tuesday.ics");
  run(outlook, {
                   {"X-MICROSOFT prop", event({{.name = "X-MICROSOFT-CDO-BUSYSTATUS", .text = TextMatch{.text = "busy"}}}),
                    true},
                   {"quoted CN param",
                    event({{.name = "ORGANIZER", .params = {{.name = "CN", .text = TextMatch{.text = "Anna Schmidt", .match = MatchType::equals}}}}}),
                    true},
               });
}

TEST(Query, UnicodeCasemap) {
  const Object o = testing::corpus_object("apple_todo_no_due.ics");
  auto summary = [](Collation c) {
    return vcalendar({{.name = "VTODO", .props = {{.name = "SUMMARY", .text = TextMatch{.text = "F\xC3\x9CR OMA", .collation = c}}}}});
  };
  run(o, {
             {"unicode-casemap", summary(Collation::unicode_casemap), true},
             {"ascii-casemap", summary(Collation::ascii_casemap), false},
         });
}

TEST(Query, TodoTimeRanges) {
  const Object due = testing::corpus_object("thunderbird_todo_due.ics");
  auto todo = [](const char* s, const char* e) { return vcalendar({{.name = "VTODO", .time_range = range(s, e)}}); };
  run(due, {
               {"inside", todo("20260315T000000Z", "20260316T000000Z"), true},
               {"ends at DTSTART", todo("20260201T000000Z", "20260301T080000Z"), false},
               {"ends at DUE", todo("20260331T140000Z", "20260331T150000Z"), true},
               {"starts at DUE", todo("20260331T150000Z", "20260401T000000Z"), false},
               {"after DUE", todo("20260401T000000Z", "20260402T000000Z"), false},
           });
  const Object created_only = testing::corpus_object("apple_todo_no_due.ics");
  run(created_only, {
                        {"after CREATED", todo("20300101T000000Z", "20300102T000000Z"), true},
                        {"before CREATED", todo("20260101T000000Z", "20260402T101010Z"), false},
                    });
  const Object undated = testing::parse_ok(testing::ics({"BEGIN:VTODO", "UID:u", "END:VTODO"}));
  run(undated, {{"undated matches any range", todo("19700101T000000Z", "19700102T000000Z"), true}});
}

TEST(Query, JournalAndAllDay) {
  const Object journal = testing::corpus_object("thunderbird_journal.ics");
  run(journal, {
                   {"its day", vcalendar({{.name = "VJOURNAL", .time_range = range("20260410T120000Z", "20260410T130000Z")}}),
                    true},
                   {"next day", vcalendar({{.name = "VJOURNAL", .time_range = range("20260411T000000Z", "20260412T000000Z")}}),
                    false},
               });
  const Object allday = testing::corpus_object("google_allday.ics");
  const Filter evening = vcalendar({{.name = "VEVENT", .time_range = range("20260706T220000Z", "20260706T230000Z")}});
  EXPECT_TRUE(matches(allday, evening, Zone::utc()));
  // Read in Tokyo, the last day ends at 15:00Z.
  const Object tokyo = testing::corpus_object("google_allday.ics", {.floating = *Zone::from_name("Asia/Tokyo")});
  EXPECT_FALSE(matches(tokyo, evening, *Zone::from_name("Asia/Tokyo")));
}

TEST(Query, FloatingZoneArgument) {
  const Object o = testing::corpus_object("thunderbird_floating_rdate.ics");
  const Filter f = vcalendar({{.name = "VEVENT", .time_range = range("20260110T170000Z", "20260110T173000Z")}});
  EXPECT_FALSE(matches(o, f, Zone::utc()));
  EXPECT_TRUE(matches(o, f, *Zone::from_name("Europe/Berlin")));
}

TEST(Query, DeepFilterDoesNotMatch) {
  const Object o = testing::corpus_object("google_weekly_dst.ics");
  CompFilter deep{.name = "VALARM"};
  for (int i = 0; i < 40; ++i) deep = CompFilter{.name = "VALARM", .comps = {deep}};
  EXPECT_FALSE(matches(o, vcalendar({CompFilter{.name = "VEVENT", .comps = {deep}}}), Zone::utc()));
}

}  // namespace
}  // namespace atrium::calendar
