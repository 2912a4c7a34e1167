// IMAP string output (RFC 3501 §4.3, RFC 9051 §4.3): quoted when the bytes allow it, a literal
// otherwise, NIL for absent values. Shared by ENVELOPE and BODYSTRUCTURE.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace atrium::mail::mime {

// How 8-bit text may be sent. Without UTF8=ACCEPT (RFC 6855) a quoted string holds only 7-bit
// TEXT-CHARs; with it, valid UTF-8 may be quoted too.
enum class ImapCharset { ascii, utf8_accept };

// Appends `s` as an IMAP string: quoted ('"' and '\' escaped) unless it holds CR, LF, 8-bit bytes
// (ascii mode) or invalid UTF-8 (utf8_accept mode); then a literal "{n}\r\n" + bytes. NUL can be
// sent in neither form, so each NUL is replaced by U+FFFD first (as Dovecot does for headers).
void append_imap_string(std::string& out, std::string_view s, ImapCharset charset);

// Appends NIL for nullopt, append_imap_string otherwise.
void append_imap_nstring(std::string& out, const std::optional<std::string>& s, ImapCharset charset);

}  // namespace atrium::mail::mime
