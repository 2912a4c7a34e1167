// STAT (RFC 1939 section 5): the count and size of the messages not marked deleted.
#include "mail/pop3/commands/handlers.hpp"

namespace atrium::pop3::detail {

void run_stat(SessionCore& s, const Command&) {
  const Transaction& t = *s.transaction();
  s.reply(ReplyId::stat, t.live_count(), t.live_octets());
}

}  // namespace atrium::pop3::detail
