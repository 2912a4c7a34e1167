// Inputs of IMAP THREAD and SORT (RFC 5256): the base subject, and message-id lists from
// Message-ID, In-Reply-To and References.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atrium::mail::mime {

struct BaseSubject {
  std::string text;                  // the base subject, UTF-8
  bool is_reply_or_forward = false;  // a "re:"/"fw:"/"fwd:" leader, a "(fwd)" trailer or a
                                     // "[fwd: ...]" wrapper was removed (RFC 5256 §2.1 step 7)
};

// RFC 5256 §2.1 on a raw Subject value. Per its internationalisation note the rules run on the
// RFC 2047-decoded UTF-8 text, after white space is collapsed: trailers "(fwd)" and blanks are
// removed, then leaders ("re:", "fw:", "fwd:", with optional [blobs]) and leading [blobs] that do
// not make up the whole rest, repeatedly, then a "[fwd: ...]" wrapper, from the top. Keywords
// compare ignoring ASCII case; the text itself keeps its case (callers fold for comparison).
BaseSubject base_subject(std::string_view raw_subject);

// At most this many ids are returned from one header value.
inline constexpr std::size_t max_message_ids = 1000;

// The msg-ids ("<...>") in a References or In-Reply-To value, in order, without their angle
// brackets and with any white space inside removed. Comments, quoted strings and other text
// between ids are skipped; empty ids are dropped.
std::vector<std::string> parse_message_ids(std::string_view value);

// The first msg-id of a Message-ID or In-Reply-To value (as parse_message_ids), or nullopt.
std::optional<std::string> parse_message_id(std::string_view value);

}  // namespace atrium::mail::mime
