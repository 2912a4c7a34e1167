// DMARC evaluation against a StaticResolver: discovery, alignment, p / sp / np, pct, errors.
#include "mail/auth/dmarc/evaluate.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include <string>

namespace atrium::mail::auth::dmarc {
namespace {

const PublicSuffixList& suffixes() {
  static const PublicSuffixList list = *PublicSuffixList::from_rules("com\nnet\norg\nuk\nco.uk\nexample\n");
  return list;
}

class DmarcEvaluate : public ::testing::Test {
 protected:
  Evaluation run(const Input& input, int random = 0) {
    Options options;
    options.suffixes = &suffixes();
    options.random = [random] { return random; };
    asio::io_context io;
    auto fut = asio::co_spawn(io, evaluate(input, dns, options), asio::use_future);
    io.run();
    return fut.get();
  }

  static Input message(std::string from, SpfResult spf, std::string spf_domain,
                       std::vector<DkimInput> dkim = {}) {
    Input in;
    in.from_domains = {std::move(from)};
    in.spf = {spf, std::move(spf_domain)};
    in.dkim = std::move(dkim);
    return in;
  }

  dns::StaticResolver dns;
};

TEST_F(DmarcEvaluate, PassThroughAlignedSpf) {
  dns.add_txt("_dmarc.example.com", "v=DMARC1; p=reject");
  const Evaluation ev = run(message("example.com", SpfResult::pass, "bounces.example.com"));
  EXPECT_EQ(ev.result, Result::pass);
  EXPECT_EQ(ev.disposition, Disposition::none);
  EXPECT_TRUE(ev.spf_aligned);
  EXPECT_FALSE(ev.dkim_aligned);
  EXPECT_EQ(ev.policy_domain, "example.com");
  EXPECT_EQ(ev.header_from, "example.com");
  EXPECT_EQ(ev.requested_policy, Policy::reject);
  EXPECT_EQ(ev.policy_source, PolicySource::domain);
  EXPECT_EQ(ev.policy_text(), "none");
  EXPECT_EQ(dns.lookups, 1);
}

TEST_F(DmarcEvaluate, PassThroughAlignedDkim) {
  dns.add_txt("_dmarc.example.com", "v=DMARC1; p=reject; aspf=s");
  const Evaluation ev = run(message("example.com", SpfResult::pass, "bounces.example.com",
                                    {{DkimResult::fail, "example.com"}, {DkimResult::pass, "Mail.Example.com"}}));
  EXPECT_EQ(ev.result, Result::pass);
  EXPECT_FALSE(ev.spf_aligned);  // aspf=s: bounces.example.com is not example.com
  EXPECT_TRUE(ev.dkim_aligned);
}

TEST_F(DmarcEvaluate, FailWithRejectRejects) {
  dns.add_txt("_dmarc.example.com", "v=DMARC1; p=reject");
  const Evaluation ev = run(message("example.com", SpfResult::pass, "attacker.net",
                                    {{DkimResult::pass, "attacker.net"}, {DkimResult::fail, "example.com"}}));
  EXPECT_EQ(ev.result, Result::fail);
  EXPECT_EQ(ev.disposition, Disposition::reject);
  EXPECT_FALSE(ev.sampled_out);
  EXPECT_EQ(ev.policy_text(), "reject");
}

TEST_F(DmarcEvaluate, StrictDkimAlignment) {
  dns.add_txt("_dmarc.example.com", "v=DMARC1; p=quarantine; adkim=s");
  const Evaluation ev = run(message("example.com", SpfResult::none, "",
                                    {{DkimResult::pass, "mail.example.com"}}));
  EXPECT_EQ(ev.result, Result::fail);
  EXPECT_EQ(ev.disposition, Disposition::quarantine);
}

TEST_F(DmarcEvaluate, SoftfailAndNeutralAreNotPasses) {
  dns.add_txt("_dmarc.example.com", "v=DMARC1; p=reject");
  EXPECT_EQ(run(message("example.com", SpfResult::softfail, "example.com")).result, Result::fail);
  EXPECT_EQ(run(message("example.com", SpfResult::neutral, "example.com")).result, Result::fail);
  EXPECT_EQ(run(message("example.com", SpfResult::none, "", {{DkimResult::policy, "example.com"}})).result,
            Result::fail);
}

TEST_F(DmarcEvaluate, PctZeroQuarantineFailsWithoutQuarantine) {
  dns.add_txt("_dmarc.example.com", "v=DMARC1; p=quarantine; pct=0");
  const Evaluation ev = run(message("example.com", SpfResult::fail, "example.com"), 0);
  EXPECT_EQ(ev.result, Result::fail);
  EXPECT_EQ(ev.requested_policy, Policy::quarantine);
  EXPECT_EQ(ev.disposition, Disposition::none);
  EXPECT_TRUE(ev.sampled_out);
  EXPECT_EQ(ev.policy_text(), "none");
}

TEST_F(DmarcEvaluate, PctSampling) {
  dns.add_txt("_dmarc.example.com", "v=DMARC1; p=reject; pct=30");
  const Input in = message("example.com", SpfResult::fail, "example.com");
  EXPECT_EQ(run(in, 0).disposition, Disposition::reject);
  EXPECT_EQ(run(in, 29).disposition, Disposition::reject);
  // Left out by pct: reject becomes quarantine (§6.6.4).
  const Evaluation out = run(in, 30);
  EXPECT_EQ(out.disposition, Disposition::quarantine);
  EXPECT_TRUE(out.sampled_out);
  EXPECT_EQ(run(in, 99).disposition, Disposition::quarantine);
  EXPECT_EQ(run(in, 1000).disposition, Disposition::quarantine);  // clamped to 99
  EXPECT_EQ(run(in, -5).disposition, Disposition::reject);        // clamped to 0
}

TEST_F(DmarcEvaluate, DefaultRandomSourceStaysInRange) {
  dns.add_txt("_dmarc.example.com", "v=DMARC1; p=reject; pct=50");
  const Input in = message("example.com", SpfResult::fail, "example.com");
  int rejected = 0;
  for (int i = 0; i < 200; ++i) {
    Options options;
    options.suffixes = &suffixes();
    asio::io_context io;
    auto fut = asio::co_spawn(io, evaluate(in, dns, options), asio::use_future);
    io.run();
    const Disposition d = fut.get().disposition;
    ASSERT_TRUE(d == Disposition::reject || d == Disposition::quarantine);
    rejected += d == Disposition::reject;
  }
  EXPECT_GT(rejected, 40);
  EXPECT_LT(rejected, 160);
}

TEST_F(DmarcEvaluate, SubdomainUsesSpFromOrganizationalDomain) {
  dns.add_txt("_dmarc.example.com", "v=DMARC1; p=none; sp=reject");
  dns.add_a("news.example.com", "192.0.2.1");
  const Evaluation ev = run(message("news.example.com", SpfResult::fail, "news.example.com"));
  EXPECT_EQ(ev.result, Result::fail);
  EXPECT_EQ(ev.disposition, Disposition::reject);
  EXPECT_EQ(ev.policy_source, PolicySource::subdomain);
  EXPECT_EQ(ev.policy_domain, "example.com");
  EXPECT_EQ(ev.header_from, "news.example.com");
  EXPECT_EQ(dns.lookups, 2);  // _dmarc.news.example.com, then _dmarc.example.com
}

TEST_F(DmarcEvaluate, SubdomainWithoutSpUsesP) {
  dns.add_txt("_dmarc.example.com", "v=DMARC1; p=quarantine");
  const Evaluation ev = run(message("a.b.example.com", SpfResult::none, ""));
  EXPECT_EQ(ev.disposition, Disposition::quarantine);
  EXPECT_EQ(ev.policy_source, PolicySource::subdomain);
}

TEST_F(DmarcEvaluate, SubdomainWithOwnRecordUsesItsP) {
  dns.add_txt("_dmarc.example.com", "v=DMARC1; p=reject; sp=reject");
  dns.add_txt("_dmarc.news.example.com", "v=DMARC1; p=none");
  const Evaluation ev = run(message("news.example.com", SpfResult::fail, "news.example.com"));
  EXPECT_EQ(ev.result, Result::fail);
  EXPECT_EQ(ev.disposition, Disposition::none);
  EXPECT_EQ(ev.policy_source, PolicySource::domain);
  EXPECT_EQ(ev.policy_domain, "news.example.com");
  EXPECT_EQ(dns.lookups, 1);
}

TEST_F(DmarcEvaluate, NonexistentSubdomainUsesNp) {
  dns.add_txt("_dmarc.example.com", "v=DMARC1; p=none; sp=quarantine; np=reject");
  const Evaluation ev = run(message("ghost.example.com", SpfResult::none, ""));
  EXPECT_EQ(ev.result, Result::fail);
  EXPECT_EQ(ev.disposition, Disposition::reject);
  EXPECT_EQ(ev.policy_source, PolicySource::nonexistent);
  EXPECT_EQ(ev.requested_policy, Policy::reject);
  // _dmarc.ghost, _dmarc.example.com, then A ghost.example.com answers NXDOMAIN: done.
  EXPECT_EQ(dns.lookups, 3);
}

TEST_F(DmarcEvaluate, ExistingSubdomainDoesNotUseNp) {
  dns.add_txt("_dmarc.example.com", "v=DMARC1; p=none; sp=quarantine; np=reject");
  dns.add_mx("mail.example.com", 10, "mx.example.com");  // A and AAAA: no data; MX: exists
  const Evaluation ev = run(message("mail.example.com", SpfResult::none, ""));
  EXPECT_EQ(ev.disposition, Disposition::quarantine);
  EXPECT_EQ(ev.policy_source, PolicySource::subdomain);
  EXPECT_EQ(dns.lookups, 5);
}

TEST_F(DmarcEvaluate, NameWithoutAddressOrMxIsNonexistent) {
  // RFC 9091's definition is wider than NXDOMAIN: NODATA for A, AAAA and MX also counts.
  dns.add_txt("_dmarc.example.com", "v=DMARC1; p=none; np=quarantine");
  dns.add_txt("empty.example.com", "some text");
  EXPECT_EQ(run(message("empty.example.com", SpfResult::none, "")).policy_source, PolicySource::nonexistent);
}

TEST_F(DmarcEvaluate, TemporaryFailureDuringNpCheckMeansExisting) {
  dns.add_txt("_dmarc.example.com", "v=DMARC1; p=none; sp=quarantine; np=reject");
  dns.fail("flaky.example.com");
  const Evaluation ev = run(message("flaky.example.com", SpfResult::none, ""));
  EXPECT_EQ(ev.disposition, Disposition::quarantine);
}

TEST_F(DmarcEvaluate, PassAtNonexistentSubdomainSkipsTheCheck) {
  dns.add_txt("_dmarc.example.com", "v=DMARC1; p=none; np=reject");
  const Evaluation ev = run(message("ghost.example.com", SpfResult::none, "", {{DkimResult::pass, "example.com"}}));
  EXPECT_EQ(ev.result, Result::pass);
  EXPECT_EQ(dns.lookups, 2);
}

TEST_F(DmarcEvaluate, FallbackToOrganizationalDomainPasses) {
  dns.add_txt("_dmarc.example.co.uk", "v=DMARC1; p=reject");
  dns.add_txt("_dmarc.shop.example.co.uk", "v=spf1 -all");  // not DMARC: discarded
  const Evaluation ev = run(message("shop.example.co.uk", SpfResult::pass, "example.co.uk"));
  EXPECT_EQ(ev.result, Result::pass);
  EXPECT_EQ(ev.policy_domain, "example.co.uk");
}

TEST_F(DmarcEvaluate, CoUkNeighboursDoNotAlign) {
  dns.add_txt("_dmarc.example.co.uk", "v=DMARC1; p=reject");
  const Evaluation ev = run(message("example.co.uk", SpfResult::pass, "other.co.uk", {{DkimResult::pass, "co.uk"}}));
  EXPECT_EQ(ev.result, Result::fail);
  EXPECT_EQ(ev.disposition, Disposition::reject);
}

TEST_F(DmarcEvaluate, NoRecordIsNone) {
  dns.add_txt("_dmarc.example.org", "some unrelated text");
  const Evaluation ev = run(message("mail.example.org", SpfResult::fail, "x.example"));
  EXPECT_EQ(ev.result, Result::none);
  EXPECT_EQ(ev.disposition, Disposition::none);
  EXPECT_FALSE(ev.record);
  EXPECT_EQ(ev.policy_domain, "");
  EXPECT_EQ(ev.policy_text(), "");
  EXPECT_EQ(dns.lookups, 2);
}

TEST_F(DmarcEvaluate, OrganizationalDomainNotQueriedTwice) {
  const Evaluation ev = run(message("example.org", SpfResult::pass, "example.org"));
  EXPECT_EQ(ev.result, Result::none);
  EXPECT_EQ(dns.lookups, 1);
}

TEST_F(DmarcEvaluate, TemporaryDnsFailureIsTemperror) {
  dns.fail("_dmarc.example.com");
  Evaluation ev = run(message("example.com", SpfResult::pass, "example.com"));
  EXPECT_EQ(ev.result, Result::temperror);
  EXPECT_EQ(ev.disposition, Disposition::none);
  EXPECT_EQ(ev.policy_text(), "");
  // At the Organizational Domain as well.
  ev = run(message("www.example.com", SpfResult::pass, "example.com"));
  EXPECT_EQ(ev.result, Result::temperror);
}

TEST_F(DmarcEvaluate, MultipleRecordsMeanNoPolicy) {
  dns.add_txt("_dmarc.example.com", "v=DMARC1; p=reject");
  dns.add_txt("_dmarc.example.com", "v=DMARC1; p=none");
  const Evaluation ev = run(message("example.com", SpfResult::fail, "example.com"));
  EXPECT_EQ(ev.result, Result::none);
  EXPECT_EQ(ev.disposition, Disposition::none);
  EXPECT_TRUE(ev.multiple_records);
}

TEST_F(DmarcEvaluate, MultipleRecordsAtSubdomainDoNotFallBack) {
  dns.add_txt("_dmarc.example.com", "v=DMARC1; p=reject");
  dns.add_txt("_dmarc.news.example.com", "v=DMARC1; p=none");
  dns.add_txt("_dmarc.news.example.com", "v=DMARC1; p=quarantine");
  const Evaluation ev = run(message("news.example.com", SpfResult::fail, "x.net"));
  EXPECT_EQ(ev.result, Result::none);
  EXPECT_TRUE(ev.multiple_records);
  EXPECT_EQ(dns.lookups, 1);
}

TEST_F(DmarcEvaluate, BrokenRecordIsPermerror) {
  dns.add_txt("_dmarc.example.com", "v=DMARC1; p=bogus");
  const Evaluation ev = run(message("example.com", SpfResult::fail, "example.com"));
  EXPECT_EQ(ev.result, Result::permerror);
  EXPECT_EQ(ev.disposition, Disposition::none);
  ASSERT_TRUE(ev.record_error);
  EXPECT_EQ(ev.record_error->code, RecordErrorCode::invalid_policy);
  EXPECT_EQ(ev.policy_domain, "example.com");
}

TEST_F(DmarcEvaluate, BrokenPolicyWithRuaActsAsNone) {
  dns.add_txt("_dmarc.example.com", "v=DMARC1; p=bogus; rua=mailto:d@example.com");
  const Evaluation ev = run(message("example.com", SpfResult::fail, "example.com"));
  EXPECT_EQ(ev.result, Result::fail);
  EXPECT_EQ(ev.disposition, Disposition::none);
  ASSERT_TRUE(ev.record);
  EXPECT_TRUE(ev.record->policy_assumed);
}

TEST_F(DmarcEvaluate, AlignedTemperrorWithoutPassIsTemperror) {
  dns.add_txt("_dmarc.example.com", "v=DMARC1; p=reject");
  Evaluation ev = run(message("example.com", SpfResult::fail, "example.com", {{DkimResult::temperror, "example.com"}}));
  EXPECT_EQ(ev.result, Result::temperror);
  EXPECT_EQ(ev.disposition, Disposition::none);
  // An unaligned temperror changes nothing.
  ev = run(message("example.com", SpfResult::temperror, "other.net"));
  EXPECT_EQ(ev.result, Result::fail);
  // An aligned pass wins over an aligned temperror.
  ev = run(message("example.com", SpfResult::temperror, "example.com", {{DkimResult::pass, "example.com"}}));
  EXPECT_EQ(ev.result, Result::pass);
}

TEST_F(DmarcEvaluate, MissingFromIsPermerror) {
  Input in;
  in.spf = {SpfResult::pass, "example.com"};
  const Evaluation ev = run(in);
  EXPECT_EQ(ev.result, Result::permerror);
  EXPECT_EQ(ev.from_problem, FromProblem::missing);
  EXPECT_EQ(dns.lookups, 0);
}

TEST_F(DmarcEvaluate, UnusableFromIsPermerror) {
  for (std::string bad : {"", "[192.0.2.1]", "a..b"}) {
    const Evaluation ev = run(message(bad, SpfResult::pass, "example.com"));
    EXPECT_EQ(ev.result, Result::permerror) << bad;
    EXPECT_EQ(ev.from_problem, FromProblem::unusable) << bad;
  }
  EXPECT_EQ(dns.lookups, 0);
}

TEST_F(DmarcEvaluate, SameDomainTwiceIsOneDomain) {
  dns.add_txt("_dmarc.example.com", "v=DMARC1; p=reject");
  Input in = message("example.com", SpfResult::pass, "example.com");
  in.from_domains.push_back("EXAMPLE.com.");
  const Evaluation ev = run(in);
  EXPECT_EQ(ev.result, Result::pass);
  EXPECT_EQ(ev.from_problem, FromProblem::none);
  EXPECT_EQ(dns.lookups, 1);
}

TEST_F(DmarcEvaluate, SeveralDomainsTakeTheStrictest) {
  dns.add_txt("_dmarc.example.com", "v=DMARC1; p=none");
  dns.add_txt("_dmarc.example.org", "v=DMARC1; p=reject");
  dns.add_txt("_dmarc.example.net", "v=DMARC1; p=quarantine");
  Input in = message("example.com", SpfResult::pass, "example.com");
  in.from_domains = {"example.com", "example.net", "example.org"};
  const Evaluation ev = run(in);
  EXPECT_EQ(ev.result, Result::fail);
  EXPECT_EQ(ev.disposition, Disposition::reject);
  EXPECT_EQ(ev.header_from, "example.org");
  EXPECT_EQ(ev.from_problem, FromProblem::multiple_domains);
}

TEST_F(DmarcEvaluate, SeveralDomainsAllPassing) {
  dns.add_txt("_dmarc.example.com", "v=DMARC1; p=reject");
  dns.add_txt("_dmarc.example.org", "v=DMARC1; p=reject");
  Input in = message("example.com", SpfResult::pass, "example.com", {{DkimResult::pass, "example.org"}});
  in.from_domains = {"example.com", "example.org"};
  const Evaluation ev = run(in);
  EXPECT_EQ(ev.result, Result::pass);
  EXPECT_EQ(ev.from_problem, FromProblem::multiple_domains);
}

TEST_F(DmarcEvaluate, TooManyDomainsIsPermerrorWithoutLookups) {
  Input in = message("a.example", SpfResult::pass, "a.example");
  in.from_domains = {"a.example", "b.example", "c.example", "d.example", "e.example"};
  const Evaluation ev = run(in);
  EXPECT_EQ(ev.result, Result::permerror);
  EXPECT_EQ(ev.from_problem, FromProblem::multiple_domains);
  EXPECT_EQ(dns.lookups, 0);
}

TEST_F(DmarcEvaluate, IdnFromDomainIsLookedUpAsALabel) {
  dns.add_txt("_dmarc.xn--bcher-kva.example", "v=DMARC1; p=reject");
  const Evaluation ev = run(message("bücher.example", SpfResult::pass, "xn--bcher-kva.example"));
  EXPECT_EQ(ev.result, Result::pass);
  EXPECT_EQ(ev.header_from, "xn--bcher-kva.example");
}

TEST_F(DmarcEvaluate, MethodResultForAuthenticationResults) {
  dns.add_txt("_dmarc.example.com", "v=DMARC1; p=reject");
  Evaluation ev = run(message("example.com", SpfResult::fail, "example.com"));
  EXPECT_EQ(to_method_result(ev),
            (MethodResult{"dmarc", "fail", "", {{"header", "from", "example.com"}, {"policy", "dmarc", "reject"}}}));
  ev = run(message("example.com", SpfResult::pass, "example.com"));
  EXPECT_EQ(format_authentication_results("mx.example.org", {to_method_result(ev)}),
            "Authentication-Results: mx.example.org;\r\n\tdmarc=pass header.from=example.com policy.dmarc=none\r\n");
  ev = run(message("nothing.example", SpfResult::pass, "example.com"));
  EXPECT_EQ(to_method_result(ev), (MethodResult{"dmarc", "none", "", {{"header", "from", "nothing.example"}}}));
}

}  // namespace
}  // namespace atrium::mail::auth::dmarc
