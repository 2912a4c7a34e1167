// AUTH (RFC 4954): runs core/auth's SaslServer (PLAIN, LOGIN) over 334 challenges, then asks the
// driver to verify the credentials (Authenticate).
#include "mail/smtp/commands/handlers.hpp"

namespace atrium::smtp::detail {
namespace {

ReplyId reply_for(const auth::SaslError& e) {
  switch (e.kind) {
    case auth::SaslError::Kind::cancelled: return ReplyId::auth_cancelled;
    case auth::SaslError::Kind::malformed: return ReplyId::auth_malformed;
    case auth::SaslError::Kind::unsupported_mechanism: return ReplyId::auth_mechanism_unknown;
    case auth::SaslError::Kind::authzid_refused: return ReplyId::auth_invalid;
  }
  return ReplyId::auth_malformed;
}

// Acts on one step of the exchange; the session is in ReadingSaslResponse.
void advance(SessionCore& s, auth::SaslStep step) {
  if (auto* challenge = std::get_if<auth::Challenge>(&step)) return s.reply(ReplyId::auth_challenge, challenge->b64);
  auto& reading = std::get<ReadingSaslResponse>(s.input);
  const std::string mechanism(auth::sasl_mechanism_name(reading.sasl.mechanism()));
  if (auto* error = std::get_if<auth::SaslError>(&step)) {
    s.input = ReadingCommands{};
    return s.reply(reply_for(*error));
  }
  auto& credentials = std::get<auth::Credentials>(step);
  s.input = AwaitingAuth{credentials.authcid};
  s.request(Authenticate{mechanism, std::move(credentials.authcid), std::move(credentials.password)});
}

}  // namespace

void run_auth(SessionCore& s, const Command& c) {
  const Auth& command = std::get<Auth>(c);
  if (s.principal) return s.reply(ReplyId::already_authenticated);
  // The table already refuses AUTH before STARTTLS on port 587; this also covers a listener
  // configured without any TLS: PLAIN and LOGIN are never run in cleartext unless allowed.
  if (!s.auth_offered()) return s.reply(ReplyId::must_starttls);
  auto created = auth::SaslServer::create(command.mechanism);
  if (std::holds_alternative<auth::SaslError>(created)) return s.reply(ReplyId::auth_mechanism_unknown);
  s.input = ReadingSaslResponse{std::get<auth::SaslServer>(std::move(created))};
  auto& reading = std::get<ReadingSaslResponse>(s.input);
  std::optional<std::string_view> initial;
  if (command.initial_response) initial = *command.initial_response;
  advance(s, reading.sasl.start(initial));
}

void sasl_input(SessionCore& s, std::string_view line, bool bare_lf) {
  if (bare_lf) {
    s.input = ReadingCommands{};
    return s.reply(ReplyId::bare_lf_in_command);
  }
  auto& reading = std::get<ReadingSaslResponse>(s.input);
  advance(s, reading.sasl.step(line));
}

void sasl_line_too_long(SessionCore& s) {
  s.input = ReadingCommands{};
  s.reply(ReplyId::auth_malformed);
}

void finish_auth(SessionCore& s, const AuthResult& result) {
  auto* waiting = std::get_if<AwaitingAuth>(&s.input);
  check(waiting != nullptr, "Session::auth_done without an outstanding Authenticate");
  std::string authcid = std::move(waiting->authcid);
  s.input = ReadingCommands{};
  switch (result.outcome) {
    case AuthOutcome::success:
      s.principal = result.principal.empty() ? std::move(authcid) : result.principal;
      return s.reply(ReplyId::auth_succeeded);
    case AuthOutcome::invalid_credentials: return s.reply(ReplyId::auth_invalid);
    case AuthOutcome::temporary_failure: return s.reply(ReplyId::auth_temporary_failure);
  }
}

}  // namespace atrium::smtp::detail
