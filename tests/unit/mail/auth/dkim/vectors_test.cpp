// Known answers: RFC 8463 Appendix A (verified, and re-signed byte for byte), and messages signed
// by dkimpy (data/, made by gen_vectors.py) — what dkimpy signs must verify here.
#include "mail/auth/dkim/base64.hpp"
#include "mail/auth/dkim/crypto.hpp"
#include "mail/auth/dkim/dkim.hpp"
#include "mail/auth/dkim/engine.hpp"
#include "tests/unit/mail/auth/dkim/test_support.hpp"

#include <gtest/gtest.h>

namespace atrium::mail::auth::dkim {
namespace {

// RFC 8463 Appendix A.2: the published keys of the example.
const std::map<std::string, std::string> rfc8463_keys = {
    {"brisbane._domainkey.football.example.com",
     "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="},
    {"test._domainkey.football.example.com",
     "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWR"
     "iGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutAC"
     "DfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3"
     "Ip3G+2kryOTIKT+l/K4w3QIDAQAB"},
};

constexpr std::int64_t rfc8463_time = 1528637909;

TEST(Rfc8463, BodyHash) {
  const std::string message = test::read_data("rfc8463_a3.eml");
  const SplitMessage split(message);
  EXPECT_EQ(base64_encode(detail::sha256(canonicalize_body(split.body(), Canon::relaxed))),
            "2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=");
}

TEST(Rfc8463, BothSignaturesVerify) {
  const std::string message = test::read_data("rfc8463_a3.eml");
  const auto sigs = parse_signatures(message);
  ASSERT_EQ(sigs.size(), 2u);
  EXPECT_EQ(sigs[0].algorithm, Algorithm::ed25519_sha256);
  EXPECT_EQ(sigs[0].h.size(), 8u);
  EXPECT_EQ(sigs[1].algorithm, Algorithm::rsa_sha256);
  const auto results = verify_with_keys(message, test::answers(rfc8463_keys), rfc8463_time);
  ASSERT_EQ(results.size(), 2u);
  for (const Result& r : results) {
    EXPECT_EQ(r.kind, ResultKind::pass) << r.selector << ": " << r.reason;
    EXPECT_EQ(r.domain, "football.example.com");
    EXPECT_EQ(r.identity, "@football.example.com");
  }
  EXPECT_EQ(results[0].selector, "brisbane");
  EXPECT_EQ(results[0].algorithm, "ed25519-sha256");
  EXPECT_EQ(results[0].b_prefix, "/gCrinpc");
  EXPECT_EQ(results[1].selector, "test");
  EXPECT_EQ(results[1].b_prefix, "F45dVWDf");
}

TEST(Rfc8463, ResigningGivesTheSameSignatures) {
  // Ed25519 and RSASSA-PKCS1-v1_5 are deterministic: signing the example's header data with the
  // example's private keys (RFC 8463 A.1) must reproduce its b= values exactly.
  const std::string message = test::read_data("rfc8463_a3.eml");
  const SplitMessage split(message);
  const PrivateKey keys[] = {test::ed25519_key(test::rfc8463_seed), test::data_key("rfc8463_rsa.pem")};
  const auto sigs = parse_signatures(message);
  ASSERT_EQ(sigs.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    const std::string input = detail::header_hash_input(split.fields(), sigs[i].h, sigs[i].field_index,
                                                         sigs[i].header_canon, detail::without_b_value(sigs[i].raw));
    EXPECT_EQ(base64_encode(detail::sign_data(keys[i], input)), sigs[i].b_text) << i;
  }
}

TEST(Rfc8463, TamperedExampleFails) {
  std::string message = test::read_data("rfc8463_a3.eml");
  message.replace(message.find("Is dinner ready?"), 16, "Is lunch ready?");
  for (const Result& r : verify_with_keys(message, test::answers(rfc8463_keys), rfc8463_time)) {
    EXPECT_EQ(r.kind, ResultKind::fail);
    EXPECT_EQ(r.reason, "signature did not verify");
  }
}

// Messages signed by dkimpy 1.1 (gen_vectors.py) with the keys in data/keys.txt.
class Dkimpy : public ::testing::TestWithParam<std::string> {};

TEST_P(Dkimpy, SignedByDkimpyVerifies) {
  const std::string message = test::read_data(GetParam());
  const auto results = verify_with_keys(message, test::answers(test::data_keys()), 1900000000);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].kind, ResultKind::pass) << results[0].reason;
  EXPECT_EQ(results[0].domain, "example.org");
}

INSTANTIATE_TEST_SUITE_P(Vectors, Dkimpy,
                         ::testing::Values("dkimpy_rsa_relaxed.eml", "dkimpy_rsa_simple.eml", "dkimpy_ed25519.eml"));

TEST(DkimpyRefused, Rsa512) {
  // dkimpy signs (and, with minkey=512, verifies) it; RFC 8301 forbids accepting it.
  const auto results = verify_with_keys(test::read_data("dkimpy_rsa512.eml"), test::answers(test::data_keys()), 1900000000);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].kind, ResultKind::permerror);
  EXPECT_EQ(results[0].reason, "RSA key shorter than 1024 bits");
}

TEST(DkimpyRefused, RsaSha1) {
  const std::string message = test::read_data("dkimpy_rsa_sha1.eml");
  const auto sigs = parse_signatures(message);
  ASSERT_EQ(sigs.size(), 1u);
  EXPECT_EQ(sigs[0].a, "rsa-sha1");
  EXPECT_EQ(sigs[0].error, SignatureError::sha1_refused);
  EXPECT_FALSE(sigs[0].algorithm);
  const auto results = verify_with_keys(message, test::answers(test::data_keys()), 1900000000);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].kind, ResultKind::permerror);
  EXPECT_EQ(results[0].reason, "rsa-sha1 is not accepted (RFC 8301)");
  EXPECT_EQ(results[0].algorithm, "rsa-sha1");
  EXPECT_TRUE(key_names(message).empty());  // refused before any DNS lookup
}

}  // namespace
}  // namespace atrium::mail::auth::dkim
