// RSET (RFC 1939 section 5): unmarks every message marked deleted in this session.
#include "mail/pop3/commands/handlers.hpp"

namespace atrium::pop3::detail {

void run_rset(SessionCore& s, const Command&) {
  Transaction& t = *s.transaction();
  t.deleted.assign(t.messages.size(), false);
  t.deleted_count = 0;
  t.deleted_octets = 0;
  s.reply(ReplyId::maildrop_reset, t.live_count(), t.live_octets());
}

}  // namespace atrium::pop3::detail
