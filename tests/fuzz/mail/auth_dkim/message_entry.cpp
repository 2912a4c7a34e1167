// Fuzz entry: whole messages through the DKIM and ARC parsers and verifiers.
#include "tests/fuzz/mail/auth_dkim/fuzz_entries.hpp"

#include "mail/auth/dkim/arc.hpp"
#include "mail/auth/dkim/dkim.hpp"

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace atrium::mail::auth::dkim::fuzz {
namespace {

void require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "dkim message fuzz: %s\n", what);
  std::abort();
}

const KeyAnswers& keys() {
  static const KeyAnswers answers = [] {
    KeyAnswers k;
    auto& a = k["fz._domainkey.example.org"];
    a.status = dns::Status::ok;
    a.records = {"v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="};
    return k;
  }();
  return answers;
}

}  // namespace

int message_one_input(const std::uint8_t* data, std::size_t size) {
  const std::string_view message(reinterpret_cast<const char*>(data), size);
  const auto sigs = parse_signatures(message);
  require(sigs.size() <= max_signatures, "more than max_signatures");
  const SplitMessage split(message);
  for (const Signature& sig : sigs) {
    require(sig.field_index < split.fields().size(), "field_index out of range");
    require(split.fields()[sig.field_index].raw == sig.raw, "raw is not the field's text");
    require(sig.error != SignatureError::none || sig.algorithm.has_value(), "valid signature without algorithm");
  }
  const auto results = verify_with_keys(message, keys(), 1700000000);
  require(results.size() == sigs.size(), "one result per signature");
  for (const Result& r : results) require(r.kind == ResultKind::pass || !r.reason.empty(), "failure without a reason");

  const arc::ArcResult chain = arc::arc_validate(message, keys(), 1700000000);
  require(chain.status != arc::ChainStatus::fail || !chain.reason.empty(), "ARC failure without a reason");
  require(chain.highest_instance >= 0, "negative instance");
  (void)arc::arc_key_names(message);

  for (const Canon c : {Canon::simple, Canon::relaxed}) {
    const std::string body = canonicalize_body(split.body(), c);
    require(body.empty() || (body.size() >= 2 && body.compare(body.size() - 2, 2, "\r\n") == 0), "body not CRLF-terminated");
    require(canonicalize_body(body, c) == (body.empty() && c == Canon::simple ? "\r\n" : body), "canonical body not a fixed point");
  }
  return 0;
}

}  // namespace atrium::mail::auth::dkim::fuzz
