// IMAP dates: strict parsing of date and date-time, epoch arithmetic, the server's format.
#include "mail/imap/date_time.hpp"

#include <gtest/gtest.h>

#include <string>

namespace atrium::imap {
namespace {

TEST(Date, ParsesDateText) {
  EXPECT_EQ(parse_date_text("1-Feb-1994"), (Date{1994, 2, 1}));
  EXPECT_EQ(parse_date_text("01-feb-1994"), (Date{1994, 2, 1}));
  EXPECT_EQ(parse_date_text("29-FEB-2000"), (Date{2000, 2, 29}));
  EXPECT_EQ(parse_date_text("31-Dec-9999"), (Date{9999, 12, 31}));
  for (const char* bad : {"", "1-Feb-94", "001-Feb-1994", "1-Febr-1994", "1 Feb 1994", "0-Feb-1994", "30-Feb-2000",
                          "29-Feb-1900", "31-Apr-2024", "1-Feb-0000", "1-Feb-19944", "a-Feb-1994", "1-Feb-1994 "}) {
    EXPECT_FALSE(parse_date_text(bad)) << bad;
  }
}

TEST(Date, DaysSinceEpoch) {
  EXPECT_EQ((Date{1970, 1, 1}).days_since_epoch(), 0);
  EXPECT_EQ((Date{2024, 2, 29}).days_since_epoch(), 19782);
  EXPECT_EQ((Date{1900, 1, 1}).days_since_epoch(), -25567);
  EXPECT_LT((Date{2024, 1, 5}), (Date{2024, 2, 1}));
}

TEST(DateTime, ParsesTheFixedForm) {
  const auto dt = parse_date_time_text("17-Jul-1996 02:44:25 -0700");
  ASSERT_TRUE(dt);
  EXPECT_EQ(dt->date, (Date{1996, 7, 17}));
  EXPECT_EQ(dt->zone_minutes, -420);
  EXPECT_EQ(dt->to_unix_seconds(), 837596665);
  EXPECT_EQ(parse_date_time_text(" 5-Jan-2024 10:11:12 +0100")->to_unix_seconds(), 1704445872);
  EXPECT_EQ(parse_date_time_text("05-Jan-2024 10:11:12 +0100")->to_unix_seconds(), 1704445872);
  EXPECT_EQ(parse_date_time_text("31-Dec-2016 23:59:60 +0000")->second, 60);
  for (const char* bad : {"5-Jan-2024 10:11:12 +0100", "05-Jan-2024 10:11:12", "05-Jan-2024 24:00:00 +0000",
                          "05-Jan-2024 10:60:00 +0000", "05-Jan-2024 10:00:61 +0000", "05-Jan-2024 10:00:00 +0060",
                          "05-Jan-2024 10:00:00 +2400", "05-Jan-2024 10:00:00 0100", "05-Jan-2024  10:00:00 +0100",
                          "32-Jan-2024 10:00:00 +0100", "05-Jan-2024T10:00:00 +0100", "05-Jan-2024 1:00:00 +0100",
                          "05-Jan-2024 10:00:00 +01:0"}) {
    EXPECT_FALSE(parse_date_time_text(bad)) << bad;
  }
}

TEST(DateTime, FormatsAsServersSendIt) {
  EXPECT_EQ(format_date_time(0, 0), "\"01-Jan-1970 00:00:00 +0000\"");
  EXPECT_EQ(format_date_time(1704449532, 60), "\"05-Jan-2024 11:12:12 +0100\"");
  EXPECT_EQ(format_date_time(1704449532, -480), "\"05-Jan-2024 02:12:12 -0800\"");
  EXPECT_EQ(format_date_time(951782400, 0), "\"29-Feb-2000 00:00:00 +0000\"");
  EXPECT_EQ(format_date_time(1709168399, -570), "\"28-Feb-2024 15:29:59 -0930\"");
  EXPECT_EQ(format_date_time(-1, 0), "\"31-Dec-1969 23:59:59 +0000\"");
}

TEST(DateTime, FormatThenParseIsTheSameInstant) {
  for (std::int64_t t : {0LL, 1LL, 86399LL, 951782400LL, 1704449532LL, 4102444800LL}) {
    for (int zone : {0, 60, -480, 330, -570, 840}) {
      const std::string s = format_date_time(t, zone);
      const auto dt = parse_date_time_text(std::string_view(s).substr(1, s.size() - 2));
      ASSERT_TRUE(dt) << s;
      EXPECT_EQ(dt->to_unix_seconds(), t) << s;
      EXPECT_EQ(dt->zone_minutes, zone) << s;
    }
  }
  EXPECT_EQ(format_date(Date{2024, 1, 5}), "5-Jan-2024");
  EXPECT_EQ(parse_date_text(format_date(Date{1999, 12, 31})), (Date{1999, 12, 31}));
}

}  // namespace
}  // namespace atrium::imap
