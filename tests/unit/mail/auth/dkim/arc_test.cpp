// ARC (RFC 8617): sealing chains and validating them; structure errors, tampering, dkimpy's
// chains, the DNS coroutine.
#include "mail/auth/dkim/arc.hpp"
#include "tests/unit/mail/auth/dkim/test_support.hpp"

#include <gtest/gtest.h>

namespace atrium::mail::auth::arc {
namespace {

namespace test = dkim::test;
constexpr std::int64_t now = 1704189600;

class Arc : public ::testing::Test {
 protected:
  Arc() : message_(test::read_data("message.eml")), keys_(test::data_keys()) {}

  SealOptions options(std::string domain, std::string pem) const {
    return SealOptions{.domain = std::move(domain), .selector = "arc", .key = test::data_key(pem), .timestamp = now};
  }

  // One forwarding hop: the new ARC Set prepended.
  std::string hop(const std::string& message, const SealOptions& o, std::string_view authres, ChainStatus cv) const {
    auto r = arc_seal(message, o, authres, cv);
    EXPECT_TRUE(std::holds_alternative<SealHeaders>(r));
    if (!std::holds_alternative<SealHeaders>(r)) return message;
    return std::get<SealHeaders>(r).text() + message;
  }

  std::string chain_of_three() const {
    std::string m = hop(message_, options("example.org", "test_rsa2048.pem"), "mx1.example.org; spf=pass smtp.mailfrom=example.org", ChainStatus::none);
    m = hop(m, options("example.net", "test_rsa1024.pem"), "mx2.example.net; arc=pass", ChainStatus::pass);
    return hop(m, options("example.com", "test_rsa2048.pem"), "mx3.example.com; arc=pass", ChainStatus::pass);
  }

  ArcResult validate(std::string_view m) const { return arc_validate(m, test::answers(keys_), now); }

  static std::string edit(std::string message, std::string_view from, std::string_view to) {
    const auto at = message.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) message.replace(at, from.size(), to);
    return message;
  }

  // `message` without the header fields whose text starts with any of `prefixes`.
  static std::string drop_fields(const std::string& message, const std::vector<std::string>& prefixes) {
    const dkim::SplitMessage split(message);
    std::string out;
    for (const auto& f : split.fields()) {
      bool drop = false;
      for (const auto& p : prefixes) drop = drop || f.raw.substr(0, p.size()) == p;
      if (!drop) out += std::string(f.raw) + "\r\n";
    }
    return out + "\r\n" + std::string(split.body());
  }

  std::string message_;
  std::map<std::string, std::string> keys_;
};

TEST_F(Arc, NoChainIsNone) {
  const ArcResult r = validate(message_);
  EXPECT_EQ(r.status, ChainStatus::none);
  EXPECT_EQ(r.highest_instance, 0);
  EXPECT_TRUE(arc_key_names(message_).empty());
}

TEST_F(Arc, SealsAndValidatesThreeInstances) {
  std::string m = message_;
  const char* domains[] = {"example.org", "example.net", "example.com"};
  const char* pems[] = {"test_rsa2048.pem", "test_rsa1024.pem", "test_rsa2048.pem"};
  for (int i = 0; i < 3; ++i) {
    auto sealed = arc_seal(m, options(domains[i], pems[i]), "mx.example; dkim=pass header.d=example.org",
                           i == 0 ? ChainStatus::none : ChainStatus::pass);
    ASSERT_TRUE(std::holds_alternative<SealHeaders>(sealed));
    const SealHeaders& h = std::get<SealHeaders>(sealed);
    EXPECT_EQ(h.instance, i + 1);
    EXPECT_EQ(h.authentication_results,
              "ARC-Authentication-Results: i=" + std::to_string(i + 1) + "; mx.example; dkim=pass header.d=example.org\r\n");
    EXPECT_EQ(h.seal.rfind("ARC-Seal: i=" + std::to_string(i + 1) + "; a=rsa-sha256; t=1704189600; cv=" +
                               (i == 0 ? "none" : "pass") + ";", 0), 0u) << h.seal;
    EXPECT_EQ(h.message_signature.find("arc-seal"), std::string::npos);
    m = h.text() + m;
    const ArcResult r = validate(m);
    EXPECT_EQ(r.status, ChainStatus::pass) << r.reason;
    EXPECT_EQ(r.highest_instance, i + 1);
  }
  const ArcResult r = validate(m);
  ASSERT_EQ(r.sets.size(), 3u);
  EXPECT_EQ(r.sets[0].cv, ChainStatus::none);
  EXPECT_EQ(r.sets[1].cv, ChainStatus::pass);
  EXPECT_EQ(r.sets[2].cv, ChainStatus::pass);
  EXPECT_EQ(r.sets[1].seal_domain, "example.net");
  EXPECT_EQ(r.sets[2].message_domain, "example.com");
  EXPECT_EQ(r.sets[2].message_selector, "arc");
  EXPECT_EQ(arc_key_names(m), (std::vector<std::string>{"arc._domainkey.example.com", "arc._domainkey.example.org",
                                                        "arc._domainkey.example.net"}));
}

TEST_F(Arc, Ed25519Seals) {
  keys_["ed._domainkey.example.org"] = "v=DKIM1; k=ed25519; p=" + std::string(test::rfc8463_public);
  SealOptions o{.domain = "example.org", .selector = "ed", .key = test::ed25519_key(test::rfc8463_seed), .timestamp = now};
  std::string m = hop(message_, o, "mx.example.org; spf=pass", ChainStatus::none);
  m = hop(m, o, "mx.example.org; arc=pass", ChainStatus::pass);
  EXPECT_EQ(validate(m).status, ChainStatus::pass) << validate(m).reason;
}

TEST_F(Arc, TamperedEarlierAarFails) {
  const std::string m = edit(chain_of_three(), "smtp.mailfrom=example.org", "smtp.mailfrom=evil.example");
  const ArcResult r = validate(m);
  EXPECT_EQ(r.status, ChainStatus::fail);
  EXPECT_EQ(r.reason, "ARC-Seal i=3 did not verify");
}

TEST_F(Arc, TamperedBodyFailsTheLatestAms) {
  const ArcResult r = validate(edit(chain_of_three(), "Regards", "Regardz"));
  EXPECT_EQ(r.status, ChainStatus::fail);
  EXPECT_EQ(r.reason, "ARC-Message-Signature i=3: body hash did not verify");
}

TEST_F(Arc, GapInInstancesFails) {
  const std::string m = drop_fields(chain_of_three(), {"ARC-Seal: i=2", "ARC-Message-Signature: i=2", "ARC-Authentication-Results: i=2"});
  const ArcResult r = validate(m);
  EXPECT_EQ(r.status, ChainStatus::fail);
  EXPECT_EQ(r.highest_instance, 3);
  EXPECT_EQ(r.reason, "ARC set 2 is missing or duplicates a field");
  EXPECT_TRUE(arc_key_names(m).empty());
}

TEST_F(Arc, MissingOrDuplicatedFieldFails) {
  const std::string three = chain_of_three();
  EXPECT_EQ(validate(drop_fields(three, {"ARC-Authentication-Results: i=1"})).status, ChainStatus::fail);
  const std::string dup = "ARC-Authentication-Results: i=2; extra\r\n" + three;
  const ArcResult r = validate(dup);
  EXPECT_EQ(r.status, ChainStatus::fail);
  EXPECT_EQ(r.reason, "ARC set 2 is missing or duplicates a field");
}

TEST_F(Arc, BadInstancesFail) {
  EXPECT_EQ(validate("ARC-Seal: i=51; a=rsa-sha256; cv=none; d=example.org; s=arc; b=AAAA\r\n" + message_).reason,
            "ARC instance out of range");
  EXPECT_EQ(validate("ARC-Seal: i=0; a=rsa-sha256; cv=none; d=example.org; s=arc; b=AAAA\r\n" + message_).status,
            ChainStatus::fail);
  EXPECT_EQ(validate("ARC-Authentication-Results: mx.example; spf=pass\r\n" + message_).reason,
            "ARC header field without a valid instance");
}

TEST_F(Arc, LatestCvFailStops) {
  const std::string failed = hop(chain_of_three(), options("example.org", "test_rsa2048.pem"), "mx4.example.org; arc=fail", ChainStatus::fail);
  EXPECT_NE(failed.find("cv=fail"), std::string::npos);
  const ArcResult r = validate(failed);
  EXPECT_EQ(r.status, ChainStatus::fail);
  EXPECT_EQ(r.reason, "the latest ARC-Seal says cv=fail");
  EXPECT_EQ(r.highest_instance, 4);
  EXPECT_TRUE(arc_key_names(failed).empty());
}

TEST_F(Arc, WrongCvOrderFails) {
  // Instance 2 sealed as if there were no chain (cv=none) is a structure error.
  const std::string one = hop(message_, options("example.org", "test_rsa2048.pem"), "mx1.example.org; spf=pass", ChainStatus::none);
  std::string two = hop(one, options("example.net", "test_rsa1024.pem"), "mx2.example.net; arc=pass", ChainStatus::pass);
  two = edit(two, "cv=pass", "cv=none");
  const ArcResult r = validate(two);
  EXPECT_EQ(r.status, ChainStatus::fail);
  EXPECT_EQ(r.reason, "ARC-Seal i=2 does not say cv=pass");
}

TEST_F(Arc, SealingErrors) {
  const auto o = options("example.org", "test_rsa2048.pem");
  const std::string one = hop(message_, o, "mx1.example.org; spf=pass", ChainStatus::none);
  auto r = arc_seal(one, o, "mx.example; arc=pass", ChainStatus::none);
  EXPECT_EQ(std::get<SealError>(r), SealError::chain_broken);
  r = arc_seal("ARC-Seal: i=50; cv=pass\r\n" + message_, o, "mx; arc=pass", ChainStatus::pass);
  EXPECT_EQ(std::get<SealError>(r), SealError::chain_full);
  r = arc_seal(message_, o, "mx;\narc=pass", ChainStatus::none);
  EXPECT_EQ(std::get<SealError>(r), SealError::invalid_authres);
  r = arc_seal(message_, o, "", ChainStatus::none);
  EXPECT_EQ(std::get<SealError>(r), SealError::invalid_authres);
  auto bad = o;
  bad.headers = {"From", "ARC-Seal"};
  r = arc_seal(message_, bad, "mx; spf=pass", ChainStatus::none);
  EXPECT_EQ(std::get<SealError>(r), SealError::invalid_options);
  bad = o;
  bad.domain = "-";
  r = arc_seal(message_, bad, "mx; spf=pass", ChainStatus::none);
  EXPECT_EQ(std::get<SealError>(r), SealError::invalid_options);
  // A pass status over a broken chain cannot be sealed.
  r = arc_seal(drop_fields(chain_of_three(), {"ARC-Seal: i=2"}), o, "mx; arc=pass", ChainStatus::pass);
  EXPECT_EQ(std::get<SealError>(r), SealError::chain_broken);
}

TEST_F(Arc, LongAuthenticationResultsAreFolded) {
  std::string authres = "mx.example.org;";
  for (int i = 0; i < 8; ++i) authres += " dkim=pass header.d=example" + std::to_string(i) + ".org header.s=sel;";
  auto r = arc_seal(message_, options("example.org", "test_rsa2048.pem"), authres, ChainStatus::none);
  const std::string aar = std::get<SealHeaders>(r).authentication_results;
  std::size_t start = 0;
  while (start < aar.size()) {
    const auto end = aar.find("\r\n", start);
    EXPECT_LE(end - start, 78u);
    start = end + 2;
  }
  // Unfolded, the value is what was given.
  std::string unfolded = aar;
  for (auto at = unfolded.find("\r\n "); at != std::string::npos; at = unfolded.find("\r\n ")) unfolded.erase(at, 2);
  EXPECT_EQ(unfolded, "ARC-Authentication-Results: i=1; " + authres + "\r\n");
  EXPECT_EQ(validate(std::get<SealHeaders>(r).text() + message_).status, ChainStatus::pass);
}

TEST_F(Arc, DkimpyChainValidates) {
  const std::string m = test::read_data("dkimpy_arc3.eml");
  const ArcResult r = validate(m);
  EXPECT_EQ(r.status, ChainStatus::pass) << r.reason;
  EXPECT_EQ(r.highest_instance, 3);
  // And Atrium can extend dkimpy's chain.
  const std::string four = hop(m, options("example.org", "test_rsa2048.pem"), "mx4.example.org; arc=pass", ChainStatus::pass);
  EXPECT_EQ(validate(four).status, ChainStatus::pass) << validate(four).reason;
  EXPECT_EQ(validate(four).highest_instance, 4);
}

TEST_F(Arc, VerifiesThroughTheResolver) {
  dns::StaticResolver resolver;
  test::add_keys(resolver, keys_);
  const std::string m = chain_of_three();
  ArcResult r = test::run(arc_verify(m, resolver, now));
  EXPECT_EQ(r.status, ChainStatus::pass) << r.reason;
  EXPECT_EQ(resolver.lookups, 3);

  dns::StaticResolver failing;
  test::add_keys(failing, keys_);
  failing.fail("arc._domainkey.example.net");
  r = test::run(arc_verify(m, failing, now));
  EXPECT_EQ(r.status, ChainStatus::fail);
  EXPECT_TRUE(r.temporary);
  EXPECT_EQ(r.reason, "ARC-Seal i=2: key lookup failed temporarily");
}

TEST_F(Arc, ToString) {
  EXPECT_EQ(to_string(ChainStatus::none), "none");
  EXPECT_EQ(to_string(ChainStatus::pass), "pass");
  EXPECT_EQ(to_string(ChainStatus::fail), "fail");
}

}  // namespace
}  // namespace atrium::mail::auth::arc
