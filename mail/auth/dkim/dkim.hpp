// DKIM signing and verification (RFC 6376, RFC 8301, RFC 8463). The pure part — parsing
// signatures, verifying one against a key record text, signing — needs no DNS; verify_all adds
// the key lookups.
#pragma once

#include "mail/auth/dkim/canon.hpp"
#include "mail/auth/dkim/keys.hpp"

#include "core/dns/resolver.hpp"
#include "core/runtime/asio.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atrium::mail::auth::dkim {

// Signatures considered per message (RFC 6376 section 6.1 lets verifiers limit them; a flood of
// signatures must not buy a flood of DNS queries and RSA operations).
inline constexpr std::size_t max_signatures = 50;

// ---- Signing ----------------------------------------------------------------------------------

// Fields signed by default, in this order, each as often as it occurs; From once more than it
// occurs, so a From added later breaks the signature (RFC 6376 section 8.15).
const std::vector<std::string>& default_signed_headers();

struct SignOptions {
  std::string domain;    // d=
  std::string selector;  // s=
  PrivateKey key;        // a= follows it: rsa-sha256 for RSA, ed25519-sha256 for Ed25519
  std::int64_t timestamp = 0;              // t=, seconds since the epoch (the caller's clock)
  std::optional<std::int64_t> expires;     // x=, absolute; must be after timestamp
  std::optional<std::string> identity;     // i=, must be within domain
  Canon header_canon = Canon::relaxed;
  Canon body_canon = Canon::relaxed;
  std::vector<std::string> headers;        // h= candidates; empty means default_signed_headers()
};

enum class SignError {
  invalid_domain,    // d= is not a domain name
  invalid_selector,  // s= is not a sequence of DNS labels
  invalid_identity,  // i= has no '@', or its domain is not domain or a subdomain of it
  invalid_expiry,    // x= not after t=
  invalid_header,    // a name in headers is not a field name
};

std::string_view to_string(SignError error);

// Checks options before use (for configuration loading); nullopt when sign() will accept them.
std::optional<SignError> validate(const SignOptions& options);

// The DKIM-Signature header field for `message` (RFC 5322, CRLF line ends; bare LF is read as
// CRLF), ending in CRLF, to prepend to it. Lines are folded to at most 78 characters; l= is never
// emitted. Throws std::invalid_argument if validate(options) fails; message content never makes
// it fail.
std::string sign(const SignOptions& options, std::string_view message);

// ---- Parsing ----------------------------------------------------------------------------------

enum class SignatureError {
  none,
  too_long,                  // the field is over max_tag_list_size
  tag_syntax,                // not a tag list, or a tag given twice
  missing_tag,               // one of v= a= b= bh= d= h= s= is absent
  bad_version,               // v= is not 1
  bad_tag_value,             // a malformed value (base64, number, c=, domain, selector, h=)
  unsupported_algorithm,     // a= names an algorithm we do not implement
  sha1_refused,              // a=rsa-sha1: RFC 8301 forbids accepting it
  unsupported_query_method,  // q= does not include dns/txt
  identity_outside_domain,   // i= is not d= or a subdomain of it
  from_not_signed,           // h= does not list From
  expiry_before_timestamp,   // x= is not after t=
};

// One DKIM-Signature field. When `error` is not none, the other members hold what could be read
// (so a Result can still name domain and selector).
struct Signature {
  std::string raw;              // the field as in the message, name to end, without the final CRLF
  std::size_t field_index = 0;  // position among the message's header fields, 0 = topmost
  SignatureError error = SignatureError::none;
  std::string error_detail;     // for humans: e.g. "x= is not a number"
  std::string a;                // a= lower-cased, as written
  std::optional<Algorithm> algorithm;  // nullopt unless a= is rsa-sha256 or ed25519-sha256
  Canon header_canon = Canon::simple;
  Canon body_canon = Canon::simple;
  std::string d, s;             // d= lower-cased; s= as written
  std::string i;                // i=, "@" + d when absent
  std::vector<std::string> h;   // h= names as listed
  std::string bh, b;            // decoded bytes
  std::string b_text;           // b= base64 without whitespace (for header.b=)
  std::optional<std::uint64_t> l;
  std::optional<std::int64_t> t, x;
};

// The DKIM-Signature fields of `message`, top to bottom, at most max_signatures of them.
std::vector<Signature> parse_signatures(std::string_view message);

// ---- Verification -----------------------------------------------------------------------------

// Authentication-Results dkim= values (RFC 8601 section 2.7.1). "none" (no signature) is the
// caller's to report when parse_signatures finds nothing.
enum class ResultKind { pass, fail, neutral, policy, temperror, permerror };

std::string_view to_string(ResultKind kind);  // "pass", "fail", ...

// How results are assigned (RFC 8601 definitions):
//  - neutral:   the signature field cannot be processed (syntax, missing or malformed tags,
//               unknown algorithm or canonicalization, x= not after t=)
//  - permerror: unrecoverable — no usable key (absent, unparsable, revoked, wrong k=, h= or s=,
//               t=s violated, RSA under 1024 or over 8192 bits), rsa-sha1, From not signed,
//               i= outside d=
//  - fail:      the body hash or signature does not verify, the body is shorter than l=, or
//               the signature expired (x=)
//  - temperror: the key lookup failed temporarily
//  - policy:    never produced here; left for the caller's local policy
struct Result {
  ResultKind kind = ResultKind::permerror;
  std::string reason;      // e.g. "body hash did not verify"; empty on pass
  std::string domain;      // header.d
  std::string selector;    // header.s
  std::string algorithm;   // a= as written
  std::string identity;    // header.i
  std::string b_prefix;    // header.b: the first 8 characters of b=
  bool testing = false;    // the key record says t=y
};

// A key record's TXT text, as fetched from <s>._domainkey.<d>.
struct KeyRecordText {
  std::string text;
};

// Verifies `signature` (from parse_signatures(message)) against the key record text, nullopt
// meaning there is no key record (permerror). `now` is compared with x=.
Result verify(std::string_view message, const Signature& signature, const std::optional<KeyRecordText>& key,
              std::int64_t now);

// "<selector>._domainkey.<domain>", lower-cased: the key record name.
std::string key_name(std::string_view selector, std::string_view domain);

// TXT answers by key_name, as verify_all fetches them.
using KeyAnswers = std::map<std::string, dns::Answer<std::string>>;

// The names verify_with_keys will look up: one per distinct key of a well-formed signature.
std::vector<std::string> key_names(std::string_view message);

// verify() for every signature of `message` with the answers given (a name not in `keys`
// counts as a temporary failure); the results in signature order. Of several TXT records, the
// first that parses as a key record is used.
std::vector<Result> verify_with_keys(std::string_view message, const KeyAnswers& keys, std::int64_t now);

// Fetches the keys of key_names(message) and runs verify_with_keys. `message` must stay alive
// until the coroutine completes. DNS temporary and DNSSEC-bogus answers give temperror,
// NXDOMAIN and no data give permerror.
asio::awaitable<std::vector<Result>> verify_all(std::string_view message, dns::Resolver& resolver,
                                                std::int64_t now);

}  // namespace atrium::mail::auth::dkim
