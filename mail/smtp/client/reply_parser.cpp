// Reply framing and parsing for the SMTP client.
#include "mail/smtp/client/reply_parser.hpp"

#include <utility>

namespace atrium::smtp::client {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// 1 to 3 digits at `text[pos]`; returns how many, 0 if none or more than 3.
std::size_t digits_at(std::string_view text, std::size_t pos) {
  std::size_t n = 0;
  while (pos + n < text.size() && is_digit(text[pos + n])) {
    if (++n > 3) return 0;
  }
  return n;
}

// Removes `code` and its space from the front of `text` when the line repeats it.
std::string strip_enhanced(std::string_view text, std::string_view code) {
  if (text.substr(0, code.size()) == code && (text.size() == code.size() || text[code.size()] == ' ')) {
    text.remove_prefix(std::min(text.size(), code.size() + 1));
  }
  return std::string(text);
}

}  // namespace

std::string_view to_string(ReplyError e) noexcept {
  switch (e) {
    case ReplyError::line_too_long: return "reply line too long";
    case ReplyError::too_many_lines: return "too many reply lines";
    case ReplyError::bad_code: return "malformed reply code";
    case ReplyError::bad_separator: return "malformed reply separator";
    case ReplyError::code_mismatch: return "reply code changes within a multi-line reply";
  }
  return "unknown reply error";
}

std::size_t enhanced_code_length(std::string_view text, char klass) noexcept {
  if (klass != '2' && klass != '4' && klass != '5') return 0;
  if (text.size() < 5 || text[0] != klass || text[1] != '.') return 0;
  const std::size_t subject = digits_at(text, 2);
  if (subject == 0) return 0;
  std::size_t pos = 2 + subject;
  if (pos >= text.size() || text[pos] != '.') return 0;
  const std::size_t detail = digits_at(text, pos + 1);
  if (detail == 0) return 0;
  pos += 1 + detail;
  if (pos < text.size() && text[pos] != ' ') return 0;
  return pos;
}

ReplyParser::Result ReplyParser::add_line(std::string_view line) {
  Result r;
  auto fail = [&](ReplyError e) {
    reset();
    r.kind = Kind::error;
    r.error = e;
    return r;
  };
  if (line.size() > limits_.max_line) return fail(ReplyError::line_too_long);
  // RFC 5321 section 4.2: the first digit is 2 to 5; the second is 0 to 5 in the grammar, but
  // the meaning of any second digit is clear enough to accept.
  if (line.size() < 3 || line[0] < '2' || line[0] > '5' || !is_digit(line[1]) || !is_digit(line[2]))
    return fail(ReplyError::bad_code);
  const int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  bool last = true;
  std::string_view text;
  if (line.size() > 3) {
    if (line[3] == '-') {
      last = false;
    } else if (line[3] != ' ') {
      return fail(ReplyError::bad_separator);
    }
    text = line.substr(4);
  }
  if (code_ != 0 && code != code_) return fail(ReplyError::code_mismatch);
  if (texts_.size() >= limits_.max_lines) return fail(ReplyError::too_many_lines);
  code_ = code;
  texts_.emplace_back(text);
  if (!last) return r;

  r.kind = Kind::reply;
  r.reply.code = code;
  // RFC 3463 classes are 2, 4 and 5 only: a 3xx reply has no enhanced code.
  const char klass = static_cast<char>('0' + code / 100);
  const std::size_t n = enhanced_code_length(texts_.front(), klass);
  if (n > 0) {
    r.reply.enhanced = texts_.front().substr(0, n);
  }
  r.reply.lines.reserve(texts_.size());
  for (std::string& t : texts_) {
    r.reply.lines.push_back(r.reply.enhanced.empty() ? std::move(t) : strip_enhanced(t, r.reply.enhanced));
  }
  reset();
  return r;
}

ReplyParser::Result ReplyParser::next(std::string_view buffered) {
  std::size_t consumed = 0;
  for (;;) {
    const std::string_view rest = buffered.substr(consumed);
    const std::size_t lf = rest.find('\n');
    if (lf == std::string_view::npos) {
      // max_line octets and a CR fit in max_line + 1; more without an LF can never be a line.
      if (rest.size() > limits_.max_line + 1) {
        reset();
        return Result{.kind = Kind::error, .consumed = buffered.size(), .error = ReplyError::line_too_long};
      }
      return Result{.kind = Kind::need_more, .consumed = consumed};
    }
    std::string_view line = rest.substr(0, lf);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    consumed += lf + 1;
    Result r = add_line(line);
    if (r.kind != Kind::need_more) {
      r.consumed = consumed;
      return r;
    }
  }
}

void ReplyParser::reset() {
  code_ = 0;
  texts_.clear();
}

}  // namespace atrium::smtp::client
