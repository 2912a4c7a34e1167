// Modified UTF-7 (RFC 3501 section 5.1.3) in both directions, strict enough that each name has
// exactly one wire form, so two spellings can never reach the store as two different mailboxes.
#include "mail/imap/mailbox_name.hpp"

#include "core/auth/utf8.hpp"
#include "core/text/ascii.hpp"

#include <vector>

namespace atrium::imap {
namespace {

constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == ',') return 63;
  return -1;
}

bool is_control(char32_t cp) { return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F); }
bool is_direct(char32_t cp) { return cp >= 0x20 && cp <= 0x7E; }

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Decodes one base64 run (between "&" and "-") to UTF-8 appended to `out`.
bool decode_run(std::string_view run, std::string& out) {
  std::vector<char16_t> units;
  std::uint32_t buffer = 0;
  unsigned bits = 0;
  for (char c : run) {
    const int v = base64_value(c);
    if (v < 0) return false;
    buffer = (buffer << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 16) {
      bits -= 16;
      units.push_back(static_cast<char16_t>((buffer >> bits) & 0xFFFF));
    }
    buffer &= (1u << bits) - 1;  // keep only the bits not yet used
  }
  // The shortest encoding leaves fewer than 6 bits over, all zero.
  if (units.empty() || bits >= 6 || buffer != 0) return false;
  for (std::size_t i = 0; i < units.size(); ++i) {
    char32_t cp = units[i];
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      if (i + 1 >= units.size() || units[i + 1] < 0xDC00 || units[i + 1] > 0xDFFF) return false;
      cp = 0x10000 + ((cp - 0xD800) << 10) + (units[i + 1] - 0xDC00);
      ++i;
    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
      return false;
    }
    if (is_direct(cp) || is_control(cp)) return false;
    append_utf8(out, cp);
  }
  return true;
}

void flush_run(std::vector<char16_t>& units, std::string& out) {
  if (units.empty()) return;
  out += '&';
  std::uint32_t buffer = 0;
  unsigned bits = 0;
  for (char16_t u : units) {
    buffer = (buffer << 16) | u;
    bits += 16;
    while (bits >= 6) {
      bits -= 6;
      out += alphabet[(buffer >> bits) & 0x3F];
    }
    buffer &= (1u << bits) - 1;
  }
  if (bits > 0) out += alphabet[(buffer << (6 - bits)) & 0x3F];
  out += '-';
  units.clear();
}

}  // namespace

std::optional<std::string> modified_utf7_to_utf8(std::string_view wire) {
  std::string out;
  out.reserve(wire.size());
  bool after_run = false;  // the previous token was an encoded run
  std::size_t i = 0;
  while (i < wire.size()) {
    const char c = wire[i];
    if (!is_direct(static_cast<unsigned char>(c))) return std::nullopt;
    if (c != '&') {
      out += c;
      after_run = false;
      ++i;
      continue;
    }
    const std::size_t dash = wire.find('-', i + 1);
    if (dash == std::string_view::npos) return std::nullopt;
    const std::string_view run = wire.substr(i + 1, dash - i - 1);
    if (run.empty()) {
      out += '&';
      after_run = false;
    } else {
      // Two runs in a row would be one run in the canonical form.
      if (after_run || !decode_run(run, out)) return std::nullopt;
      after_run = true;
    }
    i = dash + 1;
  }
  return out;
}

std::optional<std::string> utf8_to_modified_utf7(std::string_view name) {
  std::string out;
  std::vector<char16_t> units;
  std::size_t pos = 0;
  char32_t cp = 0;
  while (pos < name.size()) {
    if (!auth::utf8_next(name, pos, cp)) return std::nullopt;
    if (is_direct(cp)) {
      flush_run(units, out);
      out += static_cast<char>(cp);
      if (cp == '&') out += '-';
    } else if (cp >= 0x10000) {
      const char32_t v = cp - 0x10000;
      units.push_back(static_cast<char16_t>(0xD800 + (v >> 10)));
      units.push_back(static_cast<char16_t>(0xDC00 + (v & 0x3FF)));
    } else {
      units.push_back(static_cast<char16_t>(cp));
    }
  }
  flush_run(units, out);
  return out;
}

bool is_valid_mailbox_name(std::string_view name) {
  std::size_t pos = 0;
  char32_t cp = 0;
  while (pos < name.size()) {
    if (!auth::utf8_next(name, pos, cp) || is_control(cp)) return false;
  }
  return true;
}

std::string normalise_inbox(std::string name) {
  if (text::iequals(name, "INBOX")) return "INBOX";
  return name;
}

}  // namespace atrium::imap
