// EXPUNGE and UID EXPUNGE, STORE (with UNCHANGEDSINCE), COPY and MOVE (with COPYUID).
#include "mail/imap/driver/session_impl.hpp"

#include "mail/imap/response.hpp"

#include <fmt/format.h>

namespace atrium::imap {
namespace {

std::vector<std::uint32_t> narrow(const std::vector<storage::Uid>& uids) {
  return std::vector<std::uint32_t>(uids.begin(), uids.end());
}

bool read_only(Session::Impl& s, const Command& c) {
  if (s.selected()->view->access() == Access::read_write) return false;
  s.tagged(c.tag, "NO", "[READ-ONLY] The mailbox is open read-only");
  return true;
}

// Announces this session's own expunges (EXPUNGE, MOVE) and drops them from the view.
void announce_own_expunges(Session::Impl& s, const std::vector<storage::Uid>& gone) {
  auto& view = *s.selected()->view;
  std::vector<storage::Uid> present;
  for (auto u : gone) {
    if (view.sequence_of(u)) present.push_back(u);
  }
  s.announce_expunged(present, view.uids());
  view.forget(present);
}

asio::awaitable<void> expunge(Session::Impl& s, const Command& c) {
  if (read_only(s, c)) co_return;
  const auto& e = std::get<Expunge>(c.body);
  auto& sel = *s.selected();
  Account who = sel.account;
  auto id = sel.view->id();
  std::optional<std::vector<storage::Uid>> only;
  if (e.uids) only = s.resolve(*e.uids, true, nullptr);
  auto job = [who, id, only](storage::WriteTxn& t) {
    if (only) return storage::messages::expunge(t, who.actor(), id, std::span<const storage::Uid>(*only));
    return storage::messages::expunge(t, who.actor(), id);
  };
  auto gone = co_await s.write(std::move(job));
  announce_own_expunges(s, gone);
  co_await s.announce_changes(Session::Impl::Announce::all, c.uid());
  s.tagged(c.tag, "OK", fmt::format("{} completed", command_label(c)));
}

asio::awaitable<void> store(Session::Impl& s, const Command& c) {
  if (read_only(s, c)) co_return;
  const auto& st = std::get<Store>(c.body);
  bool bad = false;
  auto uids = s.resolve(st.set, st.uid, &bad);
  if (bad) {
    s.tagged(c.tag, "BAD", "Message sequence number out of range");
    co_return;
  }
  auto flags = parse_flags(st.flags);
  if (!flags) {
    s.tagged(c.tag, "BAD", "Unknown system flag");
    co_return;
  }
  if (st.unchanged_since) s.enabled.condstore = true;
  storage::messages::FlagChange change;
  change.op = st.action == StoreAction::add      ? storage::messages::FlagOp::add
              : st.action == StoreAction::remove ? storage::messages::FlagOp::remove
                                                 : storage::messages::FlagOp::replace;
  change.flags = flags->bits;
  change.keywords = std::move(flags->keywords);
  if (st.unchanged_since) change.unchanged_since = static_cast<storage::Modseq>(*st.unchanged_since);

  auto& sel = *s.selected();
  Account who = sel.account;
  auto id = sel.view->id();
  auto shared_uids = std::make_shared<const std::vector<storage::Uid>>(std::move(uids));
  auto job = [who, id, shared_uids, change](storage::WriteTxn& t) {
    return storage::messages::store_flags(t, who.actor(), id, *shared_uids, change);
  };
  auto result = co_await s.write(std::move(job));

  auto& view = *sel.view;
  view.reported(result.changed);
  if (!st.silent) {
    for (const auto& m : result.changed) s.untagged(s.fetch_flags_line(view, m, st.uid));
  } else if (s.modseqs_on()) {
    // RFC 7162 §3.1.3: with .SILENT the new MODSEQ is still reported.
    for (const auto& m : result.changed) {
      s.untagged(fmt::format("{} FETCH ({}MODSEQ ({}))", view.sequence_of(m.uid).value_or(0),
                             st.uid || s.enabled.qresync ? fmt::format("UID {} ", m.uid) : "", m.modseq));
    }
  }
  co_await s.announce_changes(st.uid ? Session::Impl::Announce::all : Session::Impl::Announce::no_expunges, st.uid);
  if (!result.modified.empty()) {
    std::vector<std::uint32_t> numbers;
    for (auto u : result.modified) {
      if (st.uid) {
        numbers.push_back(static_cast<std::uint32_t>(u));
      } else if (auto n = view.sequence_of(u)) {
        numbers.push_back(*n);
      }
    }
    std::sort(numbers.begin(), numbers.end());
    s.tagged(c.tag, "OK", fmt::format("[MODIFIED {}] Conditional STORE failed for some", format_sequence_set(numbers)));
    co_return;
  }
  s.tagged(c.tag, "OK", fmt::format("{} completed", command_label(c)));
}

asio::awaitable<void> transfer(Session::Impl& s, const Command& c) {
  bool move = c.name() == CommandName::move;
  const SequenceSet& set = move ? std::get<Move>(c.body).set : std::get<Copy>(c.body).set;
  const std::string& target_name = move ? std::get<Move>(c.body).mailbox : std::get<Copy>(c.body).mailbox;
  if (move && read_only(s, c)) co_return;
  bool bad = false;
  auto uids = s.resolve(set, c.uid(), &bad);
  if (bad) {
    s.tagged(c.tag, "BAD", "Message sequence number out of range");
    co_return;
  }
  auto target = co_await s.find_mailbox(target_name);
  if (!target) {
    s.tagged(c.tag, "NO", "[TRYCREATE] No such mailbox");
    co_return;
  }
  auto& sel = *s.selected();
  Account who = sel.account;
  auto source = sel.view->id();
  auto target_id = target->id;
  auto shared_uids = std::make_shared<const std::vector<storage::Uid>>(std::move(uids));
  auto how = move ? storage::messages::Transfer::move : storage::messages::Transfer::copy;
  auto job = [who, source, target_id, shared_uids, how](storage::WriteTxn& t) {
    return storage::messages::transfer(t, who.actor(), source, *shared_uids, target_id, how);
  };
  auto result = co_await s.write(std::move(job));
  std::string copyuid;
  if (!result.source_uids.empty()) {
    copyuid = fmt::format("[COPYUID {} {} {}] ", result.target_uidvalidity, format_sequence_set(narrow(result.source_uids)),
                          format_sequence_set(narrow(result.target_uids)));
  }
  if (move) {
    if (!copyuid.empty()) s.untagged("OK " + copyuid + "Moved");
    announce_own_expunges(s, result.source_uids);
    co_await s.announce_changes(Session::Impl::Announce::all, c.uid());
    s.tagged(c.tag, "OK", fmt::format("{} completed", command_label(c)));
    co_return;
  }
  co_await s.announce_changes(c.uid() ? Session::Impl::Announce::all : Session::Impl::Announce::no_expunges, c.uid());
  s.tagged(c.tag, "OK", copyuid + fmt::format("{} completed", command_label(c)));
}

}  // namespace

asio::awaitable<void> run_message(Session::Impl& s, const Command& c) {
  switch (c.name()) {
    case CommandName::expunge: co_await expunge(s, c); break;
    case CommandName::store: co_await store(s, c); break;
    case CommandName::copy:
    case CommandName::move: co_await transfer(s, c); break;
    default: s.tagged(c.tag, "BAD", "Unexpected command"); break;
  }
}

}  // namespace atrium::imap
