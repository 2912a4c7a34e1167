// SPF record parsing (RFC 7208 §4.5, §4.6, §5, §6): record recognition, every mechanism with
// its arguments and CIDR forms, qualifiers, modifiers, and the syntax errors that make permerror.
#include "mail/auth/spf/record.hpp"

#include <gtest/gtest.h>

#include <string>

namespace atrium::mail::auth::spf {
namespace {

Record parsed(std::string_view text) {
  auto result = parse_record(text);
  if (auto* e = std::get_if<SyntaxError>(&result)) {
    ADD_FAILURE() << text << ": " << e->message << " at " << e->offset;
    return {};
  }
  return std::get<Record>(result);
}

SyntaxError refused(std::string_view text) {
  auto result = parse_record(text);
  if (auto* e = std::get_if<SyntaxError>(&result)) return *e;
  ADD_FAILURE() << "accepted: " << text;
  return {};
}

std::string domain_text(const Mechanism& m) { return m.domain ? m.domain->text : "<none>"; }

TEST(SpfRecord, Recognition) {
  EXPECT_TRUE(is_spf_record("v=spf1"));
  EXPECT_TRUE(is_spf_record("v=spf1 -all"));
  EXPECT_TRUE(is_spf_record("V=SPF1 -all"));
  EXPECT_FALSE(is_spf_record("v=spf10 -all"));
  EXPECT_FALSE(is_spf_record("v=spf1\t-all"));
  EXPECT_FALSE(is_spf_record("spf2.0/pra -all"));
  EXPECT_FALSE(is_spf_record(" v=spf1 -all"));
  EXPECT_FALSE(is_spf_record("v=spf"));
}

TEST(SpfRecord, EmptyAndSpacing) {
  EXPECT_TRUE(parsed("v=spf1").mechanisms.empty());
  EXPECT_TRUE(parsed("v=spf1   ").mechanisms.empty());
  const auto r = parsed("v=spf1  a   mx  -all  ");
  ASSERT_EQ(r.mechanisms.size(), 3u);
  EXPECT_EQ(r.mechanisms[2].text, "-all");
}

TEST(SpfRecord, Qualifiers) {
  const auto r = parsed("v=spf1 +all -all ~all ?all all");
  ASSERT_EQ(r.mechanisms.size(), 5u);
  EXPECT_EQ(r.mechanisms[0].qualifier, Qualifier::pass);
  EXPECT_EQ(r.mechanisms[1].qualifier, Qualifier::fail);
  EXPECT_EQ(r.mechanisms[2].qualifier, Qualifier::softfail);
  EXPECT_EQ(r.mechanisms[3].qualifier, Qualifier::neutral);
  EXPECT_EQ(r.mechanisms[4].qualifier, Qualifier::pass);
  for (const auto& m : r.mechanisms) EXPECT_EQ(m.kind, MechanismKind::all);
}

TEST(SpfRecord, EveryMechanism) {
  const auto r = parsed(
      "v=spf1 include:_spf.example.net a a:mail.example.com mx mx:%{d} ptr ptr:example.org "
      "ip4:192.0.2.0/24 ip6:2001:db8::/32 exists:%{ir}.%{v}._spf.%{d} -ALL");
  ASSERT_EQ(r.mechanisms.size(), 11u);
  const MechanismKind kinds[] = {MechanismKind::include, MechanismKind::a,   MechanismKind::a,
                                 MechanismKind::mx,      MechanismKind::mx,  MechanismKind::ptr,
                                 MechanismKind::ptr,     MechanismKind::ip4, MechanismKind::ip6,
                                 MechanismKind::exists,  MechanismKind::all};
  for (std::size_t i = 0; i < 11; ++i) EXPECT_EQ(r.mechanisms[i].kind, kinds[i]) << i;
  EXPECT_EQ(domain_text(r.mechanisms[0]), "_spf.example.net");
  EXPECT_EQ(domain_text(r.mechanisms[1]), "<none>");
  EXPECT_EQ(domain_text(r.mechanisms[2]), "mail.example.com");
  EXPECT_EQ(domain_text(r.mechanisms[4]), "%{d}");
  EXPECT_EQ(domain_text(r.mechanisms[5]), "<none>");
  EXPECT_EQ(domain_text(r.mechanisms[6]), "example.org");
  EXPECT_EQ(r.mechanisms[7].network, *parse_ip4("192.0.2.0"));
  EXPECT_EQ(r.mechanisms[7].cidr4, 24);
  EXPECT_EQ(r.mechanisms[8].network, *parse_ip6("2001:db8::"));
  EXPECT_EQ(r.mechanisms[8].cidr6, 32);
  EXPECT_EQ(domain_text(r.mechanisms[9]), "%{ir}.%{v}._spf.%{d}");
  EXPECT_EQ(r.mechanisms[10].qualifier, Qualifier::fail);
  EXPECT_EQ(r.mechanisms[10].text, "-ALL");
}

TEST(SpfRecord, MechanismNamesAreCaseInsensitive) {
  const auto r = parsed("v=spf1 A MX:Example.COM Ip4:192.0.2.1 INCLUDE:example.net ExIsTs:example.org");
  ASSERT_EQ(r.mechanisms.size(), 5u);
  EXPECT_EQ(r.mechanisms[1].kind, MechanismKind::mx);
  EXPECT_EQ(domain_text(r.mechanisms[1]), "Example.COM");
}

TEST(SpfRecord, CidrForms) {
  const auto r = parsed("v=spf1 a/24 a//64 a/24//64 a:example.com/0//0 mx:example.com//128 ip4:192.0.2.3 ip6:2001:db8::1");
  ASSERT_EQ(r.mechanisms.size(), 7u);
  EXPECT_EQ(r.mechanisms[0].cidr4, 24);
  EXPECT_EQ(r.mechanisms[0].cidr6, 128);
  EXPECT_EQ(r.mechanisms[1].cidr4, 32);
  EXPECT_EQ(r.mechanisms[1].cidr6, 64);
  EXPECT_EQ(r.mechanisms[2].cidr4, 24);
  EXPECT_EQ(r.mechanisms[2].cidr6, 64);
  EXPECT_EQ(domain_text(r.mechanisms[3]), "example.com");
  EXPECT_EQ(r.mechanisms[3].cidr4, 0);
  EXPECT_EQ(r.mechanisms[3].cidr6, 0);
  EXPECT_EQ(r.mechanisms[4].cidr6, 128);
  EXPECT_EQ(r.mechanisms[5].cidr4, 32);
  EXPECT_EQ(r.mechanisms[6].cidr6, 128);
}

TEST(SpfRecord, Modifiers) {
  const auto r = parsed("v=spf1 -all redirect=_spf.example.com exp=explain.%{d} moo=%{l}.cow x-a.b_c=");
  ASSERT_TRUE(r.redirect);
  EXPECT_EQ(r.redirect->text, "_spf.example.com");
  ASSERT_TRUE(r.explanation);
  EXPECT_EQ(r.explanation->text, "explain.%{d}");
  ASSERT_EQ(r.unknown_modifiers.size(), 2u);
  EXPECT_EQ(r.unknown_modifiers[0].name, "moo");
  EXPECT_EQ(r.unknown_modifiers[0].value.text, "%{l}.cow");
  EXPECT_EQ(r.unknown_modifiers[1].name, "x-a.b_c");
  EXPECT_TRUE(parsed("v=spf1 REDIRECT=example.com").redirect);
  // "a:foo=bar.com" is a mechanism: ':' cannot be part of a modifier name.
  const auto m = parsed("v=spf1 a:foo=bar.com");
  ASSERT_EQ(m.mechanisms.size(), 1u);
  EXPECT_EQ(domain_text(m.mechanisms[0]), "foo=bar.com");
}

struct Bad {
  const char* record;
  const char* message;
};

TEST(SpfRecord, SyntaxErrors) {
  const Bad cases[] = {
      {"v=spf1 foo", "unknown mechanism 'foo'"},
      {"v=spf1 ip4:192.0.2.3 moo -all", "unknown mechanism 'moo'"},
      {"v=spf1 =a", "unknown mechanism '=a'"},
      {"v=spf1 ip:192.0.2.3", "unknown mechanism 'ip'"},
      {"v=spf1 -", "unknown mechanism ''"},
      {"v=spf1 all:example.com", "'all' takes no argument"},
      {"v=spf1 all/24", "'all' takes no argument"},
      {"v=spf1 include", "include requires ':' and a domain"},
      {"v=spf1 include:", "empty domain-spec"},
      {"v=spf1 exists", "exists requires ':' and a domain"},
      {"v=spf1 exists:%{i}", nullptr},  // valid: ends in a macro
      {"v=spf1 a:example.com:8080", "domain-spec must end in a macro or in '.' and a top-level label"},
      {"v=spf1 a:1.2.3.4", "domain-spec must end in a macro or in '.' and a top-level label"},
      {"v=spf1 a:com", "domain-spec must end in a macro or in '.' and a top-level label"},
      {"v=spf1 a/33", "invalid IPv4 CIDR length"},
      {"v=spf1 a/024", "invalid IPv4 CIDR length"},
      {"v=spf1 a//129", "invalid IPv6 CIDR length"},
      {"v=spf1 mx:example.com/24/64", "invalid IPv4 CIDR length"},
      {"v=spf1 a/", "unexpected text after 'a'"},
      {"v=spf1 ptr/24", "unexpected text after 'ptr'"},
      {"v=spf1 ptr:example.com/24", "domain-spec must end in a macro or in '.' and a top-level label"},
      {"v=spf1 ip4", "ip4 requires ':' and a network"},
      {"v=spf1 ip4:192.0.2.0/33", "invalid IPv4 CIDR length"},
      {"v=spf1 ip4:192.0.2.03", "invalid IPv4 network"},
      {"v=spf1 ip4:192.0.2.3/", "invalid IPv4 CIDR length"},
      {"v=spf1 ip4:192.0.2.3//64", "invalid IPv4 CIDR length"},
      {"v=spf1 ip4:2001:db8::1", "invalid IPv4 network"},
      {"v=spf1 ip6:192.0.2.3", "invalid IPv6 network"},
      {"v=spf1 ip6:2001:db8:zzzz::", "invalid IPv6 network"},
      {"v=spf1 ip6:2001:db8::/129", "invalid IPv6 CIDR length"},
      {"v=spf1 ip6:fe80::1%eth0", "invalid IPv6 network"},
      {"v=spf1 redirect=a.example.com redirect=b.example.com", "redirect= given more than once"},
      {"v=spf1 exp=a.example.com exp=b.example.com", "exp= given more than once"},
      {"v=spf1 redirect=", "empty domain-spec"},
      {"v=spf1 exp=", "empty domain-spec"},
      {"v=spf1 moo=%{x}", "unknown macro letter"},
      {"v=spf1 moo=%", "'%' at the end of a macro string"},
      {"v=spf1 a:%{c}.example.com", "macro letters c, r and t are allowed only in explanations"},
      {"v=spf1 ip4:192.0.2.3\t-all", "invalid IPv4 network"},
      {"v=spf1 a:caf\xC3\xA9.example.com", "character not allowed in a macro string"},
      {"v=spf1 a:example.com,", "domain-spec must end in a macro or in '.' and a top-level label"},
      {"v=spf10 -all", "not an SPF record (no \"v=spf1\")"},
      {"-all", "not an SPF record (no \"v=spf1\")"},
  };
  for (const auto& c : cases) {
    auto result = parse_record(c.record);
    if (c.message == nullptr) {
      EXPECT_TRUE(std::holds_alternative<Record>(result)) << c.record;
      continue;
    }
    ASSERT_TRUE(std::holds_alternative<SyntaxError>(result)) << c.record;
    EXPECT_EQ(std::get<SyntaxError>(result).message, c.message) << c.record;
  }
}

TEST(SpfRecord, ErrorOffsetsPointIntoTheRecord) {
  EXPECT_EQ(refused("v=spf1 a moo").offset, 9u);
  EXPECT_EQ(refused("v=spf1 a:%{q}.example.com").offset, 11u);
  EXPECT_EQ(refused("v=spf1 ip4:192.0.2.0/33").offset, 20u);
}

TEST(SpfRecord, Limits) {
  std::string big = "v=spf1";
  while (big.size() + 17 <= max_record_bytes) big += " ip4:192.0.2.1/32";
  EXPECT_TRUE(std::holds_alternative<Record>(parse_record(big)));
  big += std::string(max_record_bytes - big.size() + 1, ' ');
  EXPECT_EQ(refused(big).message, "SPF record too long");
  std::string many = "v=spf1";
  for (std::size_t i = 0; i <= max_terms; ++i) many += " a";
  EXPECT_EQ(refused(many).message, "too many terms in SPF record");
}

}  // namespace
}  // namespace atrium::mail::auth::spf
