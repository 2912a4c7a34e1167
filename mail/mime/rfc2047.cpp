// Encoded-word decoding. Words are found leniently (clients write them in the wrong places), but a
// word's syntax itself must be whole, or its bytes stay literal.
#include "mail/mime/rfc2047.hpp"

#include "core/text/ascii.hpp"
#include "mail/mime/charset.hpp"
#include "mail/mime/transfer.hpp"

#include <optional>

namespace atrium::mail::mime {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

struct EncodedWord {
  std::string_view charset;  // without any "*language"
  std::string bytes;         // decoded, still in `charset`
  std::size_t end = 0;       // just past "?="
};

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::string decode_q(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '_') {
      out.push_back(' ');
    } else if (c == '=' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 && hex_value(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// Parses "=?charset?E?text?=" at raw[pos]. The charset is a token without '?' or blanks; the text
// runs to the next '?' which must be followed by '='.
std::optional<EncodedWord> parse_word(std::string_view raw, std::size_t pos) {
  if (raw.substr(pos, 2) != "=?") return std::nullopt;
  const std::size_t cs_start = pos + 2;
  std::size_t q1 = cs_start;
  while (q1 < raw.size() && raw[q1] != '?' && !is_space(raw[q1])) ++q1;
  if (q1 == cs_start || q1 + 3 > raw.size() || raw[q1] != '?') return std::nullopt;
  const char enc = text::ascii_lower(raw[q1 + 1]);
  if ((enc != 'b' && enc != 'q') || raw[q1 + 2] != '?') return std::nullopt;
  const std::size_t text_start = q1 + 3;
  std::size_t q2 = text_start;
  while (q2 < raw.size() && raw[q2] != '?' && raw[q2] != '\r' && raw[q2] != '\n') ++q2;
  if (q2 + 1 >= raw.size() || raw[q2] != '?' || raw[q2 + 1] != '=') return std::nullopt;
  EncodedWord w;
  w.charset = raw.substr(cs_start, q1 - cs_start);
  if (auto star = w.charset.find('*'); star != std::string_view::npos) w.charset = w.charset.substr(0, star);
  const std::string_view text = raw.substr(text_start, q2 - text_start);
  w.bytes = enc == 'b' ? decode_base64(text) : decode_q(text);
  w.end = q2 + 2;
  return w;
}

// Raw header text outside encoded words: UTF-8 kept, anything else and NUL made U+FFFD, line
// breaks dropped.
void append_literal(std::string& out, std::string_view text) {
  std::string cleaned;
  cleaned.reserve(text.size());
  for (char c : text) {
    if (c == '\r' || c == '\n') continue;
    if (c == '\0') {
      cleaned.append(replacement_character);
      continue;
    }
    cleaned.push_back(c);
  }
  if (is_valid_utf8(cleaned)) {
    out.append(cleaned);
  } else {
    out.append(repair_utf8(cleaned));
  }
}

void append_converted(std::string& out, std::string_view bytes, std::string_view charset) {
  std::string utf8 = to_utf8(bytes, charset);
  for (char c : utf8) {
    // Decoded words may carry control line breaks or NUL; neither belongs in a one-line value.
    if (c == '\0') {
      out.append(replacement_character);
    } else if (c == '\r' || c == '\n') {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
}

}  // namespace

std::string decode_header_text(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  std::string pending;             // bytes of adjacent encoded words not yet converted
  std::string_view pending_charset;
  bool have_pending = false;
  bool last_was_word = false;
  std::size_t pos = 0;  // start of text not yet emitted
  std::size_t search = 0;

  const auto flush = [&] {
    if (have_pending) append_converted(out, pending, pending_charset);
    pending.clear();
    have_pending = false;
  };

  while (search < raw.size()) {
    const std::size_t at = raw.find("=?", search);
    if (at == std::string_view::npos) break;
    auto word = parse_word(raw, at);
    if (!word) {
      search = at + 2;
      continue;
    }
    const std::string_view between = raw.substr(pos, at - pos);
    bool only_space = true;
    for (char c : between) only_space = only_space && is_space(c);
    if (!(last_was_word && only_space)) {
      flush();
      append_literal(out, between);
    }
    if (have_pending && !text::iequals(pending_charset, word->charset)) flush();
    if (!have_pending) {
      pending_charset = word->charset;
      have_pending = true;
    }
    pending.append(word->bytes);
    last_was_word = true;
    pos = word->end;
    search = word->end;
  }
  flush();
  append_literal(out, raw.substr(pos));
  return out;
}

std::string collapse_white_space(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool in_space = false;
  for (char c : text) {
    if (is_space(c)) {
      in_space = true;
      continue;
    }
    if (in_space && !out.empty()) out.push_back(' ');
    in_space = false;
    out.push_back(c);
  }
  return out;
}

}  // namespace atrium::mail::mime
