// Key loading and generation (RFC 8301 sizes, RFC 8463 Ed25519 records) for the admin CLI.
#include "mail/auth/dkim/base64.hpp"
#include "mail/auth/dkim/dkim.hpp"
#include "mail/auth/dkim/keys.hpp"
#include "tests/unit/mail/auth/dkim/test_support.hpp"

#include <gtest/gtest.h>
#include <openssl/err.h>

namespace atrium::mail::auth::dkim {
namespace {

KeyError load_error(std::string_view pem) {
  auto r = load_private_key(pem);
  EXPECT_TRUE(std::holds_alternative<KeyError>(r));
  return std::holds_alternative<KeyError>(r) ? std::get<KeyError>(r) : KeyError::crypto_failure;
}

TEST(Keys, LoadsPkcs8AndPkcs1Rsa) {
  const PrivateKey k8 = test::data_key("test_rsa2048.pem");
  EXPECT_EQ(k8.algorithm(), Algorithm::rsa_sha256);
  EXPECT_EQ(k8.bits(), 2048);
  const PrivateKey k1 = test::data_key("test_rsa1024_pkcs1.pem");
  EXPECT_EQ(k1.bits(), 1024);
  // The same key in both encodings publishes the same record.
  EXPECT_EQ(dns_txt_value(k1), dns_txt_value(test::data_key("test_rsa1024.pem")));
}

TEST(Keys, RefusesWhatCannotSign) {
  EXPECT_EQ(load_error(""), KeyError::not_pem);
  EXPECT_EQ(load_error("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), KeyError::not_pem);
  EXPECT_EQ(load_error(test::read_data("test_encrypted.pem")), KeyError::not_pem);
  EXPECT_EQ(load_error(test::read_data("test_ec.pem")), KeyError::unsupported_type);
  EXPECT_EQ(load_error(test::read_data("test_rsa512.pem")), KeyError::rsa_too_small);
  // Failures leave nothing in OpenSSL's error queue for the next (TLS) user to trip over.
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST(Keys, Ed25519RecordIsTheRawPublicKey) {
  // RFC 8463 Appendix A: the seed gives this public key, published raw (not as SPKI).
  const PrivateKey key = test::ed25519_key(test::rfc8463_seed);
  EXPECT_EQ(key.algorithm(), Algorithm::ed25519_sha256);
  EXPECT_EQ(dns_txt_value(key), "v=DKIM1; k=ed25519; p=" + std::string(test::rfc8463_public));
}

TEST(Keys, GeneratesRsa) {
  auto r = generate_key(Algorithm::rsa_sha256, 1024);
  ASSERT_TRUE(std::holds_alternative<GeneratedKey>(r));
  const auto& g = std::get<GeneratedKey>(r);
  EXPECT_EQ(g.private_key_pem.rfind("-----BEGIN PRIVATE KEY-----", 0), 0u);
  EXPECT_EQ(g.dns_txt_value.rfind("v=DKIM1; k=rsa; p=MI", 0), 0u);  // DER SEQUENCE
  auto record = parse_key_record(g.dns_txt_value);
  ASSERT_TRUE(std::holds_alternative<KeyRecord>(record));
  auto loaded = load_private_key(g.private_key_pem);
  ASSERT_TRUE(std::holds_alternative<PrivateKey>(loaded));
  EXPECT_EQ(std::get<PrivateKey>(loaded).bits(), 1024);
  EXPECT_EQ(dns_txt_value(std::get<PrivateKey>(loaded)), g.dns_txt_value);
}

TEST(Keys, GeneratesEd25519AndSignsWithIt) {
  auto r = generate_key(Algorithm::ed25519_sha256);
  ASSERT_TRUE(std::holds_alternative<GeneratedKey>(r));
  const auto& g = std::get<GeneratedKey>(r);
  EXPECT_EQ(g.dns_txt_value.rfind("v=DKIM1; k=ed25519; p=", 0), 0u);
  const auto raw = base64_decode(g.dns_txt_value.substr(g.dns_txt_value.find("p=") + 2));
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->size(), 32u);

  auto key = std::get<PrivateKey>(load_private_key(g.private_key_pem));
  const std::string message = "From: a@example.org\r\nSubject: hi\r\n\r\nbody\r\n";
  const std::string signed_message =
      sign(SignOptions{.domain = "example.org", .selector = "gen", .key = key, .timestamp = 1}, message) + message;
  const Result result = test::verify_first(signed_message, {{"gen._domainkey.example.org", g.dns_txt_value}}, 2);
  EXPECT_EQ(result.kind, ResultKind::pass) << result.reason;
}

TEST(Keys, GenerateRefusesBadSizes) {
  auto small = generate_key(Algorithm::rsa_sha256, 512);
  ASSERT_TRUE(std::holds_alternative<KeyError>(small));
  EXPECT_EQ(std::get<KeyError>(small), KeyError::rsa_too_small);
  auto large = generate_key(Algorithm::rsa_sha256, 16384);
  ASSERT_TRUE(std::holds_alternative<KeyError>(large));
  EXPECT_EQ(std::get<KeyError>(large), KeyError::rsa_too_large);
}

}  // namespace
}  // namespace atrium::mail::auth::dkim
