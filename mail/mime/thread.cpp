// RFC 5256 base subject extraction and msg-id lists.
#include "mail/mime/thread.hpp"

#include "core/text/ascii.hpp"
#include "mail/mime/lexer.hpp"
#include "mail/mime/rfc2047.hpp"

namespace atrium::mail::mime {
namespace {

bool starts_nocase(std::string_view s, std::size_t pos, std::string_view word) {
  return s.size() >= pos + word.size() && text::iequals(s.substr(pos, word.size()), word);
}

std::size_t skip_spaces(std::string_view s, std::size_t pos) {
  while (pos < s.size() && s[pos] == ' ') ++pos;
  return pos;
}

// subj-blob = "[" *BLOBCHAR "]" *WSP; returns the end, or 0 when there is none at `pos`.
std::size_t match_blob(std::string_view s, std::size_t pos) {
  if (pos >= s.size() || s[pos] != '[') return 0;
  std::size_t i = pos + 1;
  while (i < s.size() && s[i] != '[' && s[i] != ']') ++i;
  if (i >= s.size() || s[i] != ']') return 0;
  return skip_spaces(s, i + 1);
}

// subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":"
std::size_t match_refwd(std::string_view s, std::size_t pos) {
  for (std::string_view word : {"re", "fwd", "fw"}) {
    if (!starts_nocase(s, pos, word)) continue;
    std::size_t i = skip_spaces(s, pos + word.size());
    if (const std::size_t b = match_blob(s, i)) i = b;
    if (i < s.size() && s[i] == ':') return i + 1;
  }
  return 0;
}

// subj-leader = (*subj-blob subj-refwd) / WSP; returns the end, or 0.
std::size_t match_leader(std::string_view s) {
  if (!s.empty() && s.front() == ' ') return 1;
  std::size_t pos = 0;
  for (;;) {
    if (const std::size_t e = match_refwd(s, pos)) return e;
    const std::size_t b = match_blob(s, pos);
    if (b == 0) return 0;
    pos = b;
  }
}

bool has_non_space(std::string_view s) { return s.find_first_not_of(' ') != std::string_view::npos; }

}  // namespace

BaseSubject base_subject(std::string_view raw_subject) {
  BaseSubject out;
  // Step 1: decode, and make every run of white space a single space.
  const std::string decoded = collapse_white_space(decode_header_text(raw_subject));
  // The rules only ever cut at the ends, so they narrow a view: no copying per step, which keeps
  // "Re: Re: Re: ..." and deeply nested "[fwd: ...]" linear.
  std::string_view s = decoded;
  for (;;) {
    // Step 2: trailers.
    for (;;) {
      if (!s.empty() && s.back() == ' ') {
        s.remove_suffix(1);
      } else if (s.size() >= 5 && starts_nocase(s, s.size() - 5, "(fwd)")) {
        s.remove_suffix(5);
        out.is_reply_or_forward = true;
      } else {
        break;
      }
    }
    // Steps 3 to 5: leaders and blobs, until neither matches.
    for (bool changed = true; changed;) {
      changed = false;
      while (const std::size_t e = match_leader(s)) {
        if (s.front() != ' ') out.is_reply_or_forward = true;
        s.remove_prefix(e);
        changed = true;
      }
      const std::size_t b = match_blob(s, 0);
      if (b > 0 && has_non_space(s.substr(b))) {
        s.remove_prefix(b);
        changed = true;
      }
    }
    // Step 6: a "[fwd: ...]" wrapper, then again from step 2.
    if (s.size() >= 6 && starts_nocase(s, 0, "[fwd:") && s.back() == ']') {
      s = s.substr(5, s.size() - 6);
      out.is_reply_or_forward = true;
      continue;
    }
    break;
  }
  out.text = std::string(s);
  return out;
}

std::vector<std::string> parse_message_ids(std::string_view value) {
  std::vector<std::string> ids;
  Lexer lx(value);
  while (!lx.at_end() && ids.size() < max_message_ids) {
    lx.skip_cfws();
    if (lx.at_end()) break;
    if (lx.peek() == '"') {
      std::string ignored;
      lx.read_quoted_string(ignored);
      continue;
    }
    if (!lx.consume('<')) {
      lx.advance();
      continue;
    }
    std::string id;
    while (!lx.at_end() && lx.peek() != '>') {
      const char c = lx.peek();
      if (c == '<') id.clear();  // "<a <b@c>": the inner bracket starts the id
      else if (c != ' ' && c != '\t' && c != '\r' && c != '\n') id.push_back(c);
      lx.advance();
    }
    if (!lx.consume('>')) break;  // unterminated: not an id
    if (!id.empty()) ids.push_back(std::move(id));
  }
  return ids;
}

std::optional<std::string> parse_message_id(std::string_view value) {
  auto ids = parse_message_ids(value);
  if (ids.empty()) return std::nullopt;
  return std::move(ids.front());
}

}  // namespace atrium::mail::mime
