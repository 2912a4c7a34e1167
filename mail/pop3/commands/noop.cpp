// NOOP (RFC 1939 section 5).
#include "mail/pop3/commands/handlers.hpp"

namespace atrium::pop3::detail {

void run_noop(SessionCore& s, const Command&) { s.reply(ReplyId::ok); }

}  // namespace atrium::pop3::detail
