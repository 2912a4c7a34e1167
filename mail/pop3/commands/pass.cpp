// PASS (RFC 1939 section 7): the password for the name given with USER; one attempt per USER.
#include "mail/pop3/commands/handlers.hpp"

namespace atrium::pop3::detail {

void run_pass(SessionCore& s, const Command& c) {
  auto& authorization = std::get<Authorization>(s.state);
  if (!authorization.user) return s.error(ReplyId::pass_without_user);
  std::string user = std::move(*authorization.user);
  authorization.user.reset();
  request_login(s, "USER", std::move(user), std::get<Pass>(c).password);
}

}  // namespace atrium::pop3::detail
