// Item rows, their per-kind metadata, quota accounting and the change log entries they make.
#include "storage/items.hpp"

#include "storage/blobs.hpp"
#include "storage/collections.hpp"

#include <fmt/format.h>

#include <ctime>

namespace atrium::storage::items {
namespace {

constexpr std::string_view k_columns =
    "id, account_id, collection_id, uid, kind, blob_hash, size, name, internal_date, modseq, flags, keywords, saved_at";

}  // namespace

std::string_view detail::columns() { return k_columns; }

Item detail::row(const sql::Statement& q) {
  Item it;
  it.id = q.column_int(0);
  it.account_id = q.column_int(1);
  it.collection_id = q.column_int(2);
  it.uid = q.column_int(3);
  it.kind = static_cast<ItemKind>(q.column_int(4));
  it.blob.hash = q.column_text(5);
  it.blob.size = q.column_int(6);
  it.name = q.column_text(7);
  it.internal_date = q.column_int(8);
  it.modseq = q.column_int(9);
  it.flags = static_cast<std::uint32_t>(q.column_int(10));
  it.keywords = q.column_text(11);
  it.saved_at = q.column_int(12);
  return it;
}

std::optional<Item> detail::load(ReadTxn& txn, ItemId id) {
  auto& q = txn.db().cached(fmt::format("SELECT {} FROM items WHERE id = ?", k_columns));
  q.bind(1, id);
  std::optional<Item> out;
  if (q.step()) out = row(q);
  q.reset();
  return out;
}

namespace {
using detail::load;
using detail::row;

Collection checked_collection(ReadTxn& txn, const Actor& actor, CollectionId id, Rights needed) {
  auto c = collections::load(txn, id);
  if (!c) throw StoreError(Errc::not_found, "no such collection");
  require_rights(txn, actor, *c, needed);
  return *c;
}

// The message's thread: the one it brings (a copy within the account), else the thread of the
// first of its keys already known in the account, else a new one named after the message. Its
// keys are recorded for the messages that will refer to it. Threads are never merged afterwards
// (a message's THREADID is immutable, RFC 8474): when a later message links two threads, it joins
// the first and the two stay apart.
std::int64_t assign_thread(WriteTxn& txn, PrincipalId account, ItemId id, const MessageMeta& m) {
  std::int64_t thread = m.thread_id;
  if (!thread) {
    auto& find = txn.db().cached("SELECT thread_id FROM thread_keys WHERE account_id = ? AND message_id = ?");
    for (const auto& key : m.thread_keys) {
      find.bind(1, account).bind(2, key);
      if (find.step()) thread = find.column_int(0);
      find.reset();
      if (thread) break;
    }
  }
  if (!thread) thread = id;
  auto& add = txn.db().cached("INSERT OR IGNORE INTO thread_keys (account_id, message_id, thread_id) VALUES (?, ?, ?)");
  for (const auto& key : m.thread_keys) {
    add.bind(1, account).bind(2, key).bind(3, thread).run();
    add.reset();
  }
  return thread;
}

}  // namespace

std::optional<std::string> detail::encode_instances(const EventMeta& meta) {
  if (!meta.instances) return std::nullopt;
  std::string out;
  out.reserve(meta.instances->size() * 16);
  auto put = [&out](std::int64_t v) {
    auto u = static_cast<std::uint64_t>(v);
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((u >> (8 * i)) & 0xff));
  };
  for (const auto& [start, end] : *meta.instances) {
    put(start);
    put(end);
  }
  return out;
}

std::optional<std::vector<std::pair<std::int64_t, std::int64_t>>> detail::decode_instances(const sql::Statement& q,
                                                                                            int col) {
  if (q.column_is_null(col)) return std::nullopt;
  const std::string packed = q.column_blob(col);
  if (packed.size() % 16 != 0) return std::nullopt;
  auto get = [&packed](std::size_t at) {
    std::uint64_t u = 0;
    for (int i = 0; i < 8; ++i) u |= static_cast<std::uint64_t>(static_cast<unsigned char>(packed[at + i])) << (8 * i);
    return static_cast<std::int64_t>(u);
  };
  std::vector<std::pair<std::int64_t, std::int64_t>> out;
  out.reserve(packed.size() / 16);
  for (std::size_t at = 0; at < packed.size(); at += 16) out.emplace_back(get(at), get(at + 8));
  return out;
}

EventMeta detail::event_meta_row(const sql::Statement& q, int col) {
  EventMeta m{q.column_text(col), q.column_text(col + 1), q.column_opt_int(col + 2), q.column_opt_int(col + 3),
              q.column_int(col + 4) != 0};
  m.instances = decode_instances(q, col + 5);
  return m;
}

void detail::insert_meta(WriteTxn& txn, PrincipalId account, ItemId id, const ItemMeta& meta) {
  if (auto* m = std::get_if<MessageMeta>(&meta)) {
    auto thread = assign_thread(txn, account, id, *m);
    txn.db()
        .cached("INSERT INTO message_meta (item_id, message_id, subject, envelope, bodystructure, thread_id) "
                "VALUES (?, ?, ?, ?, ?, ?)")
        .bind(1, id).bind(2, m->message_id).bind(3, m->subject).bind(4, m->envelope).bind(5, m->bodystructure)
        .bind(6, thread)
        .run();
  } else if (auto* e = std::get_if<EventMeta>(&meta)) {
    auto& q = txn.db().cached(
        "INSERT INTO event_meta (item_id, ical_uid, component, starts_at, ends_at, exact, instances) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)");
    q.bind(1, id).bind(2, e->ical_uid).bind(3, e->component).bind(4, e->starts_at).bind(5, e->ends_at)
        .bind(6, static_cast<std::int64_t>(e->exact));
    if (auto packed = encode_instances(*e)) {
      q.bind(7, sql::Bytes{*packed});
    } else {
      q.bind(7, std::nullopt);
    }
    q.run();
  } else if (auto* v = std::get_if<CardMeta>(&meta)) {
    txn.db()
        .cached("INSERT INTO card_meta (item_id, vcard_uid, full_name, emails) VALUES (?, ?, ?, ?)")
        .bind(1, id).bind(2, v->vcard_uid).bind(3, v->full_name).bind(4, v->emails)
        .run();
  }
}

Added add(WriteTxn& txn, const Actor& actor, const NewItem& ni) {
  Collection c = checked_collection(txn, actor, ni.collection, right_insert);
  return detail::insert(txn, c, ni);
}

Added detail::insert(WriteTxn& txn, const Collection& c, const NewItem& ni) {
  if (ni.name.size() > 1024) throw StoreError(Errc::invalid, "item name longer than 1024 octets");

  // Quota: charged to the collection's owner, whoever adds the item, by one statement that
  // changes nothing when the item would exceed it (a quota of 0 is none).
  txn.db()
      .cached("UPDATE principals SET used_bytes = used_bytes + ?1 WHERE id = ?2 "
              "AND (quota_bytes <= 0 OR used_bytes + ?1 <= quota_bytes)")
      .bind(1, ni.blob.size)
      .bind(2, c.account_id)
      .run();
  if (txn.db().changes() != 1) {
    auto& exists = txn.db().cached("SELECT 1 FROM principals WHERE id = ?");
    exists.bind(1, c.account_id);
    bool found = exists.step();
    exists.reset();
    if (!found) throw StoreError(Errc::not_found, "account does not exist");
    throw StoreError(Errc::quota, "mailbox quota exceeded");
  }

  blob_ref(txn, ni.blob);
  auto& u = txn.db().cached("UPDATE collections SET uidnext = uidnext + 1 WHERE id = ? RETURNING uidnext - 1");
  u.bind(1, c.id);
  u.step();
  Uid uid = u.column_int(0);
  u.reset();

  Modseq m = txn.modseq(c.account_id);
  auto now = static_cast<std::int64_t>(std::time(nullptr));
  std::int64_t date = ni.internal_date ? ni.internal_date : now;
  auto& ins = txn.db().cached(
      "INSERT INTO items (account_id, collection_id, uid, kind, blob_hash, size, name, internal_date, modseq, flags, "
      "keywords, saved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
  ins.bind(1, c.account_id)
      .bind(2, c.id)
      .bind(3, uid)
      .bind(4, static_cast<std::int64_t>(ni.kind))
      .bind(5, ni.blob.hash)
      .bind(6, ni.blob.size)
      .bind(7, ni.name.empty() ? std::optional<std::string>() : std::optional<std::string>(ni.name))
      .bind(8, date)
      .bind(9, m)
      .bind(10, static_cast<std::int64_t>(ni.flags))
      .bind(11, ni.keywords)
      .bind(12, now);
  ins.step();
  ItemId id = ins.column_int(0);
  ins.reset();
  detail::insert_meta(txn, c.account_id, id, ni.meta);
  txn.log_change(c.account_id, c.id, id, uid, ChangeOp::item_created, ni.name);
  return {id, uid, m};
}

Modseq set_flags(WriteTxn& txn, const Actor& actor, ItemId id, std::uint32_t flags, std::string_view keywords) {
  auto it = load(txn, id);
  if (!it) throw StoreError(Errc::not_found, "no such item");
  std::uint32_t changed = it->flags ^ flags;
  Rights needed = 0;
  if (changed & flag_seen) needed |= right_seen;
  if (changed & flag_deleted) needed |= right_delete_items;
  if ((changed & ~(flag_seen | flag_deleted)) || keywords != it->keywords) needed |= right_write;
  checked_collection(txn, actor, it->collection_id, needed | right_read);
  if (keywords.size() > 4096) throw StoreError(Errc::invalid, "too many keywords");
  if (!changed && keywords == it->keywords) return it->modseq;
  Modseq m = txn.modseq(it->account_id);
  txn.db()
      .cached("UPDATE items SET flags = ?, keywords = ?, modseq = ? WHERE id = ?")
      .bind(1, static_cast<std::int64_t>(flags))
      .bind(2, keywords)
      .bind(3, m)
      .bind(4, id)
      .run();
  txn.log_change(it->account_id, it->collection_id, id, it->uid, ChangeOp::item_updated);
  return m;
}

void remove(WriteTxn& txn, const Actor& actor, ItemId id) {
  auto it = load(txn, id);
  if (!it) throw StoreError(Errc::not_found, "no such item");
  checked_collection(txn, actor, it->collection_id, right_delete_items);
  detail::erase(txn, *it);
}

void detail::erase(WriteTxn& txn, const Item& item) {
  txn.db().cached("DELETE FROM items WHERE id = ?").bind(1, item.id).run();
  blob_unref(txn, item.blob.hash);
  txn.db()
      .cached("UPDATE principals SET used_bytes = CASE WHEN used_bytes > ? THEN used_bytes - ? ELSE 0 END WHERE id = ?")
      .bind(1, item.blob.size)
      .bind(2, item.blob.size)
      .bind(3, item.account_id)
      .run();
  txn.log_change(item.account_id, item.collection_id, item.id, item.uid, ChangeOp::item_deleted, item.name);
}

std::optional<Item> get(ReadTxn& txn, const Actor& actor, ItemId id) {
  auto it = load(txn, id);
  if (!it) return std::nullopt;
  auto c = collections::load(txn, it->collection_id);
  if (!c || (effective_rights(txn, actor, *c) & (right_lookup | right_read)) != (right_lookup | right_read)) {
    return std::nullopt;
  }
  return it;
}

std::vector<Item> list(ReadTxn& txn, const Actor& actor, CollectionId collection) {
  checked_collection(txn, actor, collection, right_read);
  auto& q = txn.db().cached(fmt::format("SELECT {} FROM items WHERE collection_id = ? ORDER BY uid", k_columns));
  q.bind(1, collection);
  std::vector<Item> out;
  while (q.step()) out.push_back(row(q));
  q.reset();
  return out;
}

std::optional<Item> find_by_name(ReadTxn& txn, const Actor& actor, CollectionId collection, std::string_view name) {
  checked_collection(txn, actor, collection, right_read);
  auto& q = txn.db().cached(fmt::format("SELECT {} FROM items WHERE collection_id = ? AND name = ?", k_columns));
  q.bind(1, collection).bind(2, name);
  std::optional<Item> out;
  if (q.step()) out = row(q);
  q.reset();
  return out;
}

std::vector<Change> changes_since(ReadTxn& txn, const Actor& actor, CollectionId collection, Modseq since,
                                  std::size_t limit) {
  checked_collection(txn, actor, collection, right_read);
  auto& q = txn.db().cached(
      "SELECT modseq, collection_id, item_id, uid, op, name FROM changes WHERE collection_id = ? AND modseq > ? "
      "ORDER BY modseq, id LIMIT ?");
  q.bind(1, collection).bind(2, since).bind(3, static_cast<std::int64_t>(limit));
  std::vector<Change> out;
  while (q.step()) {
    out.push_back({q.column_int(0), q.column_int(1), q.column_opt_int(2), q.column_opt_int(3),
                   static_cast<ChangeOp>(q.column_int(4)), q.column_text(5)});
  }
  q.reset();
  return out;
}

Modseq highest_modseq(ReadTxn& txn, PrincipalId account) {
  auto& q = txn.db().cached("SELECT modseq FROM principals WHERE id = ?");
  q.bind(1, account);
  Modseq m = q.step() ? q.column_int(0) : 0;
  q.reset();
  return m;
}

}  // namespace atrium::storage::items
