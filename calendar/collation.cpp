// Collations for text-match: a compact case fold table instead of ICU, which Atrium does not use.
#include "calendar/collation.hpp"

#include "core/auth/utf8.hpp"
#include "core/text/ascii.hpp"

#include <cstdint>

namespace atrium::calendar {
namespace {

void encode(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Simple lower-case mapping for the scripts calendar users write most (Unicode CaseFolding.txt,
// status C, restricted to these blocks).
char32_t fold(char32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 0x20;
  if (c < 0x80) return c;
  if (c == 0xB5) return 0x3BC;                                  // micro sign -> mu
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 0x20;     // Latin-1 capitals
  if (c >= 0x100 && c <= 0x17F) {                               // Latin Extended-A
    if (c == 0x130) return 'i';                                 // İ (full fold: i + dot; dot dropped)
    if (c == 0x131 || c == 0x138 || c == 0x149) return c;
    if (c == 0x178) return 0xFF;
    if (c == 0x17F) return 's';
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return (c % 2 == 1) ? c + 1 : c;
    return (c % 2 == 0) ? c + 1 : c;
  }
  if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) return c + 0x20;  // Greek capitals
  if (c == 0x3C2) return 0x3C3;                                 // final sigma
  if (c == 0x386) return 0x3AC;
  if (c >= 0x388 && c <= 0x38A) return c + 0x25;
  if (c == 0x38C) return 0x3CC;
  if (c == 0x38E || c == 0x38F) return c + 0x3F;
  if (c >= 0x400 && c <= 0x40F) return c + 0x50;                // Cyrillic Ѐ..Џ
  if (c >= 0x410 && c <= 0x42F) return c + 0x20;                // Cyrillic А..Я
  if ((c >= 0x460 && c <= 0x481) || (c >= 0x48A && c <= 0x4BF) || (c >= 0x4D0 && c <= 0x52F)) {
    return (c % 2 == 0) ? c + 1 : c;
  }
  if (c == 0x4C0) return 0x4CF;
  if (c >= 0x4C1 && c <= 0x4CE) return (c % 2 == 1) ? c + 1 : c;
  return c;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

bool is_valid_utf8(std::string_view text) { return auth::is_valid_utf8(text); }

std::string ascii_fold(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = text::ascii_lower(c);
  return out;
}

std::string unicode_fold(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    char32_t cp = 0;
    if (!auth::utf8_next(text, i, cp)) {
      out.push_back(text[i++]);
      continue;
    }
    if (cp == 0xDF) {  // ß -> ss
      out += "ss";
      continue;
    }
    if (cp == 0x1E9E) {  // ẞ -> ss
      out += "ss";
      continue;
    }
    encode(fold(cp), out);
  }
  return out;
}

bool text_matches(const TextMatch& match, std::string_view value) {
  std::string needle, hay;
  switch (match.collation) {
    case Collation::octet:
      needle = match.text;
      hay = std::string(value);
      break;
    case Collation::ascii_casemap:
      needle = ascii_fold(match.text);
      hay = ascii_fold(value);
      break;
    case Collation::unicode_casemap:
      needle = unicode_fold(match.text);
      hay = unicode_fold(value);
      break;
  }
  bool found = false;
  switch (match.match) {
    case MatchType::contains: found = hay.find(needle) != std::string::npos; break;
    case MatchType::equals: found = hay == needle; break;
    case MatchType::starts_with: found = hay.compare(0, needle.size(), needle) == 0 && hay.size() >= needle.size(); break;
    case MatchType::ends_with: found = ends_with(hay, needle); break;
  }
  return found != match.negate;
}

}  // namespace atrium::calendar
