// Text matching for calendar-query (RFC 4791 §9.7.5) under the RFC 4790 collations CalDAV names:
// i;octet, i;ascii-casemap and i;unicode-casemap.
#pragma once

#include "calendar/filter.hpp"

#include <string>
#include <string_view>

namespace atrium::calendar {

// `text` case-folded for i;unicode-casemap: ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic
// letters map to their lower-case (full fold: "ß" -> "ss", final sigma -> sigma); other code
// points and invalid UTF-8 bytes pass unchanged. Not ICU: no normalisation (NFKD) and no scripts
// beyond those listed.
std::string unicode_fold(std::string_view text);

// ASCII letters lower-cased, other bytes unchanged.
std::string ascii_fold(std::string_view text);

// Whether `text` is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
bool is_valid_utf8(std::string_view text);

// Whether `value` satisfies `match` (collation, match type and negate-condition applied).
bool text_matches(const TextMatch& match, std::string_view value);

}  // namespace atrium::calendar
