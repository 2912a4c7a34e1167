// RETR (RFC 1939 section 5): the whole message. The driver streams it from the store after the
// status line; this file also finishes TOP, which differs only in its line limit.
#include "mail/pop3/commands/handlers.hpp"

#include <fmt/format.h>

namespace atrium::pop3::detail {

void request_retrieve(SessionCore& s, std::size_t index, std::optional<std::uint64_t> body_lines,
                      std::string status_line) {
  const MaildropMessage& m = s.transaction()->messages[index];
  s.input = AwaitingRetrieve{index + 1};
  s.request(Retrieve{m.key, index + 1, body_lines, std::move(status_line)});
}

void run_retr(SessionCore& s, const Command& c) {
  auto index = live_message(s, std::get<Retr>(c).message);
  if (!index) return;
  const std::uint64_t size = s.transaction()->messages[*index].size;
  request_retrieve(s, *index, std::nullopt, format_reply(make_reply(ReplyId::retr, size)));
}

void finish_retrieve(SessionCore& s, RetrieveStatus status) {
  auto* waiting = std::get_if<AwaitingRetrieve>(&s.input);
  check(waiting != nullptr, "Session::retrieved without an outstanding Retrieve");
  const std::uint64_t number = waiting->number;
  s.input = ReadingCommands{};
  switch (status) {
    case RetrieveStatus::sent: return;
    case RetrieveStatus::gone: return s.reply(ReplyId::message_gone, number);
    case RetrieveStatus::temporary_failure: return s.reply(ReplyId::message_unavailable);
  }
}

}  // namespace atrium::pop3::detail
