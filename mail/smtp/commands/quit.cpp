// QUIT (RFC 5321 section 4.1.1.10): 221, then close; anything pipelined after it is ignored.
#include "mail/smtp/commands/handlers.hpp"

namespace atrium::smtp::detail {

void run_quit(SessionCore& s, const Command&) {
  s.reply(ReplyId::closing, s.options.hostname);
  s.close();
}

}  // namespace atrium::smtp::detail
