// check_host() against a StaticResolver: what the shared case table (cases.json) cannot express —
// the Result fields, lookup counts, configurable limits, the %{p} choice, explanation rules and the
// header formatting.
#include "tests/unit/mail/auth/spf/run_check.hpp"

#include <gtest/gtest.h>

#include <string>

namespace atrium::mail::auth::spf {
namespace {

using testing::run_check;

Request request(std::string ip, std::string mail_from, std::string helo = "mail.example.org") {
  Request r;
  r.client_ip = std::move(ip);
  r.mail_from = std::move(mail_from);
  r.helo = std::move(helo);
  r.receiver = "mx.example.net";
  r.now = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));
  return r;
}

TEST(SpfCheckHost, ResultFieldsOnPass) {
  dns::StaticResolver dns;
  dns.add_txt("example.com", "v=spf1 mx ip4:192.0.2.0/24 -all");
  dns.add_mx("example.com", 10, "mx.example.com");
  dns.add_a("mx.example.com", "198.51.100.1");
  const auto r = run_check(dns, request("192.0.2.3", "user@example.com"));
  EXPECT_EQ(r.outcome, Outcome::pass);
  EXPECT_EQ(r.identity, Identity::mailfrom);
  EXPECT_EQ(r.sender, "user@example.com");
  EXPECT_EQ(r.domain, "example.com");
  EXPECT_EQ(r.mechanism, "ip4:192.0.2.0/24");
  EXPECT_EQ(r.reason, "'ip4:192.0.2.0/24' matched in the record of example.com");
  EXPECT_EQ(r.lookups, 1);  // mx; ip4 and all query nothing
  EXPECT_EQ(r.void_lookups, 0);
  EXPECT_TRUE(r.explanation.empty());
  EXPECT_EQ(dns.lookups, 3);  // TXT, MX, A of mx.example.com
}

TEST(SpfCheckHost, DefaultNeutralHasNoMechanism) {
  dns::StaticResolver dns;
  dns.add_txt("example.com", "v=spf1 ip4:198.51.100.0/24");
  const auto r = run_check(dns, request("192.0.2.3", "user@example.com"));
  EXPECT_EQ(r.outcome, Outcome::neutral);
  EXPECT_EQ(r.mechanism, "");
  EXPECT_EQ(r.reason, "no mechanism matched in the record of example.com");
}

TEST(SpfCheckHost, NullSenderUsesHelo) {
  dns::StaticResolver dns;
  dns.add_txt("mail.example.org", "v=spf1 a -all");
  dns.add_a("mail.example.org", "192.0.2.3");
  const auto r = run_check(dns, request("192.0.2.3", ""));
  EXPECT_EQ(r.outcome, Outcome::pass);
  EXPECT_EQ(r.sender, "postmaster@mail.example.org");
  EXPECT_EQ(r.domain, "mail.example.org");
  EXPECT_EQ(r.identity, Identity::mailfrom);
}

TEST(SpfCheckHost, HeloIgnoresMailFrom) {
  dns::StaticResolver dns;
  dns.add_txt("example.com", "v=spf1 -all");
  dns.add_txt("mail.example.org", "v=spf1 ip4:192.0.2.3 -all");
  const auto r = run_check(dns, request("192.0.2.3", "user@example.com"), Identity::helo);
  EXPECT_EQ(r.outcome, Outcome::pass);
  EXPECT_EQ(r.identity, Identity::helo);
  EXPECT_EQ(r.sender, "postmaster@mail.example.org");
  EXPECT_EQ(r.domain, "mail.example.org");
}

TEST(SpfCheckHost, InvalidInputs) {
  dns::StaticResolver dns;
  dns.add_txt("example.com", "v=spf1 +all");
  EXPECT_EQ(run_check(dns, request("not-an-ip", "user@example.com")).outcome, Outcome::permerror);
  EXPECT_EQ(run_check(dns, request("192.0.2.3", "user@[192.0.2.3]")).outcome, Outcome::none);
  EXPECT_EQ(run_check(dns, request("192.0.2.3", "user@a..example.com")).outcome, Outcome::none);
  EXPECT_EQ(run_check(dns, request("192.0.2.3", "user@" + std::string(64, 'a') + ".example.com")).outcome,
            Outcome::none);
  EXPECT_EQ(run_check(dns, request("192.0.2.3", "", "")).outcome, Outcome::none);
  EXPECT_EQ(run_check(dns, request("192.0.2.3", "user@example.com.")).outcome, Outcome::pass);  // root dot
  EXPECT_EQ(dns.lookups, 1);  // only the last one reached DNS
}

TEST(SpfCheckHost, ConfigurableLimits) {
  dns::StaticResolver dns;
  dns.add_txt("example.com", "v=spf1 a:void.example.com ip4:192.0.2.3 -all");
  EXPECT_EQ(run_check(dns, request("192.0.2.3", "user@example.com")).outcome, Outcome::pass);
  Limits strict;
  strict.void_lookups = 0;
  const auto r = run_check(dns, request("192.0.2.3", "user@example.com"), Identity::mailfrom, strict);
  EXPECT_EQ(r.outcome, Outcome::permerror);
  EXPECT_EQ(r.reason, "more than 0 void DNS lookups (at void.example.com)");
  Limits no_terms;
  no_terms.dns_terms = 0;
  EXPECT_EQ(run_check(dns, request("192.0.2.3", "user@example.com"), Identity::mailfrom, no_terms).outcome,
            Outcome::permerror);
}

TEST(SpfCheckHost, LookupLimitCountsEveryTermOnce) {
  dns::StaticResolver dns;
  // 1 include + 9 a in the included record = 10 terms: allowed; the 11th fails.
  dns.add_txt("example.com", "v=spf1 include:inc.example.com ip4:192.0.2.3 -all");
  dns.add_txt("inc.example.com", "v=spf1 a a a a a a a a a");
  dns.add_a("inc.example.com", "198.51.100.1");
  auto r = run_check(dns, request("192.0.2.3", "user@example.com"));
  EXPECT_EQ(r.outcome, Outcome::pass);
  EXPECT_EQ(r.lookups, 10);
  dns::StaticResolver over;
  over.add_txt("example.com", "v=spf1 include:inc.example.com a ip4:192.0.2.3 -all");
  over.add_txt("inc.example.com", "v=spf1 a a a a a a a a a");
  over.add_a("inc.example.com", "198.51.100.1");
  over.add_a("example.com", "198.51.100.2");
  r = run_check(over, request("192.0.2.3", "user@example.com"));
  EXPECT_EQ(r.outcome, Outcome::permerror);
  EXPECT_EQ(r.reason, "more than 10 DNS-querying terms (at 'a')");
}

TEST(SpfCheckHost, RedirectCountsOnlyWhenFollowed) {
  dns::StaticResolver dns;
  std::string record = "v=spf1";
  for (int i = 1; i <= 10; ++i) {
    const std::string host = "h" + std::to_string(i) + ".example.com";
    record += " a:" + host;
    dns.add_a(host, i == 10 ? "192.0.2.3" : "198.51.100." + std::to_string(i));
  }
  dns.add_txt("example.com", record + " redirect=other.example.com");
  dns.add_txt("other.example.com", "v=spf1 -all");
  const auto r = run_check(dns, request("192.0.2.3", "user@example.com"));
  EXPECT_EQ(r.outcome, Outcome::pass);
  EXPECT_EQ(r.lookups, 10);
  EXPECT_EQ(run_check(dns, request("192.0.2.4", "user@example.com")).outcome, Outcome::permerror);
}

TEST(SpfCheckHost, ExplanationRules) {
  dns::StaticResolver dns;
  dns.add_txt("example.com", "v=spf1 ~ip4:192.0.2.4 -all exp=why.example.com");
  dns.add_txt("why.example.com", "%{c} may not send for %{d} (asked %{r} at %{t})");
  auto r = run_check(dns, request("192.0.2.3", "user@example.com"));
  EXPECT_EQ(r.outcome, Outcome::fail);
  EXPECT_EQ(r.explanation, "192.0.2.3 may not send for example.com (asked mx.example.net at 1700000000)");
  EXPECT_EQ(r.lookups, 0);  // exp= is not a DNS-querying term
  r = run_check(dns, request("192.0.2.4", "user@example.com"));
  EXPECT_EQ(r.outcome, Outcome::softfail);
  EXPECT_TRUE(r.explanation.empty());

  dns::StaticResolver two;  // more than one TXT record: no explanation
  two.add_txt("example.com", "v=spf1 -all exp=why.example.com");
  two.add_txt("why.example.com", "one");
  two.add_txt("why.example.com", "two");
  EXPECT_EQ(run_check(two, request("192.0.2.3", "user@example.com")).explanation, "");

  dns::StaticResolver bad;  // a syntax error in the text: no explanation, still fail
  bad.add_txt("example.com", "v=spf1 -all exp=why.example.com");
  bad.add_txt("why.example.com", "100% wrong");
  r = run_check(bad, request("192.0.2.3", "user@example.com"));
  EXPECT_EQ(r.outcome, Outcome::fail);
  EXPECT_EQ(r.explanation, "");

  dns::StaticResolver broken;  // DNS failure on the exp= target: still fail, no explanation
  broken.add_txt("example.com", "v=spf1 -all exp=why.example.com");
  broken.fail("why.example.com");
  r = run_check(broken, request("192.0.2.3", "user@example.com"));
  EXPECT_EQ(r.outcome, Outcome::fail);
  EXPECT_EQ(r.explanation, "");

  dns::StaticResolver missing;  // nonexistent exp= targets are not void lookups
  missing.add_txt("example.com", "v=spf1 a:v1.example.com a:v2.example.com -all exp=nowhere.example.com");
  r = run_check(missing, request("192.0.2.3", "user@example.com"));
  EXPECT_EQ(r.outcome, Outcome::fail);
  EXPECT_EQ(r.void_lookups, 2);
}

TEST(SpfCheckHost, ExplanationIsPrintableAscii) {
  dns::StaticResolver dns;
  dns.add_txt("example.com", "v=spf1 -all exp=why.example.com");
  dns.add_txt("why.example.com", "no mail from %{l}");
  const auto r = run_check(dns, request("192.0.2.3", "j\xC3\xBCrgen\r\n@example.com"));
  EXPECT_EQ(r.explanation, "no mail from j??rgen??");
}

TEST(SpfCheckHost, ExplanationAfterRedirectIsTheTargets) {
  dns::StaticResolver dns;
  dns.add_txt("example.com", "v=spf1 redirect=_spf.example.net exp=mine.example.com");
  dns.add_txt("mine.example.com", "from the original");
  dns.add_txt("_spf.example.net", "v=spf1 -all exp=theirs.example.net");
  dns.add_txt("theirs.example.net", "%{d} says no to %{o}");
  const auto r = run_check(dns, request("192.0.2.3", "user@example.com"));
  EXPECT_EQ(r.outcome, Outcome::fail);
  EXPECT_EQ(r.explanation, "_spf.example.net says no to example.com");
  EXPECT_EQ(r.mechanism, "-all");
  EXPECT_EQ(r.domain, "example.com");
}

TEST(SpfCheckHost, ValidatedNameMacroPrefersTheDomain) {
  dns::StaticResolver dns;
  dns.add_ptr("192.0.2.42", "mx.example.org");
  dns.add_ptr("192.0.2.42", "mx.e7.example.com");
  dns.add_ptr("192.0.2.42", "unvalidated.example.com");
  dns.add_a("mx.example.org", "192.0.2.42");
  dns.add_a("mx.e7.example.com", "192.0.2.42");
  dns.add_a("unvalidated.example.com", "198.51.100.7");
  dns.add_txt("e7.example.com", "v=spf1 -all exp=msg.example.com");
  dns.add_txt("msg.example.com", "connect from %{p}");
  auto r = run_check(dns, request("192.0.2.42", "user@e7.example.com"));
  EXPECT_EQ(r.explanation, "connect from mx.e7.example.com");
  dns.add_txt("other.example.com", "v=spf1 -all exp=msg.example.com");
  r = run_check(dns, request("192.0.2.42", "user@other.example.com"));
  EXPECT_EQ(r.explanation, "connect from mx.example.org");  // first validated name
  r = run_check(dns, request("192.0.2.43", "user@other.example.com"));
  EXPECT_EQ(r.explanation, "connect from unknown");
}

TEST(SpfCheckHost, PtrConsidersOnlyTenNames) {
  dns::StaticResolver dns;
  for (int i = 1; i <= 11; ++i) {
    const std::string name = "h" + std::to_string(i) + (i == 11 ? ".example.com" : ".example.org");
    dns.add_ptr("192.0.2.3", name);
    dns.add_a(name, "192.0.2.3");
  }
  dns.add_txt("example.com", "v=spf1 ptr -all");
  EXPECT_EQ(run_check(dns, request("192.0.2.3", "user@example.com")).outcome, Outcome::fail);
  Limits wider;
  wider.ptr_names = 11;
  EXPECT_EQ(run_check(dns, request("192.0.2.3", "user@example.com"), Identity::mailfrom, wider).outcome,
            Outcome::pass);
}

TEST(SpfCheckHost, PtrSkipsNamesWithDnsErrors) {
  dns::StaticResolver dns;
  dns.add_ptr("192.0.2.3", "broken.example.com");
  dns.add_ptr("192.0.2.3", "good.example.com");
  dns.fail("broken.example.com");
  dns.add_a("good.example.com", "192.0.2.3");
  dns.add_txt("example.com", "v=spf1 ptr -all");
  EXPECT_EQ(run_check(dns, request("192.0.2.3", "user@example.com")).outcome, Outcome::pass);
}

TEST(SpfCheckHost, PtrMatchesCaseInsensitivelyOnLabelBoundaries) {
  dns::StaticResolver dns;
  dns.add_ptr("192.0.2.3", "Mail.Example.COM");
  dns.add_a("mail.example.com", "192.0.2.3");
  dns.add_txt("example.com", "v=spf1 ptr:EXAMPLE.com -all");
  dns.add_txt("ample.com", "v=spf1 ptr -all");
  EXPECT_EQ(run_check(dns, request("192.0.2.3", "user@example.com")).outcome, Outcome::pass);
  EXPECT_EQ(run_check(dns, request("192.0.2.3", "user@ample.com")).outcome, Outcome::fail);
}

TEST(SpfCheckHost, TemperrorThroughNestedIncludes) {
  dns::StaticResolver dns;
  dns.add_txt("example.com", "v=spf1 include:one.example.net -all");
  dns.add_txt("one.example.net", "v=spf1 include:two.example.net -all");
  dns.add_txt("two.example.net", "v=spf1 mx -all");
  dns.fail("two.example.net");
  auto r = run_check(dns, request("192.0.2.3", "user@example.com"));
  EXPECT_EQ(r.outcome, Outcome::temperror);
  EXPECT_EQ(r.reason,
            "'include:one.example.net': 'include:two.example.net': DNS failure looking up TXT two.example.net: "
            "temporary failure");
  dns::StaticResolver mx;
  mx.add_txt("example.com", "v=spf1 mx -all");
  mx.add_mx("example.com", 10, "mx1.example.com");
  mx.fail("mx1.example.com");
  EXPECT_EQ(run_check(mx, request("192.0.2.3", "user@example.com")).outcome, Outcome::temperror);
}

TEST(SpfCheckHost, NullMxMatchesNothing) {
  dns::StaticResolver dns;
  dns.add_txt("example.com", "v=spf1 mx ?all");
  dns.add_mx("example.com", 0, ".");
  EXPECT_EQ(run_check(dns, request("192.0.2.3", "user@example.com")).outcome, Outcome::neutral);
}

TEST(SpfCheckHost, Ipv6ClientUsesAaaaAndDualCidr) {
  dns::StaticResolver dns;
  dns.add_txt("example.com", "v=spf1 a/24//64 exists:%{ir}.%{v}._spf.%{d} -all");
  dns.add_a("example.com", "192.0.2.1");
  dns.add_aaaa("example.com", "2001:db8:1:2::1");
  dns.add_a("1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com", "127.0.0.2");
  auto r = run_check(dns, request("2001:db8:1:2::ffff", "user@example.com"));
  EXPECT_EQ(r.outcome, Outcome::pass);
  EXPECT_EQ(r.mechanism, "a/24//64");
  r = run_check(dns, request("2001:db8::cb01", "user@example.com"));
  EXPECT_EQ(r.outcome, Outcome::pass);
  EXPECT_EQ(r.mechanism, "exists:%{ir}.%{v}._spf.%{d}");
  EXPECT_EQ(run_check(dns, request("192.0.2.200", "user@example.com")).outcome, Outcome::pass);
  EXPECT_EQ(run_check(dns, request("::ffff:192.0.2.200", "user@example.com")).outcome, Outcome::pass);
  EXPECT_EQ(run_check(dns, request("2001:db8:1:3::1", "user@example.com")).outcome, Outcome::fail);
}

TEST(SpfHeaders, AuthenticationResults) {
  Result r;
  r.outcome = Outcome::pass;
  r.domain = "example.com";
  EXPECT_EQ(authentication_results(r), "spf=pass smtp.mailfrom=example.com");
  r.outcome = Outcome::none;
  r.identity = Identity::helo;
  r.domain = "mail.example.org";
  EXPECT_EQ(authentication_results(r), "spf=none smtp.helo=mail.example.org");
  r.identity = Identity::mailfrom;
  r.outcome = Outcome::permerror;
  r.domain = "[192.0.2.3]";
  EXPECT_EQ(authentication_results(r), "spf=permerror smtp.mailfrom=\"[192.0.2.3]\"");
  r.domain = "";
  EXPECT_EQ(authentication_results(r), "spf=permerror smtp.mailfrom=\"\"");
}

TEST(SpfHeaders, ReceivedSpf) {
  dns::StaticResolver dns;
  dns.add_txt("example.com", "v=spf1 ip4:192.0.2.0/24 -all");
  auto req = request("192.0.2.3", "user@example.com");
  auto r = run_check(dns, req);
  EXPECT_EQ(received_spf_header(r, req),
            "Received-SPF: pass (mx.example.net: domain of user@example.com designates 192.0.2.3 as permitted "
            "sender) client-ip=192.0.2.3; envelope-from=\"user@example.com\"; helo=mail.example.org; "
            "receiver=mx.example.net; mechanism=\"ip4:192.0.2.0/24\"; identity=mailfrom");
  req = request("2001:db8::1", "user@example.com", "bad;helo (x)");
  r = run_check(dns, req, Identity::helo);
  EXPECT_EQ(r.outcome, Outcome::none);
  EXPECT_EQ(received_spf_header(r, req),
            "Received-SPF: none (mx.example.net: domain of bad;helo \\(x\\) does not designate permitted sender "
            "hosts) client-ip=\"2001:db8::1\"; helo=\"bad;helo (x)\"; receiver=mx.example.net; identity=helo");
  dns.add_txt("broken.example.com", "v=spf1 moo");
  req = request("192.0.2.3", "a\"b@broken.example.com");
  r = run_check(dns, req);
  EXPECT_EQ(received_spf_header(r, req),
            "Received-SPF: permerror (mx.example.net: permanent error in processing domain of a\"b@broken.example.com) "
            "client-ip=192.0.2.3; envelope-from=\"a\\\"b@broken.example.com\"; helo=mail.example.org; "
            "receiver=mx.example.net; problem=\"SPF record of broken.example.com: unknown mechanism 'moo' at offset "
            "7\"; identity=mailfrom");
}

TEST(SpfOutcome, Keywords) {
  EXPECT_EQ(to_string(Outcome::none), "none");
  EXPECT_EQ(to_string(Outcome::neutral), "neutral");
  EXPECT_EQ(to_string(Outcome::pass), "pass");
  EXPECT_EQ(to_string(Outcome::fail), "fail");
  EXPECT_EQ(to_string(Outcome::softfail), "softfail");
  EXPECT_EQ(to_string(Outcome::temperror), "temperror");
  EXPECT_EQ(to_string(Outcome::permerror), "permerror");
}

}  // namespace
}  // namespace atrium::mail::auth::spf
