// HELO (RFC 5321 section 4.1.1.1): plain SMTP greeting; no extensions are advertised.
#include "mail/smtp/commands/handlers.hpp"

namespace atrium::smtp::detail {

void run_helo(SessionCore& s, const Command& c) {
  greet(s, std::get<Helo>(c).domain, HelloVerb::helo);
  s.reply(ReplyId::helo, s.options.hostname);
}

}  // namespace atrium::smtp::detail
