// The IMAP command table (after Dovecot's imap-commands and Postfix's smtpd): one row per command
// with the session states it may run in, whether it may run before TLS, its UID form, the flags
// the dispatcher needs to decide what may run concurrently (RFC 9051 section 5.5) and the
// capability that announces it. The dispatcher enforces these; handlers never re-check.
#pragma once

#include "mail/imap/command.hpp"

#include <cstdint>
#include <span>
#include <string_view>

namespace atrium::imap {

// Session states of RFC 9051 section 3 as bits (the logout state runs no commands).
enum class SessionState : std::uint8_t {
  not_authenticated = 1,
  authenticated = 2,
  selected = 4,
};
using StateSet = std::uint8_t;
constexpr StateSet state_bit(SessionState s) { return static_cast<StateSet>(s); }
constexpr bool has_state(StateSet set, SessionState s) { return (set & state_bit(s)) != 0; }

// Bits of CommandSpec::flags.
namespace command_flag {
// May run on a cleartext connection before STARTTLS whatever the policy.
inline constexpr std::uint16_t allowed_before_tls = 1 << 0;
// LOGIN and AUTHENTICATE: before TLS only where the configuration allows cleartext
// authentication; otherwise refused (LOGINDISABLED is advertised).
inline constexpr std::uint16_t authenticates = 1 << 1;
// Has a "UID <name>" form.
inline constexpr std::uint16_t has_uid_form = 1 << 2;
// The non-UID form names messages by sequence number.
inline constexpr std::uint16_t uses_sequence_numbers = 1 << 3;
// Removes messages from the selected mailbox by its own action (EXPUNGE, UID EXPUNGE, MOVE,
// CLOSE): sequence numbers change under any command running beside it.
inline constexpr std::uint16_t expunges = 1 << 4;
// Changes the session state, the selected mailbox, TLS or compression, or takes over the
// connection (IDLE, AUTHENTICATE): it runs alone, after everything before it and before
// everything after it.
inline constexpr std::uint16_t exclusive = 1 << 5;
// STARTTLS, COMPRESS: octets the client pipelined behind the command are dropped, never read
// as commands after the switch (the injection of CVE-2011-0411).
inline constexpr std::uint16_t drops_pipelined_input = 1 << 6;
// Writes message state in the selected mailbox (STORE; a FETCH that sets \Seen also does,
// see traits_of).
inline constexpr std::uint16_t writes_messages = 1 << 7;
// Part of IMAP4rev1 but not IMAP4rev2 (LSUB, CHECK): still served to clients of either.
inline constexpr std::uint16_t rev1_only = 1 << 8;

}  // namespace command_flag

struct CommandSpec {
  CommandName name;
  StateSet states;
  std::uint16_t flags;
  // The capability that announces the command on IMAP4rev1 ("" for RFC 3501 commands); on
  // IMAP4rev2, ENABLE, IDLE, NAMESPACE, UNSELECT, MOVE and UID EXPUNGE are part of the base.
  std::string_view capability;

  bool has(std::uint16_t flag) const { return (flags & flag) != 0; }
  bool allowed_in(SessionState s) const { return has_state(states, s); }
};

// The row of `name`. Every CommandName has one (checked at compile time).
const CommandSpec& command_spec(CommandName name);
// All rows, in CommandName order.
std::span<const CommandSpec> command_table();

// What one parsed command does, given its actual arguments (the UID prefix, search keys that
// name sequence numbers, FETCH items that set \Seen).
struct CommandTraits {
  bool uses_sequence_numbers = false;
  // The server may send EXPUNGE while it runs: every command but FETCH, STORE and SEARCH
  // (RFC 9051 section 7.5.1), and always when it expunges by itself.
  bool may_send_expunge = false;
  bool writes_messages = false;  // STORE, expunging commands, FETCH items that set \Seen
  bool exclusive = false;
};
CommandTraits traits_of(const Command& command);

// RFC 9051 section 5.5: whether `next` may start while `running` has not completed. No when
// either is exclusive, when `next` uses sequence numbers and `running` may expunge, and when
// `running` writes message state that `next` reads or writes (a selected-state command).
bool may_run_concurrently(const Command& running, const Command& next);

}  // namespace atrium::imap
