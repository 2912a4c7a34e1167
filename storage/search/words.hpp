// How text becomes search terms, the same way for indexing and for queries: UTF-8 split into
// words (runs of letters, digits and connector punctuation; each CJK ideograph, kana or Hangul
// syllable is a word of its own), lower-cased, and cut to at most k_max_word_bytes. Pure.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace atrium::storage::search {

inline constexpr std::size_t k_max_word_bytes = 64;

// Calls `word` for each word of `text`, in order. Invalid UTF-8 bytes separate words.
void for_each_word(std::string_view text, const std::function<void(std::string_view)>& word);

std::vector<std::string> words(std::string_view text);

}  // namespace atrium::storage::search
