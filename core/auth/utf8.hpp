// Strict UTF-8 decoding for identities and passwords arriving from clients.
// Strict means RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF.
#pragma once

#include <cstddef>
#include <string_view>

namespace atrium::auth {

// Decodes the code point starting at `pos` in `text` into `code_point` and advances `pos` past
// it. Returns false (leaving `pos` and `code_point` unspecified) if the bytes at `pos` are not a
// well-formed UTF-8 sequence or `pos` is at the end.
inline bool utf8_next(std::string_view text, std::size_t& pos, char32_t& code_point) noexcept {
  if (pos >= text.size()) return false;
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char lead = byte(pos);
  std::size_t len = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if (lead < 0x80) {
    code_point = lead;
    ++pos;
    return true;
  } else if (lead >= 0xC2 && lead <= 0xDF) {
    len = 2, cp = lead & 0x1F, min = 0x80;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    len = 3, cp = lead & 0x0F, min = 0x800;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    len = 4, cp = lead & 0x07, min = 0x10000;
  } else {
    return false;  // continuation byte, C0/C1 overlong lead, or F5..FF
  }
  if (text.size() - pos < len) return false;
  for (std::size_t i = 1; i < len; ++i) {
    unsigned char c = byte(pos + i);
    if ((c & 0xC0) != 0x80) return false;
    cp = (cp << 6) | (c & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
  code_point = cp;
  pos += len;
  return true;
}

// True iff all of `text` is well-formed UTF-8 (the empty string is).
inline bool is_valid_utf8(std::string_view text) noexcept {
  std::size_t pos = 0;
  char32_t cp = 0;
  while (pos < text.size()) {
    if (!utf8_next(text, pos, cp)) return false;
  }
  return true;
}

}  // namespace atrium::auth
