// Table tests for the value syntaxes shared by the config file and the admin CLI.
#include "core/config/values.hpp"

#include <gtest/gtest.h>

namespace atrium::config {
namespace {

TEST(ParseSize, AcceptsBytesAndBinarySuffixes) {
  std::string why;
  EXPECT_EQ(parse_size("0", why), 0u);
  EXPECT_EQ(parse_size("1500", why), 1500u);
  EXPECT_EQ(parse_size("512K", why), 512u << 10);
  EXPECT_EQ(parse_size("50M", why), 50u << 20);
  EXPECT_EQ(parse_size("50m", why), 50u << 20);
  EXPECT_EQ(parse_size("1G", why), 1u << 30);
  EXPECT_EQ(parse_size("2GiB", why), std::uint64_t{2} << 30);
  EXPECT_EQ(parse_size("3T", why), std::uint64_t{3} << 40);
  EXPECT_EQ(parse_size("18446744073709551615", why), UINT64_MAX);
}

TEST(ParseSize, RefusesEverythingElse) {
  for (const char* bad : {"", "M", "-1", "1.5G", "50MB", "50 M", "10X", "1G1", "0x10", "18446744073709551616",
                          "16777216T"}) {
    std::string why;
    EXPECT_FALSE(parse_size(bad, why)) << bad;
    EXPECT_FALSE(why.empty()) << bad;
  }
  std::string why;
  parse_size("50MB", why);
  EXPECT_EQ(why, "unknown size suffix \"MB\" (use K, M, G or T, binary multiples)");
}

TEST(FormatSize, ShortestExactForm) {
  EXPECT_EQ(format_size(0), "0");
  EXPECT_EQ(format_size(1500), "1500");
  EXPECT_EQ(format_size(1024), "1K");
  EXPECT_EQ(format_size(50u << 20), "50M");
  EXPECT_EQ(format_size((1u << 30) + (1u << 20)), "1025M");
  EXPECT_EQ(format_size(std::uint64_t{5} << 40), "5T");
}

TEST(ValidHostname, AcceptsNames) {
  std::string why;
  for (const char* ok : {"localhost", "mail.example.com", "MX1.Example.org", "a-b.c", "xn--bcher-kva.example"}) {
    EXPECT_TRUE(valid_hostname(ok, why)) << ok << ": " << why;
  }
}

TEST(ValidHostname, RefusesNonNames) {
  for (const char* bad : {"", "mail.example.com.", "-a.example", "a-.example", "a..b", "under_score.example",
                          "sp ace", "1.2.3.4", "example.123"}) {
    std::string why;
    EXPECT_FALSE(valid_hostname(bad, why)) << bad;
    EXPECT_FALSE(why.empty()) << bad;
  }
  std::string why;
  EXPECT_FALSE(valid_hostname(std::string(64, 'a') + ".example", why));
  EXPECT_EQ(why, "label longer than 63 characters in host name");
  EXPECT_FALSE(valid_hostname(std::string(250, 'a') + ".example", why));
}

TEST(ParseEndpoint, ReadsTheThreeHostForms) {
  std::string why;
  auto v4 = parse_endpoint("127.0.0.1:143", why);
  ASSERT_TRUE(v4) << why;
  EXPECT_EQ(*v4, (Endpoint{"127.0.0.1", 143, HostKind::ipv4}));
  EXPECT_EQ(v4->to_string(), "127.0.0.1:143");

  auto v6 = parse_endpoint("[::1]:993", why);
  ASSERT_TRUE(v6) << why;
  EXPECT_EQ(*v6, (Endpoint{"::1", 993, HostKind::ipv6}));
  EXPECT_EQ(v6->to_string(), "[::1]:993");

  auto any6 = parse_endpoint("[::]:25", why);
  ASSERT_TRUE(any6) << why;
  EXPECT_EQ(any6->host, "::");

  auto name = parse_endpoint("Mail.Example.com:65535", why);
  ASSERT_TRUE(name) << why;
  EXPECT_EQ(*name, (Endpoint{"mail.example.com", 65535, HostKind::name}));
}

TEST(ParseEndpoint, ExplainsEachRefusal) {
  struct Case {
    const char* text;
    const char* why;
  };
  const Case cases[] = {
      {"127.0.0.1:99999", "port out of range (1-65535)"},
      {"127.0.0.1:0", "port out of range (1-65535)"},
      {"127.0.0.1:", "missing port"},
      {"127.0.0.1", "missing port (expected host:port)"},
      {"127.0.0.1:ab", "port is not a number"},
      {"127.0.0.1:-1", "port is not a number"},
      {"*:25", "\"*\" is not an address; use 0.0.0.0 for every IPv4 address or [::] for every address"},
      {":25", "missing host; use 0.0.0.0 for every IPv4 address or [::] for every address"},
      {"::1:25", "an IPv6 address must be in brackets, e.g. [::1]:143"},
      {"[::1]", "missing port (expected [address]:port)"},
      {"[::1:25", "missing ']' after IPv6 address"},
      {"[zz::1]:25", "invalid IPv6 address"},
      {"256.0.0.1:25", "invalid IPv4 address"},
      {"1.2.3:25", "invalid IPv4 address"},
      {"bad_host:25", "character '_' not allowed in host name"},
  };
  for (const auto& c : cases) {
    std::string why;
    EXPECT_FALSE(parse_endpoint(c.text, why)) << c.text;
    EXPECT_EQ(why, c.why) << c.text;
  }
}

TEST(ValidNetwork, AddressesAndCidrs) {
  std::string why;
  for (const char* ok : {"127.0.0.1", "10.0.0.0/8", "0.0.0.0/0", "192.0.2.1/32", "::1", "2001:db8::/32", "::/0",
                         "2001:db8::1/128"}) {
    EXPECT_TRUE(valid_network(ok, why)) << ok << ": " << why;
  }
  for (const char* bad : {"", "10.0.0.0/33", "2001:db8::/129", "10.0.0.0/", "10.0.0.0/x", "example.com", "10/8"}) {
    EXPECT_FALSE(valid_network(bad, why)) << bad;
  }
  valid_network("10.0.0.0/33", why);
  EXPECT_EQ(why, "prefix length must be 0-32");
}

}  // namespace
}  // namespace atrium::config
