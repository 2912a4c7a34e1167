// LIST (RFC 1939 section 5): one scan listing, or all of them for messages not marked deleted.
#include "mail/pop3/commands/handlers.hpp"

#include <fmt/format.h>

namespace atrium::pop3::detail {

void run_list(SessionCore& s, const Command& c) {
  const auto& command = std::get<List>(c);
  const Transaction& t = *s.transaction();
  if (command.message) {
    auto index = live_message(s, *command.message);
    if (index) s.reply(ReplyId::scan_listing, *command.message, t.messages[*index].size);
    return;
  }
  s.reply(ReplyId::list_follows, t.live_count(), t.live_octets());
  std::string body;
  for (std::size_t i = 0; i < t.messages.size(); ++i) {
    if (!t.deleted[i]) fmt::format_to(std::back_inserter(body), "{} {}\r\n", i + 1, t.messages[i].size);
  }
  body += ".\r\n";
  s.send_bytes(body);
}

}  // namespace atrium::pop3::detail
