// The end of a message (DATA's final dot or BDAT LAST): refuse bad content, otherwise hand the
// envelope and message to delivery and, when it answers, reply once (SMTP) or per recipient (LMTP).
#include "mail/smtp/commands/handlers.hpp"

#include "core/log/log.hpp"

#include <fmt/format.h>

namespace atrium::smtp::detail {
namespace {

ReplyId refusal_for(ContentError e) {
  switch (e) {
    case ContentError::bare_cr:
    case ContentError::bare_lf: return ReplyId::bare_line_ending;
    case ContentError::nul: return ReplyId::nul_in_message;
    case ContentError::line_too_long: return ReplyId::message_line_too_long;
  }
  return ReplyId::message_rejected;
}

std::string_view name_of(ContentError e) {
  switch (e) {
    case ContentError::bare_cr: return "bare_cr";
    case ContentError::bare_lf: return "bare_lf";
    case ContentError::nul: return "nul";
    case ContentError::line_too_long: return "line_too_long";
  }
  return "unknown";
}

ReplyId reply_for(DeliveryStatus status, Mode mode) {
  switch (status) {
    case DeliveryStatus::delivered: return mode == Mode::lmtp ? ReplyId::lmtp_delivered : ReplyId::message_accepted;
    case DeliveryStatus::mailbox_full: return ReplyId::mailbox_full;
    case DeliveryStatus::unknown_user: return ReplyId::unknown_user;
    case DeliveryStatus::rejected: return ReplyId::message_rejected;
    case DeliveryStatus::dmarc_rejected: return ReplyId::dmarc_rejected;
    case DeliveryStatus::temporary_failure: return ReplyId::temporary_failure;
  }
  return ReplyId::temporary_failure;
}

// LMTP replies name their recipient: "250 2.1.5 <bob@example.org> Delivered".
Reply for_recipient(ReplyId id, const std::string& mailbox) {
  Reply r = make_reply(id);
  r.lines.front() = fmt::format("<{}> {}", mailbox, r.lines.front());
  return r;
}

// The message-level verdict: once for SMTP, once per accepted recipient for LMTP. Not counted
// as client errors: the transaction was well-formed.
void verdict(SessionCore& s, const std::vector<std::string>& recipients, const std::vector<ReplyId>& ids) {
  if (s.options.mode != Mode::lmtp) return s.send(make_reply(ids.front()), CountError::no);
  for (std::size_t i = 0; i < recipients.size(); ++i) s.send(for_recipient(ids[i], recipients[i]), CountError::no);
}

}  // namespace

void finish_message(SessionCore& s) {
  Transaction& t = *s.transaction();
  const DataReader& body = *t.body;
  std::vector<std::string> recipients;
  recipients.reserve(t.envelope.recipients.size());
  for (const EnvelopeRecipient& r : t.envelope.recipients) recipients.push_back(r.path.mailbox());

  std::optional<ReplyId> refusal;
  if (body.too_big()) {
    refusal = ReplyId::message_too_big;
    log::info("smtp.message_refused", "peer", s.peer, "reason", "too_big", "size", body.size());
  } else if (auto e = body.error()) {
    refusal = refusal_for(*e);
    log::info("smtp.message_refused", "peer", s.peer, "reason", name_of(*e));
  }
  if (refusal) {
    s.end_transaction();
    return verdict(s, recipients, std::vector<ReplyId>(recipients.size(), *refusal));
  }
  Envelope envelope = std::move(t.envelope);
  envelope.size = body.size();
  envelope.chunked = t.chunked;
  if (body.has_8bit() && envelope.body != BodyType::eight_bit_mime && envelope.body != BodyType::binary_mime) {
    // Accepted, as Postfix, Exim and Exchange do: refusing breaks real senders, and the
    // message is stored as sent. Flagged for the outbound queue.
    envelope.undeclared_8bit = true;
    log::info("smtp.undeclared_8bit", "peer", s.peer, "helo", envelope.helo);
  }
  std::string message = std::move(t.message);
  s.end_transaction();
  s.input = AwaitingDelivery{std::move(recipients)};
  s.request(Deliver{std::move(envelope), std::move(message)});
}

void finish_delivery(SessionCore& s, const DeliveryResult& result) {
  auto* waiting = std::get_if<AwaitingDelivery>(&s.input);
  check(waiting != nullptr, "Session::delivered without an outstanding Deliver");
  std::vector<std::string> recipients = std::move(waiting->recipients);
  s.input = ReadingCommands{};
  const std::size_t expected = s.options.mode == Mode::lmtp ? recipients.size() : 1;
  check(result.statuses.size() == expected, "DeliveryResult: wrong number of statuses");
  std::vector<ReplyId> ids;
  for (DeliveryStatus st : result.statuses) ids.push_back(reply_for(st, s.options.mode));
  verdict(s, recipients, ids);
}

}  // namespace atrium::smtp::detail
