// The shared login flow against a fake credential store, with log and metric capture.
#include "core/auth/authenticator.hpp"

#include "core/auth/password.hpp"
#include "core/log/log.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace atrium::auth {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view secret = "Sw0rdf1sh-Very-Secret";

// Knows one account; its password is stored as an Argon2id hash, plus one app password.
class FakeVerifier : public CredentialVerifier {
 public:
  FakeVerifier()
      : hash_(hash_password(secret, HashCost::minimal)),
        app_password_(generate_app_password()),
        app_hash_(hash_app_password(app_password_)) {}

  VerifyResult verify(std::string_view login, std::string_view password) override {
    std::lock_guard lock(m_);
    logins.emplace_back(login);
    if (fail_with) throw std::runtime_error(*fail_with);
    if (unavailable) return {VerifyResult::Status::unavailable, 0, {}};
    if (login != "Alice@example.org") return {};
    if (verify_password(hash_, password) || verify_app_password(app_hash_, password)) {
      return {VerifyResult::Status::ok, 42, "Alice@example.org"};
    }
    return {};
  }

  const std::string& app_password() const { return app_password_; }

  std::vector<std::string> logins;
  bool unavailable = false;
  std::optional<std::string> fail_with;

 private:
  std::mutex m_;
  std::string hash_;
  std::string app_password_;
  std::string app_hash_;
};

struct LogCapture {
  std::mutex m;
  std::vector<std::string> lines;
  LogCapture() { log::set_sink(&LogCapture::sink, this); }
  ~LogCapture() { log::set_sink(nullptr, nullptr); }
  static void sink(std::string_view line, void* ctx) {
    auto* self = static_cast<LogCapture*>(ctx);
    std::lock_guard lock(self->m);
    self->lines.emplace_back(line);
  }
  std::string all() {
    std::lock_guard lock(m);
    std::string out;
    for (const auto& l : lines) out += l + "\n";
    return out;
  }
};

struct FakeClock {
  std::chrono::steady_clock::time_point now{std::chrono::hours(1000)};
};

class AuthenticatorTest : public ::testing::Test {
 protected:
  AuthenticatorTest() : throttle_(make_options()), auth_(throttle_, verifier_, metrics_) {}

  ThrottleOptions make_options() {
    ThrottleOptions o;
    o.clock = [this] { return clock_.now; };
    return o;
  }
  std::uint64_t counted(std::string_view proto, std::string_view result) {
    return metrics_
        .counter("atrium_auth_total", "Login attempts by protocol and result",
                 {{"proto", std::string(proto)}, {"result", std::string(result)}})
        .value();
  }

  LogCapture logs_;
  FakeClock clock_;
  FakeVerifier verifier_;
  metrics::Registry metrics_;
  Throttle throttle_;
  Authenticator auth_;
};

TEST(NormaliseLogin, TrimsAndLowercasesTheDomainOnly) {
  EXPECT_EQ(normalise_login("  Alice@Example.ORG \t"), "Alice@example.org");
  EXPECT_EQ(normalise_login("Alice"), "Alice");
  EXPECT_EQ(normalise_login("\"a@b\"@EXAMPLE.org"), "\"a@b\"@example.org");
  EXPECT_EQ(normalise_login("   "), "");
  EXPECT_EQ(normalise_login("J\xc3\x9cRGEN@B\xc3\x9cRO.DE"), "J\xc3\x9cRGEN@b\xc3\x9cro.de");  // ASCII only
}

TEST_F(AuthenticatorTest, SuccessWithAccountPassword) {
  LoginResult r = auth_.login(" Alice@EXAMPLE.org ", secret, "192.0.2.1", "imap");
  EXPECT_EQ(r.status, LoginResult::Status::ok);
  EXPECT_EQ(r.principal_id, 42);
  EXPECT_EQ(r.canonical_email, "Alice@example.org");
  EXPECT_EQ(r.delay, 0ms);
  ASSERT_EQ(verifier_.logins.size(), 1u);
  EXPECT_EQ(verifier_.logins[0], "Alice@example.org");
  EXPECT_EQ(counted("imap", "ok"), 1u);
  std::string log = logs_.all();
  EXPECT_NE(log.find("event=auth.ok proto=imap ip=192.0.2.1 user=Alice@example.org principal=42"), std::string::npos)
      << log;
}

TEST_F(AuthenticatorTest, SuccessWithAppPasswordTypedWithoutDashes) {
  std::string typed;
  for (char c : verifier_.app_password()) {
    if (c != '-') typed += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  LoginResult r = auth_.login("Alice@example.org", typed, "192.0.2.1", "smtp");
  EXPECT_EQ(r.status, LoginResult::Status::ok);
  EXPECT_EQ(counted("smtp", "ok"), 1u);
}

TEST_F(AuthenticatorTest, FailureIsDelayedAndCounted) {
  LoginResult r = auth_.login("Alice@example.org", "wrong", "192.0.2.1", "imap");
  EXPECT_EQ(r.status, LoginResult::Status::bad_credentials);
  EXPECT_EQ(r.delay, 250ms);
  EXPECT_EQ(r.principal_id, 0);
  r = auth_.login("nobody@example.org", "wrong", "192.0.2.1", "pop3");
  EXPECT_EQ(r.status, LoginResult::Status::bad_credentials);
  EXPECT_EQ(r.delay, 500ms);
  EXPECT_EQ(counted("imap", "bad_credentials"), 1u);
  EXPECT_EQ(counted("pop3", "bad_credentials"), 1u);
  std::string log = logs_.all();
  EXPECT_NE(log.find("event=auth.fail proto=imap ip=192.0.2.1 user=Alice@example.org reason=bad_credentials "
                     "delay_ms=250"),
            std::string::npos)
      << log;
  // A success from the same address resets the tarpit.
  EXPECT_EQ(auth_.login("Alice@example.org", secret, "192.0.2.1", "imap").status, LoginResult::Status::ok);
  EXPECT_EQ(auth_.login("Alice@example.org", "wrong", "192.0.2.1", "imap").delay, 250ms);
}

TEST_F(AuthenticatorTest, ImplausibleInputNeverReachesTheVerifier) {
  for (std::string_view login : {"", "   ", "a\x01" "b@example.org", "bad\xff@example.org"}) {
    EXPECT_EQ(auth_.login(login, secret, "192.0.2.1", "imap").status, LoginResult::Status::bad_credentials);
  }
  EXPECT_EQ(auth_.login(std::string(600, 'a'), secret, "192.0.2.1", "imap").status,
            LoginResult::Status::bad_credentials);
  EXPECT_EQ(auth_.login("Alice@example.org", "", "192.0.2.1", "imap").status, LoginResult::Status::bad_credentials);
  EXPECT_TRUE(verifier_.logins.empty());
}

TEST_F(AuthenticatorTest, ThrottledAfterTwentyFailuresWithoutCheckingThePassword) {
  for (int i = 0; i < 20; ++i) {
    auth_.login("user" + std::to_string(i) + "@example.org", "guess", "203.0.113.9", "imap");
  }
  verifier_.logins.clear();
  LoginResult r = auth_.login("Alice@example.org", secret, "203.0.113.9", "imap");
  EXPECT_EQ(r.status, LoginResult::Status::throttled);
  EXPECT_EQ(r.delay, 15s);
  EXPECT_EQ(r.retry_after, 15min);
  EXPECT_TRUE(verifier_.logins.empty());
  EXPECT_EQ(counted("imap", "throttled"), 1u);
  EXPECT_NE(logs_.all().find("reason=ip_blocked retry_after_s=900"), std::string::npos) << logs_.all();
  // Other addresses carry on.
  EXPECT_EQ(auth_.login("Alice@example.org", secret, "192.0.2.1", "imap").status, LoginResult::Status::ok);

  clock_.now += 15min;
  EXPECT_EQ(auth_.login("Alice@example.org", secret, "203.0.113.9", "imap").status, LoginResult::Status::ok);
}

TEST_F(AuthenticatorTest, LockedAccountStillOpensFromAKnownAddress) {
  ASSERT_EQ(auth_.login("Alice@EXAMPLE.ORG", secret, "192.0.2.1", "imap").status, LoginResult::Status::ok);
  for (int i = 0; i < 10; ++i) {
    auth_.login("Alice@example.org", "guess", "198.51.100." + std::to_string(i + 1), "smtp");
  }
  EXPECT_EQ(auth_.login("Alice@example.org", secret, "198.51.100.77", "imap").status,
            LoginResult::Status::throttled);
  EXPECT_NE(logs_.all().find("reason=account_locked"), std::string::npos);
  // Different case in the domain is the same account for the throttle.
  EXPECT_EQ(auth_.login("Alice@Example.Org", secret, "192.0.2.1", "imap").status, LoginResult::Status::ok);
}

TEST_F(AuthenticatorTest, UnavailableStoreIsNotTheClientsFault) {
  verifier_.unavailable = true;
  for (int i = 0; i < 30; ++i) {
    LoginResult r = auth_.login("Alice@example.org", secret, "192.0.2.1", "imap");
    EXPECT_EQ(r.status, LoginResult::Status::unavailable);
    EXPECT_EQ(r.delay, 0ms);
  }
  EXPECT_EQ(counted("imap", "unavailable"), 30u);
  verifier_.unavailable = false;
  EXPECT_EQ(auth_.login("Alice@example.org", secret, "192.0.2.1", "imap").status, LoginResult::Status::ok);
}

TEST_F(AuthenticatorTest, VerifierExceptionBecomesUnavailableWithoutLeakingThePassword) {
  verifier_.fail_with = "database is locked";
  EXPECT_EQ(auth_.login("Alice@example.org", secret, "192.0.2.1", "imap").status, LoginResult::Status::unavailable);
  EXPECT_NE(logs_.all().find("error=\"database is locked\""), std::string::npos) << logs_.all();
  verifier_.fail_with = "bad row for password " + std::string(secret);
  EXPECT_EQ(auth_.login("Alice@example.org", secret, "192.0.2.1", "imap").status, LoginResult::Status::unavailable);
  EXPECT_EQ(logs_.all().find(secret), std::string::npos) << logs_.all();
}

TEST_F(AuthenticatorTest, NeverLogsThePassword) {
  auth_.login("Alice@example.org", secret, "192.0.2.1", "imap");
  auth_.login("Alice@example.org", std::string(secret) + "x", "192.0.2.1", "imap");
  auth_.login("nobody@example.org", secret, "192.0.2.2", "smtp");
  for (int i = 0; i < 12; ++i) {
    auth_.login("Alice@example.org", secret.substr(0, 8), "198.51.100." + std::to_string(i + 1), "imap");
  }
  for (int i = 0; i < 22; ++i) {
    auth_.login("user" + std::to_string(i) + "@example.org", secret, "203.0.113.1", "imap");
  }
  verifier_.unavailable = true;
  auth_.login("Alice@example.org", secret, "192.0.2.3", "pop3");
  std::string log = logs_.all();
  ASSERT_FALSE(log.empty());
  EXPECT_NE(log.find("auth.ok"), std::string::npos);
  EXPECT_NE(log.find("auth.fail"), std::string::npos);
  EXPECT_NE(log.find("auth.ip_blocked"), std::string::npos);
  EXPECT_NE(log.find("auth.account_locked"), std::string::npos);
  EXPECT_EQ(log.find(secret), std::string::npos) << log;
  EXPECT_EQ(log.find(secret.substr(0, 8)), std::string::npos) << log;
  EXPECT_EQ(log.find("password"), std::string::npos) << log;
}

}  // namespace
}  // namespace atrium::auth
