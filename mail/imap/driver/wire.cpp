// Response-encoding helpers.
#include "mail/imap/driver/wire.hpp"

#include <fmt/format.h>

namespace atrium::imap::wire {

std::string string(std::string_view s, Utf8 utf8) {
  bool quotable = s.size() <= 1024;
  bool has_nul = false;
  for (unsigned char c : s) {
    if (c == 0) has_nul = true;
    if (c == '\r' || c == '\n' || c == 0 || (c >= 0x80 && utf8 == Utf8::literal)) quotable = false;
  }
  if (!quotable) {
    std::string out = fmt::format("{}{{{}}}\r\n", has_nul ? "~" : "", s.size());
    out.append(s);
    return out;
  }
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

std::string nstring(const std::optional<std::string>& s, Utf8 utf8) { return s ? string(*s, utf8) : "NIL"; }

std::string sequence_set(const std::vector<std::uint32_t>& sorted) {
  std::string out;
  std::size_t i = 0;
  while (i < sorted.size()) {
    std::size_t j = i;
    while (j + 1 < sorted.size() && sorted[j + 1] == sorted[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += j > i ? fmt::format("{}:{}", sorted[i], sorted[j]) : fmt::format("{}", sorted[i]);
    i = j + 1;
  }
  return out;
}

}  // namespace atrium::imap::wire
