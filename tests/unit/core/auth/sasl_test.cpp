// SASL PLAIN and LOGIN exchanges and the strict base64 codec.
#include "core/auth/sasl.hpp"

#include <gtest/gtest.h>

#include <string>

namespace atrium::auth {
namespace {

using namespace std::string_literals;

SaslServer make(std::string_view mechanism) {
  auto created = SaslServer::create(mechanism);
  EXPECT_TRUE(std::holds_alternative<SaslServer>(created)) << mechanism;
  return std::get<SaslServer>(std::move(created));
}

std::string b64(std::string_view s) { return base64_encode(s); }

Credentials credentials(const SaslStep& step) {
  const auto* c = std::get_if<Credentials>(&step);
  EXPECT_NE(c, nullptr) << (std::holds_alternative<SaslError>(step) ? std::get<SaslError>(step).message : "challenge");
  return c ? *c : Credentials{};
}

SaslError::Kind error_kind(const SaslStep& step) {
  const auto* e = std::get_if<SaslError>(&step);
  EXPECT_NE(e, nullptr);
  return e ? e->kind : SaslError::Kind::malformed;
}

std::string challenge(const SaslStep& step) {
  const auto* c = std::get_if<Challenge>(&step);
  EXPECT_NE(c, nullptr);
  return c ? c->b64 : "<none>";
}

TEST(Base64, Rfc4648TestVectors) {
  const std::pair<std::string_view, std::string_view> vectors[] = {
      {"", ""},         {"f", "Zg=="},        {"fo", "Zm8="},        {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
  };
  for (auto [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(plain), encoded);
    auto decoded = base64_decode(encoded);
    ASSERT_TRUE(decoded) << encoded;
    EXPECT_EQ(*decoded, plain);
  }
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  EXPECT_EQ(base64_decode(base64_encode(all)), all);
}

TEST(Base64, StrictDecodingRejectsAsValue) {
  for (std::string_view bad : {"Zg", "Zg=", "Zm9", "Zm9v=", "Z===", "====", "Zg==Zg==", "Zm 9v", "Zm9v\r\n",
                               "Zm9-", "Zm9_", "Zh==", "Zm9=", "=Zm9", "Zm=v"}) {
    EXPECT_FALSE(base64_decode(bad)) << bad;
  }
  EXPECT_FALSE(base64_decode("Zm9\0"s));
  // Non-zero pad bits: a lenient decoder reads "Zh==" as "f" and "Zm9=" as "fo".
  EXPECT_TRUE(base64_decode("Zg=="));
  EXPECT_TRUE(base64_decode("Zm8="));
}

TEST(SaslMechanisms, ListedAndCaseInsensitive) {
  auto list = supported_mechanisms();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0], "PLAIN");
  EXPECT_EQ(list[1], "LOGIN");
  EXPECT_EQ(parse_sasl_mechanism("plain"), SaslMechanism::plain);
  EXPECT_EQ(parse_sasl_mechanism("Login"), SaslMechanism::login);
  EXPECT_EQ(sasl_mechanism_name(SaslMechanism::login), "LOGIN");
  EXPECT_FALSE(parse_sasl_mechanism("CRAM-MD5"));
  EXPECT_FALSE(parse_sasl_mechanism("PLAINX"));
  auto created = SaslServer::create("SCRAM-SHA-256");
  ASSERT_TRUE(std::holds_alternative<SaslError>(created));
  EXPECT_EQ(std::get<SaslError>(created).kind, SaslError::Kind::unsupported_mechanism);
}

// RFC 4616 section 4, first example: empty challenge, then "<NUL>tim<NUL>tanstaaftanstaaf".
TEST(SaslPlain, Rfc4616ExampleWithoutInitialResponse) {
  auto s = make("PLAIN");
  EXPECT_EQ(challenge(s.start(std::nullopt)), "");
  EXPECT_FALSE(s.finished());
  auto r = s.step("AHRpbQB0YW5zdGFhZnRhbnN0YWFm");
  const Credentials c = credentials(r);
  EXPECT_EQ(c.authzid, "");
  EXPECT_EQ(c.authcid, "tim");
  EXPECT_EQ(c.password, "tanstaaftanstaaf");
  EXPECT_TRUE(s.finished());
}

// RFC 4616 section 4, second example: Kurt asks to act as Ursel, in an initial response; the
// server refuses ("Not authorized to requested authorization identity").
TEST(SaslPlain, Rfc4616ExampleAuthzidOfAnotherUserIsRefused) {
  auto s = make("PLAIN");
  auto r = s.start("VXJzZWwAS3VydAB4aXBqM3BsbXE=");
  EXPECT_EQ(error_kind(r), SaslError::Kind::authzid_refused);
  EXPECT_TRUE(s.finished());
}

// RFC 4959 / RFC 4616 "test\0test\0test": authzid equal to authcid is acting as oneself.
TEST(SaslPlain, InitialResponseWithAuthzidEqualToAuthcid) {
  auto s = make("plain");
  const Credentials c = credentials(s.start("dGVzdAB0ZXN0AHRlc3Q="));
  EXPECT_EQ(c.authzid, "test");
  EXPECT_EQ(c.authcid, "test");
  EXPECT_EQ(c.password, "test");
}

TEST(SaslPlain, Utf8IdentityAndPassword) {
  auto s = make("PLAIN");
  const Credentials c = credentials(s.start(b64("\0j\xc3\xbcrgen@example.org\0p\xc3\xa4ss w\xc3\xb6rd"s)));
  EXPECT_EQ(c.authcid, "j\xc3\xbcrgen@example.org");
  EXPECT_EQ(c.password, "p\xc3\xa4ss w\xc3\xb6rd");
}

TEST(SaslPlain, EmptyInitialResponseIsMalformed) {
  // "=" is an empty initial response (RFC 4959); an empty PLAIN message has no fields.
  auto s = make("PLAIN");
  auto r = s.start("=");
  EXPECT_EQ(error_kind(r), SaslError::Kind::malformed);
}

TEST(SaslPlain, EqualsSignOnlyMeansEmptyInAnInitialResponse) {
  auto s = make("PLAIN");
  challenge(s.start(std::nullopt));
  EXPECT_EQ(error_kind(s.step("=")), SaslError::Kind::malformed);
}

TEST(SaslPlain, MalformedMessages) {
  const std::string cases[] = {
      "user\0pass"s,           // one separator
      "userpass"s,             // none
      "\0\0pass"s,             // empty authcid
      "\0user\0"s,             // empty password
      "\0user\0pa\0ss"s,       // NUL in password
      "\0us\xff" "er\0pass"s,  // authcid not UTF-8
      "\xc3\0user\0pass"s,     // authzid not UTF-8
  };
  for (const auto& message : cases) {
    auto s = make("PLAIN");
    challenge(s.start(std::nullopt));
    EXPECT_EQ(error_kind(s.step(b64(message))), SaslError::Kind::malformed) << b64(message);
    EXPECT_TRUE(s.finished());
  }
}

TEST(SaslPlain, BadBase64IsMalformed) {
  auto s = make("PLAIN");
  challenge(s.start(std::nullopt));
  auto r = s.step("AHRpbQB0YW5zdGFhZnRhbnN0YWFm!");
  EXPECT_EQ(error_kind(r), SaslError::Kind::malformed);
  EXPECT_EQ(std::get<SaslError>(r).message, "invalid base64");
  auto s2 = make("PLAIN");
  EXPECT_EQ(error_kind(s2.start("not base64")), SaslError::Kind::malformed);
}

TEST(SaslPlain, OversizeResponseIsMalformedBeforeDecoding) {
  std::string big = b64("\0user\0"s + std::string(6200, 'p'));  // > 8192 chars
  ASSERT_GT(big.size(), sasl_max_response_chars);
  auto s = make("PLAIN");
  challenge(s.start(std::nullopt));
  auto r = s.step(big);
  EXPECT_EQ(error_kind(r), SaslError::Kind::malformed);
  EXPECT_EQ(std::get<SaslError>(r).message, "response too long");
  auto s2 = make("PLAIN");
  EXPECT_EQ(error_kind(s2.start(big)), SaslError::Kind::malformed);

  // Just under the limit is fine.
  std::string fits = b64("\0user\0"s + std::string(6000, 'p'));
  ASSERT_LE(fits.size(), sasl_max_response_chars);
  auto s3 = make("PLAIN");
  EXPECT_EQ(credentials(s3.start(fits)).password.size(), 6000u);
}

TEST(SaslPlain, StarCancels) {
  auto s = make("PLAIN");
  challenge(s.start(std::nullopt));
  EXPECT_EQ(error_kind(s.step("*")), SaslError::Kind::cancelled);
  EXPECT_TRUE(s.finished());
  auto s2 = make("PLAIN");
  EXPECT_EQ(error_kind(s2.start("*")), SaslError::Kind::cancelled);
}

TEST(SaslPlain, StepAfterTheEndOrBeforeTheStartIsAnError) {
  auto s = make("PLAIN");
  EXPECT_EQ(error_kind(s.step("dGVzdAB0ZXN0AHRlc3Q=")), SaslError::Kind::malformed);  // not started
  auto s2 = make("PLAIN");
  credentials(s2.start("dGVzdAB0ZXN0AHRlc3Q="));
  EXPECT_EQ(error_kind(s2.step("dGVzdAB0ZXN0AHRlc3Q=")), SaslError::Kind::malformed);
  EXPECT_EQ(error_kind(s2.start(std::nullopt)), SaslError::Kind::malformed);
}

TEST(SaslLogin, TwoSteps) {
  auto s = make("LOGIN");
  EXPECT_EQ(s.mechanism(), SaslMechanism::login);
  EXPECT_EQ(challenge(s.start(std::nullopt)), "VXNlcm5hbWU6");  // "Username:"
  EXPECT_EQ(challenge(s.step(b64("tim@example.org"))), "UGFzc3dvcmQ6");  // "Password:"
  EXPECT_FALSE(s.finished());
  const Credentials c = credentials(s.step(b64("tanstaaf")));
  EXPECT_EQ(c.authzid, "");
  EXPECT_EQ(c.authcid, "tim@example.org");
  EXPECT_EQ(c.password, "tanstaaf");
  EXPECT_TRUE(s.finished());
}

TEST(SaslLogin, InitialResponseCarriesTheUserName) {
  auto s = make("login");
  EXPECT_EQ(challenge(s.start(b64("tim"))), "UGFzc3dvcmQ6");
  EXPECT_EQ(credentials(s.step(b64("pw"))).authcid, "tim");
}

TEST(SaslLogin, CancelAtEitherStep) {
  auto s = make("LOGIN");
  challenge(s.start(std::nullopt));
  EXPECT_EQ(error_kind(s.step("*")), SaslError::Kind::cancelled);
  auto s2 = make("LOGIN");
  challenge(s2.start(std::nullopt));
  challenge(s2.step(b64("tim")));
  EXPECT_EQ(error_kind(s2.step("*")), SaslError::Kind::cancelled);
}

TEST(SaslLogin, MalformedUserNameOrPassword) {
  auto nul_user = make("LOGIN");
  challenge(nul_user.start(std::nullopt));
  EXPECT_EQ(error_kind(nul_user.step(b64("ti\0m"s))), SaslError::Kind::malformed);

  auto empty_user = make("LOGIN");
  EXPECT_EQ(error_kind(empty_user.start("=")), SaslError::Kind::malformed);

  auto empty_pw = make("LOGIN");
  challenge(empty_pw.start(std::nullopt));
  challenge(empty_pw.step(b64("tim")));
  EXPECT_EQ(error_kind(empty_pw.step("")), SaslError::Kind::malformed);

  auto nul_pw = make("LOGIN");
  challenge(nul_pw.start(b64("tim")));
  EXPECT_EQ(error_kind(nul_pw.step(b64("p\0w"s))), SaslError::Kind::malformed);

  auto bad = make("LOGIN");
  challenge(bad.start(std::nullopt));
  EXPECT_EQ(error_kind(bad.step("dGlt=")), SaslError::Kind::malformed);
}

}  // namespace
}  // namespace atrium::auth
