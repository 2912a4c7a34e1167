// Mailbox names on the wire: modified UTF-7 for IMAP4rev1 (RFC 3501 section 5.1.3), UTF-8 for
// IMAP4rev2 and UTF8=ACCEPT (RFC 9051 section 5.1, RFC 6855). Inside Atrium names are UTF-8.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace atrium::imap {

// How strings and mailbox names travel on one connection. The session switches to utf8 once
// IMAP4rev2 or UTF8=ACCEPT is enabled (ENABLE, RFC 5161).
enum class WireCharset : std::uint8_t {
  modified_utf7,  // IMAP4rev1: names in modified UTF-7; strings with 8-bit octets go as literals
  utf8,           // IMAP4rev2 / UTF8=ACCEPT: names in UTF-8; UTF-8 allowed in quoted strings
};

// Decodes a modified UTF-7 name to UTF-8. Rejects (nullopt): octets outside printable US-ASCII,
// "&" without a closing "-", base64 outside [A-Za-z0-9+,], leftover bits that are not zero or
// make a whole octet, UTF-16 that is not well-formed (lone or reversed surrogates), encoded
// characters that must appear directly (printable US-ASCII), adjacent encoded runs, empty runs
// other than "&-", and encoded control characters. So every accepted name has exactly one
// encoding and utf8_to_modified_utf7 returns the input unchanged.
std::optional<std::string> modified_utf7_to_utf8(std::string_view wire);

// Encodes a UTF-8 name in modified UTF-7 (canonical: maximal runs, no padding). Nullopt if
// `name` is not well-formed UTF-8.
std::optional<std::string> utf8_to_modified_utf7(std::string_view name);

// Whether `name` is acceptable as a UTF-8 mailbox name: well-formed UTF-8 free of control
// characters (U+0000..U+001F, U+007F..U+009F), which RFC 9051 section 5.1 forbids and which could
// break logs and listings. The empty name passes (it is the usual LIST reference); whether a
// mailbox may be called "" is the store's decision.
bool is_valid_mailbox_name(std::string_view name);

// "INBOX" in any letter case becomes "INBOX" (RFC 9051 section 5.1); other names are returned
// unchanged. Children such as "inbox/x" are left alone: the hierarchy separator is the store's.
std::string normalise_inbox(std::string name);

}  // namespace atrium::imap
