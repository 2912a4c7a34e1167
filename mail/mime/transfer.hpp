// Content-Transfer-Encoding: classification and lenient decoding of base64 and quoted-printable,
// plus the CRLF-normalised size IMAP reports for text that may use bare LF.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace atrium::mail::mime {

enum class TransferEncoding {
  seven_bit,         // also what an absent header means (RFC 2045 §6.1)
  eight_bit,
  binary,
  base64,
  quoted_printable,
  unknown,           // a token we cannot decode: IMAP BINARY answers [UNKNOWN-CTE]
};

// Classifies a Content-Transfer-Encoding token (any case); nullopt (no header) is seven_bit.
TransferEncoding classify_transfer_encoding(std::optional<std::string_view> token);

// Decodes base64 the way mail readers must: characters outside the alphabet (line breaks, spaces,
// stray junk) are skipped, decoding stops at the first '=' pad, and a final partial group yields
// the whole bytes it holds. Never fails.
std::string decode_base64(std::string_view in);

// Decodes quoted-printable (RFC 2045 §6.7): "=XX" (either case) is a byte, "=" before a line end
// is a soft break, blanks before a line end are dropped (transport may add them), line ends are
// kept as written. An "=" not followed by two hex digits or a line end stays literal. Never fails.
std::string decode_quoted_printable(std::string_view in);

// Decodes `body` per `encoding`; identity for every encoding but base64 and quoted-printable.
std::string decode_transfer(std::string_view body, TransferEncoding encoding);

// The size of `text` with every bare LF counted as CRLF: the size IMAP clients see, because the
// server sends CRLF line ends whatever the stored form is.
std::size_t crlf_size(std::string_view text);

// `text` with every bare LF turned into CRLF (a CR already before an LF is kept as is).
std::string to_crlf(std::string_view text);

}  // namespace atrium::mail::mime
