// Request paths and hrefs: safe percent-decoding, encoding and joining. Pure; kept with the XML
// layer because every href in a body and in a multistatus goes through these.
#pragma once

#include <string>
#include <string_view>
#include <variant>

namespace atrium::dav {

enum class PathError {
  not_absolute,  // does not start with '/'
  bad_escape,    // '%' not followed by two hex digits
  nul,           // %00 (or a raw NUL)
  encoded_slash, // %2F: would change how the path splits into segments
  dot_segment,   // a "." or ".." segment, raw or encoded
  bad_utf8,      // the decoded path is not UTF-8
};

// Decodes a request path (the part of the request-target before '?' or '#'; anything from those
// on is dropped). The result starts with '/', has no "." / ".." segments and no NUL; empty
// segments ("//") are kept as they are. Errors as listed on PathError.
std::variant<std::string, PathError> decode_path(std::string_view raw);

// Percent-encodes one path segment: everything but unreserved characters (RFC 3986 §2.3) and
// "!$'()*,;=:@" becomes %XX (upper-case), including '/', '%', '&', '+', space and non-ASCII.
std::string encode_segment(std::string_view segment);

// Encodes each segment of a decoded absolute path and keeps the '/' separators.
std::string encode_path(std::string_view decoded_path);

// base + "/" + segment with exactly one '/' between them; a trailing '/' on base is not doubled.
std::string join_path(std::string_view base, std::string_view segment);

}  // namespace atrium::dav
