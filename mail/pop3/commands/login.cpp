// The login flow after USER/PASS or AUTH: verify the credentials, then lock and list the
// maildrop. Only when both succeed does the session enter the TRANSACTION state (RFC 1939
// section 4: a lock that cannot be had is a negative reply, and the client may try again).
#include "mail/pop3/commands/handlers.hpp"

#include "core/log/log.hpp"

#include <algorithm>

namespace atrium::pop3::detail {
namespace {

// RFC 1939 section 7: a unique-id is 1 to 70 characters in 0x21-0x7E.
bool valid_unique_id(std::string_view id) {
  if (id.empty() || id.size() > 70) return false;
  return std::all_of(id.begin(), id.end(), [](char c) { return c >= 0x21 && c <= 0x7E; });
}

}  // namespace

void request_login(SessionCore& s, std::string mechanism, std::string authcid, std::string password) {
  s.input = AwaitingAuth{};
  s.request(Authenticate{std::move(mechanism), std::move(authcid), std::move(password)});
}

void finish_auth(SessionCore& s, const AuthResult& result) {
  check(std::holds_alternative<AwaitingAuth>(s.input), "Session::auth_done without an outstanding Authenticate");
  s.input = ReadingCommands{};
  switch (result.outcome) {
    case AuthOutcome::success:
      s.input = AwaitingMaildrop{result.principal};
      return s.request(OpenMaildrop{result.principal, result.account});
    case AuthOutcome::invalid_credentials: return s.reply(ReplyId::auth_failed);
    case AuthOutcome::temporary_failure: return s.reply(ReplyId::auth_temporary_failure);
  }
}

void finish_maildrop(SessionCore& s, MaildropResult result) {
  auto* waiting = std::get_if<AwaitingMaildrop>(&s.input);
  check(waiting != nullptr, "Session::maildrop_opened without an outstanding OpenMaildrop");
  std::string principal = std::move(waiting->principal);
  s.input = ReadingCommands{};
  switch (result.status) {
    case MaildropStatus::opened: break;
    case MaildropStatus::in_use: return s.reply(ReplyId::in_use);
    case MaildropStatus::missing: return s.reply(ReplyId::maildrop_missing);
    case MaildropStatus::temporary_failure: return s.reply(ReplyId::maildrop_unavailable);
  }
  Transaction t;
  t.principal = std::move(principal);
  t.messages = std::move(result.messages);
  t.deleted.assign(t.messages.size(), false);
  for (const MaildropMessage& m : t.messages) {
    check(valid_unique_id(m.unique_id), "MaildropResult: unique-id outside RFC 1939's 1-70 octets 0x21-0x7E");
    t.total_octets += m.size;
  }
  const std::size_t count = t.live_count();
  const std::uint64_t octets = t.live_octets();
  s.state = std::move(t);
  s.reply(ReplyId::logged_in, count, octets);
}

}  // namespace atrium::pop3::detail
