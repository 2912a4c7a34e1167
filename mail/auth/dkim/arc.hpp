// ARC, Authenticated Received Chain (RFC 8617): validating the chain on a received message and
// adding the next ARC Set when forwarding. Built on the DKIM canonicalization, keys and signing.
#pragma once

#include "mail/auth/dkim/dkim.hpp"

#include "core/dns/resolver.hpp"
#include "core/runtime/asio.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace atrium::mail::auth::arc {

// RFC 8617 section 4.2.1: instances run 1..50.
inline constexpr int max_instance = 50;

// Chain validation status (cv= and the Authentication-Results arc= value).
enum class ChainStatus { none, pass, fail };

std::string_view to_string(ChainStatus status);  // "none", "pass", "fail"

// One ARC Set as found on the message.
struct ArcSet {
  int instance = 0;
  ChainStatus cv = ChainStatus::none;  // the ARC-Seal's cv=
  std::string seal_domain, seal_selector;    // ARC-Seal d=, s=
  std::string message_domain, message_selector;  // ARC-Message-Signature d=, s=
};

struct ArcResult {
  ChainStatus status = ChainStatus::none;
  int highest_instance = 0;  // N, 0 when there is no chain
  std::vector<ArcSet> sets;  // by instance, 1..N, when the structure is valid
  std::string reason;        // why the chain failed; empty on pass and none
  bool temporary = false;    // failed only because a key lookup failed temporarily
};

// The key names ("<s>._domainkey.<d>") arc_validate needs: the latest ARC-Message-Signature's
// and every ARC-Seal's, when the chain's structure allows validation; empty otherwise.
std::vector<std::string> arc_key_names(std::string_view message);

// The chain validation algorithm of RFC 8617 section 5.2 with the key answers given (a name
// missing from `keys` counts as a temporary failure): "none" without ARC header fields; "fail"
// when the latest seal says cv=fail, the structure is wrong (instances not 1..N each with exactly
// one ARC-Authentication-Results, ARC-Message-Signature and ARC-Seal, instance 1 not cv=none or
// a later one not cv=pass), the latest AMS or any seal does not verify; else "pass". `now` is
// compared with the AMS x=.
ArcResult arc_validate(std::string_view message, const dkim::KeyAnswers& keys, std::int64_t now);

// Fetches the keys of arc_key_names(message) and runs arc_validate. `message` must stay alive
// until the coroutine completes.
asio::awaitable<ArcResult> arc_verify(std::string_view message, dns::Resolver& resolver, std::int64_t now);

struct SealOptions {
  std::string domain;      // d= of the AMS and the seal
  std::string selector;    // s=
  dkim::PrivateKey key;    // a= follows it
  std::int64_t timestamp = 0;  // t=
  // AMS h= candidates; empty means dkim::default_signed_headers() plus DKIM-Signature. Must
  // not name ARC-Seal (RFC 8617 section 4.1.2).
  std::vector<std::string> headers;
};

// The next ARC Set: each field ends in CRLF; prepend text() (seal, message signature,
// authentication results, top to bottom) to the message.
struct SealHeaders {
  int instance = 0;
  std::string seal;
  std::string message_signature;
  std::string authentication_results;
  std::string text() const { return seal + message_signature + authentication_results; }
};

enum class SealError {
  invalid_options,  // bad d=, s=, t= or header names, or ARC-Seal among the AMS headers
  chain_full,       // the message already has instance 50
  chain_broken,     // chain_status is pass but the existing sets cannot be sealed over
  invalid_authres,  // authres_text is empty, too long, or has control characters other than folding
};

std::string_view to_string(SealError error);

// Seals `message` as instance N+1, N being the highest instance present. `authres_text` is the
// Authentication-Results payload this ADMD computed ("mx.example.org; dkim=pass ..."), without
// "i=". `chain_status` is what arc_verify said about the message (cv= of the new seal): with
// "fail", the seal covers only the new set (RFC 8617 section 5.1.2).
std::variant<SealHeaders, SealError> arc_seal(std::string_view message, const SealOptions& options,
                                              std::string_view authres_text, ChainStatus chain_status);

}  // namespace atrium::mail::auth::arc
