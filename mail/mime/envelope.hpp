// IMAP ENVELOPE (RFC 3501 §7.4.2, RFC 9051 §7.5.2) from a message header: header values are sent
// raw, not RFC 2047-decoded, as the RFCs require.
#pragma once

#include "mail/mime/address.hpp"
#include "mail/mime/header.hpp"
#include "mail/mime/imap_string.hpp"
#include "mail/mime/structure.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atrium::mail::mime {

struct EnvelopeOptions {
  ImapCharset charset = ImapCharset::ascii;  // utf8_accept once the client enabled UTF8=ACCEPT
};

// The header fields ENVELOPE is made of. Strings are raw (unfolded, trimmed); when a field occurs
// more than once the last occurrence counts, and address fields of all occurrences are joined, so
// no single copy can hide addresses (both as Dovecot does).
struct EnvelopeFields {
  std::optional<std::string> date;
  std::optional<std::string> subject;
  std::vector<Address> from, sender, reply_to, to, cc, bcc;
  std::optional<std::string> in_reply_to;
  std::optional<std::string> message_id;
};

EnvelopeFields read_envelope_fields(const HeaderBlock& header);

// The parenthesised ENVELOPE: (date subject from sender reply-to to cc bcc in-reply-to
// message-id). Sender and reply-to default to from when empty; absent fields are NIL; subject and
// display names have runs of white space collapsed to one space and are trimmed; an address
// without mailbox or domain gets "MISSING_MAILBOX" / "MISSING_DOMAIN" (Dovecot's markers, known to
// clients); groups are (NIL NIL "name" NIL) ... (NIL NIL NIL NIL).
std::string format_envelope(const EnvelopeFields& fields, const EnvelopeOptions& options = {});

// ENVELOPE of the message, or of the encapsulated message whose root part is `part` (any part
// index works: its header is read as a message header).
std::string imap_envelope(std::string_view message, const Message& parsed, std::size_t part = 0,
                          const EnvelopeOptions& options = {});

}  // namespace atrium::mail::mime
