// AUTH (RFC 5034): runs core/auth's SaslServer (PLAIN, LOGIN) over "+ " continuations, then
// hands the credentials to the same login flow as PASS. Without a mechanism it lists them.
#include "mail/pop3/commands/handlers.hpp"

namespace atrium::pop3::detail {
namespace {

ReplyId reply_for(const auth::SaslError& e) {
  switch (e.kind) {
    case auth::SaslError::Kind::cancelled: return ReplyId::auth_cancelled;
    case auth::SaslError::Kind::malformed: return ReplyId::auth_malformed;
    case auth::SaslError::Kind::unsupported_mechanism: return ReplyId::auth_mechanism_unknown;
    case auth::SaslError::Kind::authzid_refused: return ReplyId::auth_failed;
  }
  return ReplyId::auth_malformed;
}

// Acts on one step of the exchange; the session is in ReadingSaslResponse.
void advance(SessionCore& s, auth::SaslStep step) {
  if (auto* challenge = std::get_if<auth::Challenge>(&step)) {
    // RFC 5034 section 4: "+" SP base64 (empty for an empty challenge).
    return s.send_bytes("+ " + challenge->b64 + "\r\n");
  }
  auto& reading = std::get<ReadingSaslResponse>(s.input);
  const std::string mechanism(auth::sasl_mechanism_name(reading.sasl.mechanism()));
  if (auto* error = std::get_if<auth::SaslError>(&step)) {
    s.input = ReadingCommands{};
    return s.reply(reply_for(*error));
  }
  auto& credentials = std::get<auth::Credentials>(step);
  request_login(s, mechanism, std::move(credentials.authcid), std::move(credentials.password));
}

}  // namespace

void run_auth(SessionCore& s, const Command& c) {
  const Auth& command = std::get<Auth>(c);
  if (!command.mechanism) {
    s.reply(ReplyId::mechanisms);
    std::vector<std::string> names;
    for (std::string_view m : auth::supported_mechanisms()) names.emplace_back(m);
    std::string body;
    append_multiline(body, names);
    return s.send_bytes(body);
  }
  auto created = auth::SaslServer::create(*command.mechanism);
  if (std::holds_alternative<auth::SaslError>(created)) return s.reply(ReplyId::auth_mechanism_unknown);
  std::get<Authorization>(s.state).user.reset();
  s.input = ReadingSaslResponse{std::get<auth::SaslServer>(std::move(created))};
  auto& reading = std::get<ReadingSaslResponse>(s.input);
  std::optional<std::string_view> initial;
  if (command.initial_response) initial = *command.initial_response;
  advance(s, reading.sasl.start(initial));
}

void sasl_input(SessionCore& s, std::string_view line) {
  auto& reading = std::get<ReadingSaslResponse>(s.input);
  advance(s, reading.sasl.step(line));
}

void sasl_line_too_long(SessionCore& s) {
  s.input = ReadingCommands{};
  s.reply(ReplyId::auth_malformed);
}

}  // namespace atrium::pop3::detail
