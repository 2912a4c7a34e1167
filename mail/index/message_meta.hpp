// What the store caches about a message so that listing and FETCH need not parse it: Message-ID,
// Subject, and (with the MIME parser) the IMAP ENVELOPE and BODYSTRUCTURE. Computed once, when a
// message enters the store (delivery, APPEND, later ActiveSync and migration).
#pragma once

#include "storage/types.hpp"

#include <string>
#include <string_view>

namespace atrium::mail::index {

// The metadata of `message` (a whole RFC 5322 message). Never throws for malformed input;
// text fields are valid UTF-8 without control characters (safe for any database).
storage::MessageMeta message_meta(std::string_view message);

// `in` made fit for a metadata column: valid UTF-8 (U+FFFD for bytes that start no valid
// sequence), control characters as spaces, at most `max` octets (never a cut sequence).
std::string metadata_text(std::string_view in, std::size_t max);

}  // namespace atrium::mail::index
