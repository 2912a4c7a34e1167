// Choosing quoted string or literal for IMAP output.
#include "mail/mime/imap_string.hpp"

#include "mail/mime/charset.hpp"

namespace atrium::mail::mime {
namespace {

bool can_quote(std::string_view s, ImapCharset charset) {
  bool eight_bit = false;
  for (char c : s) {
    if (c == '\r' || c == '\n') return false;
    if (static_cast<unsigned char>(c) >= 0x80) eight_bit = true;
  }
  if (!eight_bit) return true;
  return charset == ImapCharset::utf8_accept && is_valid_utf8(s);
}

}  // namespace

void append_imap_string(std::string& out, std::string_view s, ImapCharset charset) {
  std::string without_nul;
  if (s.find('\0') != std::string_view::npos) {
    for (char c : s) {
      if (c == '\0') {
        without_nul.append(replacement_character);
      } else {
        without_nul.push_back(c);
      }
    }
    s = without_nul;
  }
  if (can_quote(s, charset)) {
    out.push_back('"');
    for (char c : s) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out.push_back('"');
    return;
  }
  out.push_back('{');
  out.append(std::to_string(s.size()));
  out.append("}\r\n");
  out.append(s);
}

void append_imap_nstring(std::string& out, const std::optional<std::string>& s, ImapCharset charset) {
  if (!s) {
    out.append("NIL");
    return;
  }
  append_imap_string(out, *s, charset);
}

}  // namespace atrium::mail::mime
