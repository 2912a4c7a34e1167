// MAIL FROM (RFC 5321 section 4.1.1.2 with SIZE, BODY, SMTPUTF8, RET, ENVID, AUTH): local checks,
// then the backend decides whether this sender may be used (CheckSender).
#include "mail/smtp/commands/handlers.hpp"

namespace atrium::smtp::detail {

void run_mail(SessionCore& s, const Command& c) {
  const Mail& mail = std::get<Mail>(c);
  // BINARYMIME is parsed but not advertised: its content could not be relayed over DATA.
  if (mail.params.body == BodyType::binary_mime) return s.reply(ReplyId::body_type_unsupported);
  if (mail.reverse_path.has_utf8() && !mail.params.smtputf8) return s.reply(ReplyId::non_ascii_address);
  // RFC 1870: refuse a declared size over the limit now rather than after the upload.
  if (s.options.max_message_size != 0 && mail.params.size && *mail.params.size > s.options.max_message_size) {
    return s.reply(ReplyId::message_too_big);
  }
  s.request(CheckSender{mail.reverse_path, mail.params, s.principal});
  s.input = AwaitingSender{mail};
}

void finish_mail(SessionCore& s, const SenderResult& result) {
  auto* waiting = std::get_if<AwaitingSender>(&s.input);
  check(waiting != nullptr, "Session::sender_checked without an outstanding CheckSender");
  Mail mail = std::move(waiting->mail);
  s.input = ReadingCommands{};
  switch (result.status) {
    case SenderStatus::accepted: {
      Transaction t;
      Envelope& e = t.envelope;
      e.reverse_path = std::move(mail.reverse_path);
      e.body = mail.params.body;
      e.smtputf8 = mail.params.smtputf8;
      e.ret = mail.params.ret;
      e.envid = std::move(mail.params.envid);
      e.declared_size = mail.params.size;
      e.helo = s.helo;
      e.hello_verb = s.hello_verb;
      e.peer = s.peer;
      e.tls = s.tls;
      e.authenticated = s.principal;
      s.state = std::move(t);
      return s.reply(ReplyId::sender_ok);
    }
    case SenderStatus::not_owned: return s.reply(ReplyId::sender_not_owned);
    case SenderStatus::rejected: return s.reply(ReplyId::sender_rejected);
    case SenderStatus::temporary_failure: return s.reply(ReplyId::temporary_failure);
  }
}

}  // namespace atrium::smtp::detail
