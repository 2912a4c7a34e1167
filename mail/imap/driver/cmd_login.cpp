// STARTTLS, LOGIN and AUTHENTICATE: the way from not authenticated to authenticated.
#include "mail/imap/driver/session_impl.hpp"

#include "core/auth/sasl.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include <fmt/format.h>

namespace atrium::imap {
namespace {

asio::awaitable<void> pause(std::chrono::milliseconds delay) {
  if (delay.count() <= 0) co_return;
  asio::steady_timer timer(co_await asio::this_coro::executor, delay);
  co_await timer.async_wait(asio::use_awaitable);
}

// Checks the credentials on the CPU pool, waits the throttle's delay, then answers.
asio::awaitable<void> log_in(Session::Impl& s, const std::string& tag, const std::string& user,
                             const std::string& password, std::string_view verb) {
  std::string ip = s.peer.remote_address.to_string();
  auto result = co_await runtime::run_blocking(
      s.services.cpu, [&] { return s.services.authenticator.login(user, password, ip, "imap"); });
  co_await pause(result.delay);
  switch (result.status) {
    case auth::LoginResult::Status::ok:
      s.state = Authenticated{Account{result.principal_id, result.canonical_email}};
      // RFC 9051 §7.1: the capabilities change at login, so they come with the OK.
      s.tagged(tag, "OK", fmt::format("[CAPABILITY {}] {} completed", s.capability_list(), verb));
      break;
    case auth::LoginResult::Status::bad_credentials:
      s.tagged(tag, "NO", "[AUTHENTICATIONFAILED] Authentication failed");
      break;
    case auth::LoginResult::Status::throttled:
    case auth::LoginResult::Status::unavailable:
      s.tagged(tag, "NO", "[UNAVAILABLE] Temporary authentication failure");
      break;
  }
}

bool cleartext_refused(Session::Impl& s, const std::string& tag) {
  if (s.channel.tls_active() || s.options.cleartext_login) return false;
  s.tagged(tag, "NO", "[PRIVACYREQUIRED] Use STARTTLS or imaps before sending a password");
  return true;
}

}  // namespace

asio::awaitable<void> run_login(Session::Impl& s, const Command& c) {
  switch (c.name()) {
    case CommandName::starttls: {
      if (s.channel.tls_active() || !s.channel.tls_available()) {
        s.tagged(c.tag, "BAD", "TLS is not available here");
        co_return;
      }
      s.tagged(c.tag, "OK", "Begin TLS negotiation now");
      if (!co_await s.flush() || !co_await s.channel.start_tls()) {
        s.state = LoggedOut{};
      }
      co_return;
    }
    case CommandName::login: {
      const auto& l = std::get<Login>(c.body);
      if (cleartext_refused(s, c.tag)) co_return;
      co_await log_in(s, c.tag, l.user, l.password, "LOGIN");
      co_return;
    }
    case CommandName::authenticate: {
      const auto& a = std::get<Authenticate>(c.body);
      if (cleartext_refused(s, c.tag)) co_return;
      auto created = auth::SaslServer::create(a.mechanism);
      if (auto* err = std::get_if<auth::SaslError>(&created)) {
        s.tagged(c.tag, "NO", fmt::format("[CANNOT] {}", err->message));
        co_return;
      }
      auto& sasl = std::get<auth::SaslServer>(created);
      std::optional<std::string_view> initial;
      if (a.initial_response) initial = *a.initial_response;
      auth::SaslStep step = sasl.start(initial);
      while (auto* challenge = std::get_if<auth::Challenge>(&step)) {
        s.out += "+ " + challenge->b64 + "\r\n";
        if (!co_await s.flush()) {
          s.state = LoggedOut{};
          co_return;
        }
        auto line = co_await s.channel.read_line(auth::sasl_max_response_chars + 2);
        if (!line) {
          s.state = LoggedOut{};
          co_return;
        }
        step = sasl.step(*line);
      }
      if (auto* err = std::get_if<auth::SaslError>(&step)) {
        s.tagged(c.tag, err->kind == auth::SaslError::Kind::cancelled ? "BAD" : "NO", err->message);
        co_return;
      }
      const auto& creds = std::get<auth::Credentials>(step);
      co_await log_in(s, c.tag, creds.authcid, creds.password, "AUTHENTICATE");
      co_return;
    }
    default: s.tagged(c.tag, "BAD", "Unexpected command"); co_return;
  }
}

}  // namespace atrium::imap
