// IMAP BODYSTRUCTURE and BODY (RFC 3501 §7.4.2, RFC 9051 §7.5.2) of a parsed message, written the
// way Dovecot writes them so clients see the same bytes they are used to.
#pragma once

#include "mail/mime/imap_string.hpp"
#include "mail/mime/structure.hpp"

#include <string>
#include <string_view>

namespace atrium::mail::mime {

struct BodystructureOptions {
  ImapCharset charset = ImapCharset::ascii;  // utf8_accept once the client enabled UTF8=ACCEPT
  // IMAP4rev2 (RFC 9051) lets message/global carry envelope, body and lines like message/rfc822;
  // IMAP4rev1 clients expect it as a basic body, so it is written that way unless this is set.
  bool message_global_as_message = false;
};

// The parenthesised BODYSTRUCTURE (with extension data: md5 or multipart parameters,
// disposition, language, location) of the message. Choices, all Dovecot's:
//  - type and subtype strings keep the case they were written in; defaults are "text" "plain"
//    (or "message" "rfc822" in a digest), and a message/rfc822 part is always "message" "rfc822";
//  - a text part without a charset parameter gets ("charset" "us-ascii") appended;
//  - parameters keep their written names, values decoded per RFC 2231;
//  - a missing Content-Transfer-Encoding is "7bit"; sizes count bare LF as CRLF;
//  - a multipart with no parts gets one empty text/plain part, since the grammar needs one;
//  - a container not opened because of a limit is "application" "octet-stream".
// `message` must be the bytes `parsed` was made from.
std::string imap_bodystructure(std::string_view message, const Message& parsed,
                               const BodystructureOptions& options = {});

// The same without extension data: FETCH BODY.
std::string imap_body(std::string_view message, const Message& parsed, const BodystructureOptions& options = {});

}  // namespace atrium::mail::mime
