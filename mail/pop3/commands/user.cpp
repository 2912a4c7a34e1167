// USER (RFC 1939 section 7): remembers the name until PASS. Always +OK, whether the account
// exists or not, so the reply does not reveal which names exist.
#include "mail/pop3/commands/handlers.hpp"

namespace atrium::pop3::detail {

void run_user(SessionCore& s, const Command& c) {
  std::get<Authorization>(s.state).user = std::get<User>(c).name;
  s.reply(ReplyId::user_accepted);
}

}  // namespace atrium::pop3::detail
