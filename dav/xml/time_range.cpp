// UTC date-time arithmetic (days-from-civil, Howard Hinnant's algorithm) and time-range elements.
#include "dav/xml/time_range.hpp"

#include <cstdio>

namespace atrium::dav::xml {
namespace {

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2 ? 1 : 0;
}

bool digits(std::string_view s, std::size_t pos, std::size_t n, unsigned& out) {
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + static_cast<unsigned>(s[i] - '0');
  }
  return true;
}

bool leap(unsigned y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

}  // namespace

std::optional<calendar::UtcSeconds> parse_utc_datetime(std::string_view s) {
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') return std::nullopt;
  unsigned y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  if (!digits(s, 0, 4, y) || !digits(s, 4, 2, mo) || !digits(s, 6, 2, d) || !digits(s, 9, 2, h) ||
      !digits(s, 11, 2, mi) || !digits(s, 13, 2, se)) {
    return std::nullopt;
  }
  static constexpr unsigned month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mo < 1 || mo > 12 || d < 1) return std::nullopt;
  const unsigned dim = month_days[mo - 1] + (mo == 2 && leap(y) ? 1 : 0);
  if (d > dim || h > 23 || mi > 59 || se > 60) return std::nullopt;
  if (se == 60) se = 59;
  return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
}

std::string format_utc_datetime(calendar::UtcSeconds t) {
  std::int64_t days = t / 86400;
  std::int64_t secs = t % 86400;
  if (secs < 0) {
    secs += 86400;
    --days;
  }
  std::int64_t y = 0;
  unsigned m = 0, d = 0;
  civil_from_days(days, y, m, d);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld%02u%02uT%02lld%02lld%02lldZ", static_cast<long long>(y), m, d,
                static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                static_cast<long long>(secs % 60));
  return buf;
}

Result<calendar::TimeRange> parse_time_range(const Element& e, RangeEnds ends, ErrorKind on_error) {
  calendar::TimeRange r;
  const std::string* start = e.attribute("start");
  const std::string* end = e.attribute("end");
  if (start) {
    r.start = parse_utc_datetime(*start);
    if (!r.start) return Error{on_error, e.name.local + ": bad start " + *start};
  }
  if (end) {
    r.end = parse_utc_datetime(*end);
    if (!r.end) return Error{on_error, e.name.local + ": bad end " + *end};
  }
  if (ends == RangeEnds::both && (!start || !end)) return Error{on_error, e.name.local + " needs start and end"};
  if (!start && !end) return Error{on_error, e.name.local + " needs start or end"};
  if (r.start && r.end && *r.end <= *r.start) return Error{on_error, e.name.local + ": end not after start"};
  return r;
}

}  // namespace atrium::dav::xml
