// SELECT, EXAMINE (with CONDSTORE and QRESYNC), CLOSE and UNSELECT.
#include "mail/imap/driver/session_impl.hpp"

#include "mail/imap/response.hpp"
#include "storage/items.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace atrium::imap {
namespace {

struct Opened {
  std::optional<storage::Collection> mailbox;
  std::vector<storage::messages::Summary> messages;
  std::vector<storage::Uid> vanished;  // QRESYNC: expunged since the client's modseq
  storage::Uid recent_mark = 0;
};

void deselect(Session::Impl& s) {
  if (auto* sel = s.selected()) {
    Account who = sel->account;
    s.state = Authenticated{who};
    s.saved.clear();
    s.saved_valid = false;
  }
}

asio::awaitable<void> open_mailbox(Session::Impl& s, const Command& c, const std::string& name,
                                   const SelectParams& params, Access access) {
  if (s.selected()) {
    deselect(s);
    if (s.enabled.qresync) s.untagged("OK [CLOSED] Previous mailbox closed");
  }
  if (params.qresync && !s.enabled.qresync) {
    s.tagged(c.tag, "BAD", "ENABLE QRESYNC first");
    co_return;
  }
  if (params.condstore) s.enabled.condstore = true;

  Account who = *s.account();
  std::string store = Session::Impl::store_name(name);
  std::optional<std::uint64_t> since;
  if (params.qresync) since = params.qresync->modseq;
  std::uint32_t client_validity = params.qresync ? params.qresync->uid_validity : 0;

  // Counting commits starts before the view is read, so none after its snapshot goes uncounted.
  CommitCount commits = CommitCount::watch(s.services.store.notify(), who.principal);
  Opened o = co_await s.read([&](storage::ReadTxn& t) {
    Opened r;
    r.mailbox = storage::collections::find(t, who.actor(), who.principal, storage::CollectionKind::mailbox, store);
    if (!r.mailbox) return r;
    r.messages = storage::messages::list(t, who.actor(), r.mailbox->id);
    if (since && client_validity == r.mailbox->uidvalidity) {
      for (const auto& ch : storage::items::changes_since(t, who.actor(), r.mailbox->id, static_cast<storage::Modseq>(*since), 1000000)) {
        if (ch.op == storage::ChangeOp::item_deleted && ch.uid) r.vanished.push_back(*ch.uid);
      }
    }
    return r;
  });
  if (!o.mailbox) {
    s.tagged(c.tag, "NO", "[NONEXISTENT] No such mailbox");
    co_return;
  }
  o.recent_mark = o.mailbox->recent_uid;
  if (access == Access::read_write && o.mailbox->uidnext - 1 > o.mailbox->recent_uid) {
    auto id = o.mailbox->id;
    o.recent_mark = co_await s.write([&](storage::WriteTxn& t) { return storage::messages::claim_recent(t, who.actor(), id); });
  }

  auto view = std::make_unique<MailboxView>(*o.mailbox, access, o.messages);
  view->set_recent_mark(o.recent_mark);
  std::optional<std::uint32_t> first_unseen;
  for (std::size_t i = 0; i < o.messages.size(); ++i) {
    if (!(o.messages[i].flags & storage::flag_seen)) {
      first_unseen = static_cast<std::uint32_t>(i + 1);
      break;
    }
  }

  s.untagged(fmt::format("{} EXISTS", view->exists()));
  if (s.rev1()) s.untagged(fmt::format("{} RECENT", view->recent_count()));
  s.untagged("FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)");
  s.untagged(access == Access::read_write
                 ? "OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted"
                 : "OK [PERMANENTFLAGS ()] Read-only mailbox");
  if (s.rev1() && first_unseen) s.untagged(fmt::format("OK [UNSEEN {}] First unseen", *first_unseen));
  s.untagged(fmt::format("OK [UIDVALIDITY {}] UIDs valid", view->uidvalidity()));
  s.untagged(fmt::format("OK [UIDNEXT {}] Predicted next UID", view->uidnext()));
  s.untagged(fmt::format("OK [HIGHESTMODSEQ {}] Highest", std::max<storage::Modseq>(view->highest_modseq(), 1)));
  s.untagged(fmt::format("OK [MAILBOXID ({})] Ok", mailbox_object_id(o.mailbox->id)));

  if (params.qresync && client_validity == view->uidvalidity()) {
    const auto& q = *params.qresync;
    std::vector<std::uint32_t> gone;
    for (auto u : o.vanished) {
      if (view->sequence_of(u)) continue;  // re-used? never: UIDs are not reused; skip anyway
      if (q.known_uids && !q.known_uids->contains(static_cast<std::uint32_t>(u), {static_cast<std::uint32_t>(u)})) continue;
      gone.push_back(static_cast<std::uint32_t>(u));
    }
    std::sort(gone.begin(), gone.end());
    gone.erase(std::unique(gone.begin(), gone.end()), gone.end());
    if (!gone.empty()) s.untagged("VANISHED (EARLIER) " + format_sequence_set(gone));
    for (const auto& m : o.messages) {
      if (m.modseq > static_cast<storage::Modseq>(q.modseq)) s.untagged(s.fetch_flags_line(*view, m, true));
    }
  }

  s.state = Selected{who, std::move(view), std::move(commits)};
  s.tagged(c.tag, "OK",
           fmt::format("[{}] {} completed", access == Access::read_write ? "READ-WRITE" : "READ-ONLY",
                       command_label(c)));
}

}  // namespace

asio::awaitable<void> run_select(Session::Impl& s, const Command& c) {
  switch (c.name()) {
    case CommandName::select: {
      const auto& sel = std::get<Select>(c.body);
      co_await open_mailbox(s, c, sel.mailbox, sel.params, Access::read_write);
      co_return;
    }
    case CommandName::examine: {
      const auto& ex = std::get<Examine>(c.body);
      co_await open_mailbox(s, c, ex.mailbox, ex.params, Access::read_only);
      co_return;
    }
    case CommandName::close: {
      auto* sel = s.selected();
      if (sel->view->access() == Access::read_write) {
        Account who = sel->account;
        auto id = sel->view->id();
        // CLOSE expunges silently (RFC 9051 §6.4.1); a failure still deselects.
        try {
          co_await s.write([&](storage::WriteTxn& t) { return storage::messages::expunge(t, who.actor(), id); });
        } catch (const storage::StoreError&) {
          // Not permitted to expunge (no 'e' right): CLOSE still succeeds.
        }
      }
      deselect(s);
      s.tagged(c.tag, "OK", "CLOSE completed");
      co_return;
    }
    case CommandName::unselect:
      deselect(s);
      s.tagged(c.tag, "OK", "UNSELECT completed");
      co_return;
    default: s.tagged(c.tag, "BAD", "Unexpected command"); co_return;
  }
}

}  // namespace atrium::imap
