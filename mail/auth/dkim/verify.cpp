// DKIM verification (RFC 6376 section 6, RFC 8301, RFC 8463): signatures parsed from a message
// and checked against key records, with or without DNS.
#include "mail/auth/dkim/dkim.hpp"

#include "mail/auth/dkim/engine.hpp"

#include "core/text/ascii.hpp"

#include <algorithm>

namespace atrium::mail::auth::dkim {
namespace {

std::vector<Signature> signatures_of(const SplitMessage& message) {
  std::vector<Signature> out;
  const auto& fields = message.fields();
  for (std::size_t i = 0; i < fields.size() && out.size() < max_signatures; ++i) {
    if (!same_field_name(fields[i].name, "DKIM-Signature")) continue;
    Signature sig;
    sig.raw = std::string(fields[i].raw);
    sig.field_index = i;
    detail::parse_signature_field(sig.raw, detail::FieldKind::dkim_signature, sig);
    out.push_back(std::move(sig));
  }
  return out;
}

Result describe(const Signature& sig) {
  Result r;
  r.domain = sig.d;
  r.selector = sig.s;
  r.algorithm = sig.a;
  r.identity = sig.i;
  r.b_prefix = sig.b_text.substr(0, 8);
  return r;
}

ResultKind kind_of(SignatureError error) {
  switch (error) {
    case SignatureError::sha1_refused:
    case SignatureError::identity_outside_domain:
    case SignatureError::from_not_signed: return ResultKind::permerror;
    default: return ResultKind::neutral;
  }
}

Result with(Result r, const detail::Outcome& outcome) {
  r.kind = outcome.kind;
  r.reason = outcome.reason;
  r.testing = outcome.testing;
  return r;
}

// The checks that need no key (RFC 6376 section 6.1.1): syntax, that the signature belongs to
// `message`, expiry. nullopt when the key decides.
std::optional<detail::Outcome> precheck(const SplitMessage& message, const Signature& sig, std::int64_t now) {
  if (sig.error != SignatureError::none) return detail::Outcome{kind_of(sig.error), sig.error_detail};
  const auto& fields = message.fields();
  if (sig.field_index >= fields.size() || fields[sig.field_index].raw != sig.raw) {
    return detail::Outcome{ResultKind::permerror, "signature is not from this message"};
  }
  if (sig.x && now > *sig.x) return detail::Outcome{ResultKind::fail, "signature expired"};
  return std::nullopt;
}

Result verify_in(const SplitMessage& message, detail::BodyHashes& bodies, const Signature& sig,
                 const std::optional<KeyRecordText>& key, std::int64_t now) {
  Result r = describe(sig);
  if (auto early = precheck(message, sig, now)) return with(std::move(r), *early);
  const std::string_view identity_domain = std::string_view(sig.i).substr(sig.i.rfind('@') + 1);
  auto usable = detail::usable_key(key, *sig.algorithm, sig.d, identity_domain);
  if (auto* outcome = std::get_if<detail::Outcome>(&usable)) return with(std::move(r), *outcome);
  const auto& k = std::get<detail::UsableKey>(usable);
  detail::Outcome outcome = detail::check_signature(message, bodies, sig, k.key, sig.field_index);
  outcome.testing = k.testing;
  return with(std::move(r), outcome);
}

}  // namespace

std::string_view to_string(ResultKind kind) {
  switch (kind) {
    case ResultKind::pass: return "pass";
    case ResultKind::fail: return "fail";
    case ResultKind::neutral: return "neutral";
    case ResultKind::policy: return "policy";
    case ResultKind::temperror: return "temperror";
    case ResultKind::permerror: return "permerror";
  }
  return "permerror";
}

std::vector<Signature> parse_signatures(std::string_view message) {
  const SplitMessage split(message);
  return signatures_of(split);
}

Result verify(std::string_view message, const Signature& signature, const std::optional<KeyRecordText>& key,
              std::int64_t now) {
  const SplitMessage split(message);
  detail::BodyHashes bodies(split.body());
  return verify_in(split, bodies, signature, key, now);
}

std::string key_name(std::string_view selector, std::string_view domain) {
  std::string name;
  name.reserve(selector.size() + domain.size() + 12);
  for (char c : selector) name += text::ascii_lower(c);
  name += "._domainkey.";
  for (char c : domain) name += text::ascii_lower(c);
  return name;
}

std::vector<std::string> key_names(std::string_view message) {
  std::vector<std::string> names;
  for (const Signature& sig : parse_signatures(message)) {
    if (sig.error != SignatureError::none) continue;
    std::string name = key_name(sig.s, sig.d);
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(std::move(name));
  }
  return names;
}

std::vector<Result> verify_with_keys(std::string_view message, const KeyAnswers& keys, std::int64_t now) {
  const SplitMessage split(message);
  detail::BodyHashes bodies(split.body());
  std::vector<Result> results;
  for (const Signature& sig : signatures_of(split)) {
    if (auto early = precheck(split, sig, now)) {
      results.push_back(with(describe(sig), *early));
      continue;
    }
    auto key = detail::key_from_answer(keys, key_name(sig.s, sig.d));
    if (auto* outcome = std::get_if<detail::Outcome>(&key)) {
      results.push_back(with(describe(sig), *outcome));
      continue;
    }
    results.push_back(verify_in(split, bodies, sig, std::get<std::optional<KeyRecordText>>(key), now));
  }
  return results;
}

}  // namespace atrium::mail::auth::dkim
