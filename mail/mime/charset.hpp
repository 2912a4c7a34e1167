// Charset handling: UTF-8 validation and repair, and conversion of text in any MIME charset to
// UTF-8 that never fails (iconv from glibc, with built-in paths for the common single-byte sets).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace atrium::mail::mime {

// U+FFFD REPLACEMENT CHARACTER in UTF-8: what every unreadable byte sequence becomes.
inline constexpr std::string_view replacement_character = "\xEF\xBF\xBD";

// True when `s` is well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF).
bool is_valid_utf8(std::string_view s);

// `s` with every ill-formed sequence replaced by one U+FFFD per maximal ill-formed subpart (the
// Unicode recommendation, so a cut multi-byte character costs one replacement, not several).
// Well-formed input comes back unchanged.
std::string repair_utf8(std::string_view s);

// Appends the UTF-8 form of `cp` to `out`; surrogates and values past U+10FFFF become U+FFFD.
void append_utf8(std::string& out, std::uint32_t cp);

// Converts `bytes`, labelled with the MIME charset `charset` (any case, common aliases and
// mislabellings accepted), to UTF-8. Never fails and never throws on content: a charset we cannot
// convert from is read as UTF-8, and every sequence invalid in the charset becomes U+FFFD.
// US-ASCII is read as UTF-8 (mail labelled us-ascii often is not), ISO-8859-1 as Windows-1252 (as
// browsers do: its C1 range is where "smart quotes" land). The output is at most 3 bytes per
// input byte plus a constant, so callers can bound memory by bounding input.
std::string to_utf8(std::string_view bytes, std::string_view charset);

// True when to_utf8 converts from `charset` itself rather than falling back to UTF-8.
bool is_known_charset(std::string_view charset);

}  // namespace atrium::mail::mime
