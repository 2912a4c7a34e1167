// Macro strings (RFC 7208 §7): the §7.4 examples exactly, transformers, escapes, URL escaping,
// the explanation-only letters, the 253-octet rule, and syntax errors.
#include "mail/auth/spf/address.hpp"
#include "mail/auth/spf/macro.hpp"

#include <gtest/gtest.h>

#include <string>

namespace atrium::mail::auth::spf {
namespace {

// The §7.4 setting: <sender> strong-bad@email.example.com, <ip> 192.0.2.3 or 2001:db8::cb01,
// PTR name mx.example.org.
MacroValues rfc_values(std::string_view client = "192.0.2.3") {
  auto ip = parse_address(client);
  MacroValues v;
  v.sender = "strong-bad@email.example.com";
  v.local_part = "strong-bad";
  v.sender_domain = "email.example.com";
  v.domain = "email.example.com";
  v.ip = dotted_form(*ip);
  v.validated = "mx.example.org";
  v.ip_version = ip->is_v4() ? "in-addr" : "ip6";
  v.helo = "mx.example.org";
  v.client_ip = to_string(*ip);
  v.receiver = "receiver.example.net";
  v.timestamp = "1700000000";
  return v;
}

MacroString parsed(std::string_view text, MacroContext context = MacroContext::record) {
  auto result = parse_macro_string(text, context);
  EXPECT_TRUE(std::holds_alternative<MacroString>(result)) << text;
  if (auto* m = std::get_if<MacroString>(&result)) return *m;
  return {};
}

std::string expanded(std::string_view text, const MacroValues& values = rfc_values(),
                     MacroContext context = MacroContext::record) {
  return expand(parsed(text, context), values);
}

std::string error_of(std::string_view text, MacroContext context = MacroContext::record) {
  auto result = parse_macro_string(text, context);
  if (auto* e = std::get_if<SyntaxError>(&result)) return e->message;
  return "";
}

struct Example {
  const char* macro;
  const char* expansion;
};

// RFC 7208 §7.4, first table.
TEST(SpfMacro, Rfc7208Section74Letters) {
  const Example examples[] = {
      {"%{s}", "strong-bad@email.example.com"},
      {"%{o}", "email.example.com"},
      {"%{d}", "email.example.com"},
      {"%{d4}", "email.example.com"},
      {"%{d3}", "email.example.com"},
      {"%{d2}", "example.com"},
      {"%{d1}", "com"},
      {"%{dr}", "com.example.email"},
      {"%{d2r}", "example.email"},
      {"%{l}", "strong-bad"},
      {"%{l-}", "strong.bad"},
      {"%{lr}", "strong-bad"},
      {"%{lr-}", "bad.strong"},
      {"%{l1r-}", "strong"},
  };
  for (const auto& e : examples) EXPECT_EQ(expanded(e.macro), e.expansion) << e.macro;
}

// RFC 7208 §7.4, second table (IPv4 client) and the IPv6 example.
TEST(SpfMacro, Rfc7208Section74Strings) {
  const Example examples[] = {
      {"%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com"},
      {"%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"},
      {"%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com"},
      {"%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com"},
      {"%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net"},
  };
  for (const auto& e : examples) EXPECT_EQ(expanded(e.macro), e.expansion) << e.macro;
  EXPECT_EQ(expanded("%{ir}.%{v}._spf.%{d2}", rfc_values("2001:db8::cb01")),
            "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com");
}

TEST(SpfMacro, EveryLetter) {
  const auto v = rfc_values();
  EXPECT_EQ(expanded("%{i}"), "192.0.2.3");
  EXPECT_EQ(expanded("%{p}"), "mx.example.org");
  EXPECT_EQ(expanded("%{p2}"), "example.org");
  EXPECT_EQ(expanded("%{v}"), "in-addr");
  EXPECT_EQ(expanded("%{h}"), "mx.example.org");
  EXPECT_EQ(expanded("%{c}", v, MacroContext::explanation), "192.0.2.3");
  EXPECT_EQ(expanded("%{r}", v, MacroContext::explanation), "receiver.example.net");
  EXPECT_EQ(expanded("%{t}", v, MacroContext::explanation), "1700000000");
  const auto v6 = rfc_values("2001:db8::cb01");
  EXPECT_EQ(expanded("%{c}", v6, MacroContext::explanation), "2001:db8::cb01");
  EXPECT_EQ(expanded("%{v}", v6), "ip6");
  EXPECT_EQ(expanded("%{i}", v6), "2.0.0.1.0.d.b.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.c.b.0.1");
}

TEST(SpfMacro, Transformers) {
  EXPECT_EQ(expanded("%{s1}"), "com");                       // split on '.' only by default
  EXPECT_EQ(expanded("%{s-}"), "strong.bad@email.example.com");  // rejoined with '.'
  EXPECT_EQ(expanded("%{s2r.-}"), "bad@email.strong");
  EXPECT_EQ(error_of("%{s@}"), "invalid character in macro");  // '@' is no delimiter
  EXPECT_EQ(expanded("%{d100}"), "email.example.com");  // more parts than there are: all
  EXPECT_EQ(expanded("%{d99999999999999999999}"), "email.example.com");
  EXPECT_EQ(expanded("%{dR}"), "com.example.email");    // "r" is case-insensitive in ABNF
  EXPECT_EQ(expanded("%{D2}"), "example.com");          // upper-case letter: URL-escaped, nothing to escape
  auto v = rfc_values();
  v.local_part = "a+b,c/d_e=f";
  EXPECT_EQ(expand(parsed("%{l+,/_=}"), v), "a.b.c.d.e.f");
}

TEST(SpfMacro, EscapesAndUrlEscaping) {
  EXPECT_EQ(expanded("100%%"), "100%");
  EXPECT_EQ(expanded("a%_b"), "a b");
  EXPECT_EQ(expanded("a%-b"), "a%20b");
  auto v = rfc_values();
  v.local_part = "~jack&jill=up-a_b3.c";
  EXPECT_EQ(expand(parsed("%{L}"), v), "~jack%26jill%3Dup-a_b3.c");
  EXPECT_EQ(expand(parsed("%{l}"), v), "~jack&jill=up-a_b3.c");
  EXPECT_EQ(expand(parsed("%{S}"), rfc_values()), "strong-bad%40email.example.com");
  v.local_part = "a b/\xC3\xA9";
  EXPECT_EQ(expand(parsed("%{L}"), v), "a%20b%2F%C3%A9");
}

TEST(SpfMacro, ExplanationContext) {
  EXPECT_EQ(error_of("%{c}"), "macro letters c, r and t are allowed only in explanations");
  EXPECT_EQ(error_of("%{r}"), "macro letters c, r and t are allowed only in explanations");
  EXPECT_EQ(error_of("%{T}"), "macro letters c, r and t are allowed only in explanations");
  EXPECT_EQ(error_of("a b"), "character not allowed in a macro string");  // SP only in explain-string
  EXPECT_EQ(expanded("%{i} is not one of %{d}'s designated mail servers.", rfc_values(), MacroContext::explanation),
            "192.0.2.3 is not one of email.example.com's designated mail servers.");
  EXPECT_EQ(expanded("See http://%{d}/why.html?s=%{S}&i=%{I}", rfc_values(), MacroContext::explanation),
            "See http://email.example.com/why.html?s=strong-bad%40email.example.com&i=192.0.2.3");
}

TEST(SpfMacro, SyntaxErrors) {
  EXPECT_EQ(error_of("%"), "'%' at the end of a macro string");
  EXPECT_EQ(error_of("%a"), "'%' must start %%, %_, %- or %{");
  EXPECT_EQ(error_of("%{"), "unterminated macro");
  EXPECT_EQ(error_of("%{d"), "unterminated macro");
  EXPECT_EQ(error_of("%{x}"), "unknown macro letter");
  EXPECT_EQ(error_of("%{d0}"), "macro DIGIT transformer must be nonzero");
  EXPECT_EQ(error_of("%{d2x}"), "invalid character in macro");
  EXPECT_EQ(error_of("%{d:}"), "invalid character in macro");
  EXPECT_EQ(error_of("a\tb", MacroContext::explanation), "character not allowed in a macro string");
  EXPECT_EQ(error_of("caf\xC3\xA9"), "character not allowed in a macro string");
  EXPECT_EQ(error_of(std::string(max_macro_text + 1, 'a')), "macro string too long");
  auto e = parse_macro_string("ab%{q}", MacroContext::record);
  ASSERT_TRUE(std::holds_alternative<SyntaxError>(e));
  EXPECT_EQ(std::get<SyntaxError>(e).offset, 4u);
}

TEST(SpfMacro, DomainSpecEnd) {
  auto ok = [](std::string_view text) { return std::holds_alternative<MacroString>(parse_domain_spec(text)); };
  EXPECT_TRUE(ok("example.com"));
  EXPECT_TRUE(ok("example.com."));
  EXPECT_TRUE(ok("_spf.example.com"));
  EXPECT_TRUE(ok("%{d}"));
  EXPECT_TRUE(ok("%{ir}.%{v}._spf.%{d2}"));
  EXPECT_TRUE(ok("%{d}.example.com"));
  EXPECT_TRUE(ok("foo.%%"));  // %% is a macro-expand, so it may end a domain-spec
  EXPECT_TRUE(ok("a.1-2"));   // toplabel of digits with a hyphen
  EXPECT_TRUE(ok("a.b2"));
  EXPECT_FALSE(ok(""));
  EXPECT_FALSE(ok("com"));         // no "." toplabel
  EXPECT_FALSE(ok("1.2.3.4"));     // toplabel without a letter
  EXPECT_FALSE(ok("%{d}com"));
  EXPECT_FALSE(ok("%{d}."));
  EXPECT_FALSE(ok("example.com:8080"));
  EXPECT_FALSE(ok("example.-com"));
  EXPECT_FALSE(ok("example.com-"));
  EXPECT_FALSE(ok("example.com.."));
  EXPECT_FALSE(ok("example.c_m"));
}

// §4.8: over 253 octets, labels are dropped from the left until the name fits.
TEST(SpfMacro, DomainTruncation) {
  auto v = rfc_values();
  v.local_part = std::string(60, 'x');
  const auto spec = std::get<MacroString>(parse_domain_spec("%{l}.%{l}.%{l}.%{l}.%{l}.example.com."));
  // 5 * 61 + 11 = 316 octets: dropping two labels leaves 194.
  const std::string name = expand_domain(spec, v);
  EXPECT_EQ(name, v.local_part + "." + v.local_part + "." + v.local_part + ".example.com");
  EXPECT_LE(name.size(), 253u);
  v.local_part = std::string(300, 'y');  // one label too long to be shortened: left alone
  EXPECT_EQ(expand_domain(std::get<MacroString>(parse_domain_spec("%{l}")), v).size(), 300u);
  EXPECT_EQ(expand_domain(std::get<MacroString>(parse_domain_spec("a.example.com.")), v), "a.example.com");
}

TEST(SpfMacro, DomainValidity) {
  EXPECT_TRUE(is_valid_domain("example.com", true));
  EXPECT_TRUE(is_valid_domain("localhost", false));
  EXPECT_FALSE(is_valid_domain("localhost", true));
  EXPECT_FALSE(is_valid_domain("", false));
  EXPECT_FALSE(is_valid_domain("a..b", false));
  EXPECT_FALSE(is_valid_domain(".a", false));
  EXPECT_TRUE(is_valid_domain("a b.com", false));  // odd but legal: %_ makes such names
  EXPECT_FALSE(is_valid_domain("a\tb.com", false));
  EXPECT_FALSE(is_valid_domain("a\x7F.com", false));
  EXPECT_FALSE(is_valid_domain(std::string(64, 'a') + ".com", false));
  EXPECT_TRUE(is_valid_domain(std::string(63, 'a') + ".com", false));
}

TEST(SpfMacro, UsesLetter) {
  EXPECT_TRUE(parsed("%{p}.example.com").uses('p'));
  EXPECT_TRUE(parsed("x.%{P2}").uses('p'));
  EXPECT_FALSE(parsed("%{d}.example.com").uses('p'));
}

TEST(SpfAddress, ParseAndMatch) {
  EXPECT_TRUE(parse_ip4("192.0.2.3"));
  EXPECT_FALSE(parse_ip4("192.0.2.03"));
  EXPECT_FALSE(parse_ip4("192.0.2.256"));
  EXPECT_FALSE(parse_ip4("192.0.2"));
  EXPECT_FALSE(parse_ip4("192.0.2.3."));
  EXPECT_FALSE(parse_ip4("1234.0.2.3"));
  EXPECT_TRUE(parse_ip6("2001:db8::1"));
  EXPECT_TRUE(parse_ip6("::ffff:192.0.2.3"));
  EXPECT_FALSE(parse_ip6("fe80::1%eth0"));
  EXPECT_FALSE(parse_ip6("2001:db8:zzzz::"));
  EXPECT_FALSE(parse_ip6("192.0.2.3"));
  const auto mapped = parse_address("::ffff:192.0.2.3");
  ASSERT_TRUE(mapped);
  EXPECT_TRUE(mapped->is_v4());
  EXPECT_EQ(to_string(*mapped), "192.0.2.3");
  EXPECT_TRUE(parse_ip6("::ffff:192.0.2.3")->family == IpAddress::Family::v6);

  const auto ip = *parse_address("192.0.2.3");
  EXPECT_TRUE(in_network(ip, *parse_ip4("192.0.2.0"), 24));
  EXPECT_TRUE(in_network(ip, *parse_ip4("192.0.2.2"), 31));
  EXPECT_FALSE(in_network(ip, *parse_ip4("192.0.2.2"), 32));
  EXPECT_TRUE(in_network(ip, *parse_ip4("10.0.0.0"), 0));
  EXPECT_FALSE(in_network(ip, *parse_ip6("::"), 0));  // families never match
  const auto ip6 = *parse_address("2001:db8:1234::face:b007");
  EXPECT_TRUE(in_network(ip6, *parse_ip6("2001:db8::"), 32));
  EXPECT_TRUE(in_network(ip6, *parse_ip6("2001:db8:1234::"), 48));
  EXPECT_FALSE(in_network(ip6, *parse_ip6("2001:db8:1235::"), 48));
  EXPECT_TRUE(in_network(ip6, *parse_ip6("2001:db8:1235::"), 47));
}

}  // namespace
}  // namespace atrium::mail::auth::spf
