// Login flow: throttle, verify, record, log, count.
#include "core/auth/authenticator.hpp"

#include "core/auth/utf8.hpp"
#include "core/log/log.hpp"

#include <exception>
#include <utility>

namespace atrium::auth {
namespace {

constexpr std::size_t max_login_bytes = 512;

bool is_ascii_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// A login the verifier should never see: it cannot name an account and would only cost a lookup.
bool plausible_login(std::string_view login) {
  if (login.empty() || login.size() > max_login_bytes || !is_valid_utf8(login)) return false;
  for (unsigned char c : login) {
    if (c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

std::string_view verdict_reason(Verdict::Status s) {
  switch (s) {
    case Verdict::Status::ip_blocked: return "ip_blocked";
    case Verdict::Status::account_locked: return "account_locked";
    case Verdict::Status::allowed: break;
  }
  return "allowed";
}

}  // namespace

CredentialVerifier::~CredentialVerifier() = default;

std::string normalise_login(std::string_view login) {
  while (!login.empty() && is_ascii_space(login.front())) login.remove_prefix(1);
  while (!login.empty() && is_ascii_space(login.back())) login.remove_suffix(1);
  std::string out(login);
  if (auto at = out.rfind('@'); at != std::string::npos) {
    for (std::size_t i = at + 1; i < out.size(); ++i) {
      if (out[i] >= 'A' && out[i] <= 'Z') out[i] = static_cast<char>(out[i] - 'A' + 'a');
    }
  }
  return out;
}

Authenticator::Authenticator(Throttle& throttle, CredentialVerifier& verifier, metrics::Registry& metrics)
    : throttle_(throttle), verifier_(verifier), metrics_(metrics) {}

void Authenticator::count(std::string_view protocol, std::string_view result) {
  metrics_
      .counter("atrium_auth_total", "Login attempts by protocol and result",
               {{"proto", std::string(protocol)}, {"result", std::string(result)}})
      .inc();
}

LoginResult Authenticator::login(std::string_view login, std::string_view password, std::string_view ip,
                                 std::string_view protocol) {
  const std::string user = normalise_login(login);
  LoginResult result;

  Verdict verdict = throttle_.check(ip, user);
  if (!verdict.allowed()) {
    // Still tarpitted: an immediate "try later" would let a blocked client cycle fast.
    result.status = LoginResult::Status::throttled;
    result.delay = throttle_.options().max_delay;
    result.retry_after = verdict.retry_after;
    count(protocol, "throttled");
    log::info("auth.fail", "proto", protocol, "ip", ip, "user", user, "reason", verdict_reason(verdict.status),
              "retry_after_s", std::chrono::ceil<std::chrono::seconds>(verdict.retry_after).count());
    return result;
  }

  VerifyResult verified;
  if (plausible_login(user) && !password.empty()) {
    try {
      verified = verifier_.verify(user, password);
    } catch (const std::exception& e) {
      // Store errors do not carry passwords, but never trust a message to stay that way.
      std::string_view what = e.what();
      bool leaks = what.find(password) != std::string_view::npos;
      log::error("auth.verifier_error", "proto", protocol, "ip", ip, "user", user, "error",
                 leaks ? std::string_view("(withheld: message contains the credentials)") : what);
      verified.status = VerifyResult::Status::unavailable;
    }
  }

  switch (verified.status) {
    case VerifyResult::Status::ok:
      throttle_.record_success(ip, user);
      result.status = LoginResult::Status::ok;
      result.principal_id = verified.principal_id;
      result.canonical_email = std::move(verified.canonical_email);
      count(protocol, "ok");
      log::info("auth.ok", "proto", protocol, "ip", ip, "user", user, "principal", result.principal_id);
      return result;
    case VerifyResult::Status::unavailable:
      // Not the client's fault: no failure recorded, no delay.
      result.status = LoginResult::Status::unavailable;
      count(protocol, "unavailable");
      log::warn("auth.fail", "proto", protocol, "ip", ip, "user", user, "reason", "unavailable");
      return result;
    case VerifyResult::Status::bad_credentials:
      break;
  }
  result.status = LoginResult::Status::bad_credentials;
  result.delay = throttle_.record_failure(ip, user);
  count(protocol, "bad_credentials");
  log::info("auth.fail", "proto", protocol, "ip", ip, "user", user, "reason", "bad_credentials", "delay_ms",
            result.delay.count());
  return result;
}

}  // namespace atrium::auth
