#include "storage/search/words.hpp"

#include "core/text/ascii.hpp"

#include <xapian.h>

namespace atrium::storage::search {
namespace {

// Scripts written without spaces: one character is one word, so a query for any run of them
// finds it (an AND of its characters).
bool ideographic(unsigned ch) {
  return (ch >= 0x2E80 && ch <= 0x2FDF) || (ch >= 0x3040 && ch <= 0x30FF) || (ch >= 0x3100 && ch <= 0x31FF) ||
         (ch >= 0x3400 && ch <= 0x4DBF) || (ch >= 0x4E00 && ch <= 0x9FFF) || (ch >= 0xAC00 && ch <= 0xD7AF) ||
         (ch >= 0xF900 && ch <= 0xFAFF) || (ch >= 0x20000 && ch <= 0x2FFFF);
}

bool ascii_wordchar(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Appends `ch` unless the word would exceed the limit (the rest of a long word is dropped, so
// its first k_max_word_bytes still match as a prefix).
void append(std::string& word, unsigned ch) {
  char buf[4];
  unsigned n = Xapian::Unicode::to_utf8(ch, buf);
  if (word.size() + n <= k_max_word_bytes) word.append(buf, n);
}

}  // namespace

void for_each_word(std::string_view text, const std::function<void(std::string_view)>& word) {
  std::string current;
  auto flush = [&] {
    if (!current.empty()) word(current);
    current.clear();
  };
  const char* const begin = text.data();
  const std::size_t size = text.size();
  std::size_t pos = 0;
  while (pos < size) {
    auto byte = static_cast<unsigned char>(begin[pos]);
    if (byte < 0x80) {
      // ASCII, most of mail: the same answers as Xapian's Unicode tables give these characters
      // (letters, digits and '_' are word characters), without decoding.
      ++pos;
      if (!ascii_wordchar(byte)) {
        flush();
      } else if (current.size() < k_max_word_bytes) {
        current += text::ascii_lower(static_cast<char>(byte));
      }
      continue;
    }
    Xapian::Utf8Iterator it(begin + pos, size - pos);
    unsigned ch = it.strict_deref();
    ++it;
    pos = size - it.left();
    // Bytes of invalid UTF-8 come with the top bit set; they separate words.
    if ((ch & 0x80000000u) != 0 || !Xapian::Unicode::is_wordchar(ch)) {
      flush();
      continue;
    }
    if (ideographic(ch)) {
      flush();
      append(current, ch);
      flush();
      continue;
    }
    append(current, Xapian::Unicode::tolower(ch));
  }
  flush();
}

std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> out;
  for_each_word(text, [&](std::string_view w) { out.emplace_back(w); });
  return out;
}

}  // namespace atrium::storage::search
