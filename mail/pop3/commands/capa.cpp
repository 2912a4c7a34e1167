// CAPA (RFC 2449 section 5): what this server offers now. USER and SASL appear only where a
// password may be sent (RFC 2595 section 2.1), STLS only before TLS.
#include "mail/pop3/commands/handlers.hpp"

#include "core/auth/sasl.hpp"

namespace atrium::pop3::detail {

std::vector<std::string> capabilities(const SessionCore& s) {
  std::vector<std::string> lines = {"TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING",
                                    // We never remove mail on our own; no LOGIN-DELAY policy either
                                    // (failed logins are slowed by the throttle instead).
                                    "EXPIRE NEVER"};
  if (s.login_allowed()) {
    lines.emplace_back("USER");
    std::string sasl = "SASL";
    for (std::string_view m : auth::supported_mechanisms()) {
      sasl += ' ';
      sasl += m;
    }
    lines.push_back(std::move(sasl));
  }
  if (s.stls_offered()) lines.emplace_back("STLS");
  lines.emplace_back("IMPLEMENTATION Atrium");
  return lines;
}

void run_capa(SessionCore& s, const Command&) {
  s.reply(ReplyId::capabilities);
  std::string body;
  append_multiline(body, capabilities(s));
  s.send_bytes(body);
}

}  // namespace atrium::pop3::detail
