// iCalendar UTC date-times and time-range attributes.
#include "dav/xml/time_range.hpp"

#include "tests/unit/dav/xml/test_support.hpp"

#include <gtest/gtest.h>

namespace atrium::dav::xml {
namespace {

using testing::error_kind;

TEST(UtcDatetime, Parses) {
  EXPECT_EQ(parse_utc_datetime("19700101T000000Z"), 0);
  EXPECT_EQ(parse_utc_datetime("20060104T000000Z"), 1136332800);
  EXPECT_EQ(parse_utc_datetime("20060104T140000Z"), 1136332800 + 14 * 3600);
  EXPECT_EQ(parse_utc_datetime("20000229T235959Z"), 951868799);
  EXPECT_EQ(parse_utc_datetime("19691231T235959Z"), -1);
  EXPECT_EQ(parse_utc_datetime("20161231T235960Z"), parse_utc_datetime("20161231T235959Z"));  // leap second
  EXPECT_EQ(parse_utc_datetime("99991231T235959Z"), 253402300799);
}

TEST(UtcDatetime, Refuses) {
  for (const char* bad : {"", "20060104", "20060104T000000", "20060104T000000z", "20060104t000000Z",
                          "2006-01-04T00:00:00Z", "20061304T000000Z", "20060100T000000Z", "20060230T000000Z",
                          "21000229T000000Z", "20060104T240000Z", "20060104T006000Z", "20060104T000061Z",
                          "20060104T000000Z ", " 20060104T000000Z", "2006010AT000000Z", "20060104T000000+0100"}) {
    EXPECT_EQ(parse_utc_datetime(bad), std::nullopt) << bad;
  }
}

TEST(UtcDatetime, Formats) {
  EXPECT_EQ(format_utc_datetime(0), "19700101T000000Z");
  EXPECT_EQ(format_utc_datetime(1136332800), "20060104T000000Z");
  EXPECT_EQ(format_utc_datetime(-1), "19691231T235959Z");
  for (calendar::UtcSeconds t : {951868799LL, 1700000000LL, 4102444800LL, -86400LL * 365}) {
    EXPECT_EQ(parse_utc_datetime(format_utc_datetime(t)), t);
  }
}

Element element(std::string_view body) { return std::get<Element>(parse_document(body)); }

TEST(TimeRangeElement, Rules) {
  auto both = parse_time_range(element(R"(<t xmlns="x" start="20060104T000000Z" end="20060105T000000Z"/>)"),
                               RangeEnds::both, ErrorKind::invalid_value);
  ASSERT_EQ(error_kind(both), std::nullopt);
  EXPECT_EQ(std::get<calendar::TimeRange>(both).start, 1136332800);
  EXPECT_EQ(std::get<calendar::TimeRange>(both).end, 1136332800 + 86400);

  auto open_end = parse_time_range(element(R"(<t xmlns="x" start="20060104T000000Z"/>)"), RangeEnds::at_least_one,
                                   ErrorKind::invalid_filter);
  ASSERT_EQ(error_kind(open_end), std::nullopt);
  EXPECT_FALSE(std::get<calendar::TimeRange>(open_end).end.has_value());

  EXPECT_EQ(error_kind(parse_time_range(element(R"(<t xmlns="x" start="20060104T000000Z"/>)"), RangeEnds::both,
                                        ErrorKind::invalid_value)),
            ErrorKind::invalid_value);
  EXPECT_EQ(error_kind(parse_time_range(element(R"(<t xmlns="x"/>)"), RangeEnds::at_least_one, ErrorKind::invalid_filter)),
            ErrorKind::invalid_filter);
  EXPECT_EQ(error_kind(parse_time_range(element(R"(<t xmlns="x" start="20060104"/>)"), RangeEnds::at_least_one,
                                        ErrorKind::invalid_filter)),
            ErrorKind::invalid_filter);
  EXPECT_EQ(error_kind(parse_time_range(element(R"(<t xmlns="x" start="20060105T000000Z" end="20060104T000000Z"/>)"),
                                        RangeEnds::at_least_one, ErrorKind::invalid_filter)),
            ErrorKind::invalid_filter);
}

}  // namespace
}  // namespace atrium::dav::xml
