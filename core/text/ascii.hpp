// ASCII-only case handling for protocol tokens (commands, mechanism names, domains). Locale-free
// on purpose: protocol keywords compare the same way on every machine.
#pragma once

#include <string>
#include <string_view>

namespace atrium::text {

constexpr char ascii_lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// `s` with its ASCII letters in lower case (domains, header and tag names).
inline std::string ascii_lowered(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = ascii_lower(c);
  return out;
}

// True when `a` and `b` are equal ignoring ASCII letter case.
constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

}  // namespace atrium::text
