// The command table (after Dovecot's pop3-commands and Postfix's smtpd): for each verb, the
// states it may run in, the reply when it may not, and the flags the dispatcher enforces, so no
// handler re-checks state or the cleartext-password policy.
#pragma once

#include "mail/pop3/command.hpp"
#include "mail/pop3/reply.hpp"
#include "mail/pop3/session_core.hpp"

#include <cstdint>
#include <initializer_list>

namespace atrium::pop3::detail {

using PhaseSet = std::uint8_t;
constexpr PhaseSet phases(std::initializer_list<Phase> list) {
  PhaseSet s = 0;
  for (Phase p : list) s |= static_cast<PhaseSet>(p);
  return s;
}
constexpr bool has_phase(PhaseSet s, Phase p) { return (s & static_cast<PhaseSet>(p)) != 0; }

enum CommandFlag : std::uint8_t {
  // Carries or leads to a password: refused with -ERR [AUTH] on a connection without TLS
  // unless cleartext logins are allowed there (RFC 2595 section 2.1 recommends it).
  credentials = 1,
};

using Handler = void (*)(SessionCore&, const Command&);

struct CommandSpec {
  Verb verb;
  PhaseSet allowed;  // states the handler runs in
  ReplyId refusal;   // the reply in the other states
  std::uint8_t flags;
  Handler run;
};

// The table entry of `verb`.
const CommandSpec& command_spec(Verb verb);

}  // namespace atrium::pop3::detail
