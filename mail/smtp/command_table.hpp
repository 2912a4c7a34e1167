// The command table (after Postfix's smtpd and Dovecot's imap-commands): for each verb, the
// listeners that know it, the phases it may run in and the reply when it may not, and the flags
// the dispatcher enforces, so no handler re-checks sequence, TLS or authentication.
#pragma once

#include "mail/smtp/command.hpp"
#include "mail/smtp/reply.hpp"
#include "mail/smtp/session_core.hpp"

#include <array>
#include <cstdint>

namespace atrium::smtp::detail {

// Bit sets over Phase and Mode.
using PhaseSet = std::uint8_t;
using ModeSet = std::uint8_t;
constexpr PhaseSet phases(std::initializer_list<Phase> list) {
  PhaseSet s = 0;
  for (Phase p : list) s |= static_cast<PhaseSet>(p);
  return s;
}
constexpr ModeSet mode_bit(Mode m) { return static_cast<ModeSet>(1u << static_cast<unsigned>(m)); }
constexpr bool has_phase(PhaseSet s, Phase p) { return (s & static_cast<PhaseSet>(p)) != 0; }
constexpr bool has_mode(ModeSet s, Mode m) { return (s & mode_bit(m)) != 0; }

enum CommandFlag : std::uint8_t {
  pre_tls = 1,        // allowed on submission before STARTTLS
  last_in_group = 2,  // RFC 2920 section 3.1: the client must wait for the reply; input
                      // already buffered behind it is a synchronisation error (for STARTTLS
                      // it is discarded instead, CVE-2011-0411)
  needs_auth = 4,     // refused with 530 5.7.0 on submission until AUTH succeeded
  has_payload = 8,    // BDAT: a refusal must still consume the chunk's octets
};

// The reply for the phases in `in`, when the command is not allowed there.
struct Refusal {
  PhaseSet in = 0;
  ReplyId reply = ReplyId::bad_sequence;
};

using Handler = void (*)(SessionCore&, const Command&);

struct CommandSpec {
  Verb verb;
  ModeSet modes;                 // listeners that know the verb
  ReplyId other_mode;            // reply on the other listeners
  PhaseSet allowed;              // phases the handler runs in
  std::array<Refusal, 2> refusals;  // replies for the other phases (bad_sequence if none match)
  std::uint8_t flags;
  Handler run;
};

// The table entry of `verb`.
const CommandSpec& command_spec(Verb verb);
// The reply for running `spec` in `phase` (which is not in spec.allowed).
ReplyId refusal_for(const CommandSpec& spec, Phase phase);
// The verbs known on `mode`, space-separated, in table order (for HELP).
std::string known_verbs(Mode mode);

}  // namespace atrium::smtp::detail
