// RSET (RFC 5321 section 4.1.1.5): abort the transaction, keep the greeting.
#include "mail/smtp/commands/handlers.hpp"

namespace atrium::smtp::detail {

void run_rset(SessionCore& s, const Command&) {
  s.end_transaction();
  s.reply(ReplyId::ok);
}

}  // namespace atrium::smtp::detail
