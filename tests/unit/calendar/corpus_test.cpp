// The client-shaped corpus (corpus/*.ics): each file parses to the expected UID, kind, recurrence
// flag and bounds, survives a serialise/parse round trip, and expands without hitting a limit.
#include "calendar/object.hpp"
#include "calendar/output.hpp"
#include "calendar/recurrence.hpp"

#include "tests/unit/calendar/test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>

namespace atrium::calendar {
namespace {

using testing::utc;

struct Expect {
  const char* uid;
  ComponentKind kind;
  bool recurs;
  const char* first_start;  // nullptr: open
  const char* last_end;     // nullptr: open
  std::size_t instances;    // in 1990..2030
};

const std::map<std::string, Expect>& expectations() {
  static const std::map<std::string, Expect> table = {
      {"google_weekly_dst.ics",
       {"5t8hd0sq0ub2k3ts0l1l2h1d3c@google.com", ComponentKind::event, true, "20260224T150000Z", "20260331T150000Z", 5}},
      {"google_allday.ics", {"0a1b2c3d4e5f6g7h8i9j@google.com", ComponentKind::event, false, "20260704", "20260707", 1}},
      {"google_birthday_yearly.ics",
       {"birthday_19900315_elena@google.com", ComponentKind::event, true, "19900315", nullptr, 40}},
      {"outlook_monthly_second_tuesday.ics",
       {"040000008200E00074C5B7101A82E00800000000D0C4F6A0B1C2DA01000000000000000010000000B1A2C3D4E5F60718293A4B5C6D7E8F90",
        ComponentKind::event, true, "20260113T080000Z", "20260512T080000Z", 5}},
      {"outlook_windows_tzid_no_vtimezone.ics",
       {"040000008200E00074C5B7101A82E0080000000040A1B2C3D4E5DA01000000000000000010000000", ComponentKind::event, false,
        "20260701T160000Z", "20260701T170000Z", 1}},
      {"apple_weekdays_cancelled.ics",
       {"8F2C1A4E-3B5D-4E6F-9A1B-2C3D4E5F6A7B", ComponentKind::event, true, "20260326T081500Z", "20260403T073000Z", 7}},
      {"apple_todo_no_due.ics",
       {"C7B1E2F3-A4D5-4E6F-8091-A2B3C4D5E6F7", ComponentKind::todo, false, "20260402T101010Z", nullptr, 1}},
      {"thunderbird_floating_rdate.ics",
       {"b7e1c9a2-4f3d-4c8e-9d1a-0e2f3a4b5c6d", ComponentKind::event, true, "20260110T180000Z", "20260125T190000Z", 4}},
      {"thunderbird_todo_due.ics",
       {"3d2c1b0a-9f8e-4d7c-b6a5-948372615049", ComponentKind::todo, false, "20260301T080000Z", "20260331T150000Z", 1}},
      {"thunderbird_journal.ics",
       {"journal-7f6e5d4c@example.org", ComponentKind::journal, false, "20260410", "20260411", 1}},
  };
  return table;
}

std::vector<std::string> corpus_files() {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(ATRIUM_CALENDAR_CORPUS_DIR)) {
    if (e.path().extension() == ".ics") names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class Corpus : public ::testing::TestWithParam<std::string> {};

TEST_P(Corpus, ParsesToExpectedShape) {
  const std::string& name = GetParam();
  auto it = expectations().find(name);
  ASSERT_NE(it, expectations().end()) << "add " << name << " to the expectation table";
  const Expect& want = it->second;
  const Object o = testing::corpus_object(name);
  EXPECT_EQ(o.uid(), want.uid);
  EXPECT_EQ(o.kind(), want.kind);
  EXPECT_EQ(o.recurs(), want.recurs);
  if (want.first_start == nullptr) {
    EXPECT_FALSE(o.bounds().first_start);
  } else {
    EXPECT_EQ(o.bounds().first_start, utc(want.first_start));
  }
  if (want.last_end == nullptr) {
    EXPECT_FALSE(o.bounds().last_end);
  } else {
    EXPECT_EQ(o.bounds().last_end, utc(want.last_end));
  }
  const Expansion e = expand(o, TimeRange{utc("19900101"), utc("20300101")});
  EXPECT_FALSE(e.truncated);
  EXPECT_EQ(e.instances.size(), want.instances);
}

TEST_P(Corpus, RoundTrips) {
  const Object o = testing::corpus_object(GetParam());
  const std::string text = o.to_ical();
  const Object again = testing::parse_ok(text);
  EXPECT_EQ(again.uid(), o.uid());
  EXPECT_EQ(again.kind(), o.kind());
  EXPECT_EQ(again.recurs(), o.recurs());
  EXPECT_EQ(again.bounds().first_start, o.bounds().first_start);
  EXPECT_EQ(again.bounds().last_end, o.bounds().last_end);
  EXPECT_EQ(again.to_ical(), text);
  EXPECT_EQ(calendar_data(o, {}), text);
}

INSTANTIATE_TEST_SUITE_P(Files, Corpus, ::testing::ValuesIn(corpus_files()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string n = info.param.substr(0, info.param.size() - 4);
                           std::replace_if(n.begin(), n.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
                           return n;
                         });

}  // namespace
}  // namespace atrium::calendar
