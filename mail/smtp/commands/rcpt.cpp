// RCPT TO (RFC 5321 section 4.1.1.3 with NOTIFY and ORCPT): limits and relay tricks first, then
// the backend resolves the recipient (CheckRecipient).
#include "mail/smtp/commands/handlers.hpp"

namespace atrium::smtp::detail {

void run_rcpt(SessionCore& s, const Command& c) {
  const Rcpt& rcpt = std::get<Rcpt>(c);
  Transaction& t = *s.transaction();
  if (t.chunked) return s.reply(ReplyId::bad_sequence);  // RFC 3030: recipients precede the chunks
  if (s.options.max_recipients != 0 && t.envelope.recipients.size() >= s.options.max_recipients) {
    return s.reply(ReplyId::too_many_recipients);
  }
  if (rcpt.forward_path.has_utf8() && !t.envelope.smtputf8) return s.reply(ReplyId::non_ascii_address);
  // Unauthenticated clients may only reach local mailboxes; '%', '!' and quoted '@' are how
  // relays were tricked into forwarding, so such a local part is refused whatever its domain.
  if (!s.principal && rcpt.forward_path.has_routing_characters()) return s.reply(ReplyId::relay_denied);
  s.request(CheckRecipient{rcpt.forward_path, rcpt.params, s.principal});
  s.input = AwaitingRecipient{rcpt};
}

void finish_rcpt(SessionCore& s, const RecipientResult& result) {
  auto* waiting = std::get_if<AwaitingRecipient>(&s.input);
  check(waiting != nullptr, "Session::recipient_checked without an outstanding CheckRecipient");
  Rcpt rcpt = std::move(waiting->rcpt);
  s.input = ReadingCommands{};
  switch (result.status) {
    case RecipientStatus::accepted:
      s.transaction()->envelope.recipients.push_back(
          EnvelopeRecipient{std::move(rcpt.forward_path), std::move(rcpt.params), result.token});
      return s.reply(ReplyId::recipient_ok);
    case RecipientStatus::unknown_user: return s.reply(ReplyId::unknown_user);
    case RecipientStatus::mailbox_full: return s.reply(ReplyId::mailbox_full);
    case RecipientStatus::relay_denied: return s.reply(ReplyId::relay_denied);
    case RecipientStatus::rejected: return s.reply(ReplyId::recipient_rejected);
    case RecipientStatus::temporary_failure: return s.reply(ReplyId::temporary_failure);
  }
}

}  // namespace atrium::smtp::detail
