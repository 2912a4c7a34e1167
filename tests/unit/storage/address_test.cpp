// Address syntax: what the directory accepts and how it is normalised.
#include "storage/address.hpp"

#include <gtest/gtest.h>

namespace atrium::storage {
namespace {

TEST(Address, NormalisesCaseOfAsciiAndKeepsUtf8) {
  EXPECT_EQ(normalise_address("John.Doe@Example.TEST").value(), "john.doe@example.test");
  EXPECT_EQ(normalise_address("user+tag@example.test.").value(), "user+tag@example.test");
  EXPECT_EQ(normalise_address("j\xc3\xb6rg@example.test").value(), "j\xc3\xb6rg@example.test");
}

TEST(Address, RefusesRoutingTricksAndBadSyntax) {
  std::string why;
  for (const char* bad : {"", "plain", "@example.test", "a@", "a..b@example.test", ".a@example.test",
                          "a.@example.test", "\"quoted\"@example.test", "a%b@example.test", "a!b@example.test",
                          "a b@example.test", "a@b@example.test", "@route:a@example.test", "a@localhost",
                          "a@-bad.test", "a@bad-.test", "a@ex_ample.test", "a@example..test", "a\n@example.test"}) {
    EXPECT_FALSE(normalise_address(bad, &why).has_value()) << bad;
  }
  EXPECT_FALSE(normalise_address(std::string(65, 'a') + "@example.test", &why));
  EXPECT_EQ(why, "local part longer than 64 octets");
  EXPECT_FALSE(normalise_domain(std::string(64, 'a') + ".test", &why));
}

TEST(Address, SplitsLocalAndDomain) {
  EXPECT_EQ(address_domain("a@example.test"), "example.test");
  EXPECT_EQ(address_local("a@example.test"), "a");
}

}  // namespace
}  // namespace atrium::storage
