// RFC 5322 / RFC 2045 lexical rules, lenient where mail in the wild needs it (8-bit bytes,
// unterminated quotes and comments).
#include "mail/mime/lexer.hpp"

namespace atrium::mail::mime {
namespace {

bool is_wsp(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

bool is_token_char(unsigned char c) {
  if (c >= 0x80) return true;
  if (c <= 0x20 || c == 0x7F) return false;
  switch (c) {
    case '(': case ')': case '<': case '>': case '@': case ',': case ';': case ':':
    case '\\': case '"': case '/': case '[': case ']': case '?': case '=':
      return false;
    default:
      return true;
  }
}

bool is_atext(unsigned char c) {
  if (c >= 0x80) return true;
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-':
    case '/': case '=': case '?': case '^': case '_': case '`': case '{': case '|': case '}': case '~':
      return true;
    default:
      return false;
  }
}

bool Lexer::consume(char c) {
  if (at_end() || s_[pos_] != c) return false;
  ++pos_;
  return true;
}

void Lexer::skip_cfws() {
  while (!at_end()) {
    if (is_wsp(s_[pos_])) {
      ++pos_;
      continue;
    }
    if (s_[pos_] != '(') return;
    // A comment; nesting is counted, not recursed, so depth costs no stack.
    std::string text;
    std::size_t depth = 0;
    while (!at_end()) {
      const char c = s_[pos_++];
      if (c == '\\' && !at_end()) {
        if (depth > 0) text.push_back(s_[pos_]);
        ++pos_;
        continue;
      }
      if (c == '(') {
        if (depth > 0) text.push_back(c);
        ++depth;
      } else if (c == ')') {
        if (--depth == 0) break;
        text.push_back(c);
      } else if (c != '\r' && c != '\n') {
        text.push_back(c);
      }
    }
    last_comment_ = std::move(text);
  }
}

bool Lexer::read_token(std::string& out) {
  const std::size_t start = pos_;
  while (!at_end() && is_token_char(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  out.append(s_.substr(start, pos_ - start));
  return pos_ > start;
}

bool Lexer::read_atom(std::string& out) {
  const std::size_t start = pos_;
  while (!at_end() && is_atext(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  out.append(s_.substr(start, pos_ - start));
  return pos_ > start;
}

bool Lexer::read_quoted_string(std::string& out) {
  if (peek() != '"') return false;
  ++pos_;
  while (!at_end()) {
    const char c = s_[pos_++];
    if (c == '"') return true;
    if (c == '\\' && !at_end()) {
      out.push_back(s_[pos_++]);
    } else if (c != '\r' && c != '\n') {
      out.push_back(c);
    }
  }
  return true;
}

bool Lexer::read_word(std::string& out) {
  if (peek() == '"') return read_quoted_string(out);
  return read_atom(out);
}

}  // namespace atrium::mail::mime
