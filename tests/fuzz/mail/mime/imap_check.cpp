// A strict reader for the IMAP lists mail/mime writes: it knows only what RFC 3501 allows there.
#include "tests/fuzz/mail/mime/fuzz_entries.hpp"

#include "mail/mime/charset.hpp"

#include <charconv>
#include <string>

namespace atrium::mail::mime::fuzz {
namespace {

class ListReader {
 public:
  ListReader(std::string_view s, bool utf8_quoted) : s_(s), utf8_(utf8_quoted) {}

  bool whole() {
    if (!list(0)) return false;
    return pos_ == s_.size();
  }

 private:
  bool at(char c) const { return pos_ < s_.size() && s_[pos_] == c; }

  bool list(int depth) {
    if (depth > 200 || !at('(')) return false;
    ++pos_;
    bool first = true;
    bool last_was_list = false;
    while (!at(')')) {
      if (pos_ >= s_.size()) return false;
      if (!first) {
        // Items are separated by one space, except body parts of a multipart: "(...)(...)".
        if (at(' ')) {
          ++pos_;
        } else if (!(last_was_list && at('('))) {
          return false;
        }
      }
      first = false;
      last_was_list = at('(');
      if (!item(depth)) return false;
    }
    ++pos_;
    return true;
  }

  bool item(int depth) {
    if (pos_ >= s_.size()) return false;
    const char c = s_[pos_];
    if (c == '(') return list(depth + 1);
    if (c == '"') return quoted();
    if (c == '{') return literal();
    if (c >= '0' && c <= '9') {
      while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
      return true;
    }
    if (s_.substr(pos_, 3) == "NIL") {
      pos_ += 3;
      return true;
    }
    return false;
  }

  bool quoted() {
    ++pos_;
    std::string content;
    while (pos_ < s_.size() && s_[pos_] != '"') {
      char c = s_[pos_];
      if (c == '\r' || c == '\n' || c == '\0') return false;
      if (c == '\\') {
        if (++pos_ >= s_.size()) return false;
        c = s_[pos_];
        if (c != '"' && c != '\\') return false;
      }
      content.push_back(c);
      ++pos_;
    }
    if (!at('"')) return false;
    ++pos_;
    for (char c : content) {
      if (static_cast<unsigned char>(c) >= 0x80) return utf8_ && is_valid_utf8(content);
    }
    return true;
  }

  bool literal() {
    ++pos_;
    const std::size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
    std::size_t n = 0;
    if (pos_ == start || std::from_chars(s_.data() + start, s_.data() + pos_, n).ec != std::errc()) return false;
    if (s_.substr(pos_, 3) != "}\r\n") return false;
    pos_ += 3;
    if (s_.size() - pos_ < n) return false;
    if (s_.substr(pos_, n).find('\0') != std::string_view::npos) return false;
    pos_ += n;
    return true;
  }

  std::string_view s_;
  bool utf8_;
  std::size_t pos_ = 0;
};

}  // namespace

bool is_imap_list(std::string_view s, bool utf8_quoted) { return ListReader(s, utf8_quoted).whole(); }

}  // namespace atrium::mail::mime::fuzz
