// Base64 as DKIM carries it (b=, bh=, p=): standard alphabet, folding whitespace allowed inside.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace atrium::mail::auth::dkim {

// Standard base64 (RFC 4648 section 4) with padding, no line breaks.
std::string base64_encode(std::string_view bytes);

// Decodes base64 with folding whitespace anywhere (RFC 6376 section 2.4 base64string). Padding
// may be omitted; anything else outside the alphabet, '=' before the end, or a length that
// cannot be base64 gives nullopt.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace atrium::mail::auth::dkim
