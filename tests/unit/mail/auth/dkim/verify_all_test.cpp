// verify_all: key lookups through the resolver interface (StaticResolver), DNS outcomes mapped
// to temperror and permerror.
#include "mail/auth/dkim/dkim.hpp"
#include "tests/unit/mail/auth/dkim/test_support.hpp"

#include <gtest/gtest.h>

namespace atrium::mail::auth::dkim {
namespace {

constexpr std::int64_t now = 1704189600;

class VerifyAll : public ::testing::Test {
 protected:
  VerifyAll() : message_(test::read_data("message.eml")) {
    const SignOptions options{.domain = "example.org", .selector = "rsa2048", .key = test::data_key("test_rsa2048.pem"), .timestamp = now};
    signed_ = sign(options, message_) + message_;
  }

  std::vector<Result> run(std::string_view message) { return test::run(verify_all(message, resolver_, now)); }

  dns::StaticResolver resolver_;
  std::string message_;
  std::string signed_;
  const std::string name_ = "rsa2048._domainkey.example.org";
};

TEST_F(VerifyAll, PassesWithThePublishedKey) {
  test::add_keys(resolver_, test::data_keys());
  const auto results = run(signed_);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].kind, ResultKind::pass) << results[0].reason;
  EXPECT_EQ(resolver_.lookups, 1);
}

TEST_F(VerifyAll, NoSignatureNoLookup) {
  EXPECT_TRUE(run(message_).empty());
  EXPECT_EQ(resolver_.lookups, 0);
}

TEST_F(VerifyAll, OneLookupPerKey) {
  test::add_keys(resolver_, test::data_keys());
  const SignOptions again{.domain = "example.org", .selector = "RSA2048", .key = test::data_key("test_rsa2048.pem"), .timestamp = now + 1};
  const std::string twice = sign(again, signed_) + signed_;
  const auto results = run(twice);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].kind, ResultKind::pass);
  EXPECT_EQ(results[1].kind, ResultKind::pass);
  EXPECT_EQ(resolver_.lookups, 1);
}

TEST_F(VerifyAll, TemporaryFailureIsTemperror) {
  resolver_.fail(name_);
  const auto results = run(signed_);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].kind, ResultKind::temperror);
  EXPECT_EQ(results[0].reason, "key lookup failed temporarily");
  EXPECT_EQ(results[0].domain, "example.org");
}

TEST_F(VerifyAll, MissingKeyIsPermerror) {
  auto results = run(signed_);  // NXDOMAIN
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].kind, ResultKind::permerror);
  EXPECT_EQ(results[0].reason, "no key record at " + name_);
  resolver_.add_a(name_, "192.0.2.1");  // the name exists, without TXT
  results = run(signed_);
  EXPECT_EQ(results[0].kind, ResultKind::permerror);
}

TEST_F(VerifyAll, UnparsableKeyIsPermerror) {
  resolver_.add_txt(name_, "v=DKIM1; k=rsa; p=!!");
  const auto results = run(signed_);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].kind, ResultKind::permerror);
  EXPECT_EQ(results[0].reason, "key record p= is not base64");
}

TEST_F(VerifyAll, PicksTheKeyRecordAmongOtherTxt) {
  resolver_.add_txt(name_, "google-site-verification=abc def");
  resolver_.add_txt(name_, test::data_keys().at(name_));
  const auto results = run(signed_);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].kind, ResultKind::pass) << results[0].reason;
}

TEST_F(VerifyAll, MessageWithBrokenSignatureNeedsNoDns) {
  const auto results = run("DKIM-Signature: v=1; d=example.org\r\n" + message_);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].kind, ResultKind::neutral);
  EXPECT_EQ(resolver_.lookups, 0);
}

}  // namespace
}  // namespace atrium::mail::auth::dkim
