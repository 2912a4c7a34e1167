// DELE (RFC 1939 section 5): marks a message; nothing is removed until QUIT commits the marks.
#include "mail/pop3/commands/handlers.hpp"

namespace atrium::pop3::detail {

void run_dele(SessionCore& s, const Command& c) {
  const MessageNumber n = std::get<Dele>(c).message;
  auto index = live_message(s, n);
  if (!index) return;
  Transaction& t = *s.transaction();
  t.deleted[*index] = true;
  ++t.deleted_count;
  t.deleted_octets += t.messages[*index].size;
  s.reply(ReplyId::deleted, n);
}

}  // namespace atrium::pop3::detail
