// RFC 5322 dates for SEARCH and SORT.
#include "mail/imap/driver/header_date.hpp"

#include "core/text/ascii.hpp"

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

namespace atrium::imap {

std::optional<HeaderDate> parse_header_date(std::string_view value) {
  static constexpr std::string_view k_months[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                                  "jul", "aug", "sep", "oct", "nov", "dec"};
  std::vector<std::string> w;
  std::string cur;
  for (char c : value) {
    if (c == ' ' || c == ',' || c == '\t') {
      if (!cur.empty()) w.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += text::ascii_lower(c);
    }
  }
  if (!cur.empty()) w.push_back(cur);
  auto digits = [](const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  for (std::size_t i = 0; i + 2 < w.size(); ++i) {
    if (!digits(w[i]) || w[i].size() > 2) continue;
    auto m = std::find(std::begin(k_months), std::end(k_months), w[i + 1].substr(0, 3));
    const std::string& y = w[i + 2];
    if (m == std::end(k_months) || !digits(y) || y.size() < 2 || y.size() > 4) continue;
    int year = std::stoi(y);
    if (y.size() == 2) year += year < 50 ? 2000 : 1900;
    HeaderDate out;
    out.day = Date{static_cast<std::uint16_t>(year), static_cast<std::uint8_t>(m - std::begin(k_months) + 1),
                   static_cast<std::uint8_t>(std::stoi(w[i]))};
    if (out.day.day < 1 || out.day.day > 31) return std::nullopt;
    int hh = 0, mm = 0, ss = 0, zone = 0;
    if (i + 3 < w.size() && std::sscanf(w[i + 3].c_str(), "%d:%d:%d", &hh, &mm, &ss) >= 2) {
      out.has_time = true;
      const std::string* z = i + 4 < w.size() ? &w[i + 4] : nullptr;
      if (z && z->size() == 5 && ((*z)[0] == '+' || (*z)[0] == '-') && digits(z->substr(1))) {
        int v = std::stoi(z->substr(1));
        zone = (v / 100 * 60 + v % 100) * ((*z)[0] == '-' ? -1 : 1);
      }
    }
    out.utc_seconds = out.day.days_since_epoch() * 86400 + hh * 3600 + mm * 60 + ss - zone * 60;
    return out;
  }
  return std::nullopt;
}

}  // namespace atrium::imap
