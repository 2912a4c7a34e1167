// RFC 2047 encoded words ("=?charset?B|Q?text?=") in header values, decoded to UTF-8.
#pragma once

#include <string>
#include <string_view>

namespace atrium::mail::mime {

// Decodes a header value (unfolded or not) for display and search. Contract:
//  - encoded words are decoded, B and Q, in any charset to_utf8 accepts (RFC 2231 "*language"
//    suffixes are ignored); adjacent words in the same charset are joined before conversion, so a
//    character split across two words survives;
//  - white space that only separates two encoded words is dropped (RFC 2047 §6.2);
//  - as mail clients do, words are also recognised inside other text and inside quoted strings;
//  - text outside encoded words is kept; bytes that are not UTF-8 become U+FFFD, and so do NUL
//    bytes; line breaks of folding become nothing (the blank after them stays).
// Never fails; the result is valid UTF-8 of at most 3 bytes per input byte plus a constant.
std::string decode_header_text(std::string_view raw);

// Collapses each run of white space (SP, HTAB, CR, LF) to one space and trims both ends: the form
// IMAP servers give subjects and display names ("for humans").
std::string collapse_white_space(std::string_view text);

}  // namespace atrium::mail::mime
