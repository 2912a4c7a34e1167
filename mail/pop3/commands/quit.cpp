// QUIT (RFC 1939 sections 4 and 6): before login just goodbye; after login the UPDATE state,
// where the messages marked deleted are removed in one durable store transaction before the
// +OK. A connection that ends any other way removes nothing.
#include "mail/pop3/commands/handlers.hpp"

namespace atrium::pop3::detail {

void run_quit(SessionCore& s, const Command&) {
  Transaction* t = s.transaction();
  if (t == nullptr) {
    s.reply(ReplyId::signing_off, s.options.hostname);
    return s.close();
  }
  const std::size_t remaining = t->live_count();
  if (t->deleted_count == 0) {
    s.state = Update{remaining};
    s.reply(ReplyId::signing_off_update, s.options.hostname, remaining);
    return s.close();
  }
  Commit commit;
  commit.keys.reserve(t->deleted_count);
  for (std::size_t i = 0; i < t->messages.size(); ++i) {
    if (t->deleted[i]) commit.keys.push_back(t->messages[i].key);
  }
  s.state = Update{remaining};
  s.input = AwaitingCommit{};
  s.request(std::move(commit));
}

void finish_commit(SessionCore& s, CommitStatus status) {
  check(std::holds_alternative<AwaitingCommit>(s.input), "Session::committed without an outstanding Commit");
  const std::size_t remaining = std::get<Update>(s.state).remaining;
  s.input = ReadingCommands{};
  if (status == CommitStatus::committed) {
    s.reply(ReplyId::signing_off_update, s.options.hostname, remaining);
  } else {
    s.reply(ReplyId::commit_failed);
  }
  s.close();
}

}  // namespace atrium::pop3::detail
