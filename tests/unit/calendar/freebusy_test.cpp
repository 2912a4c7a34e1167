// busy_periods() and freebusy_to_ical(): types from STATUS/TRANSP, merging, clipping.
#include "calendar/freebusy.hpp"

#include "tests/unit/calendar/test_support.hpp"

#include <gtest/gtest.h>

namespace atrium::calendar {
namespace {

using testing::ics;
using testing::utc;

Object event(const char* uid, const char* start, const char* end, std::initializer_list<std::string_view> extra = {}) {
  std::string body = "BEGIN:VEVENT\r\nUID:" + std::string(uid) + "\r\nDTSTART:" + start + "\r\nDTEND:" + end + "\r\n";
  for (std::string_view e : extra) body += std::string(e) + "\r\n";
  body += "END:VEVENT";
  return testing::parse_ok(ics({body}));
}

TEST(FreeBusy, MergesPerTypeAndClips) {
  const Object a = event("a", "20260301T090000Z", "20260301T100000Z");
  const Object b = event("b", "20260301T093000Z", "20260301T110000Z");
  const Object c = event("c", "20260301T110000Z", "20260301T113000Z");  // touches b
  const Object d = event("d", "20260301T120000Z", "20260301T130000Z", {"STATUS:TENTATIVE"});
  const Object e = event("e", "20260301T130000Z", "20260301T140000Z", {"TRANSP:TRANSPARENT"});
  const Object f = event("f", "20260301T140000Z", "20260301T150000Z", {"STATUS:CANCELLED"});
  const Object g = event("g", "20260301T230000Z", "20260302T010000Z");  // clipped at the range end
  const Object todo = testing::parse_ok(ics({"BEGIN:VTODO", "UID:t", "DTSTART:20260301T090000Z", "DUE:20260301T100000Z",
                                             "END:VTODO"}));
  const Object* all[] = {&a, &b, &c, &d, &e, &f, &g, &todo};
  const auto periods = busy_periods(all, TimeRange{utc("20260301T000000Z"), utc("20260302T000000Z")});
  ASSERT_EQ(periods.size(), 3u);
  EXPECT_EQ(periods[0].type, BusyType::busy);
  EXPECT_EQ(periods[0].start, utc("20260301T090000Z"));
  EXPECT_EQ(periods[0].end, utc("20260301T113000Z"));
  EXPECT_EQ(periods[1].type, BusyType::busy);
  EXPECT_EQ(periods[1].start, utc("20260301T230000Z"));
  EXPECT_EQ(periods[1].end, utc("20260302T000000Z"));
  EXPECT_EQ(periods[2].type, BusyType::busy_tentative);
  EXPECT_EQ(periods[2].start, utc("20260301T120000Z"));
}

TEST(FreeBusy, RecurringWithCancelledOverrideAndOutlookOof) {
  const Object standup = testing::corpus_object("apple_weekdays_cancelled.ics");
  const Object oof = testing::corpus_object("outlook_windows_tzid_no_vtimezone.ics");
  const Object holiday = testing::corpus_object("google_allday.ics");  // TRANSP:TRANSPARENT
  const Object* all[] = {&standup, &oof, &holiday};
  const auto march = busy_periods(all, TimeRange{utc("20260301"), utc("20260501")});
  ASSERT_EQ(march.size(), 6u);  // 7 instances, the cancelled one is free
  for (const BusyPeriod& p : march) {
    EXPECT_EQ(p.type, BusyType::busy);
    EXPECT_EQ(p.end - p.start, 15 * 60);
  }
  EXPECT_EQ(march[3].start, utc("20260401T071500Z"));
  const auto july = busy_periods(all, TimeRange{utc("20260701"), utc("20260801")});
  ASSERT_EQ(july.size(), 1u);
  EXPECT_EQ(july[0].type, BusyType::busy_unavailable);
  EXPECT_EQ(july[0].start, utc("20260701T160000Z"));
  EXPECT_TRUE(busy_periods(all, TimeRange{utc("20260701"), std::nullopt}).empty());
}

TEST(FreeBusy, Serialiser) {
  const std::vector<BusyPeriod> periods = {
      {utc("20260301T090000Z"), utc("20260301T113000Z"), BusyType::busy},
      {utc("20260301T120000Z"), utc("20260301T130000Z"), BusyType::busy_tentative},
  };
  const std::string out = freebusy_to_ical(periods, TimeRange{utc("20260301"), utc("20260302")},
                                           {.dtstamp = utc("20260228T120000Z"),
                                            .uid = "fb-1",
                                            .organizer = "mailto:boss@example.com\r\nX-INJECTED:1",
                                            .attendee = "mailto:me@example.com"});
  EXPECT_NE(out.find("BEGIN:VFREEBUSY\r\n"), std::string::npos);
  EXPECT_NE(out.find("DTSTAMP:20260228T120000Z\r\n"), std::string::npos);
  EXPECT_NE(out.find("DTSTART:20260301T000000Z\r\nDTEND:20260302T000000Z\r\n"), std::string::npos);
  EXPECT_NE(out.find("FREEBUSY;FBTYPE=BUSY:20260301T090000Z/20260301T113000Z\r\n"), std::string::npos);
  EXPECT_NE(out.find("FREEBUSY;FBTYPE=BUSY-TENTATIVE:20260301T120000Z/20260301T130000Z\r\n"), std::string::npos);
  EXPECT_EQ(out.find("\r\nX-INJECTED"), std::string::npos);
  EXPECT_EQ(out.find("METHOD"), std::string::npos);
  // Long values are folded at 75 octets.
  const std::string folded = freebusy_to_ical({}, TimeRange{utc("20260301"), utc("20260302")},
                                              {.attendee = "mailto:" + std::string(100, 'x') + "@example.com"});
  std::size_t start = 0;
  while (start < folded.size()) {
    const std::size_t eol = folded.find("\r\n", start);
    ASSERT_NE(eol, std::string::npos);
    EXPECT_LE(eol - start, 75u);
    start = eol + 2;
  }
}

}  // namespace
}  // namespace atrium::calendar
