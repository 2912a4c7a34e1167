// STARTTLS (RFC 3207): 220, drop whatever the client pipelined behind the command (CVE-2011-0411),
// let the driver handshake, then start over as if newly connected (section 4.2).
#include "mail/smtp/commands/handlers.hpp"

#include "core/log/log.hpp"

namespace atrium::smtp::detail {

void run_starttls(SessionCore& s, const Command&) {
  if (s.tls) return s.reply(ReplyId::tls_already_active);
  if (!s.options.tls_available) return s.reply(ReplyId::tls_not_available);
  s.reply(ReplyId::ready_for_tls);
  if (std::size_t dropped = s.discard_buffered_input(); dropped != 0) {
    log::warn("smtp.starttls_discarded_input", "peer", s.peer, "octets", dropped);
  }
  s.request(StartTls{});
  s.input = AwaitingTls{};
}

void finish_starttls(SessionCore& s, std::string description) {
  check(std::holds_alternative<AwaitingTls>(s.input), "Session::tls_started without an outstanding StartTls");
  s.tls = std::move(description);
  // Nothing learnt in cleartext survives: the hello, and any authentication.
  s.helo.clear();
  s.principal.reset();
  s.state = Connected{};
  s.input = ReadingCommands{};
}

}  // namespace atrium::smtp::detail
