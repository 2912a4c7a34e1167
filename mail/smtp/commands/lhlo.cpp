// LHLO (RFC 2033 section 4.1): LMTP's EHLO, with the same capability list.
#include "mail/smtp/commands/handlers.hpp"

namespace atrium::smtp::detail {

void run_lhlo(SessionCore& s, const Command& c) {
  greet(s, std::get<Lhlo>(c).domain, HelloVerb::lhlo);
  s.send(ehlo_reply(s));
}

}  // namespace atrium::smtp::detail
