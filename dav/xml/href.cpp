// Percent-encoding of DAV paths.
#include "dav/xml/href.hpp"

#include <cstdint>

namespace atrium::dav {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = 1;
    std::uint32_t cp = c;
    if (c >= 0x80) {
      if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        cp = c & 0x1F;
      } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        cp = c & 0x0F;
      } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        cp = c & 0x07;
      } else {
        return false;
      }
      if (i + len > s.size()) return false;
      for (std::size_t k = 1; k < len; ++k) {
        const auto cc = static_cast<unsigned char>(s[i + k]);
        if ((cc & 0xC0) != 0x80) return false;
        cp = (cp << 6) | (cc & 0x3F);
      }
      if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) return false;
      if (cp >= 0xD800 && cp <= 0xDFFF) return false;
    }
    i += len;
  }
  return true;
}

bool keep_unencoded(char c) {
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '-': case '.': case '_': case '~':
    case '!': case '$': case '\'': case '(': case ')': case '*': case ',': case ';': case '=': case ':': case '@':
      return true;
    default:
      return false;
  }
}

}  // namespace

std::variant<std::string, PathError> decode_path(std::string_view raw) {
  if (const auto cut = raw.find_first_of("?#"); cut != std::string_view::npos) raw = raw.substr(0, cut);
  if (raw.empty() || raw.front() != '/') return PathError::not_absolute;
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '%') {
      if (i + 2 >= raw.size()) return PathError::bad_escape;
      const int hi = hex_value(raw[i + 1]);
      const int lo = hex_value(raw[i + 2]);
      if (hi < 0 || lo < 0) return PathError::bad_escape;
      c = static_cast<char>(hi * 16 + lo);
      if (c == '/') return PathError::encoded_slash;
      i += 2;
    }
    if (c == '\0') return PathError::nul;
    out += c;
  }
  // Segments are checked after decoding, so "%2e%2E" is caught like "..".
  std::size_t start = 1;
  while (start <= out.size()) {
    std::size_t end = out.find('/', start);
    if (end == std::string::npos) end = out.size();
    const std::string_view seg(out.data() + start, end - start);
    if (seg == "." || seg == "..") return PathError::dot_segment;
    start = end + 1;
  }
  if (!valid_utf8(out)) return PathError::bad_utf8;
  return out;
}

std::string encode_segment(std::string_view segment) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(segment.size());
  for (char c : segment) {
    if (keep_unencoded(c)) {
      out += c;
    } else {
      const auto b = static_cast<unsigned char>(c);
      out += '%';
      out += hex[b >> 4];
      out += hex[b & 0x0F];
    }
  }
  return out;
}

std::string encode_path(std::string_view decoded_path) {
  std::string out;
  out.reserve(decoded_path.size());
  std::size_t start = 0;
  while (true) {
    const std::size_t slash = decoded_path.find('/', start);
    if (slash == std::string_view::npos) {
      out += encode_segment(decoded_path.substr(start));
      break;
    }
    out += encode_segment(decoded_path.substr(start, slash - start));
    out += '/';
    start = slash + 1;
  }
  return out;
}

std::string join_path(std::string_view base, std::string_view segment) {
  std::string out(base);
  if (out.empty() || out.back() != '/') out += '/';
  while (!segment.empty() && segment.front() == '/') segment.remove_prefix(1);
  out += segment;
  return out;
}

}  // namespace atrium::dav
