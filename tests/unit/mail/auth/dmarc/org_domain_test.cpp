// Domain normalisation, Organizational Domains (fixed list and the system list) and alignment.
#include "mail/auth/dmarc/org_domain.hpp"

#include <gtest/gtest.h>

#include <string>

namespace atrium::mail::auth::dmarc {
namespace {

// A small list in publicsuffix.org format: ICANN-style suffixes, a wildcard with an exception
// and a private-section entry.
constexpr std::string_view test_rules =
    "// ===BEGIN ICANN DOMAINS===\n"
    "com\n"
    "org\n"
    "uk\n"
    "co.uk\n"
    "*.ck\n"
    "!www.ck\n"
    "// ===END ICANN DOMAINS===\n"
    "// ===BEGIN PRIVATE DOMAINS===\n"
    "pages.example.com\n"
    "// ===END PRIVATE DOMAINS===\n";

const PublicSuffixList& fixed() {
  static const PublicSuffixList list = *PublicSuffixList::from_rules(test_rules);
  return list;
}

TEST(DmarcDomain, Normalize) {
  EXPECT_EQ(normalize_domain("Example.COM"), "example.com");
  EXPECT_EQ(normalize_domain("example.com."), "example.com");
  EXPECT_EQ(normalize_domain("_dmarc.example.com"), "_dmarc.example.com");
  EXPECT_EQ(normalize_domain("localhost"), "localhost");
  EXPECT_EQ(normalize_domain("bücher.example"), "xn--bcher-kva.example");
  EXPECT_EQ(normalize_domain("XN--BCHER-KVA.example"), "xn--bcher-kva.example");
  EXPECT_FALSE(normalize_domain(""));
  EXPECT_FALSE(normalize_domain("."));
  EXPECT_FALSE(normalize_domain("[192.0.2.1]"));
  EXPECT_FALSE(normalize_domain("a..b"));
  EXPECT_FALSE(normalize_domain(".a.b"));
  EXPECT_FALSE(normalize_domain("a b.example"));
  EXPECT_FALSE(normalize_domain("user@example.com"));
  EXPECT_FALSE(normalize_domain(std::string("exa\0mple.com", 12)));
  EXPECT_FALSE(normalize_domain(std::string(64, 'a') + ".example"));  // label over 63
  EXPECT_TRUE(normalize_domain(std::string(63, 'a') + ".example"));
  std::string long_name;
  for (int i = 0; i < 50; ++i) long_name += "abcd.";
  long_name += "com";  // 253 octets
  EXPECT_TRUE(normalize_domain(long_name));
  EXPECT_FALSE(normalize_domain("x" + long_name));
  EXPECT_FALSE(normalize_domain(std::string(2000, 'a')));
  EXPECT_FALSE(normalize_domain("\xff\xfe.example"));  // not UTF-8
}

TEST(DmarcDomain, OrganizationalDomainFixedList) {
  const struct {
    std::string_view domain, org;
  } cases[] = {
      {"example.com", "example.com"},
      {"mail.example.com", "example.com"},
      {"a.b.c.example.com", "example.com"},
      {"MAIL.Example.COM.", "example.com"},
      {"com", "com"},                          // a public suffix is its own
      {"example.co.uk", "example.co.uk"},
      {"mail.example.co.uk", "example.co.uk"},
      {"co.uk", "co.uk"},
      {"example.uk", "example.uk"},
      {"foo.bar.ck", "foo.bar.ck"},            // *.ck: bar.ck is a suffix
      {"x.foo.bar.ck", "foo.bar.ck"},
      {"www.ck", "www.ck"},                    // !www.ck: an exception is registrable
      {"a.www.ck", "www.ck"},
      {"shop.pages.example.com", "shop.pages.example.com"},  // private entries count too
      {"mail.example.zz", "example.zz"},       // unlisted TLD: the default "*" rule
      {"localhost", "localhost"},
      {"[192.0.2.1]", ""},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(fixed().organizational_domain(c.domain), c.org) << c.domain;
  }
  EXPECT_TRUE(fixed().is_public_suffix("co.uk"));
  EXPECT_TRUE(fixed().is_public_suffix("bar.ck"));
  EXPECT_FALSE(fixed().is_public_suffix("www.ck"));
  EXPECT_FALSE(fixed().is_public_suffix("example.com"));
}

TEST(DmarcDomain, OrganizationalDomainSystemList) {
  const PublicSuffixList& psl = PublicSuffixList::system();
  EXPECT_EQ(psl.organizational_domain("mail.example.com"), "example.com");
  EXPECT_EQ(psl.organizational_domain("a.b.example.co.uk"), "example.co.uk");
  EXPECT_EQ(psl.organizational_domain("www.example.com.au"), "example.com.au");
  EXPECT_EQ(psl.organizational_domain("project.github.io"), "project.github.io");
  EXPECT_EQ(psl.organizational_domain("mail.bücher.de"), "xn--bcher-kva.de");
  EXPECT_EQ(psl.organizational_domain("co.uk"), "co.uk");
  EXPECT_TRUE(psl.is_public_suffix("co.uk"));
}

TEST(DmarcDomain, FromRulesMoves) {
  auto list = PublicSuffixList::from_rules("com\n");
  ASSERT_TRUE(list);
  PublicSuffixList moved = std::move(*list);
  EXPECT_EQ(moved.organizational_domain("a.b.com"), "b.com");
  auto empty = PublicSuffixList::from_rules("");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->organizational_domain("a.b.com"), "b.com");  // the default rule only
}

TEST(DmarcDomain, AlignmentTable) {
  const struct {
    std::string_view authenticated, from;
    Alignment mode;
    bool aligned;
  } cases[] = {
      {"example.com", "example.com", Alignment::strict, true},
      {"EXAMPLE.com.", "example.COM", Alignment::strict, true},
      {"mail.example.com", "example.com", Alignment::strict, false},
      {"mail.example.com", "example.com", Alignment::relaxed, true},
      {"example.com", "news.example.com", Alignment::relaxed, true},
      {"a.example.com", "b.example.com", Alignment::relaxed, true},
      {"a.example.com", "b.example.com", Alignment::strict, false},
      {"example.net", "example.com", Alignment::relaxed, false},
      {"example.com.evil.org", "example.com", Alignment::relaxed, false},
      {"evil-example.com", "example.com", Alignment::relaxed, false},
      // co.uk-style suffixes: sharing "co.uk" is no alignment.
      {"mail.example.co.uk", "example.co.uk", Alignment::relaxed, true},
      {"other.co.uk", "example.co.uk", Alignment::relaxed, false},
      {"co.uk", "example.co.uk", Alignment::relaxed, false},
      {"x.foo.bar.ck", "foo.bar.ck", Alignment::relaxed, true},
      {"x.baz.ck", "foo.baz.ck", Alignment::relaxed, false},
      {"", "example.com", Alignment::relaxed, false},
      {"example.com", "", Alignment::relaxed, false},
      {"[192.0.2.1]", "[192.0.2.1]", Alignment::strict, false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(aligned(c.authenticated, c.from, c.mode, fixed()), c.aligned)
        << c.authenticated << " vs " << c.from << (c.mode == Alignment::strict ? " strict" : " relaxed");
  }
}

}  // namespace
}  // namespace atrium::mail::auth::dmarc
