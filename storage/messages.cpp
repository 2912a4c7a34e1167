// Mailbox operations over items and collections for the mail protocols.
#include "storage/messages.hpp"

#include "core/text/ascii.hpp"
#include "storage/blobs.hpp"
#include "storage/collections.hpp"
#include "storage/items.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>

namespace atrium::storage::messages {
namespace {

constexpr std::string_view k_summary_columns =
    "i.id, i.uid, i.flags, i.keywords, i.modseq, i.size, i.internal_date, i.saved_at, i.blob_hash";

Summary summary_row(const sql::Statement& q) {
  Summary s;
  s.id = q.column_int(0);
  s.uid = q.column_int(1);
  s.flags = static_cast<std::uint32_t>(q.column_int(2));
  s.keywords = q.column_text(3);
  s.modseq = q.column_int(4);
  s.size = q.column_int(5);
  s.internal_date = q.column_int(6);
  s.saved_at = q.column_int(7);
  s.blob_hash = q.column_text(8);
  return s;
}

Collection checked(ReadTxn& txn, const Actor& actor, CollectionId id, Rights needed) {
  auto c = collections::load(txn, id);
  if (!c || c->kind != CollectionKind::mailbox) throw StoreError(Errc::not_found, "no such mailbox");
  require_rights(txn, actor, *c, needed);
  return *c;
}

// Sorted, distinct UIDs as inclusive runs. Sparse sets are merged across small gaps so a
// scattered selection costs a few range scans rather than one query per UID.
std::vector<std::pair<Uid, Uid>> runs(std::span<const Uid> uids) {
  std::vector<std::pair<Uid, Uid>> out;
  constexpr Uid k_gap = 64;
  for (Uid u : uids) {
    if (!out.empty() && u <= out.back().second) continue;  // duplicate or unsorted tail
    if (!out.empty() && u - out.back().second <= k_gap) {
      out.back().second = u;
    } else {
      out.emplace_back(u, u);
    }
  }
  return out;
}

bool wanted(std::span<const Uid> sorted, Uid uid) { return std::binary_search(sorted.begin(), sorted.end(), uid); }

std::vector<Uid> sorted_unique(std::span<const Uid> uids) {
  std::vector<Uid> v(uids.begin(), uids.end());
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

std::vector<Summary> summaries(ReadTxn& txn, CollectionId mailbox, std::span<const Uid> sorted) {
  std::vector<Summary> out;
  auto& q = txn.db().cached(fmt::format(
      "SELECT {} FROM items i WHERE i.collection_id = ? AND i.uid BETWEEN ? AND ? ORDER BY i.uid", k_summary_columns));
  for (auto [lo, hi] : runs(sorted)) {
    q.bind(1, mailbox).bind(2, lo).bind(3, hi);
    while (q.step()) {
      Summary s = summary_row(q);
      if (wanted(sorted, s.uid)) out.push_back(std::move(s));
    }
    q.reset();
  }
  return out;
}

bool has_keyword(const std::vector<std::string>& list, std::string_view k) {
  return std::any_of(list.begin(), list.end(), [&](const std::string& x) { return text::iequals(x, k); });
}

std::pair<std::uint32_t, std::string> apply(const Summary& s, const FlagChange& c) {
  auto current = split_keywords(s.keywords);
  switch (c.op) {
    case FlagOp::replace: return {c.flags, join_keywords(c.keywords)};
    case FlagOp::add: {
      for (const auto& k : c.keywords) {
        if (!has_keyword(current, k)) current.push_back(k);
      }
      return {s.flags | c.flags, join_keywords(current)};
    }
    case FlagOp::remove: {
      std::erase_if(current, [&](const std::string& k) { return has_keyword(c.keywords, k); });
      return {s.flags & ~c.flags, join_keywords(current)};
    }
  }
  return {s.flags, s.keywords};
}

Rights rights_for(std::uint32_t flag_bits, bool keywords) {
  Rights r = right_read;
  if (flag_bits & flag_seen) r |= right_seen;
  if (flag_bits & flag_deleted) r |= right_delete_items;
  if ((flag_bits & ~(flag_seen | flag_deleted)) || keywords) r |= right_write;
  return r;
}

Item as_item(const Collection& c, const Summary& s) {
  Item it;
  it.id = s.id;
  it.account_id = c.account_id;
  it.collection_id = c.id;
  it.uid = s.uid;
  it.kind = ItemKind::message;
  it.blob = {s.blob_hash, s.size, nullptr};
  it.internal_date = s.internal_date;
  it.modseq = s.modseq;
  it.flags = s.flags;
  it.keywords = s.keywords;
  it.saved_at = s.saved_at;
  return it;
}

MessageMeta load_meta(ReadTxn& txn, ItemId id) {
  auto& q = txn.db().cached(
      "SELECT message_id, subject, envelope, bodystructure, thread_id FROM message_meta WHERE item_id = ?");
  q.bind(1, id);
  MessageMeta m;
  if (q.step()) {
    m.message_id = q.column_text(0);
    m.subject = q.column_text(1);
    m.envelope = q.column_text(2);
    m.bodystructure = q.column_text(3);
    m.thread_id = q.column_int(4);
  }
  q.reset();
  return m;
}

}  // namespace

std::vector<std::string> split_keywords(std::string_view stored) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < stored.size()) {
    while (i < stored.size() && stored[i] == ' ') ++i;
    std::size_t j = i;
    while (j < stored.size() && stored[j] != ' ') ++j;
    if (j > i) {
      std::string_view k = stored.substr(i, j - i);
      if (!has_keyword(out, k)) out.emplace_back(k);
    }
    i = j;
  }
  return out;
}

std::string join_keywords(const std::vector<std::string>& keywords) {
  std::vector<std::string> unique;
  for (const auto& k : keywords) {
    if (!k.empty() && !has_keyword(unique, k)) unique.push_back(k);
  }
  std::string out;
  for (const auto& k : unique) {
    if (!out.empty()) out += ' ';
    out += k;
  }
  return out;
}

std::vector<Summary> list(ReadTxn& txn, const Actor& actor, CollectionId mailbox) {
  checked(txn, actor, mailbox, right_read);
  auto& q = txn.db().cached(
      fmt::format("SELECT {} FROM items i WHERE i.collection_id = ? ORDER BY i.uid", k_summary_columns));
  q.bind(1, mailbox);
  std::vector<Summary> out;
  while (q.step()) out.push_back(summary_row(q));
  q.reset();
  return out;
}

std::vector<Detail> fetch(ReadTxn& txn, const Actor& actor, CollectionId mailbox, std::span<const Uid> uids,
                          Meta meta) {
  checked(txn, actor, mailbox, right_read);
  auto sorted = sorted_unique(uids);
  std::vector<Detail> out;
  if (meta == Meta::without) {
    for (auto& s : summaries(txn, mailbox, sorted)) out.push_back({std::move(s), {}});
    return out;
  }
  // Rows and metadata in one range scan per UID run: FETCH of 10,000 envelopes is a handful of
  // queries, not 10,000.
  auto& q = txn.db().cached(fmt::format(
      "SELECT {}, m.message_id, m.subject, m.envelope, m.bodystructure, m.thread_id FROM items i "
      "LEFT JOIN message_meta m ON m.item_id = i.id "
      "WHERE i.collection_id = ? AND i.uid BETWEEN ? AND ? ORDER BY i.uid",
      k_summary_columns));
  for (auto [lo, hi] : runs(sorted)) {
    q.bind(1, mailbox).bind(2, lo).bind(3, hi);
    while (q.step()) {
      Detail d;
      d.summary = summary_row(q);
      if (!wanted(sorted, d.summary.uid)) continue;
      d.meta.message_id = q.column_text(9);
      d.meta.subject = q.column_text(10);
      d.meta.envelope = q.column_text(11);
      d.meta.bodystructure = q.column_text(12);
      d.meta.thread_id = q.column_opt_int(13).value_or(0);
      out.push_back(std::move(d));
    }
    q.reset();
  }
  return out;
}

std::vector<Uid> thread_uids(ReadTxn& txn, const Actor& actor, CollectionId mailbox, std::int64_t thread) {
  checked(txn, actor, mailbox, right_read);
  auto& q = txn.db().cached(
      "SELECT i.uid FROM message_meta m JOIN items i ON i.id = m.item_id "
      "WHERE m.thread_id = ? AND i.collection_id = ? ORDER BY i.uid");
  q.bind(1, thread).bind(2, mailbox);
  std::vector<Uid> out;
  while (q.step()) out.push_back(q.column_int(0));
  q.reset();
  return out;
}

std::vector<Uid> created_after_change(ReadTxn& txn, const Actor& actor, CollectionId mailbox, std::int64_t change_id,
                                      std::size_t limit) {
  checked(txn, actor, mailbox, right_read);
  auto& q = txn.db().cached(
      "SELECT uid FROM changes WHERE id > ? AND collection_id = ? AND op = ? ORDER BY id LIMIT ?");
  q.bind(1, change_id).bind(2, mailbox).bind(3, static_cast<std::int64_t>(ChangeOp::item_created));
  q.bind(4, static_cast<std::int64_t>(limit));
  std::vector<Uid> out;
  while (q.step()) out.push_back(q.column_int(0));
  q.reset();
  return out;
}

FlagResult store_flags(WriteTxn& txn, const Actor& actor, CollectionId mailbox, std::span<const Uid> uids,
                       const FlagChange& change) {
  for (const auto& k : change.keywords) {
    if (k.empty() || k.size() > 255 || k.find(' ') != std::string::npos) {
      throw StoreError(Errc::invalid, "invalid keyword");
    }
  }
  Collection c = checked(txn, actor, mailbox, right_read);
  auto sorted = sorted_unique(uids);
  auto current = summaries(txn, mailbox, sorted);

  FlagResult result;
  struct Pending {
    Summary* s;
    std::uint32_t flags;
    std::string keywords;
  };
  std::vector<Pending> pending;
  std::uint32_t changed_bits = 0;
  bool keywords_changed = false;
  for (auto& s : current) {
    if (change.unchanged_since && s.modseq > *change.unchanged_since) {
      result.modified.push_back(s.uid);
      continue;
    }
    auto [flags, keywords] = apply(s, change);
    if (flags == s.flags && keywords == s.keywords) continue;
    changed_bits |= flags ^ s.flags;
    keywords_changed = keywords_changed || keywords != s.keywords;
    pending.push_back({&s, flags, std::move(keywords)});
  }
  if (pending.empty()) return result;
  require_rights(txn, actor, c, rights_for(changed_bits, keywords_changed));
  std::size_t longest = 0;
  for (const auto& p : pending) longest = std::max(longest, p.keywords.size());
  if (longest > 4096) throw StoreError(Errc::invalid, "too many keywords");

  Modseq m = txn.modseq(c.account_id);
  for (auto& p : pending) {
    txn.db()
        .cached("UPDATE items SET flags = ?, keywords = ?, modseq = ? WHERE id = ?")
        .bind(1, static_cast<std::int64_t>(p.flags)).bind(2, p.keywords).bind(3, m).bind(4, p.s->id)
        .run();
    txn.log_change(c.account_id, c.id, p.s->id, p.s->uid, ChangeOp::item_updated);
    p.s->flags = p.flags;
    p.s->keywords = std::move(p.keywords);
    p.s->modseq = m;
    result.changed.push_back(*p.s);
  }
  return result;
}

std::vector<Uid> expunge(WriteTxn& txn, const Actor& actor, CollectionId mailbox,
                         std::optional<std::span<const Uid>> only) {
  Collection c = checked(txn, actor, mailbox, right_read | right_expunge);
  std::vector<Summary> doomed;
  {
    auto& q = txn.db().cached(fmt::format(
        "SELECT {} FROM items i WHERE i.collection_id = ? AND (i.flags & ?) != 0 ORDER BY i.uid", k_summary_columns));
    q.bind(1, mailbox).bind(2, static_cast<std::int64_t>(flag_deleted));
    std::vector<Uid> allowed;
    if (only) allowed = sorted_unique(*only);
    while (q.step()) {
      Summary s = summary_row(q);
      if (!only || wanted(allowed, s.uid)) doomed.push_back(std::move(s));
    }
    q.reset();
  }
  std::vector<Uid> out;
  out.reserve(doomed.size());
  for (const auto& s : doomed) {
    items::detail::erase(txn, as_item(c, s));
    out.push_back(s.uid);
  }
  return out;
}

std::vector<Uid> remove(WriteTxn& txn, const Actor& actor, CollectionId mailbox, std::span<const Uid> uids) {
  Collection c = checked(txn, actor, mailbox, right_read | right_delete_items | right_expunge);
  auto sorted = sorted_unique(uids);
  std::vector<Uid> out;
  for (const auto& s : summaries(txn, mailbox, sorted)) {
    items::detail::erase(txn, as_item(c, s));
    out.push_back(s.uid);
  }
  return out;
}

CopyResult transfer(WriteTxn& txn, const Actor& actor, CollectionId source, std::span<const Uid> uids,
                    CollectionId target, Transfer how) {
  Rights source_rights = right_read;
  if (how == Transfer::move) source_rights |= right_delete_items | right_expunge;
  Collection from = checked(txn, actor, source, source_rights);
  Collection to = checked(txn, actor, target, right_insert);
  auto sorted = sorted_unique(uids);
  CopyResult result;
  result.target_uidvalidity = to.uidvalidity;
  auto now = static_cast<std::int64_t>(std::time(nullptr));

  for (const auto& s : summaries(txn, source, sorted)) {
    if (how == Transfer::move && from.account_id == to.account_id && from.id != to.id) {
      // Same account: the row moves, keeping its blob reference, quota charge and item id
      // (so its EMAILID stays); the source gets a tombstone, the target a creation.
      auto& u = txn.db().cached("UPDATE collections SET uidnext = uidnext + 1 WHERE id = ? RETURNING uidnext - 1");
      u.bind(1, to.id);
      u.step();
      Uid uid = u.column_int(0);
      u.reset();
      Modseq m = txn.modseq(to.account_id);
      txn.db()
          .cached("UPDATE items SET collection_id = ?, uid = ?, modseq = ?, saved_at = ? WHERE id = ?")
          .bind(1, to.id).bind(2, uid).bind(3, m).bind(4, now).bind(5, s.id)
          .run();
      txn.log_change(from.account_id, from.id, s.id, s.uid, ChangeOp::item_deleted);
      txn.log_change(to.account_id, to.id, s.id, uid, ChangeOp::item_created);
      result.source_uids.push_back(s.uid);
      result.target_uids.push_back(uid);
      continue;
    }
    items::NewItem ni;
    ni.collection = to.id;
    ni.kind = ItemKind::message;
    ni.blob = {s.blob_hash, s.size, nullptr};
    ni.internal_date = s.internal_date;
    ni.flags = s.flags;
    ni.keywords = s.keywords;
    ni.meta = load_meta(txn, s.id);
    // Thread ids are per account: a copy into another account's mailbox starts a thread there.
    if (to.account_id != from.account_id) std::get<MessageMeta>(ni.meta).thread_id = 0;
    auto added = items::detail::insert(txn, to, ni);
    if (how == Transfer::move) items::detail::erase(txn, as_item(from, s));
    result.source_uids.push_back(s.uid);
    result.target_uids.push_back(added.uid);
  }
  return result;
}

Status status(ReadTxn& txn, const Actor& actor, CollectionId mailbox) {
  Collection c = checked(txn, actor, mailbox, right_read);
  Status st;
  st.uidnext = c.uidnext;
  st.uidvalidity = c.uidvalidity;
  st.highest_modseq = c.modseq;
  auto& q = txn.db().cached(
      "SELECT COUNT(*), COALESCE(SUM((flags & ?) = 0), 0), COALESCE(SUM((flags & ?) != 0), 0), "
      "COALESCE(SUM(size), 0), COALESCE(SUM(uid > ?), 0) FROM items WHERE collection_id = ?");
  q.bind(1, static_cast<std::int64_t>(flag_seen))
      .bind(2, static_cast<std::int64_t>(flag_deleted))
      .bind(3, c.recent_uid)
      .bind(4, mailbox);
  if (q.step()) {
    st.messages = q.column_int(0);
    st.unseen = q.column_int(1);
    st.deleted = q.column_int(2);
    st.size = q.column_int(3);
    st.recent = q.column_int(4);
  }
  q.reset();
  return st;
}

Uid claim_recent(WriteTxn& txn, const Actor& actor, CollectionId mailbox) {
  Collection c = checked(txn, actor, mailbox, right_read);
  Uid highest = c.uidnext - 1;
  if (highest > c.recent_uid) {
    txn.db().cached("UPDATE collections SET recent_uid = ? WHERE id = ?").bind(1, highest).bind(2, mailbox).run();
  }
  return c.recent_uid;
}

void subscribe(WriteTxn& txn, PrincipalId account, std::string_view name) {
  if (name.empty() || name.size() > 1024) throw StoreError(Errc::invalid, "bad mailbox name");
  txn.db()
      .cached("INSERT INTO subscriptions (account_id, name) VALUES (?, ?) ON CONFLICT DO NOTHING")
      .bind(1, account)
      .bind(2, name)
      .run();
}

void unsubscribe(WriteTxn& txn, PrincipalId account, std::string_view name) {
  txn.db().cached("DELETE FROM subscriptions WHERE account_id = ? AND name = ?").bind(1, account).bind(2, name).run();
}

std::vector<std::string> subscriptions(ReadTxn& txn, PrincipalId account) {
  auto& q = txn.db().cached("SELECT name FROM subscriptions WHERE account_id = ? ORDER BY name");
  q.bind(1, account);
  std::vector<std::string> out;
  while (q.step()) out.push_back(q.column_text(0));
  q.reset();
  return out;
}

void rename_subscriptions(WriteTxn& txn, PrincipalId account, std::string_view from, std::string_view to) {
  std::string prefix = std::string(from) + "/";
  auto names = subscriptions(txn, account);
  for (const auto& n : names) {
    std::string renamed;
    if (n == from) {
      renamed = to;
    } else if (n.starts_with(prefix)) {
      renamed = std::string(to) + n.substr(from.size());
    } else {
      continue;
    }
    unsubscribe(txn, account, n);
    subscribe(txn, account, renamed);
  }
}

std::vector<CalendarMail> calendar_mail_after(ReadTxn& txn, std::int64_t after, std::size_t limit) {
  // The cached BODYSTRUCTURE names each part's type ("TEXT" "CALENDAR"): ordinary mail is passed
  // over without reading its content.
  auto& q = txn.db().cached(
      "SELECT ch.id, i.account_id, i.id, i.blob_hash FROM changes ch JOIN items i ON i.id = ch.item_id "
      "JOIN message_meta m ON m.item_id = i.id JOIN collections c ON c.id = i.collection_id "
      "WHERE ch.id > ? AND ch.op = ? AND c.kind = ? AND c.name = 'INBOX' "
      "AND m.bodystructure LIKE '%\"CALENDAR\"%' ORDER BY ch.id LIMIT ?");
  q.bind(1, after)
      .bind(2, static_cast<std::int64_t>(ChangeOp::item_created))
      .bind(3, static_cast<std::int64_t>(CollectionKind::mailbox))
      .bind(4, static_cast<std::int64_t>(limit));
  std::vector<CalendarMail> out;
  while (q.step()) out.push_back({q.column_int(0), q.column_int(1), q.column_int(2), q.column_text(3)});
  q.reset();
  return out;
}

std::int64_t last_change_id(ReadTxn& txn) {
  auto& q = txn.db().cached("SELECT COALESCE(MAX(id), 0) FROM changes");
  q.step();
  auto id = q.column_int(0);
  q.reset();
  return id;
}

}  // namespace atrium::storage::messages
