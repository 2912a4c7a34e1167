// Strict date and date-time parsing and formatting for IMAP, without the C library's locale- and
// time-zone-dependent functions.
#include "mail/imap/date_time.hpp"

#include "core/text/ascii.hpp"

#include <array>
#include <cassert>
#include <fmt/format.h>

namespace atrium::imap {
namespace {

constexpr std::array<std::string_view, 12> month_names = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_leap(unsigned year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

unsigned days_in_month(unsigned year, unsigned month) {
  static constexpr std::array<unsigned, 12> days = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : days[month - 1];
}

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar, counted in 400-year eras
// (146097 days each) with years starting in March so the leap day falls last.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// The inverse of days_from_civil.
Date civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return Date{static_cast<std::uint16_t>(y + (m <= 2 ? 1 : 0)), static_cast<std::uint8_t>(m),
              static_cast<std::uint8_t>(d)};
}

std::optional<unsigned> digits(std::string_view s) {
  if (s.empty()) return std::nullopt;
  unsigned v = 0;
  for (char c : s) {
    if (!is_digit(c)) return std::nullopt;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  return v;
}

std::optional<unsigned> month_from_name(std::string_view name) {
  for (std::size_t i = 0; i < month_names.size(); ++i) {
    if (text::iequals(name, month_names[i])) return static_cast<unsigned>(i + 1);
  }
  return std::nullopt;
}

std::optional<Date> make_date(unsigned day, unsigned month, unsigned year) {
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) return std::nullopt;
  return Date{static_cast<std::uint16_t>(year), static_cast<std::uint8_t>(month), static_cast<std::uint8_t>(day)};
}

}  // namespace

std::int64_t Date::days_since_epoch() const { return days_from_civil(year, month, day); }

std::int64_t DateTime::to_unix_seconds() const {
  return date.days_since_epoch() * 86400 + hour * 3600 + minute * 60 + second - zone_minutes * 60;
}

std::optional<Date> parse_date_text(std::string_view text) {
  const std::size_t dash1 = text.find('-');
  if (dash1 == std::string_view::npos || dash1 < 1 || dash1 > 2) return std::nullopt;
  if (text.size() != dash1 + 1 + 3 + 1 + 4 || text[dash1 + 4] != '-') return std::nullopt;
  auto day = digits(text.substr(0, dash1));
  auto month = month_from_name(text.substr(dash1 + 1, 3));
  auto year = digits(text.substr(dash1 + 5, 4));
  if (!day || !month || !year) return std::nullopt;
  return make_date(*day, *month, *year);
}

std::optional<DateTime> parse_date_time_text(std::string_view t) {
  // "dd-Mon-yyyy hh:mm:ss +zzzz": 26 octets exactly.
  if (t.size() != 26) return std::nullopt;
  if (t[2] != '-' || t[6] != '-' || t[11] != ' ' || t[14] != ':' || t[17] != ':' || t[20] != ' ') return std::nullopt;
  std::optional<unsigned> day;
  if (t[0] == ' ') {
    day = digits(t.substr(1, 1));
  } else {
    day = digits(t.substr(0, 2));
  }
  auto month = month_from_name(t.substr(3, 3));
  auto year = digits(t.substr(7, 4));
  auto hour = digits(t.substr(12, 2));
  auto minute = digits(t.substr(15, 2));
  auto second = digits(t.substr(18, 2));
  auto zh = digits(t.substr(22, 2));
  auto zm = digits(t.substr(24, 2));
  if (!day || !month || !year || !hour || !minute || !second || !zh || !zm) return std::nullopt;
  if (t[21] != '+' && t[21] != '-') return std::nullopt;
  if (*hour > 23 || *minute > 59 || *second > 60 || *zh > 23 || *zm > 59) return std::nullopt;
  auto date = make_date(*day, *month, *year);
  if (!date) return std::nullopt;
  const int zone = static_cast<int>(*zh * 60 + *zm) * (t[21] == '-' ? -1 : 1);
  return DateTime{*date, static_cast<std::uint8_t>(*hour), static_cast<std::uint8_t>(*minute),
                  static_cast<std::uint8_t>(*second), static_cast<std::int16_t>(zone)};
}

std::string format_date_time(std::int64_t unix_seconds, int zone_minutes) {
  assert(zone_minutes > -1440 && zone_minutes < 1440);
  const std::int64_t local = unix_seconds + static_cast<std::int64_t>(zone_minutes) * 60;
  std::int64_t days = local / 86400;
  std::int64_t secs = local % 86400;
  if (secs < 0) {
    secs += 86400;
    --days;
  }
  const Date d = civil_from_days(days);
  const int z = zone_minutes < 0 ? -zone_minutes : zone_minutes;
  return fmt::format("\"{:02d}-{}-{:04d} {:02d}:{:02d}:{:02d} {}{:02d}{:02d}\"", d.day, month_names[d.month - 1],
                     d.year, secs / 3600, (secs / 60) % 60, secs % 60, zone_minutes < 0 ? '-' : '+', z / 60,
                     z % 60);
}

std::string format_date(const Date& date) {
  return fmt::format("{}-{}-{:04d}", date.day, month_names.at(date.month - 1u), date.year);
}

}  // namespace atrium::imap
