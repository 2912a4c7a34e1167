// DATA (RFC 5321 section 4.1.1.4): 354, then dot-stuffed content up to CRLF.CRLF.
#include "mail/smtp/commands/handlers.hpp"

namespace atrium::smtp::detail {

void run_data(SessionCore& s, const Command&) {
  Transaction& t = *s.transaction();
  if (t.chunked) return s.reply(ReplyId::data_in_bdat_transaction);  // RFC 3030 section 3
  t.body.emplace(BodyFraming::dot_stuffed, s.options.max_message_size);
  t.message.clear();
  s.input = ReadingData{};
  s.reply(ReplyId::start_mail_input);
}

std::size_t data_input(SessionCore& s, std::string_view in) {
  Transaction& t = *s.transaction();
  const std::size_t consumed = t.body->feed(in, t.message);
  if (t.body->done()) {
    s.input = ReadingCommands{};
    finish_message(s);
  }
  return consumed;
}

}  // namespace atrium::smtp::detail
