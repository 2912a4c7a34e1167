// Transfer encodings and legacy charsets that vCard 2.1 exports carry. Internal to contacts/.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace atrium::contacts::detail {

// Decodes QUOTED-PRINTABLE (RFC 2045 §6.7): "=XX" to the byte, a "=" followed by anything else is
// kept as written (Outlook leaves them), soft line breaks are already gone (LineReader).
std::string decode_quoted_printable(std::string_view in);

enum class Charset { utf8, latin1, windows1252, unknown };

// The charset a CHARSET parameter names (IANA names and common aliases, ASCII case ignored).
// US-ASCII counts as UTF-8.
Charset charset_from_name(std::string_view name);

// Bytes in ISO-8859-1 or Windows-1252 as UTF-8. Windows-1252's five unassigned bytes map to the
// C1 controls of the same value, as browsers do.
std::string to_utf8(std::string_view in, Charset charset);

// Line breaks (CRLF, LF, CR) to the "\n" escape, and the other C0 controls and DEL dropped: what a
// decoded value must become before it is a raw vCard value again.
std::string clean_value(std::string_view in);

// At most `max` bytes of `s` for an error message: bytes outside printable ASCII become '?', so
// a message is always safe to put in XML or a log line.
std::string printable(std::string_view s, std::size_t max);

// Whether `s` holds a byte over 0x7F.
bool has_non_ascii(std::string_view s);

}  // namespace atrium::contacts::detail
