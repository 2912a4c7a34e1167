// The POP3 command table: one row per verb with its states, refusal and flags.
#include "mail/pop3/command_table.hpp"

#include "mail/pop3/commands/handlers.hpp"

#include <array>

namespace atrium::pop3::detail {
namespace {

using enum Phase;
using enum ReplyId;

constexpr PhaseSet auth_phase = phases({authorization});
constexpr PhaseSet trans_phase = phases({transaction});
constexpr PhaseSet any_phase = phases({authorization, transaction});

// In Verb order (checked below). CAPA and QUIT work in both states (RFC 2449 section 5, RFC
// 1939 section 6); STLS only before login (RFC 2595 section 4); NOOP only after (RFC 1939).
constexpr std::array<CommandSpec, verb_count> table = {{
    {Verb::user, auth_phase, already_logged_in, credentials, run_user},
    {Verb::pass, auth_phase, already_logged_in, credentials, run_pass},
    {Verb::stat, trans_phase, not_logged_in, 0, run_stat},
    {Verb::list, trans_phase, not_logged_in, 0, run_list},
    {Verb::retr, trans_phase, not_logged_in, 0, run_retr},
    {Verb::dele, trans_phase, not_logged_in, 0, run_dele},
    {Verb::noop, trans_phase, not_logged_in, 0, run_noop},
    {Verb::rset, trans_phase, not_logged_in, 0, run_rset},
    {Verb::quit, any_phase, ok, 0, run_quit},
    {Verb::top, trans_phase, not_logged_in, 0, run_top},
    {Verb::uidl, trans_phase, not_logged_in, 0, run_uidl},
    {Verb::capa, any_phase, ok, 0, run_capa},
    {Verb::stls, auth_phase, already_logged_in, 0, run_stls},
    {Verb::auth, auth_phase, already_logged_in, credentials, run_auth},
}};

constexpr bool table_in_verb_order() {
  for (std::size_t i = 0; i < table.size(); ++i) {
    if (static_cast<std::size_t>(table[i].verb) != i) return false;
  }
  return true;
}

static_assert(table_in_verb_order(), "the command table must list every Verb in enumerator order");

}  // namespace

const CommandSpec& command_spec(Verb verb) { return table.at(static_cast<std::size_t>(verb)); }

}  // namespace atrium::pop3::detail
