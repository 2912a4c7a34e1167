// TOP (RFC 1939 section 7): the header, the empty line and the first n body lines.
#include "mail/pop3/commands/handlers.hpp"

namespace atrium::pop3::detail {

void run_top(SessionCore& s, const Command& c) {
  const auto& command = std::get<Top>(c);
  auto index = live_message(s, command.message);
  if (!index) return;
  request_retrieve(s, *index, command.lines, format_reply(make_reply(ReplyId::top)));
}

}  // namespace atrium::pop3::detail
