// Collection rows: create, find, list, rename, delete.
#include "storage/collections.hpp"

#include "storage/blobs.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>

namespace atrium::storage::collections {
namespace {

constexpr std::string_view k_columns =
    "id, account_id, parent_id, kind, name, special_use, uidvalidity, uidnext, modseq, created_at, recent_uid";

Collection row(const sql::Statement& q) {
  Collection c;
  c.id = q.column_int(0);
  c.account_id = q.column_int(1);
  c.parent_id = q.column_opt_int(2);
  c.kind = static_cast<CollectionKind>(q.column_int(3));
  c.name = q.column_text(4);
  c.special_use = q.column_text(5);
  c.uidvalidity = static_cast<std::uint32_t>(q.column_int(6));
  c.uidnext = q.column_int(7);
  c.modseq = q.column_int(8);
  c.created_at = q.column_int(9);
  c.recent_uid = q.column_int(10);
  return c;
}

void check_name(std::string_view name) {
  if (name.empty()) throw StoreError(Errc::invalid, "collection name is empty");
  if (name.size() > 1024) throw StoreError(Errc::invalid, "collection name longer than 1024 octets");
  std::size_t start = 0;
  while (true) {
    auto slash = name.find('/', start);
    auto seg = name.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (seg.empty()) throw StoreError(Errc::invalid, "collection name has an empty segment");
    if (seg.size() > 255) throw StoreError(Errc::invalid, "collection name segment longer than 255 octets");
    for (unsigned char ch : seg) {
      if (ch < 0x20 || ch == 0x7f) throw StoreError(Errc::invalid, "control character in collection name");
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
}

std::optional<Collection> by_name(ReadTxn& txn, PrincipalId account, CollectionKind kind, std::string_view name) {
  auto& q = txn.db().cached(fmt::format("SELECT {} FROM collections WHERE account_id = ? AND kind = ? AND name = ?",
                                        k_columns));
  q.bind(1, account).bind(2, static_cast<std::int64_t>(kind)).bind(3, name);
  std::optional<Collection> out;
  if (q.step()) out = row(q);
  q.reset();
  return out;
}

std::vector<Collection> with_children(ReadTxn& txn, const Collection& c) {
  std::vector<Collection> out{c};
  auto& q = txn.db().cached(fmt::format(
      "SELECT {} FROM collections WHERE account_id = ? AND kind = ? AND substr(name, 1, ?) = ? ORDER BY name",
      k_columns));
  std::string prefix = c.name + "/";
  q.bind(1, c.account_id).bind(2, static_cast<std::int64_t>(c.kind)).bind(3, static_cast<std::int64_t>(prefix.size())).bind(4, prefix);
  while (q.step()) out.push_back(row(q));
  q.reset();
  return out;
}

}  // namespace

std::optional<Collection> load(ReadTxn& txn, CollectionId id) {
  auto& q = txn.db().cached(fmt::format("SELECT {} FROM collections WHERE id = ?", k_columns));
  q.bind(1, id);
  std::optional<Collection> out;
  if (q.step()) out = row(q);
  q.reset();
  return out;
}

Collection create(WriteTxn& txn, const Actor& actor, const NewCollection& nc) {
  check_name(nc.name);
  std::optional<CollectionId> parent_id;
  auto slash = nc.name.rfind('/');
  if (slash != std::string::npos) {
    auto parent = by_name(txn, nc.account, nc.kind, std::string_view(nc.name).substr(0, slash));
    if (!parent) throw StoreError(Errc::not_found, "parent collection does not exist");
    require_rights(txn, actor, *parent, right_create);
    parent_id = parent->id;
  } else if (!actor.is_system() && actor.id() != nc.account) {
    throw StoreError(Errc::access_denied, "only the owner may create top-level collections");
  }
  if (by_name(txn, nc.account, nc.kind, nc.name)) {
    throw StoreError(Errc::conflict, fmt::format("collection {} already exists", nc.name));
  }
  // UIDVALIDITY: the clock, but always above any value the account used before (kept on the
  // account, so a collection deleted and re-created within a second never repeats one).
  std::int64_t now = std::time(nullptr);
  auto& uv = txn.db().cached(
      "UPDATE principals SET last_uidvalidity = CASE WHEN ? > last_uidvalidity THEN ? ELSE last_uidvalidity + 1 END "
      "WHERE id = ? RETURNING last_uidvalidity");
  uv.bind(1, now & 0xffffffff).bind(2, now & 0xffffffff).bind(3, nc.account);
  if (!uv.step()) {
    uv.reset();
    throw StoreError(Errc::not_found, "account does not exist");
  }
  std::int64_t uidvalidity = uv.column_int(0);
  uv.reset();
  if (uidvalidity > 0xffffffff || uidvalidity == 0) throw StoreError(Errc::unavailable, "UIDVALIDITY space exhausted");

  auto& q = txn.db().cached(fmt::format(
      "INSERT INTO collections (account_id, parent_id, kind, name, special_use, uidvalidity, uidnext, modseq, "
      "created_at) VALUES (?, ?, ?, ?, ?, ?, 1, 0, ?) RETURNING {}",
      k_columns));
  q.bind(1, nc.account)
      .bind(2, parent_id)
      .bind(3, static_cast<std::int64_t>(nc.kind))
      .bind(4, nc.name)
      .bind(5, nc.special_use)
      .bind(6, uidvalidity)
      .bind(7, now);
  q.step();
  Collection c = row(q);
  q.reset();
  c.modseq = txn.log_change(c.account_id, c.id, std::nullopt, std::nullopt, ChangeOp::collection_created);
  return c;
}

std::optional<Collection> find(ReadTxn& txn, const Actor& actor, PrincipalId account, CollectionKind kind,
                               std::string_view name) {
  auto c = by_name(txn, account, kind, name);
  if (c && !(effective_rights(txn, actor, *c) & right_lookup)) return std::nullopt;
  return c;
}

std::optional<Collection> get(ReadTxn& txn, const Actor& actor, CollectionId id) {
  auto c = load(txn, id);
  if (c && !(effective_rights(txn, actor, *c) & right_lookup)) return std::nullopt;
  return c;
}

std::vector<Collection> list(ReadTxn& txn, const Actor& actor, PrincipalId account, std::optional<CollectionKind> kind) {
  auto& q = txn.db().cached(fmt::format(
      "SELECT {} FROM collections WHERE account_id = ? AND (? = 0 OR kind = ?) ORDER BY kind, name", k_columns));
  std::int64_t k = kind ? static_cast<std::int64_t>(*kind) : 0;
  q.bind(1, account).bind(2, k).bind(3, k);
  std::vector<Collection> all;
  while (q.step()) all.push_back(row(q));
  q.reset();
  if (actor.is_system() || actor.id() == account) return all;
  std::vector<Collection> visible;
  for (auto& c : all) {
    if (effective_rights(txn, actor, c) & right_lookup) visible.push_back(std::move(c));
  }
  return visible;
}

void rename(WriteTxn& txn, const Actor& actor, CollectionId id, std::string_view new_name) {
  auto c = load(txn, id);
  if (!c) throw StoreError(Errc::not_found, "no such collection");
  require_rights(txn, actor, *c, right_delete_collection);
  check_name(new_name);
  if (new_name == c->name) return;
  if (new_name.size() > c->name.size() && new_name.substr(0, c->name.size() + 1) == c->name + "/") {
    throw StoreError(Errc::invalid, "cannot move a collection below itself");
  }
  if (by_name(txn, c->account_id, c->kind, new_name)) {
    throw StoreError(Errc::conflict, fmt::format("collection {} already exists", new_name));
  }
  std::optional<CollectionId> parent_id;
  auto slash = new_name.rfind('/');
  if (slash != std::string_view::npos) {
    auto parent = by_name(txn, c->account_id, c->kind, new_name.substr(0, slash));
    if (!parent) throw StoreError(Errc::not_found, "parent collection does not exist");
    require_rights(txn, actor, *parent, right_create);
    parent_id = parent->id;
  }
  for (const auto& child : with_children(txn, *c)) {
    std::string renamed = std::string(new_name) + child.name.substr(c->name.size());
    auto& u = txn.db().cached("UPDATE collections SET name = ?, parent_id = ? WHERE id = ?");
    u.bind(1, renamed).bind(2, child.id == c->id ? parent_id : child.parent_id).bind(3, child.id).run();
    txn.log_change(c->account_id, child.id, std::nullopt, std::nullopt, ChangeOp::collection_updated);
  }
}

void remove(WriteTxn& txn, const Actor& actor, CollectionId id) {
  auto c = load(txn, id);
  if (!c) throw StoreError(Errc::not_found, "no such collection");
  require_rights(txn, actor, *c, right_delete_collection);
  auto all = with_children(txn, *c);
  // Children first, so foreign keys never point at a deleted parent.
  std::reverse(all.begin(), all.end());
  for (const auto& victim : all) {
    std::vector<std::pair<std::string, std::int64_t>> blobs;
    auto& q = txn.db().cached("SELECT blob_hash, size FROM items WHERE collection_id = ?");
    q.bind(1, victim.id);
    std::int64_t freed = 0;
    while (q.step()) {
      blobs.emplace_back(q.column_text(0), q.column_int(1));
      freed += q.column_int(1);
    }
    q.reset();
    for (const auto& [hash, size] : blobs) blob_unref(txn, hash);
    txn.db().cached("DELETE FROM items WHERE collection_id = ?").bind(1, victim.id).run();
    txn.db()
        .cached("UPDATE principals SET used_bytes = CASE WHEN used_bytes > ? THEN used_bytes - ? ELSE 0 END WHERE id = ?")
        .bind(1, freed)
        .bind(2, freed)
        .bind(3, c->account_id)
        .run();
    txn.db().cached("DELETE FROM collections WHERE id = ?").bind(1, victim.id).run();
    txn.log_change(c->account_id, victim.id, std::nullopt, std::nullopt, ChangeOp::collection_deleted);
  }
}

}  // namespace atrium::storage::collections
