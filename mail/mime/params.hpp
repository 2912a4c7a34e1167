// Content-Type, Content-Disposition, Content-Language and Content-Transfer-Encoding values, with
// MIME parameters (RFC 2045 §5.1) and their RFC 2231 continuations and charset/language encoding.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atrium::mail::mime {

struct MimeParam {
  std::string name;   // as written (case kept, as IMAP servers echo it), RFC 2231 "*n*" removed
  std::string value;  // quotes removed; RFC 2231 values percent-decoded and converted to UTF-8.
                      // RFC 2047 words are left as written (see decode_header_text).
};

// At most this many parameters are kept per header; the rest are ignored.
inline constexpr std::size_t max_mime_params = 128;

// Parses "; name=value ..." parameter lists. Lenient as readers must be: comments and folding are
// skipped, unquoted values run to ';', white space or '(' (so "boundary=----=_Part" and
// "name==?utf-8?B?...?=" keep their '=' and '?'), an unterminated quoted string runs to the end,
// and a malformed parameter is skipped up to the next ';'.
// RFC 2231: "name*=charset'lang'%xx" values are decoded; "name*0", "name*1*", ... are joined in
// index order when the indexes run from 0 without a gap (otherwise each stays a parameter of its
// own under its written name); the first parameter of a name wins (names compare ignoring case).
std::vector<MimeParam> parse_mime_params(std::string_view text);

// The first parameter named `name` (ASCII case-insensitive), or nullptr.
const MimeParam* find_param(const std::vector<MimeParam>& params, std::string_view name);

struct ContentType {
  std::string type;     // as written
  std::string subtype;  // as written
  std::vector<MimeParam> params;
};

// "type/subtype *(; param)". nullopt when no "token / token" can be read: RFC 2045 §5.2 says to
// treat such a field as absent (text/plain; charset=us-ascii). Text after the subtype that is not
// a parameter list is skipped up to the next ';'.
std::optional<ContentType> parse_content_type(std::string_view value);

struct ContentDisposition {
  std::string value;  // the disposition type as written ("inline", "attachment", ...)
  std::vector<MimeParam> params;
};

// "token *(; param)". nullopt when there is no token.
std::optional<ContentDisposition> parse_content_disposition(std::string_view value);

// Content-Language (RFC 3282): a comma-separated list of language tags, in order, without CFWS.
std::vector<std::string> parse_content_language(std::string_view value);

// The Content-Transfer-Encoding token as written, or nullopt when the value is not one token
// (such a header is ignored, and the part counts as 7bit).
std::optional<std::string> parse_transfer_encoding(std::string_view value);

}  // namespace atrium::mail::mime
