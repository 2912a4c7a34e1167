// VRFY (RFC 5321 section 3.5.3): always 252. Verifying would let anyone harvest addresses.
#include "mail/smtp/commands/handlers.hpp"

namespace atrium::smtp::detail {

void run_vrfy(SessionCore& s, const Command&) { s.reply(ReplyId::vrfy_cannot_verify); }

}  // namespace atrium::smtp::detail
