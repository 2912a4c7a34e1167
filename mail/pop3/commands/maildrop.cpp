// Message-number lookup shared by LIST, UIDL, RETR, TOP and DELE (RFC 1939 section 5: a number
// names a message of the maildrop as listed at login; deleted ones may not be named).
#include "mail/pop3/commands/handlers.hpp"

namespace atrium::pop3::detail {

std::optional<std::size_t> live_message(SessionCore& s, MessageNumber n) {
  const Transaction& t = *s.transaction();
  if (n == 0 || n > t.messages.size()) {
    s.reply(ReplyId::no_such_message);
    return std::nullopt;
  }
  const auto index = static_cast<std::size_t>(n - 1);
  if (t.deleted[index]) {
    s.reply(ReplyId::message_deleted, n);
    return std::nullopt;
  }
  return index;
}

}  // namespace atrium::pop3::detail
