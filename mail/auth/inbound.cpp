// SPF, DKIM, ARC, DMARC and iprev for the MX, combined into one Authentication-Results field.
#include "mail/auth/inbound.hpp"

#include "mail/auth/dkim/arc.hpp"
#include "mail/auth/dkim/dkim.hpp"
#include "mail/auth/dmarc/authres.hpp"
#include "mail/auth/dmarc/evaluate.hpp"
#include "mail/auth/dmarc/from_domain.hpp"
#include "mail/auth/spf/spf.hpp"

#include <chrono>

namespace atrium::mail::auth {
namespace {

dmarc::SpfResult to_dmarc(spf::Outcome o) {
  switch (o) {
    case spf::Outcome::none: return dmarc::SpfResult::none;
    case spf::Outcome::neutral: return dmarc::SpfResult::neutral;
    case spf::Outcome::pass: return dmarc::SpfResult::pass;
    case spf::Outcome::fail: return dmarc::SpfResult::fail;
    case spf::Outcome::softfail: return dmarc::SpfResult::softfail;
    case spf::Outcome::temperror: return dmarc::SpfResult::temperror;
    case spf::Outcome::permerror: return dmarc::SpfResult::permerror;
  }
  return dmarc::SpfResult::none;
}

dmarc::DkimResult to_dmarc(dkim::ResultKind k) {
  switch (k) {
    case dkim::ResultKind::pass: return dmarc::DkimResult::pass;
    case dkim::ResultKind::fail: return dmarc::DkimResult::fail;
    case dkim::ResultKind::neutral: return dmarc::DkimResult::neutral;
    case dkim::ResultKind::policy: return dmarc::DkimResult::policy;
    case dkim::ResultKind::temperror: return dmarc::DkimResult::temperror;
    case dkim::ResultKind::permerror: return dmarc::DkimResult::permerror;
  }
  return dmarc::DkimResult::none;
}

// The RFC 8601 resinfo of an SPF result: "spf=pass smtp.mailfrom=example.com".
MethodResult spf_method(const spf::Result& r) {
  MethodResult m{"spf", std::string(spf::to_string(r.outcome)), {}, {}};
  if (r.identity == spf::Identity::mailfrom) {
    m.properties.push_back({"smtp", "mailfrom", r.sender.empty() ? r.domain : r.sender});
  } else {
    m.properties.push_back({"smtp", "helo", r.domain});
  }
  return m;
}

MethodResult dkim_method(const dkim::Result& r) {
  MethodResult m{"dkim", std::string(dkim::to_string(r.kind)), r.reason, {}};
  if (!r.domain.empty()) m.properties.push_back({"header", "d", r.domain});
  if (!r.selector.empty()) m.properties.push_back({"header", "s", r.selector});
  if (!r.algorithm.empty()) m.properties.push_back({"header", "a", r.algorithm});
  if (!r.b_prefix.empty()) m.properties.push_back({"header", "b", r.b_prefix});
  return m;
}

// iprev (RFC 8601 §3): the client's PTR names, each confirmed by a forward lookup that gives
// the address back.
asio::awaitable<MethodResult> iprev(const std::string& ip, dns::Resolver& resolver) {
  MethodResult m{"iprev", "fail", {}, {{"smtp", "remote-ip", ip}}};
  auto ptr = co_await resolver.ptr(ip);
  if (ptr.status == dns::Status::temporary || ptr.status == dns::Status::bogus) {
    m.result = "temperror";
    co_return m;
  }
  if (!ptr.ok()) {
    m.result = "fail";
    m.reason = "no PTR record";
    co_return m;
  }
  bool v6 = ip.find(':') != std::string::npos;
  bool temporary = false;
  int checked = 0;
  for (const auto& name : ptr.records) {
    if (++checked > 10) break;
    // Not `v6 ? co_await ... : co_await ...`: GCC 12 mishandles co_await inside ?:.
    dns::Answer<std::string> forward;
    if (v6) {
      forward = co_await resolver.aaaa(name);
    } else {
      forward = co_await resolver.a(name);
    }
    if (forward.status == dns::Status::temporary) temporary = true;
    for (const auto& a : forward.records) {
      if (a == ip) {
        m.result = "pass";
        m.properties.insert(m.properties.begin(), {"policy", "iprev", name});
        co_return m;
      }
    }
  }
  m.result = temporary ? "temperror" : "fail";
  m.reason = "PTR names do not resolve back to the address";
  co_return m;
}

}  // namespace

asio::awaitable<InboundVerdict> check_inbound(InboundRequest request, std::string_view message,
                                              dns::Resolver& resolver) {
  std::vector<MethodResult> methods;

  spf::Request sreq;
  sreq.client_ip = request.client_ip;
  sreq.mail_from = request.mail_from;
  sreq.helo = request.helo;
  sreq.receiver = request.authserv_id;
  sreq.now = std::chrono::system_clock::time_point(std::chrono::seconds(request.now));
  auto spf_result = co_await spf::check_host(sreq, resolver);
  methods.push_back(spf_method(spf_result));

  auto dkim_results = co_await dkim::verify_all(message, resolver, request.now);
  if (dkim_results.empty()) {
    methods.push_back({"dkim", "none", {}, {}});
  } else {
    for (const auto& r : dkim_results) methods.push_back(dkim_method(r));
  }

  auto arc_result = co_await arc::arc_verify(message, resolver, request.now);
  if (arc_result.status != arc::ChainStatus::none) {
    MethodResult m{"arc", std::string(arc::to_string(arc_result.status)), arc_result.reason, {}};
    if (arc_result.temporary) m.result = "temperror";
    methods.push_back(std::move(m));
  }

  dmarc::Input din;
  din.from_domains = dmarc::from_domains(message).domains;
  din.spf = {to_dmarc(spf_result.outcome), spf_result.domain};
  for (const auto& r : dkim_results) din.dkim.push_back({to_dmarc(r.kind), r.domain});
  auto evaluation = co_await dmarc::evaluate(din, resolver);
  methods.push_back(dmarc::to_method_result(evaluation));

  methods.push_back(co_await iprev(request.client_ip, resolver));

  InboundVerdict verdict;
  verdict.authentication_results = format_authentication_results(request.authserv_id, methods);
  switch (evaluation.disposition) {
    case dmarc::Disposition::reject: verdict.action = InboundAction::reject; break;
    case dmarc::Disposition::quarantine: verdict.action = InboundAction::quarantine; break;
    case dmarc::Disposition::none: break;
  }
  verdict.dmarc_domain = evaluation.policy_domain;
  for (const auto& m : methods) {
    if (!verdict.summary.empty()) verdict.summary += ' ';
    verdict.summary += m.method + "=" + m.result;
  }
  co_return verdict;
}

std::string with_authentication_results(std::string_view message, std::string_view authserv_id,
                                        std::string_view authentication_results) {
  auto cleaned = remove_forged(message, authserv_id);
  std::string out;
  out.reserve(authentication_results.size() + cleaned.header_block.size());
  out.append(authentication_results);
  out.append(cleaned.header_block);
  return out;
}

}  // namespace atrium::mail::auth
