// RFC 5321 paths: canonical mailbox form, quoting, routing characters, source routes, limits.
#include "mail/smtp/path.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>

namespace atrium::smtp {
namespace {

Path forward(std::string_view text) {
  auto r = parse_path(text, PathKind::forward);
  EXPECT_TRUE(std::holds_alternative<ParsedPath>(r)) << text;
  return std::holds_alternative<ParsedPath>(r) ? std::get<ParsedPath>(r).path : Path();
}

struct Canonical {
  std::string text;
  std::string mailbox;
  bool quoted;
  bool routing;
};

class PathCanonical : public ::testing::TestWithParam<Canonical> {};

TEST_P(PathCanonical, MailboxAndFlags) {
  const Canonical& c = GetParam();
  Path p = forward(c.text);
  EXPECT_EQ(p.mailbox(), c.mailbox) << c.text;
  EXPECT_EQ(p.local_quoted(), c.quoted) << c.text;
  EXPECT_EQ(p.has_routing_characters(), c.routing) << c.text;
  // The canonical form parses back to the same mailbox.
  Path again = forward(fmt::format("<{}>", p.mailbox()));
  EXPECT_EQ(again.mailbox(), p.mailbox());
}

const Canonical canonical_cases[] = {
    {"<alice@Local.TEST>", "alice@local.test", false, false},
    {"<Alice@local.test>", "Alice@local.test", false, false},  // local part kept as given
    {"<\"alice\"@local.test>", "alice@local.test", true, false},
    {"<\"john doe\"@local.test>", "\"john doe\"@local.test", true, false},
    {"<\"a\\\"b\"@local.test>", "\"a\\\"b\"@local.test", true, false},
    {"<\"a\\\\b\"@local.test>", "\"a\\\\b\"@local.test", true, false},
    {"<\"a\\b\"@local.test>", "ab@local.test", true, false},  // quoted-pair of a plain char
    {"<user%evil.example@local.test>", "user%evil.example@local.test", false, true},
    {"<evil.example!user@local.test>", "evil.example!user@local.test", false, true},
    {"<\"user@evil.example\"@local.test>", "\"user@evil.example\"@local.test", true, true},
    {"<\"@evil.example:user\"@local.test>", "\"@evil.example:user\"@local.test", true, true},
    {"<@relay.example:user@local.test>", "user@local.test", false, false},
    {"<@a.example,@b.example:user@Evil.Example>", "user@evil.example", false, false},
    {"<x@[192.0.2.7]>", "x@[192.0.2.7]", false, false},
    {"<x@[IPv6:2001:db8::7]>", "x@[IPv6:2001:db8::7]", false, false},
    {"<x@[tag:any-thing]>", "x@[tag:any-thing]", false, false},
    {"<Postmaster>", "postmaster", false, false},
    {"<o'brien+tag@local.test>", "o'brien+tag@local.test", false, false},
};

INSTANTIATE_TEST_SUITE_P(Smtp, PathCanonical, ::testing::ValuesIn(canonical_cases));

TEST(Path, SourceRouteIsDroppedButNoted) {
  Path p = forward("<@a.example,@b.example:user@c.example>");
  EXPECT_TRUE(p.had_source_route());
  EXPECT_EQ(p.domain(), "c.example");
  EXPECT_FALSE(forward("<user@c.example>").had_source_route());
}

TEST(Path, NullAndPostmaster) {
  auto r = parse_path("<>", PathKind::reverse);
  ASSERT_TRUE(std::holds_alternative<ParsedPath>(r));
  EXPECT_TRUE(std::get<ParsedPath>(r).path.is_null());
  EXPECT_EQ(std::get<ParsedPath>(r).path.mailbox(), "");
  EXPECT_EQ(std::get<PathError>(parse_path("<>", PathKind::forward)), PathError::null_not_allowed);
  EXPECT_TRUE(forward("<postmaster>").is_postmaster());
  EXPECT_FALSE(forward("<postmaster@local.test>").is_postmaster());
  EXPECT_EQ(std::get<PathError>(parse_path("<Postmaster>", PathKind::reverse)), PathError::syntax);
}

TEST(Path, LengthOfWhatFollows) {
  auto r = parse_path("<a@b.example> SIZE=10", PathKind::reverse);
  ASSERT_TRUE(std::holds_alternative<ParsedPath>(r));
  EXPECT_EQ(std::get<ParsedPath>(r).length, 13u);
}

TEST(Path, Limits) {
  const std::string local64(64, 'l');
  EXPECT_TRUE(std::holds_alternative<ParsedPath>(parse_path("<" + local64 + "@b.example>", PathKind::forward)));
  EXPECT_EQ(std::get<PathError>(parse_path("<" + local64 + "l@b.example>", PathKind::forward)), PathError::too_long);
  // 62 quoted octets + 2 quotes = 64: fits; one more does not.
  const std::string q62(62, 'q');
  EXPECT_TRUE(std::holds_alternative<ParsedPath>(parse_path("<\"" + q62 + "\"@b.example>", PathKind::forward)));
  EXPECT_EQ(std::get<PathError>(parse_path("<\"" + q62 + "q\"@b.example>", PathKind::forward)), PathError::too_long);
  // A whole path over 256 octets, each part within its own limit.
  std::string domain;
  for (int i = 0; i < 3; ++i) domain += std::string(63, 'd') + ".";
  domain += "example";  // 199 octets
  EXPECT_EQ(std::get<PathError>(parse_path("<" + local64 + "@" + domain + ">", PathKind::forward)), PathError::too_long);
}

TEST(Path, Utf8NeedsValidEncoding) {
  EXPECT_TRUE(forward("<δοκιμή@παράδειγμα.δοκιμή>").has_utf8());
  EXPECT_TRUE(forward("<\"ü ö\"@example.org>").has_utf8());
  EXPECT_EQ(std::get<PathError>(parse_path("<\xc3(@example.org>", PathKind::forward)), PathError::syntax);
  EXPECT_EQ(std::get<PathError>(parse_path("<a@\xe2\x82.org>", PathKind::forward)), PathError::syntax);
}

TEST(Path, DomainAndLiteralValidators) {
  EXPECT_TRUE(is_valid_domain("a.example", false));
  EXPECT_TRUE(is_valid_domain("1.2", false));
  EXPECT_FALSE(is_valid_domain("-a.example", false));
  EXPECT_FALSE(is_valid_domain("a-.example", false));
  EXPECT_FALSE(is_valid_domain("a..example", false));
  EXPECT_FALSE(is_valid_domain(std::string(64, 'a') + ".example", false));
  EXPECT_FALSE(is_valid_domain("ü.example", false));
  EXPECT_TRUE(is_valid_domain("ü.example", true));
  EXPECT_TRUE(is_valid_address_literal("[0.0.0.0]"));
  EXPECT_TRUE(is_valid_address_literal("[255.255.255.255]"));
  EXPECT_FALSE(is_valid_address_literal("[256.1.1.1]"));
  EXPECT_FALSE(is_valid_address_literal("[1.2.3.4.5]"));
  EXPECT_FALSE(is_valid_address_literal("[1.2.3.]"));
  EXPECT_FALSE(is_valid_address_literal("[1234.1.1.1]"));
  EXPECT_TRUE(is_valid_address_literal("[IPv6:::]"));
  EXPECT_TRUE(is_valid_address_literal("[ipv6:fe80::1]"));
  EXPECT_FALSE(is_valid_address_literal("[IPv6:1:2:3]"));
  for (const char* ok : {"[IPv6:1:2:3:4:5:6:7:8]", "[IPv6:2001:DB8::1]", "[IPv6:::1]", "[IPv6:1::]",
                         "[IPv6:::ffff:192.0.2.1]", "[IPv6:1:2:3:4:5:6:192.0.2.1]", "[IPv6:1:2:3::4:5:6]"}) {
    EXPECT_TRUE(is_valid_address_literal(ok)) << ok;
  }
  for (const char* bad : {"[IPv6:1:2:3:4:5:6:7:8:9]", "[IPv6:1:2:3:4:5:6:7::]", "[IPv6:1::2::3]", "[IPv6::1:2]",
                          "[IPv6:12345::]", "[IPv6:g::]", "[IPv6:1.2.3.4::]", "[IPv6:::1.2.3]", "[IPv6:]"}) {
    EXPECT_FALSE(is_valid_address_literal(bad)) << bad;
  }
  EXPECT_FALSE(is_valid_address_literal("[]"));
  EXPECT_FALSE(is_valid_address_literal("[x:]"));
  EXPECT_FALSE(is_valid_address_literal("[x:a[b]"));
}

}  // namespace
}  // namespace atrium::smtp
