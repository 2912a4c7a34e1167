// check_host() (RFC 7208 §4, §5, §6): record selection, mechanism evaluation with the §4.6.4
// limits, include/redirect recursion and exp= explanations, over a dns::Resolver.
#include "mail/auth/spf/spf.hpp"

#include <algorithm>
#include <optional>
#include <utility>
#include <variant>
#include <vector>

namespace atrium::mail::auth::spf {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

// `name` is `domain` or one of its subdomains (case-insensitive), as §5.5 matches PTR names.
bool within(std::string_view name, std::string_view domain) {
  if (iequals(name, domain)) return true;
  return name.size() > domain.size() && name[name.size() - domain.size() - 1] == '.' &&
         iequals(name.substr(name.size() - domain.size()), domain);
}

std::string without_trailing_dot(std::string name) {
  if (!name.empty() && name.back() == '.') name.pop_back();
  return name;
}

bool is_failure(dns::Status s) { return s == dns::Status::temporary || s == dns::Status::bogus; }

Outcome outcome_of(Qualifier q) {
  switch (q) {
    case Qualifier::pass: return Outcome::pass;
    case Qualifier::fail: return Outcome::fail;
    case Qualifier::softfail: return Outcome::softfail;
    case Qualifier::neutral: return Outcome::neutral;
  }
  return Outcome::neutral;
}

// Explanations end up in SMTP replies: keep them to printable ASCII whatever the macro values held.
std::string printable(std::string text) {
  for (char& c : text) {
    if (c < 0x20 || c > 0x7E) c = '?';
  }
  return text;
}

// The outcome of evaluating one domain's record, or of an error that ends the whole check.
struct Verdict {
  Outcome outcome = Outcome::neutral;
  std::string mechanism;
  std::string reason;
  std::string explanation;
};

Verdict stop(Outcome outcome, std::string reason) { return Verdict{outcome, {}, std::move(reason), {}}; }

// A mechanism either matches or not, or ends the check (temperror, permerror, limits).
using Match = std::variant<bool, Verdict>;

// Restores %{d} when a nested record's evaluation ends, on every return path.
class DomainScope {
 public:
  DomainScope(MacroValues& values, std::string domain) : values_(values), saved_(std::move(values.domain)) {
    values_.domain = std::move(domain);
  }
  ~DomainScope() { values_.domain = std::move(saved_); }
  DomainScope(const DomainScope&) = delete;
  DomainScope& operator=(const DomainScope&) = delete;

 private:
  MacroValues& values_;
  std::string saved_;
};

class Evaluator {
 public:
  Evaluator(dns::Resolver& dns, const Limits& limits, const IpAddress& client, MacroValues values)
      : dns_(dns), limits_(limits), client_(client), values_(std::move(values)) {}

  int lookups() const { return lookups_; }
  int void_lookups() const { return void_lookups_; }

  // Evaluates the record of `domain`. `explain`: an exp= of this record may supply the explanation
  // (not inside include, §6.2). `nested`: reached through include or redirect, where an empty
  // TXT answer counts as a void lookup.
  asio::awaitable<Verdict> check(std::string domain, bool explain, bool nested) {
    auto fetched = co_await fetch_record(domain, nested);
    if (auto* v = std::get_if<Verdict>(&fetched)) co_return std::move(*v);
    const Record record = std::move(std::get<Record>(fetched));
    DomainScope scope(values_, domain);

    for (const Mechanism& m : record.mechanisms) {
      Match match = co_await evaluate(m);
      if (auto* v = std::get_if<Verdict>(&match)) co_return std::move(*v);
      if (!std::get<bool>(match)) continue;
      Verdict v{outcome_of(m.qualifier), m.text, "'" + m.text + "' matched in the record of " + domain, {}};
      if (v.outcome == Outcome::fail && explain && record.explanation) {
        v.explanation = co_await explanation(*record.explanation);
      }
      co_return v;
    }

    if (record.redirect) {
      if (auto over = count_term("redirect=" + record.redirect->text)) co_return std::move(*over);
      std::string target = co_await expand_name(*record.redirect);
      if (!is_valid_domain(target, true)) {
        co_return stop(Outcome::permerror, "redirect target '" + target + "' is not a valid domain name");
      }
      Verdict v = co_await check(target, explain, true);
      if (v.outcome == Outcome::none) {
        co_return stop(Outcome::permerror, "redirect target " + target + " has no SPF record");
      }
      co_return v;
    }
    co_return stop(Outcome::neutral, "no mechanism matched in the record of " + domain);
  }

 private:
  // §4.4 and §4.5: exactly one "v=spf1" TXT record, syntax-checked as a whole.
  asio::awaitable<std::variant<Record, Verdict>> fetch_record(const std::string& domain, bool nested) {
    auto answer = co_await dns_.txt(domain);
    if (is_failure(answer.status)) {
      co_return stop(Outcome::temperror,
                     "DNS failure looking up TXT " + domain + ": " + std::string(dns::to_string(answer.status)));
    }
    if (!answer.ok()) {
      if (nested) {
        if (auto over = count_void(domain)) co_return std::move(*over);
      }
      co_return stop(Outcome::none, "no SPF record at " + domain);
    }
    std::vector<const std::string*> spf;
    for (const auto& txt : answer.records) {
      if (is_spf_record(txt)) spf.push_back(&txt);
    }
    if (spf.empty()) co_return stop(Outcome::none, "no SPF record at " + domain);
    if (spf.size() > 1) co_return stop(Outcome::permerror, "more than one SPF record at " + domain);
    auto parsed = parse_record(*spf.front());
    if (auto* e = std::get_if<SyntaxError>(&parsed)) {
      co_return stop(Outcome::permerror, "SPF record of " + domain + ": " + e->message + " at offset " +
                                             std::to_string(e->offset));
    }
    co_return std::move(std::get<Record>(parsed));
  }

  asio::awaitable<Match> evaluate(const Mechanism& m) {
    switch (m.kind) {
      case MechanismKind::all: co_return true;
      case MechanismKind::ip4: co_return in_network(client_, m.network, m.cidr4);
      case MechanismKind::ip6: co_return in_network(client_, m.network, m.cidr6);
      case MechanismKind::include: co_return co_await include(m);
      case MechanismKind::a: co_return co_await a(m);
      case MechanismKind::mx: co_return co_await mx(m);
      case MechanismKind::ptr: co_return co_await ptr(m);
      case MechanismKind::exists: co_return co_await exists(m);
    }
    co_return false;
  }

  // §5.2: pass matches; fail, softfail and neutral do not; errors and "none" end the check.
  asio::awaitable<Match> include(const Mechanism& m) {
    if (auto over = count_term(m.text)) co_return std::move(*over);
    std::string target = co_await expand_name(*m.domain);
    if (!is_valid_domain(target, true)) {
      co_return stop(Outcome::permerror, "'" + m.text + "': '" + target + "' is not a valid domain name");
    }
    Verdict v = co_await check(target, false, true);
    switch (v.outcome) {
      case Outcome::pass: co_return true;
      case Outcome::fail:
      case Outcome::softfail:
      case Outcome::neutral: co_return false;
      case Outcome::none: co_return stop(Outcome::permerror, "'" + m.text + "': " + target + " has no SPF record");
      case Outcome::temperror:
      case Outcome::permerror: break;
    }
    v.reason = "'" + m.text + "': " + v.reason;
    co_return v;
  }

  // §5.3
  asio::awaitable<Match> a(const Mechanism& m) {
    if (auto over = count_term(m.text)) co_return std::move(*over);
    std::string target = co_await target_of(m);
    if (!is_valid_domain(target, false)) co_return count_void_or(target, false);
    co_return co_await address_match(target, m);
  }

  // §5.4: more than limits_.mx_names MX names is a permerror; a null MX ("") has no addresses.
  asio::awaitable<Match> mx(const Mechanism& m) {
    if (auto over = count_term(m.text)) co_return std::move(*over);
    std::string target = co_await target_of(m);
    if (!is_valid_domain(target, false)) co_return count_void_or(target, false);
    auto answer = co_await dns_.mx(target);
    if (is_failure(answer.status)) co_return dns_failure("MX", target, answer.status);
    if (!answer.ok()) co_return count_void_or(target, false);
    if (answer.records.size() > static_cast<std::size_t>(limits_.mx_names)) {
      co_return stop(Outcome::permerror, "'" + m.text + "': " + target + " has more than " +
                                             std::to_string(limits_.mx_names) + " MX names");
    }
    for (const auto& record : answer.records) {
      const std::string exchange = without_trailing_dot(record.exchange);
      if (!is_valid_domain(exchange, false)) continue;
      // An exchange without addresses is a void lookup, as for "a" (pyspf and Mail::SPF agree).
      Match match = co_await address_match(exchange, m);
      if (!std::holds_alternative<bool>(match) || std::get<bool>(match)) co_return match;
    }
    co_return false;
  }

  // §5.5: a validated PTR name equal to or under the target. DNS errors mean no match.
  asio::awaitable<Match> ptr(const Mechanism& m) {
    if (auto over = count_term(m.text)) co_return std::move(*over);
    std::string target = co_await target_of(m);
    co_await validate_ptr_names();
    if (ptr_void_) {
      if (auto over = count_void(to_string(client_) + " (PTR)")) co_return std::move(*over);
    }
    co_return std::any_of(validated_->begin(), validated_->end(),
                          [&target](const std::string& name) { return within(name, target); });
  }

  // §5.7: any A record matches, whatever the client's address family.
  asio::awaitable<Match> exists(const Mechanism& m) {
    if (auto over = count_term(m.text)) co_return std::move(*over);
    std::string target = co_await expand_name(*m.domain);
    if (!is_valid_domain(target, false)) co_return count_void_or(target, false);
    auto answer = co_await dns_.a(target);
    if (is_failure(answer.status)) co_return dns_failure("A", target, answer.status);
    if (!answer.ok()) co_return count_void_or(target, false);
    co_return true;
  }

  // The name a, mx and ptr look at: their domain-spec, or the current <domain> (§5.3-§5.5).
  asio::awaitable<std::string> target_of(const Mechanism& m) {
    if (!m.domain) co_return values_.domain;
    co_return co_await expand_name(*m.domain);
  }

  // A records for an IPv4 client, AAAA for an IPv6 one.
  asio::awaitable<dns::Answer<std::string>> addresses_of(const std::string& name) {
    if (client_.is_v4()) co_return co_await dns_.a(name);
    co_return co_await dns_.aaaa(name);
  }

  // The A (IPv4 client) or AAAA (IPv6 client) records of `name` against the client, with the
  // mechanism's CIDR length for that family. No address at all is a void lookup.
  asio::awaitable<Match> address_match(const std::string& name, const Mechanism& m) {
    const bool v4 = client_.is_v4();
    auto answer = co_await addresses_of(name);
    if (is_failure(answer.status)) co_return dns_failure(v4 ? "A" : "AAAA", name, answer.status);
    if (!answer.ok()) co_return count_void_or(name, false);
    const int prefix = v4 ? m.cidr4 : m.cidr6;
    for (const auto& text : answer.records) {
      auto address = parse_address(text);
      if (address && in_network(client_, *address, prefix)) co_return true;
    }
    co_return false;
  }

  // §5.5 steps 1-2, done once per check: PTR names of the client whose own addresses include it.
  asio::awaitable<void> validate_ptr_names() {
    if (validated_) co_return;
    validated_.emplace();
    auto answer = co_await dns_.ptr(to_string(client_));
    ptr_void_ = answer.status == dns::Status::nxdomain || answer.status == dns::Status::no_data;
    if (!answer.ok()) co_return;
    const std::size_t n = std::min(answer.records.size(), static_cast<std::size_t>(std::max(limits_.ptr_names, 0)));
    for (std::size_t i = 0; i < n; ++i) {
      std::string name = without_trailing_dot(answer.records[i]);
      if (!is_valid_domain(name, false)) continue;
      auto addresses = co_await addresses_of(name);
      if (!addresses.ok()) continue;  // errors skip the name (§5.5)
      const bool confirmed = std::any_of(addresses.records.begin(), addresses.records.end(), [this](const std::string& t) {
        auto address = parse_address(t);
        return address && *address == client_;
      });
      if (confirmed) validated_->push_back(std::move(name));
    }
  }

  // §7.3 %{p}: the current <domain> if validated, else a validated subdomain of it, else the first
  // validated name, else "unknown".
  std::string validated_name() const {
    if (!validated_ || validated_->empty()) return "unknown";
    const std::string& d = values_.domain;
    for (const auto& name : *validated_) {
      if (iequals(name, d)) return name;
    }
    for (const auto& name : *validated_) {
      if (within(name, d)) return name;
    }
    return validated_->front();
  }

  asio::awaitable<void> prepare(const MacroString& macro) {
    if (!macro.uses('p')) co_return;
    co_await validate_ptr_names();
    values_.validated = validated_name();
  }

  asio::awaitable<std::string> expand_name(const MacroString& macro) {
    co_await prepare(macro);
    co_return expand_domain(macro, values_);
  }

  // §6.2: any DNS problem, other than exactly one TXT record, or a syntax error means "no
  // explanation". The lookup counts against neither limit.
  asio::awaitable<std::string> explanation(const MacroString& spec) {
    std::string target = co_await expand_name(spec);
    if (!is_valid_domain(target, false)) co_return std::string();
    auto answer = co_await dns_.txt(target);
    if (!answer.ok() || answer.records.size() != 1) co_return std::string();
    auto parsed = parse_macro_string(answer.records.front(), MacroContext::explanation);
    if (!std::holds_alternative<MacroString>(parsed)) co_return std::string();
    const auto& text = std::get<MacroString>(parsed);
    co_await prepare(text);
    co_return printable(expand(text, values_));
  }

  // §4.6.4: the 11th DNS-querying term ends the check.
  std::optional<Verdict> count_term(const std::string& term) {
    if (++lookups_ <= limits_.dns_terms) return std::nullopt;
    return stop(Outcome::permerror,
                "more than " + std::to_string(limits_.dns_terms) + " DNS-querying terms (at '" + term + "')");
  }

  // §4.6.4: the third void lookup ends the check.
  std::optional<Verdict> count_void(const std::string& name) {
    if (++void_lookups_ <= limits_.void_lookups) return std::nullopt;
    return stop(Outcome::permerror,
                "more than " + std::to_string(limits_.void_lookups) + " void DNS lookups (at " + name + ")");
  }

  Match count_void_or(const std::string& name, bool matched) {
    if (auto over = count_void(name)) return std::move(*over);
    return matched;
  }

  static Verdict dns_failure(std::string_view type, const std::string& name, dns::Status status) {
    return stop(Outcome::temperror, "DNS failure looking up " + std::string(type) + " " + name + ": " +
                                        std::string(dns::to_string(status)));
  }

  dns::Resolver& dns_;
  Limits limits_;
  IpAddress client_;
  MacroValues values_;
  int lookups_ = 0;
  int void_lookups_ = 0;
  std::optional<std::vector<std::string>> validated_;
  bool ptr_void_ = false;
};

// §4.3 for the initial <domain>: well-formed, multi-label, not an address literal.
bool is_checkable_domain(std::string_view domain) {
  return !domain.empty() && domain.front() != '[' && is_valid_domain(domain, true);
}

asio::awaitable<Result> run(Request request, std::string sender, Identity identity, dns::Resolver& resolver,
                            Limits limits) {
  Result result;
  result.identity = identity;
  result.sender = sender;
  std::string local = "postmaster";
  std::string domain = sender;
  if (const auto at = sender.rfind('@'); at != std::string::npos) {
    if (at > 0) local = sender.substr(0, at);
    domain = sender.substr(at + 1);
  }
  domain = without_trailing_dot(std::move(domain));
  result.domain = domain;

  const auto client = parse_address(request.client_ip);
  if (!client) {
    result.outcome = Outcome::permerror;
    result.reason = "client address '" + request.client_ip + "' is not an IP address";
    co_return result;
  }
  if (!is_checkable_domain(domain)) {
    result.outcome = Outcome::none;
    result.reason = "'" + domain + "' is not a valid multi-label domain name";
    co_return result;
  }

  MacroValues values;
  values.sender = sender;
  values.local_part = local;
  values.sender_domain = domain;
  values.domain = domain;
  values.ip = dotted_form(*client);
  values.validated = "unknown";
  values.ip_version = client->is_v4() ? "in-addr" : "ip6";
  values.helo = request.helo;
  values.client_ip = to_string(*client);
  values.receiver = request.receiver.empty() ? "unknown" : request.receiver;
  values.timestamp =
      std::to_string(std::chrono::duration_cast<std::chrono::seconds>(request.now.time_since_epoch()).count());

  Evaluator evaluator(resolver, limits, *client, std::move(values));
  Verdict verdict = co_await evaluator.check(domain, true, false);
  result.outcome = verdict.outcome;
  result.mechanism = std::move(verdict.mechanism);
  result.reason = std::move(verdict.reason);
  if (result.outcome == Outcome::fail) result.explanation = std::move(verdict.explanation);
  result.lookups = evaluator.lookups();
  result.void_lookups = evaluator.void_lookups();
  co_return result;
}

}  // namespace

std::string_view to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::none: return "none";
    case Outcome::neutral: return "neutral";
    case Outcome::pass: return "pass";
    case Outcome::fail: return "fail";
    case Outcome::softfail: return "softfail";
    case Outcome::temperror: return "temperror";
    case Outcome::permerror: return "permerror";
  }
  return "none";
}

asio::awaitable<Result> check_host(Request request, dns::Resolver& resolver, Limits limits) {
  std::string sender = request.mail_from.empty() ? "postmaster@" + request.helo : request.mail_from;
  co_return co_await run(std::move(request), std::move(sender), Identity::mailfrom, resolver, limits);
}

asio::awaitable<Result> check_helo(Request request, dns::Resolver& resolver, Limits limits) {
  std::string sender = "postmaster@" + request.helo;
  co_return co_await run(std::move(request), std::move(sender), Identity::helo, resolver, limits);
}

}  // namespace atrium::mail::auth::spf
