// Argon2id account passwords, app passwords and the password policy.
#include "core/auth/password.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <set>
#include <string>

namespace atrium::auth {
namespace {

TEST(Password, MinimalHashRoundTrips) {
  std::string h = hash_password("correct horse", HashCost::minimal);
  EXPECT_EQ(h.rfind("$argon2id$v=19$m=8,t=1,p=1$", 0), 0u) << h;
  EXPECT_TRUE(verify_password(h, "correct horse"));
  EXPECT_FALSE(verify_password(h, "correct horsE"));
  EXPECT_FALSE(verify_password(h, ""));
  EXPECT_FALSE(verify_password(h, "correct horse "));
}

TEST(Password, SaltMakesEveryHashDifferent) {
  EXPECT_NE(hash_password("pw", HashCost::minimal), hash_password("pw", HashCost::minimal));
}

TEST(Password, InteractiveHashUsesLibsodiumInteractiveLimits) {
  std::string h = hash_password("s3cret-éü", HashCost::interactive);
  EXPECT_EQ(h.rfind("$argon2id$v=19$m=65536,t=2,p=1$", 0), 0u) << h;
  EXPECT_TRUE(verify_password(h, "s3cret-éü"));
  EXPECT_FALSE(verify_password(h, "s3cret-eu"));
  EXPECT_FALSE(needs_rehash(h, HashCost::interactive));
  EXPECT_TRUE(needs_rehash(h, HashCost::moderate));
}

TEST(Password, BinaryPasswordsAndEmptyPasswordHash) {
  std::string pw("a\0b", 3);
  std::string h = hash_password(pw, HashCost::minimal);
  EXPECT_TRUE(verify_password(h, pw));
  EXPECT_FALSE(verify_password(h, "a"));
  std::string empty = hash_password("", HashCost::minimal);
  EXPECT_TRUE(verify_password(empty, ""));
  EXPECT_FALSE(verify_password(empty, "x"));
}

TEST(Password, MalformedHashesNeverVerify) {
  std::string good = hash_password("pw", HashCost::minimal);
  EXPECT_FALSE(verify_password("", "pw"));
  EXPECT_FALSE(verify_password("pw", "pw"));
  EXPECT_FALSE(verify_password("$argon2id$", "pw"));
  EXPECT_FALSE(verify_password("$2y$10$abcdefghijklmnopqrstuu5Y0M1TqY9v4o9UqfXzFQzEKXgk3wN0y", "pw"));
  EXPECT_FALSE(verify_password(good.substr(0, good.size() - 3), "pw"));  // truncated
  EXPECT_FALSE(verify_password(good + std::string(200, 'A'), "pw"));     // too long for libsodium
  std::string with_nul = good;
  with_nul.insert(10, 1, '\0');
  EXPECT_FALSE(verify_password(with_nul, "pw"));
  std::string tampered = good;
  tampered.back() = tampered.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(verify_password(tampered, "pw"));
}

TEST(Password, NeedsRehash) {
  std::string minimal = hash_password("pw", HashCost::minimal);
  EXPECT_FALSE(needs_rehash(minimal, HashCost::minimal));
  EXPECT_TRUE(needs_rehash(minimal, HashCost::interactive));
  EXPECT_TRUE(needs_rehash("garbage", HashCost::minimal));
  EXPECT_TRUE(needs_rehash("", HashCost::minimal));
}

TEST(Password, DummyHashIsStableAndMatchesNothingObvious) {
  const std::string& a = dummy_password_hash();
  EXPECT_EQ(&a, &dummy_password_hash());
  EXPECT_EQ(a.rfind("$argon2id$", 0), 0u);
  EXPECT_FALSE(verify_password(a, ""));
  EXPECT_FALSE(verify_password(a, "password"));
}

TEST(PasswordPolicy, RefusesWithAReason) {
  std::string why;
  EXPECT_TRUE(password_acceptable("Tr0ub4dor&3 with spaces and ünïcödé", why));
  EXPECT_TRUE(why.empty());
  EXPECT_TRUE(password_acceptable(std::string(1024, 'x'), why));

  EXPECT_FALSE(password_acceptable("", why));
  EXPECT_NE(why.find("empty"), std::string::npos) << why;
  EXPECT_FALSE(password_acceptable(std::string(1025, 'x'), why));
  EXPECT_NE(why.find("1024"), std::string::npos) << why;
  EXPECT_FALSE(password_acceptable(std::string("ab\0cd", 5), why));
  EXPECT_NE(why.find("NUL"), std::string::npos) << why;
  for (std::string bad : {"a\tb", "a\nb", "a\rb", "a\x7f" "b", "a\xc2\x85" "b"}) {
    EXPECT_FALSE(password_acceptable(bad, why)) << bad;
    EXPECT_NE(why.find("control"), std::string::npos) << why;
  }
  EXPECT_FALSE(password_acceptable("caf\xe9", why));  // Latin-1, not UTF-8
  EXPECT_NE(why.find("UTF-8"), std::string::npos) << why;
}

TEST(AppPassword, GeneratedShape) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    std::string p = generate_app_password();
    ASSERT_EQ(p.size(), 29u) << p;
    for (std::size_t k = 0; k < p.size(); ++k) {
      if (k % 5 == 4) {
        EXPECT_EQ(p[k], '-') << p;
      } else {
        EXPECT_NE(std::string_view("abcdefghijkmnpqrstuvwxyz23456789").find(p[k]), std::string_view::npos) << p;
      }
    }
    EXPECT_TRUE(looks_like_app_password(p));
    seen.insert(p);
  }
  EXPECT_EQ(seen.size(), 200u);
}

TEST(AppPassword, VerifiesWithOrWithoutDashesAndInAnyCase) {
  std::string p = generate_app_password();
  std::string stored = hash_app_password(p);
  ASSERT_EQ(stored.rfind("sha256$", 0), 0u);
  ASSERT_EQ(stored.size(), 7u + 64u);
  EXPECT_EQ(stored, hash_app_password(p));  // deterministic

  std::string bare, upper, spaced;
  for (char c : p) {
    if (c == '-') {
      spaced += ' ';
      continue;
    }
    bare += c;
    upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    spaced += c;
  }
  EXPECT_TRUE(verify_app_password(stored, p));
  EXPECT_TRUE(verify_app_password(stored, bare));
  EXPECT_TRUE(verify_app_password(stored, upper));
  EXPECT_TRUE(verify_app_password(stored, spaced));
  EXPECT_EQ(hash_app_password(upper), stored);

  std::string wrong = bare;
  wrong[0] = wrong[0] == 'a' ? 'b' : 'a';
  EXPECT_FALSE(verify_app_password(stored, wrong));
  EXPECT_FALSE(verify_app_password(stored, ""));
  EXPECT_FALSE(verify_app_password(stored, bare.substr(1)));
}

TEST(AppPassword, KnownDigestAndMalformedStoredValues) {
  // SHA-256("abcdefghijkmnpqrstuvwxyz") computed independently (sha256sum).
  const std::string expected = "sha256$7b34cabd317bc4fda488f6c791ce9857518ac209b762bddec9a9fc87ab55eee4";
  EXPECT_EQ(hash_app_password("abcdefghijkmnpqrstuvwxyz"), expected);
  EXPECT_EQ(hash_app_password("ABCD-EFGH-IJKM-NPQR-STUV-WXYZ"), expected);
  std::string stored = hash_app_password("abcd-efgh-ijkm-npqr-stuv-wxyz");
  EXPECT_FALSE(verify_app_password("", "abcdefghijkmnpqrstuvwxyz"));
  EXPECT_FALSE(verify_app_password(stored.substr(7), "abcdefghijkmnpqrstuvwxyz"));  // no prefix
  EXPECT_FALSE(verify_app_password("sha512$" + stored.substr(7), "abcdefghijkmnpqrstuvwxyz"));
  EXPECT_FALSE(verify_app_password(stored + "0", "abcdefghijkmnpqrstuvwxyz"));
  // An account password hash is not an app password hash.
  EXPECT_FALSE(verify_app_password(hash_password("x", HashCost::minimal), "x"));
}

TEST(AppPassword, LooksLike) {
  EXPECT_TRUE(looks_like_app_password("abcd-efgh-ijkm-npqr-stuv-wxyz"));
  EXPECT_TRUE(looks_like_app_password("ABCDEFGHIJKMNPQRSTUVWXYZ"));
  EXPECT_FALSE(looks_like_app_password("abcd-efgh-ijkm-npqr-stuv-wxy"));    // 23
  EXPECT_FALSE(looks_like_app_password("abcd-efgh-ijkm-npqr-stuv-wxyz2"));  // 25
  EXPECT_FALSE(looks_like_app_password("abcd-efgh-ijkm-npqr-stuv-wxyl"));   // 'l' is not in the alphabet
  EXPECT_FALSE(looks_like_app_password("hunter2"));
}

}  // namespace
}  // namespace atrium::auth
