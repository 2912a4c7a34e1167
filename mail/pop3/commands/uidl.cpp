// UIDL (RFC 1939 section 7): the unique-id of one message, or of every message not marked
// deleted. The backend derives them so that they survive sessions and restarts.
#include "mail/pop3/commands/handlers.hpp"

#include <fmt/format.h>

namespace atrium::pop3::detail {

void run_uidl(SessionCore& s, const Command& c) {
  const auto& command = std::get<Uidl>(c);
  const Transaction& t = *s.transaction();
  if (command.message) {
    auto index = live_message(s, *command.message);
    if (index) s.reply(ReplyId::unique_id, *command.message, t.messages[*index].unique_id);
    return;
  }
  s.reply(ReplyId::uidl_follows);
  std::string body;
  for (std::size_t i = 0; i < t.messages.size(); ++i) {
    if (!t.deleted[i]) fmt::format_to(std::back_inserter(body), "{} {}\r\n", i + 1, t.messages[i].unique_id);
  }
  body += ".\r\n";
  s.send_bytes(body);
}

}  // namespace atrium::pop3::detail
