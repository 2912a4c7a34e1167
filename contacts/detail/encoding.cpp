// QUOTED-PRINTABLE and the two legacy charsets Windows and old phones write vCards in.
#include "contacts/detail/encoding.hpp"

#include "core/text/ascii.hpp"

#include <array>
#include <cstdint>

namespace atrium::contacts::detail {
namespace {

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

void encode(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Windows-1252 0x80..0x9F (the unassigned 0x81, 0x8D, 0x8F, 0x90, 0x9D stay C1 controls).
constexpr std::array<char16_t, 32> cp1252_high = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

}  // namespace

std::string decode_quoted_printable(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '=' && i + 2 < in.size() && hex(in[i + 1]) >= 0 && hex(in[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(in[i + 1]) * 16 + hex(in[i + 2])));
      i += 2;
      continue;
    }
    out.push_back(in[i]);
  }
  return out;
}

Charset charset_from_name(std::string_view name) {
  using text::iequals;
  if (iequals(name, "UTF-8") || iequals(name, "UTF8") || iequals(name, "US-ASCII") || iequals(name, "ASCII")) {
    return Charset::utf8;
  }
  if (iequals(name, "ISO-8859-1") || iequals(name, "ISO8859-1") || iequals(name, "ISO_8859-1") ||
      iequals(name, "LATIN1") || iequals(name, "L1")) {
    return Charset::latin1;
  }
  if (iequals(name, "WINDOWS-1252") || iequals(name, "CP1252") || iequals(name, "X-CP1252")) {
    return Charset::windows1252;
  }
  return Charset::unknown;
}

std::string to_utf8(std::string_view in, Charset charset) {
  if (charset == Charset::utf8 || charset == Charset::unknown) return std::string(in);
  std::string out;
  out.reserve(in.size() + in.size() / 2);
  for (char ch : in) {
    const auto b = static_cast<unsigned char>(ch);
    if (b >= 0x80 && b <= 0x9F && charset == Charset::windows1252) {
      encode(cp1252_high[b - 0x80], out);
    } else {
      encode(b, out);
    }
  }
  return out;
}

std::string clean_value(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const auto c = static_cast<unsigned char>(in[i]);
    if (c == '\r') {
      if (i + 1 < in.size() && in[i + 1] == '\n') ++i;
      out += "\\n";
    } else if (c == '\n') {
      out += "\\n";
    } else if ((c < 0x20 && c != '\t') || c == 0x7F) {
      continue;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

std::string printable(std::string_view s, std::size_t max) {
  std::string out(s.substr(0, max));
  for (char& c : out) {
    if (c < 0x20 || c > 0x7E) c = '?';
  }
  return out;
}

bool has_non_ascii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return true;
  }
  return false;
}

}  // namespace atrium::contacts::detail
