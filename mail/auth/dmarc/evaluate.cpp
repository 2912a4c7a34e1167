// DMARC evaluation: discovery (§6.6.3), alignment (§3.1), policy selection and pct (§6.6.4).
#include "mail/auth/dmarc/evaluate.hpp"

#include <algorithm>
#include <random>

namespace atrium::mail::auth::dmarc {
namespace {

constexpr std::size_t max_dns_name = 253;

enum class Discovery { found, none, multiple, temporary };

struct Found {
  Discovery status = Discovery::none;
  std::string text;    // the one DMARC record
  std::string domain;  // where it was found
};

// TXT _dmarc.<domain>, keeping only records that start with v=DMARC1.
asio::awaitable<Found> lookup(dns::Resolver& resolver, const std::string& domain) {
  Found out;
  const std::string name = "_dmarc." + domain;
  if (name.size() > max_dns_name) co_return out;  // no such name can exist
  auto answer = co_await resolver.txt(name);
  if (answer.status == dns::Status::temporary || answer.status == dns::Status::bogus) {
    out.status = Discovery::temporary;
    co_return out;
  }
  std::size_t count = 0;
  for (auto& txt : answer.records) {
    if (!is_dmarc_record(txt)) continue;
    if (++count == 1) out.text = std::move(txt);
  }
  if (count == 1) {
    out.status = Discovery::found;
    out.domain = domain;
  } else if (count > 1) {
    out.status = Discovery::multiple;
    out.text.clear();
  }
  co_return out;
}

// RFC 9091 §2.1: a domain is non-existent when A, AAAA and MX all answer NXDOMAIN or NODATA.
// An NXDOMAIN answers for the whole name (RFC 8020), so it ends the check early. A temporary
// failure counts as existing: np must never be applied on a guess.
asio::awaitable<bool> nonexistent(dns::Resolver& resolver, const std::string& domain) {
  auto empty = [](dns::Status s) { return s == dns::Status::nxdomain || s == dns::Status::no_data; };
  auto a = co_await resolver.a(domain);
  if (a.status == dns::Status::nxdomain) co_return true;
  if (!empty(a.status)) co_return false;
  auto aaaa = co_await resolver.aaaa(domain);
  if (!empty(aaaa.status)) co_return false;
  auto mx = co_await resolver.mx(domain);
  co_return empty(mx.status);
}

bool spf_passed(SpfResult r) { return r == SpfResult::pass; }
bool dkim_passed(DkimResult r) { return r == DkimResult::pass; }

Disposition disposition_of(Policy p) {
  switch (p) {
    case Policy::none: return Disposition::none;
    case Policy::quarantine: return Disposition::quarantine;
    case Policy::reject: return Disposition::reject;
  }
  return Disposition::none;
}

// §6.6.4: a message left out by pct gets the next milder treatment (reject → quarantine,
// quarantine → none).
Disposition milder(Disposition d) {
  return d == Disposition::reject ? Disposition::quarantine : Disposition::none;
}

int sample(const Options& options) {
  int value;
  if (options.random) {
    value = options.random();
  } else {
    thread_local std::mt19937 generator{std::random_device{}()};
    value = std::uniform_int_distribution<int>(0, 99)(generator);
  }
  return std::clamp(value, 0, 99);
}

asio::awaitable<Evaluation> evaluate_domain(const Input& input, std::string raw_from, dns::Resolver& resolver,
                                            const Options& options, const PublicSuffixList& suffixes) {
  Evaluation ev;
  auto from = normalize_domain(raw_from);
  if (!from) {
    ev.header_from = std::move(raw_from);
    ev.result = Result::permerror;
    ev.from_problem = FromProblem::unusable;
    co_return ev;
  }
  ev.header_from = *from;

  Found found = co_await lookup(resolver, *from);
  if (found.status == Discovery::none) {
    const std::string org = suffixes.organizational_domain(*from);
    if (!org.empty() && org != *from) found = co_await lookup(resolver, org);
  }
  switch (found.status) {
    case Discovery::temporary: ev.result = Result::temperror; co_return ev;
    case Discovery::multiple: ev.multiple_records = true; co_return ev;
    case Discovery::none: co_return ev;
    case Discovery::found: break;
  }
  ev.policy_domain = found.domain;
  auto parsed = parse_record(found.text);
  if (auto* error = std::get_if<RecordError>(&parsed)) {
    ev.result = Result::permerror;
    ev.record_error = *error;
    co_return ev;
  }
  const Record& record = ev.record.emplace(std::move(std::get<Record>(parsed)));

  // Alignment: an identifier counts only when its check passed; a temperror for an aligned
  // identifier is remembered, since a retry might turn it into a pass.
  bool aligned_temperror = false;
  if (aligned(input.spf.domain, *from, record.spf_alignment, suffixes)) {
    ev.spf_aligned = spf_passed(input.spf.result);
    aligned_temperror |= input.spf.result == SpfResult::temperror;
  }
  for (const DkimInput& d : input.dkim) {
    if (!aligned(d.domain, *from, record.dkim_alignment, suffixes)) continue;
    ev.dkim_aligned |= dkim_passed(d.result);
    aligned_temperror |= d.result == DkimResult::temperror;
  }

  // np costs up to three lookups: only asked when the record has np and the message failed.
  bool from_nonexistent = false;
  if (found.domain != *from && record.nonexistent_policy && !ev.spf_aligned && !ev.dkim_aligned) {
    from_nonexistent = co_await nonexistent(resolver, *from);
  }
  if (found.domain == *from) {
    ev.policy_source = PolicySource::domain;
    ev.requested_policy = record.policy;
  } else if (from_nonexistent) {
    ev.policy_source = PolicySource::nonexistent;
    ev.requested_policy = record.effective_nonexistent_policy();
  } else {
    ev.policy_source = PolicySource::subdomain;
    ev.requested_policy = record.effective_subdomain_policy();
  }

  if (ev.spf_aligned || ev.dkim_aligned) {
    ev.result = Result::pass;
    co_return ev;
  }
  if (aligned_temperror) {
    ev.result = Result::temperror;
    co_return ev;
  }
  ev.result = Result::fail;
  ev.disposition = disposition_of(*ev.requested_policy);
  if (ev.disposition != Disposition::none && record.percent < 100 && sample(options) >= record.percent) {
    ev.sampled_out = true;
    ev.disposition = milder(ev.disposition);
  }
  co_return ev;
}

int result_rank(Result r) {
  switch (r) {
    case Result::fail: return 4;
    case Result::temperror: return 3;
    case Result::permerror: return 2;
    case Result::none: return 1;
    case Result::pass: return 0;
  }
  return 0;
}

// True when `a` is stricter than `b` (see FromProblem::multiple_domains).
bool stricter(const Evaluation& a, const Evaluation& b) {
  if (result_rank(a.result) != result_rank(b.result)) return result_rank(a.result) > result_rank(b.result);
  return static_cast<int>(a.disposition) > static_cast<int>(b.disposition);
}

}  // namespace

std::string_view to_string(Result result) {
  switch (result) {
    case Result::none: return "none";
    case Result::pass: return "pass";
    case Result::fail: return "fail";
    case Result::temperror: return "temperror";
    case Result::permerror: return "permerror";
  }
  return "none";
}

std::string_view to_string(Disposition disposition) {
  switch (disposition) {
    case Disposition::none: return "none";
    case Disposition::quarantine: return "quarantine";
    case Disposition::reject: return "reject";
  }
  return "none";
}

std::string_view Evaluation::policy_text() const {
  if (!requested_policy || (result != Result::pass && result != Result::fail)) return {};
  return to_string(disposition);
}

asio::awaitable<Evaluation> evaluate(const Input& input, dns::Resolver& resolver, Options options) {
  const PublicSuffixList& suffixes = options.suffixes != nullptr ? *options.suffixes : PublicSuffixList::system();

  // Distinct domains, compared in normalised form where there is one.
  std::vector<std::string> domains;
  std::vector<std::string> keys;
  for (const std::string& d : input.from_domains) {
    std::string key = normalize_domain(d).value_or(d);
    if (std::find(keys.begin(), keys.end(), key) != keys.end()) continue;
    keys.push_back(std::move(key));
    domains.push_back(d);
  }

  if (domains.empty()) {
    Evaluation ev;
    ev.result = Result::permerror;
    ev.from_problem = FromProblem::missing;
    co_return ev;
  }
  if (domains.size() == 1) co_return co_await evaluate_domain(input, domains.front(), resolver, options, suffixes);

  if (domains.size() > options.max_domains) {
    Evaluation ev;
    ev.result = Result::permerror;
    ev.from_problem = FromProblem::multiple_domains;
    ev.header_from = keys.front();
    co_return ev;
  }
  std::optional<Evaluation> strictest;
  for (const std::string& d : domains) {
    Evaluation ev = co_await evaluate_domain(input, d, resolver, options, suffixes);
    if (!strictest || stricter(ev, *strictest)) strictest = std::move(ev);
  }
  strictest->from_problem = FromProblem::multiple_domains;
  co_return std::move(*strictest);
}

MethodResult to_method_result(const Evaluation& ev) {
  MethodResult r;
  r.method = "dmarc";
  r.result = std::string(to_string(ev.result));
  if (!ev.header_from.empty()) r.properties.push_back({"header", "from", ev.header_from});
  if (auto policy = ev.policy_text(); !policy.empty()) r.properties.push_back({"policy", "dmarc", std::string(policy)});
  return r;
}

}  // namespace atrium::mail::auth::dmarc
