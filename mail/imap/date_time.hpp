// IMAP dates: "date" of SEARCH (day-month-year) and "date-time" of APPEND and INTERNALDATE
// (RFC 9051 section 9), parsed strictly and formatted the one way servers send them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace atrium::imap {

// A calendar day. Valid values only: month 1..12, day within the month (leap years counted).
struct Date {
  std::uint16_t year = 0;  // 4 digits on the wire
  std::uint8_t month = 0;  // 1 = January
  std::uint8_t day = 0;

  // Days since 1970-01-01 (negative before). SEARCH compares dates, not instants.
  std::int64_t days_since_epoch() const;

  friend bool operator==(const Date&, const Date&) = default;
  friend auto operator<=>(const Date&, const Date&) = default;
};

// A date-time with its numeric zone, as the client wrote it.
struct DateTime {
  Date date;
  std::uint8_t hour = 0;
  std::uint8_t minute = 0;
  std::uint8_t second = 0;        // 0..60 (a leap second is accepted)
  std::int16_t zone_minutes = 0;  // offset east of UTC: "+0130" is 90, "-0800" is -480

  // Seconds since the Unix epoch of the instant (the zone applied).
  std::int64_t to_unix_seconds() const;

  friend bool operator==(const DateTime&, const DateTime&) = default;
};

// date-text = date-day "-" date-month "-" date-year, with date-day 1 or 2 digits and the
// month name in any case. No quotes (the parser strips them). Nullopt if malformed or not a real
// calendar day.
std::optional<Date> parse_date_text(std::string_view text);

// The inside of date-time (without its DQUOTEs): date-day-fixed ("dd" or SP digit) "-" month
// "-" yyyy SP hh:mm:ss SP (+/-)hhmm. Hours 0..23, minutes 0..59, seconds 0..60, zone hours
// 0..23 and zone minutes 0..59. Nullopt if anything deviates.
std::optional<DateTime> parse_date_time_text(std::string_view text);

// The date-time of `unix_seconds` seen from `zone_minutes` east of UTC, quoted as the grammar's
// date-time production requires: "\"05-Jan-2024 13:04:59 +0100\"". `zone_minutes` must be in
// -1439..1439.
std::string format_date_time(std::int64_t unix_seconds, int zone_minutes);

// "5-Jan-2024" style date-text (day without padding), for SEARCH criteria in tests and logs.
std::string format_date(const Date& date);

}  // namespace atrium::imap
