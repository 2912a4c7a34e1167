// The one login path every protocol uses: throttle check, credential check, bookkeeping, log
// line and metric. Protocols differ only in how they obtain (login, password) and phrase replies.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/auth/throttle.hpp"
#include "core/metrics/metrics.hpp"

namespace atrium::auth {

// What a credential store says about (login, password).
struct VerifyResult {
  enum class Status {
    ok,               // the password or one of the account's app passwords matches
    bad_credentials,  // unknown login, wrong password, disabled account: deliberately one answer
    unavailable,      // the store could not answer (busy, I/O error): a temporary failure
  };
  Status status = Status::bad_credentials;
  std::int64_t principal_id = 0;  // set when ok
  std::string canonical_email;    // set when ok: the account's primary address
};

// Checks a password against stored credentials; the store implements it (account password
// with verify_password, then each app password with verify_app_password).
class CredentialVerifier {
 public:
  virtual ~CredentialVerifier();

  // `login` is already normalised (normalise_login). Blocking, and may take tens of ms for
  // Argon2: call only from a blocking pool. Must be thread-safe. For an unknown login an
  // implementation should still spend comparable time (verify against dummy_password_hash())
  // so response times do not reveal which accounts exist. Must never log `password`.
  // Throwing is treated as unavailable.
  virtual VerifyResult verify(std::string_view login, std::string_view password) = 0;
};

struct LoginResult {
  enum class Status {
    ok,               // authenticated as principal_id
    bad_credentials,  // answer NO / 535 / -ERR after `delay`
    throttled,        // answer a temporary failure after `delay`; the password was not checked
    unavailable,      // answer a temporary failure now; the store is in trouble
  };
  Status status = Status::bad_credentials;
  std::int64_t principal_id = 0;  // set when ok
  std::string canonical_email;    // set when ok
  // How long the protocol should wait before sending the reply (a timer, not a blocked thread).
  std::chrono::milliseconds delay{0};
  // For throttled: when trying again may succeed.
  std::chrono::milliseconds retry_after{0};
};

// Trims surrounding ASCII whitespace and lowercases (ASCII) the domain after the last '@';
// the local part keeps its case (the store decides how to match it).
std::string normalise_login(std::string_view login);

// Thread-safe if the verifier is. Holds references: the throttle, verifier and registry must
// outlive it (the composition root owns all four).
class Authenticator {
 public:
  Authenticator(Throttle& throttle, CredentialVerifier& verifier, metrics::Registry& metrics);

  // Runs one login attempt for `login`/`password` from client address `ip` over `protocol`
  // ("imap", "smtp", ...; becomes a metric label, so pass a constant). Blocking: run it on a
  // blocking pool. Normalises the login, asks the throttle, verifies, records the outcome in
  // the throttle, logs auth.ok or auth.fail (protocol, address, user; never the password) and
  // counts atrium_auth_total{proto,result}. A login that is empty, over 512 bytes, not UTF-8
  // or holds control characters, or an empty password, fails without reaching the verifier.
  LoginResult login(std::string_view login, std::string_view password, std::string_view ip,
                    std::string_view protocol);

 private:
  void count(std::string_view protocol, std::string_view result);

  Throttle& throttle_;
  CredentialVerifier& verifier_;
  metrics::Registry& metrics_;
};

}  // namespace atrium::auth
