// Authentication-Results (RFC 8601): the generic result type shared by SPF, DKIM, DMARC, ARC and
// iprev; formatting of our own header field, a tolerant parser for the fields other hosts wrote,
// and removal of forged fields that claim our authserv-id (§5). Pure: no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace atrium::mail::auth {

// propspec: ptype "." property "=" pvalue, e.g. smtp.mailfrom=example.com, header.d=example.com,
// policy.dmarc=reject. A parsed key without a dot (Outlook's "action=none") has ptype "".
struct Property {
  std::string ptype;     // "smtp", "header", "body", "policy", ...
  std::string property;  // "mailfrom", "d", "from", ...
  std::string value;     // unquoted
  friend bool operator==(const Property&, const Property&) = default;
};

// resinfo: one method's verdict.
struct MethodResult {
  std::string method;  // "spf", "dkim", "dmarc", "arc", "iprev", ...
  std::string result;  // "pass", "fail", "none", "temperror", ...
  std::string reason;  // reason= text, "" when absent
  std::vector<Property> properties;
  friend bool operator==(const MethodResult&, const MethodResult&) = default;
};

// Renders one whole header field, name included, ending in CRLF:
//   Authentication-Results: mx.example.org;\r\n\tspf=pass smtp.mailfrom=example.com\r\n
// One resinfo per line; a line that would pass 78 characters is folded before a property.
// With no results the field says "; none". reason= is always quoted; other values are written
// bare when they are an RFC 2045 token or [local-part]@domain, quoted otherwise. Method, result,
// ptype and property are keywords: other characters are dropped (a result left with an empty
// method is skipped, an empty result becomes "none"), and control characters are dropped from
// values, so untrusted text can never break the field.
std::string format_authentication_results(std::string_view authserv_id, const std::vector<MethodResult>& results);

// A parsed header field value (the text after "Authentication-Results:").
struct AuthenticationResults {
  std::string authserv_id;           // "" when the writer left it out (Outlook does)
  std::optional<std::uint32_t> version;
  std::vector<MethodResult> results;  // empty for "; none"
  friend bool operator==(const AuthenticationResults&, const AuthenticationResults&) = default;
};

enum class AuthresErrorCode {
  too_long,      // value over max_authres_bytes, or over the result / property counts
  empty,         // nothing but blanks and comments
  syntax,        // a resinfo without "method=result", or text after the authserv-id that is not ';'
  unterminated,  // a comment or quoted string runs to the end
};

std::string_view to_string(AuthresErrorCode code);

inline constexpr std::size_t max_authres_bytes = 64 << 10;
inline constexpr std::size_t max_authres_results = 100;
inline constexpr std::size_t max_authres_properties = 64;  // per result

// Parses a field value, folded or unfolded. Tolerant as real senders need: comments (nested,
// with quoted-pairs) anywhere blanks may go, method versions ("dkim/1", discarded), values that
// are not tokens (header.b=ab/c+d=), bare "key=value" pairs without a ptype, empty resinfos
// (";;"), and a missing authserv-id. Method, result, ptype and property come back lower case.
std::variant<AuthenticationResults, AuthresErrorCode> parse_authentication_results(std::string_view value);

// Only the authserv-id of a field value: what forged-field removal needs, readable even when the
// rest of the field is malformed. nullopt when the value does not start with one.
std::optional<std::string> authserv_id_of(std::string_view value);

struct ForgedRemoval {
  std::string header_block;  // the input with the matching fields cut out, every other byte kept
  std::size_t removed = 0;   // how many fields were cut
};

// Removes every Authentication-Results field whose authserv-id equals `authserv_id` (ASCII
// case-insensitive), as RFC 8601 §5 asks of the border MTA; fields of other hosts are kept. The
// block is read up to its empty line; anything after it (a body) is copied unchanged. Lines may
// end in CRLF or LF.
ForgedRemoval remove_forged(std::string_view message_header_block, std::string_view authserv_id);

}  // namespace atrium::mail::auth
