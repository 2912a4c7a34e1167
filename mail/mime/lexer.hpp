// A lexer over one unfolded header value: comments and folding white space, MIME tokens, RFC 5322
// atoms and quoted strings. Shared by the Content-* and address parsers inside mail/mime.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace atrium::mail::mime {

// RFC 2045 token characters: printable ASCII except tspecials; bytes >= 0x80 are accepted too,
// since UTF-8 (RFC 6532) and raw 8-bit values occur in real mail.
bool is_token_char(unsigned char c);

// RFC 5322 atext, with bytes >= 0x80 accepted for the same reason.
bool is_atext(unsigned char c);

// Every read_* function returns false and leaves the position unchanged when the construct is not
// at the current position; none of them throws, and each call either advances or returns false,
// so loops over a Lexer terminate.
class Lexer {
 public:
  explicit Lexer(std::string_view text) : s_(text) {}

  bool at_end() const { return pos_ >= s_.size(); }
  char peek() const { return at_end() ? '\0' : s_[pos_]; }
  std::size_t pos() const { return pos_; }
  void set_pos(std::size_t pos) { pos_ = pos < s_.size() ? pos : s_.size(); }
  void advance() {
    if (!at_end()) ++pos_;
  }
  bool consume(char c);
  std::string_view rest() const { return s_.substr(pos_); }

  // Skips white space (SP, HTAB, CR, LF) and comments, nested, with quoted-pairs; an unterminated
  // comment runs to the end. The text of the last comment skipped stays in last_comment().
  void skip_cfws();
  const std::string& last_comment() const { return last_comment_; }
  void clear_last_comment() { last_comment_.clear(); }

  bool read_token(std::string& out);  // 1*token-char, appended to `out`
  bool read_atom(std::string& out);   // 1*atext, appended to `out`
  // At '"': the unescaped content (line breaks of folding removed) appended to `out`; an
  // unterminated string runs to the end of the value.
  bool read_quoted_string(std::string& out);
  bool read_word(std::string& out);  // atom or quoted string

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
  std::string last_comment_;
};

}  // namespace atrium::mail::mime
