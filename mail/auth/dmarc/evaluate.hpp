// DMARC evaluation (RFC 7489 §6.6, np from RFC 9091): policy discovery in DNS, identifier
// alignment over the SPF and DKIM results, and the disposition to apply. The only I/O is through
// dns::Resolver.
#pragma once

#include "core/dns/resolver.hpp"
#include "mail/auth/dmarc/authres.hpp"
#include "mail/auth/dmarc/org_domain.hpp"
#include "mail/auth/dmarc/record.hpp"

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace atrium::mail::auth::dmarc {

// The results DMARC consumes, in RFC 8601 terms (spf/ and dkim/ map theirs onto these).
enum class SpfResult { none, neutral, pass, fail, softfail, temperror, permerror };
enum class DkimResult { none, pass, fail, policy, neutral, temperror, permerror };

struct SpfInput {
  SpfResult result = SpfResult::none;
  std::string domain;  // the domain SPF checked: MAIL FROM's, or HELO's when MAIL FROM was null
};

struct DkimInput {
  DkimResult result = DkimResult::none;
  std::string domain;  // the signature's d=
};

struct Input {
  // The RFC5322.From domains, as from_domains() gives them. Exactly one is the normal case.
  std::vector<std::string> from_domains;
  SpfInput spf;
  std::vector<DkimInput> dkim;  // one per signature
};

// The RFC 8601 dmarc= values.
enum class Result { none, pass, fail, temperror, permerror };
std::string_view to_string(Result result);

// What the receiver should do with the message.
enum class Disposition { none, quarantine, reject };
std::string_view to_string(Disposition disposition);

// Which of the record's policies applied.
enum class PolicySource {
  none,         // no record applied (result none, temperror or permerror)
  domain,       // p: the record was found at the From domain itself
  subdomain,    // sp (or p when sp is absent): found at the Organizational Domain
  nonexistent,  // np: found at the Organizational Domain and the From domain does not exist
};

// The From field's shape, when it is not one usable domain. The RFC leaves these to local
// policy ("typically rejected", §6.6.1); evaluate() reports them so the caller can refuse:
//  - missing:          no From domain at all → result permerror, no lookup made.
//  - unusable:         a From domain that is not a DNS name ("", a literal, bad IDN) → permerror.
//  - multiple_domains: several distinct domains. Each is evaluated and the strictest outcome is
//    returned (§6.6.1: "apply the most strict policy selected among the checks that fail"):
//    fail before temperror before permerror before none before pass, and among fails the
//    harshest disposition; `header_from` names the domain that decided it.
enum class FromProblem { none, missing, unusable, multiple_domains };

struct Evaluation {
  Result result = Result::none;
  Disposition disposition = Disposition::none;  // after p / sp / np and pct; none unless fail
  // The policy the record asks for this From domain (p, sp or np), before pct sampling. Set
  // whenever a record was found and parsed, also when the message passed.
  std::optional<Policy> requested_policy;
  PolicySource policy_source = PolicySource::none;
  bool sampled_out = false;  // pct excluded the message: the disposition is one step milder
  bool multiple_records = false;  // several DMARC records at one name: no policy (§6.6.3)
  std::string policy_domain;  // where the record was found ("" when none was)
  std::string header_from;    // the From domain evaluated (normalised when it could be)
  std::optional<Record> record;
  std::optional<RecordError> record_error;  // why the result is permerror, when a record is bad
  bool spf_aligned = false;   // SPF passed for a domain aligned with header_from
  bool dkim_aligned = false;  // a DKIM signature passed with d= aligned with header_from
  FromProblem from_problem = FromProblem::none;

  // The value of the policy.dmarc property (RFC 7489 §11.2): the disposition for pass and fail
  // ("none", "quarantine", "reject"); "" when no record applied.
  std::string_view policy_text() const;
};

struct Options {
  const PublicSuffixList* suffixes = nullptr;  // nullptr: PublicSuffixList::system()
  // pct sampling: returns 0..99 (values outside are clamped); a message is subject to the policy
  // when the value is below pct. Empty: a per-thread pseudo-random generator.
  std::function<int()> random;
  // Only consulted with multiple_domains: beyond this many distinct domains none is looked up
  // and the result is permerror.
  std::size_t max_domains = 4;
};

// Evaluates DMARC for one message. DNS: TXT _dmarc.<From domain>, then _dmarc.<Organizational
// Domain> when the first has no DMARC record; for np also A, AAAA and MX of the From domain.
// Temporary DNS failures (and DNSSEC bogus answers) give temperror; so does a temperror from SPF
// or DKIM for an aligned domain when nothing aligned passed (a retry may pass). `input` and
// `resolver` must outlive the coroutine; `options` is copied. Never throws for bad input.
asio::awaitable<Evaluation> evaluate(const Input& input, dns::Resolver& resolver, Options options = {});

// The dmarc= resinfo for Authentication-Results: header.from and policy.dmarc (when set).
MethodResult to_method_result(const Evaluation& evaluation);

}  // namespace atrium::mail::auth::dmarc
