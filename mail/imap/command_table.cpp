// The IMAP command table and the concurrency rules of RFC 9051 section 5.5.
#include "mail/imap/command_table.hpp"

#include <algorithm>
#include <array>

namespace atrium::imap {
namespace {

constexpr StateSet any_state = state_bit(SessionState::not_authenticated) | state_bit(SessionState::authenticated) |
                               state_bit(SessionState::selected);
constexpr StateSet not_authenticated = state_bit(SessionState::not_authenticated);
constexpr StateSet authenticated = state_bit(SessionState::authenticated) | state_bit(SessionState::selected);
constexpr StateSet selected = state_bit(SessionState::selected);

using namespace command_flag;

constexpr std::uint16_t msn_command = has_uid_form | command_flag::uses_sequence_numbers;

using enum CommandName;

// In CommandName order (checked below).
constexpr std::array<CommandSpec, command_count> table = {{
    {capability, any_state, allowed_before_tls, ""},
    {noop, any_state, allowed_before_tls, ""},
    {logout, any_state, allowed_before_tls | exclusive, ""},
    {id, any_state, allowed_before_tls, "ID"},
    {starttls, not_authenticated, allowed_before_tls | exclusive | drops_pipelined_input, "STARTTLS"},
    {authenticate, not_authenticated, authenticates | exclusive, ""},
    {login, not_authenticated, authenticates | exclusive, ""},
    // RFC 5161 section 3.1: ENABLE only in the authenticated state, before SELECT.
    {enable, state_bit(SessionState::authenticated), exclusive, "ENABLE"},
    {select, authenticated, exclusive, ""},
    {examine, authenticated, exclusive, ""},
    {create, authenticated, 0, ""},
    {delete_, authenticated, 0, ""},
    {rename, authenticated, 0, ""},
    {subscribe, authenticated, 0, ""},
    {unsubscribe, authenticated, 0, ""},
    {list, authenticated, 0, ""},
    {lsub, authenticated, rev1_only, ""},
    {namespace_, authenticated, 0, "NAMESPACE"},
    {status, authenticated, 0, ""},
    {append, authenticated, 0, ""},
    {idle, authenticated, exclusive, "IDLE"},
    {compress, authenticated, exclusive | drops_pipelined_input, "COMPRESS=DEFLATE"},
    {getquota, authenticated, 0, "QUOTA"},
    {getquotaroot, authenticated, 0, "QUOTA"},
    {setquota, authenticated, 0, "QUOTA"},
    {setacl, authenticated, 0, "ACL"},
    {deleteacl, authenticated, 0, "ACL"},
    {getacl, authenticated, 0, "ACL"},
    {listrights, authenticated, 0, "ACL"},
    {myrights, authenticated, 0, "ACL"},
    {check, selected, rev1_only, ""},
    {close, selected, expunges | exclusive, ""},
    {unselect, selected, exclusive, "UNSELECT"},
    // UID EXPUNGE comes with UIDPLUS (RFC 4315); plain EXPUNGE is RFC 3501.
    {expunge, selected, has_uid_form | expunges, ""},
    {search, selected, msn_command, ""},
    {fetch, selected, msn_command, ""},
    {store, selected, msn_command | writes_messages, ""},
    {copy, selected, msn_command, ""},
    {move, selected, msn_command | expunges | writes_messages, "MOVE"},
    {sort, selected, msn_command, "SORT"},
    {thread, selected, msn_command, "THREAD=REFERENCES"},
}};

constexpr bool table_in_order() {
  for (std::size_t i = 0; i < table.size(); ++i) {
    if (static_cast<std::size_t>(table[i].name) != i) return false;
  }
  return true;
}
static_assert(table_in_order(), "the command table must list every CommandName in enumerator order");

bool fetch_sets_seen(const Fetch& f) { return std::any_of(f.attrs.begin(), f.attrs.end(), sets_seen); }

}  // namespace

const CommandSpec& command_spec(CommandName name) { return table.at(static_cast<std::size_t>(name)); }

std::span<const CommandSpec> command_table() { return table; }

CommandTraits traits_of(const Command& command) {
  const CommandSpec& spec = command_spec(command.name());
  CommandTraits t;
  const bool uid = command.uid();
  t.uses_sequence_numbers = spec.has(command_flag::uses_sequence_numbers) && !uid;
  // A UID SEARCH (or SORT, THREAD) may still name messages by sequence number in its keys.
  if (const auto* s = std::get_if<Search>(&command.body)) t.uses_sequence_numbers |= imap::uses_sequence_numbers(s->key);
  if (const auto* s = std::get_if<Sort>(&command.body)) t.uses_sequence_numbers |= imap::uses_sequence_numbers(s->key);
  if (const auto* s = std::get_if<Thread>(&command.body)) t.uses_sequence_numbers |= imap::uses_sequence_numbers(s->key);
  const CommandName n = command.name();
  const bool quiet = !uid && (n == CommandName::fetch || n == CommandName::store || n == CommandName::search);
  t.may_send_expunge = spec.has(expunges) || !quiet;
  // Removing messages is a write as far as ordering goes.
  t.writes_messages = spec.has(writes_messages) || spec.has(expunges);
  if (const auto* f = std::get_if<Fetch>(&command.body)) t.writes_messages = fetch_sets_seen(*f);
  t.exclusive = spec.has(exclusive);
  return t;
}

bool may_run_concurrently(const Command& running, const Command& next) {
  const CommandTraits r = traits_of(running);
  const CommandTraits n = traits_of(next);
  if (r.exclusive || n.exclusive) return false;
  if (n.uses_sequence_numbers && r.may_send_expunge) return false;
  const bool next_touches_messages = command_spec(next.name()).states == selected;
  if (r.writes_messages && next_touches_messages) return false;
  return true;
}

}  // namespace atrium::imap
