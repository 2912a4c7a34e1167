// Percent-encoding of DAV paths.
#include "dav/xml/href.hpp"

#include "core/auth/utf8.hpp"

#include <cstdint>

namespace atrium::dav {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
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
  if (!auth::is_valid_utf8(out)) return PathError::bad_utf8;
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
