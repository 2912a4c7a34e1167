// EHLO (RFC 5321 section 4.1.1.1): start over and advertise the extensions that apply now.
#include "mail/smtp/commands/handlers.hpp"

#include "core/auth/sasl.hpp"

#include <fmt/format.h>

namespace atrium::smtp::detail {

void greet(SessionCore& s, std::string name, HelloVerb verb) {
  s.end_transaction();
  s.state = Greeted{};
  s.helo = std::move(name);
  s.hello_verb = verb;
}

Reply ehlo_reply(const SessionCore& s) {
  Reply r = make_reply(ReplyId::ehlo_first_line, s.options.hostname);
  auto& lines = r.lines;
  if (s.options.pipelining) lines.emplace_back("PIPELINING");
  lines.push_back(s.options.max_message_size ? fmt::format("SIZE {}", s.options.max_message_size) : "SIZE");
  if (s.starttls_offered()) lines.emplace_back("STARTTLS");
  if (s.auth_offered()) {
    std::string auth = "AUTH";
    for (std::string_view m : auth::supported_mechanisms()) {
      auth += ' ';
      auth += m;
    }
    lines.push_back(std::move(auth));
  }
  lines.emplace_back("ENHANCEDSTATUSCODES");
  lines.emplace_back("8BITMIME");
  lines.emplace_back("SMTPUTF8");
  lines.emplace_back("CHUNKING");
  lines.emplace_back("DSN");
  return r;
}

void run_ehlo(SessionCore& s, const Command& c) {
  greet(s, std::get<Ehlo>(c).domain, HelloVerb::ehlo);
  s.send(ehlo_reply(s));
}

}  // namespace atrium::smtp::detail
