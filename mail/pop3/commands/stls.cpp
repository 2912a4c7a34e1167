// STLS (RFC 2595 section 4): +OK, drop whatever the client pipelined behind the command
// (CVE-2011-0411), let the driver handshake, then forget anything said in cleartext.
#include "mail/pop3/commands/handlers.hpp"

#include "core/log/log.hpp"

namespace atrium::pop3::detail {

void run_stls(SessionCore& s, const Command&) {
  if (s.tls) return s.reply(ReplyId::tls_already_active);
  if (!s.options.tls_available) return s.reply(ReplyId::tls_not_available);
  s.reply(ReplyId::begin_tls);
  if (std::size_t dropped = s.discard_buffered_input(); dropped != 0) {
    log::warn("pop3.stls_discarded_input", "peer", s.peer, "octets", dropped);
  }
  s.input = AwaitingTls{};
  s.request(StartTls{});
}

void finish_starttls(SessionCore& s, std::string description) {
  check(std::holds_alternative<AwaitingTls>(s.input), "Session::tls_started without an outstanding StartTls");
  s.tls = std::move(description);
  s.state = Authorization{};  // a USER given in cleartext does not carry over
  s.input = ReadingCommands{};
}

}  // namespace atrium::pop3::detail
