// Entry points shared by the libFuzzer targets (clang) and mime_fuzz_replay (every compiler):
// each runs one input through mail/mime and aborts if an invariant breaks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace atrium::mail::mime::fuzz {

// The input as a whole message, parsed with the default limits and with tight ones. For each
// parse: offsets lie inside the message and nest; BODYSTRUCTURE, BODY (ASCII and UTF8=ACCEPT)
// and every message's ENVELOPE are one well-formed IMAP list; every part's path finds that part;
// every section and BINARY of every part is inside the message or built, HEADER.FIELDS ends with
// an empty line; the search text is valid UTF-8 within its limit.
int message_one_input(const std::uint8_t* data, std::size_t size);

// The input as one header value: RFC 2047 decoding, address lists, MIME parameters with RFC 2231,
// base subjects, msg-id lists, charset conversion (byte 0 picks the charset), transfer decoding,
// HTML reduction and section specs. Checks: UTF-8 out where promised, balanced groups, bounds.
int header_one_input(const std::uint8_t* data, std::size_t size);

// True when `s` is exactly one parenthesised IMAP list of NIL, numbers, quoted strings, literals
// and nested lists, with the quoting rules of RFC 3501 (8-bit quoted text only when
// `utf8_quoted` is set). Used by the entries; exposed for the replay test's own checks.
bool is_imap_list(std::string_view s, bool utf8_quoted);

}  // namespace atrium::mail::mime::fuzz
