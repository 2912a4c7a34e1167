// NOOP (RFC 5321 section 4.1.1.9).
#include "mail/smtp/commands/handlers.hpp"

namespace atrium::smtp::detail {

void run_noop(SessionCore& s, const Command&) { s.reply(ReplyId::ok); }

}  // namespace atrium::smtp::detail
