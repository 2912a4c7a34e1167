// The text of a message for full-text search: decoded UTF-8 of the address and subject headers
// and of the text parts, bounded per message.
#pragma once

#include "mail/mime/structure.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace atrium::mail::mime {

struct SearchTextLimits {
  std::size_t max_bytes = 1 << 20;  // text kept per message (headers and bodies together)
};

struct SearchText {
  // One line per header: "From: Name <mailbox@domain>, ...", "To: ...", "Cc: ...", "Bcc: ...",
  // "Subject: ..." (of the message itself), display names and subject RFC 2047-decoded.
  std::string headers;
  // The text/plain and text/html parts anywhere in the message (encapsulated messages included),
  // transfer-decoded and converted to UTF-8 from their charset, HTML reduced to text, parts
  // separated by an empty line. In a multipart/alternative only the first plain text alternative
  // counts (or the first HTML one when there is no plain text), so the same words are not kept
  // twice. Attachments (Content-Disposition: attachment) are skipped.
  std::string body;
  bool truncated = false;  // max_bytes was reached
};

// The body of a leaf part as UTF-8 text: transfer encoding removed (base64, quoted-printable;
// others as they are) and converted from the part's charset (us-ascii when it names none, read as
// UTF-8; see to_utf8). At most `max_input` bytes of the encoded body are read. Never fails.
std::string decoded_part_text(std::string_view message, const Part& part,
                              std::size_t max_input = std::string_view::npos);

// `message` must be the bytes `parsed` was made from. Valid UTF-8 out, whatever comes in.
SearchText extract_search_text(std::string_view message, const Message& parsed, const SearchTextLimits& limits = {});

}  // namespace atrium::mail::mime
