// The SMTP/LMTP command table: one row per verb with its listeners, phases, refusals and flags.
#include "mail/smtp/command_table.hpp"

#include "mail/smtp/commands/handlers.hpp"

namespace atrium::smtp::detail {
namespace {

using enum Phase;
using enum ReplyId;

constexpr ModeSet smtp_modes = mode_bit(Mode::mx) | mode_bit(Mode::submission) | mode_bit(Mode::submissions);
constexpr ModeSet lmtp_mode = mode_bit(Mode::lmtp);
constexpr ModeSet all_modes = smtp_modes | lmtp_mode;
constexpr ModeSet auth_modes = mode_bit(Mode::submission) | mode_bit(Mode::submissions);
constexpr PhaseSet any_phase = phases({connected, greeted, mail, rcpt});

// In Verb order (checked below).
constexpr std::array<CommandSpec, verb_count> table = {{
    {Verb::ehlo, smtp_modes, unrecognized_command, any_phase, {}, pre_tls | last_in_group, run_ehlo},
    {Verb::helo, smtp_modes, unrecognized_command, any_phase, {}, pre_tls | last_in_group, run_helo},
    {Verb::lhlo, lmtp_mode, unrecognized_command, any_phase, {}, pre_tls | last_in_group, run_lhlo},
    {Verb::mail, all_modes, unrecognized_command, phases({greeted}),
     {{{phases({connected}), need_hello}, {phases({mail, rcpt}), nested_mail}}}, needs_auth, run_mail},
    {Verb::rcpt, all_modes, unrecognized_command, phases({mail, rcpt}),
     {{{phases({connected, greeted}), need_mail}}}, needs_auth, run_rcpt},
    {Verb::data, all_modes, unrecognized_command, phases({rcpt}),
     {{{phases({connected, greeted}), need_mail}, {phases({mail}), no_valid_recipients}}},
     needs_auth | last_in_group, run_data},
    {Verb::bdat, all_modes, unrecognized_command, phases({rcpt}),
     {{{phases({connected, greeted}), need_mail}, {phases({mail}), no_valid_recipients}}},
     needs_auth | has_payload, run_bdat},
    {Verb::rset, all_modes, unrecognized_command, any_phase, {}, pre_tls, run_rset},
    {Verb::noop, all_modes, unrecognized_command, any_phase, {}, pre_tls | last_in_group, run_noop},
    {Verb::quit, all_modes, unrecognized_command, any_phase, {}, pre_tls | last_in_group, run_quit},
    {Verb::vrfy, all_modes, unrecognized_command, any_phase, {}, last_in_group, run_vrfy},
    {Verb::help, all_modes, unrecognized_command, any_phase, {}, pre_tls, run_help},
    {Verb::starttls, all_modes, unrecognized_command, phases({connected, greeted}),
     {{{phases({mail, rcpt}), bad_sequence}}}, pre_tls | last_in_group, run_starttls},
    {Verb::auth, auth_modes, auth_not_enabled, phases({greeted}),
     {{{phases({connected}), need_hello}, {phases({mail, rcpt}), auth_in_transaction}}}, last_in_group, run_auth},
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

ReplyId refusal_for(const CommandSpec& spec, Phase phase) {
  for (const Refusal& r : spec.refusals) {
    if (has_phase(r.in, phase)) return r.reply;
  }
  return bad_sequence;
}

std::string known_verbs(Mode mode) {
  std::string out;
  for (const CommandSpec& spec : table) {
    if (!has_mode(spec.modes, mode)) continue;
    if (!out.empty()) out += ' ';
    out += verb_name(spec.verb);
  }
  return out;
}

}  // namespace atrium::smtp::detail
