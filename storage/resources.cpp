// DAV resources over the items table: conditional create/replace/delete, the time-range index and
// client-set properties.
#include "storage/resources.hpp"

#include "storage/blobs.hpp"
#include "storage/collections.hpp"
#include "storage/directory.hpp"

#include <fmt/format.h>

#include <ctime>

namespace atrium::storage::resources {
namespace {

Collection checked_collection(ReadTxn& txn, const Actor& actor, CollectionId id, Rights needed) {
  auto c = collections::load(txn, id);
  if (!c) throw StoreError(Errc::not_found, "no such collection");
  require_rights(txn, actor, *c, needed);
  return *c;
}

std::optional<Item> by_name(ReadTxn& txn, CollectionId collection, std::string_view name) {
  auto& q = txn.db().cached(
      fmt::format("SELECT {} FROM items WHERE collection_id = ? AND name = ?", items::detail::columns()));
  q.bind(1, collection).bind(2, name);
  std::optional<Item> out;
  if (q.step()) out = items::detail::row(q);
  q.reset();
  return out;
}

// The UID a resource's metadata carries, and the table it is indexed in.
struct UidKey {
  std::string_view uid;
  std::string_view query;
};
std::optional<UidKey> uid_key(const ItemMeta& meta) {
  if (auto* e = std::get_if<EventMeta>(&meta)) {
    return UidKey{e->ical_uid,
                  "SELECT i.name FROM event_meta m JOIN items i ON i.id = m.item_id "
                  "WHERE m.ical_uid = ? AND i.collection_id = ? AND i.name != ? LIMIT 1"};
  }
  if (auto* c = std::get_if<CardMeta>(&meta)) {
    return UidKey{c->vcard_uid,
                  "SELECT i.name FROM card_meta m JOIN items i ON i.id = m.item_id "
                  "WHERE m.vcard_uid = ? AND i.collection_id = ? AND i.name != ? LIMIT 1"};
  }
  return std::nullopt;
}

void delete_meta(WriteTxn& txn, ItemId id) {
  txn.db().cached("DELETE FROM event_meta WHERE item_id = ?").bind(1, id).run();
  txn.db().cached("DELETE FROM card_meta WHERE item_id = ?").bind(1, id).run();
}

void delete_properties(WriteTxn& txn, CollectionId collection, std::string_view resource) {
  txn.db()
      .cached("DELETE FROM dav_properties WHERE collection_id = ? AND resource = ?")
      .bind(1, collection)
      .bind(2, resource)
      .run();
}

}  // namespace

PutResult put(WriteTxn& txn, const Actor& actor, const items::NewItem& item, const Precondition& precondition) {
  if (item.name.empty()) throw StoreError(Errc::invalid, "a DAV resource needs a name");
  auto c = collections::load(txn, item.collection);
  if (!c) throw StoreError(Errc::not_found, "no such collection");
  auto current = by_name(txn, c->id, item.name);
  require_rights(txn, actor, *c, current ? right_write : right_insert);
  if (precondition && !precondition(current ? &*current : nullptr)) return {PutStatus::precondition_failed};

  if (auto key = uid_key(item.meta)) {
    auto& q = txn.db().cached(key->query);
    q.bind(1, key->uid).bind(2, c->id).bind(3, item.name);
    std::optional<std::string> other;
    if (q.step()) other = q.column_text(0);
    q.reset();
    if (other) return {PutStatus::uid_conflict, 0, 0, std::move(*other)};
  }

  if (!current) {
    auto added = items::detail::insert(txn, *c, item);
    return {PutStatus::created, added.id, added.modseq};
  }

  // Quota: the difference, charged like an insert (a shrinking resource always fits).
  std::int64_t delta = item.blob.size - current->blob.size;
  txn.db()
      .cached("UPDATE principals SET used_bytes = MAX(0, used_bytes + ?1) WHERE id = ?2 "
              "AND (?1 <= 0 OR quota_bytes <= 0 OR used_bytes + ?1 <= quota_bytes)")
      .bind(1, delta)
      .bind(2, c->account_id)
      .run();
  if (txn.db().changes() != 1) throw StoreError(Errc::quota, "quota exceeded");

  blob_ref(txn, item.blob);
  blob_unref(txn, current->blob.hash);
  Modseq m = txn.modseq(c->account_id);
  auto now = static_cast<std::int64_t>(std::time(nullptr));
  txn.db()
      .cached("UPDATE items SET blob_hash = ?, size = ?, kind = ?, internal_date = ?, modseq = ? WHERE id = ?")
      .bind(1, item.blob.hash)
      .bind(2, item.blob.size)
      .bind(3, static_cast<std::int64_t>(item.kind))
      .bind(4, item.internal_date ? item.internal_date : now)
      .bind(5, m)
      .bind(6, current->id)
      .run();
  delete_meta(txn, current->id);
  items::detail::insert_meta(txn, c->account_id, current->id, item.meta);
  txn.log_change(c->account_id, c->id, current->id, current->uid, ChangeOp::item_updated, item.name);
  return {PutStatus::replaced, current->id, m};
}

RemoveStatus remove(WriteTxn& txn, const Actor& actor, CollectionId collection, std::string_view name,
                    const Precondition& precondition) {
  auto c = checked_collection(txn, actor, collection, right_delete_items);
  auto current = by_name(txn, c.id, name);
  if (precondition && !precondition(current ? &*current : nullptr)) return RemoveStatus::precondition_failed;
  if (!current) return RemoveStatus::not_found;
  items::detail::erase(txn, *current);
  delete_properties(txn, c.id, name);
  return RemoveStatus::removed;
}

std::vector<Item> in_time_range(ReadTxn& txn, const Actor& actor, CollectionId collection,
                                std::optional<std::int64_t> start, std::optional<std::int64_t> end) {
  std::vector<Item> out;
  for (auto& e : indexed_events(txn, actor, collection, start, end)) out.push_back(std::move(e.item));
  return out;
}

std::vector<IndexedEvent> indexed_events(ReadTxn& txn, const Actor& actor, CollectionId collection,
                                         std::optional<std::int64_t> start, std::optional<std::int64_t> end) {
  checked_collection(txn, actor, collection, right_read);
  // Bounds may be wider than the instances, never narrower (calendar::Bounds): an object can
  // match only if it starts no later than the range's end and ends no earlier than its start.
  auto& q = txn.db().cached(fmt::format(
      "SELECT {}, m.ical_uid, m.component, m.starts_at, m.ends_at, m.exact, m.instances FROM items "
      "JOIN event_meta m ON m.item_id = items.id WHERE items.collection_id = ?1 "
      "AND (?2 IS NULL OR m.starts_at IS NULL OR m.starts_at <= ?2) "
      "AND (?3 IS NULL OR m.ends_at IS NULL OR m.ends_at >= ?3) ORDER BY items.uid",
      items::detail::columns()));
  q.bind(1, collection).bind(2, end).bind(3, start);
  std::vector<IndexedEvent> out;
  while (q.step()) {
    IndexedEvent e;
    e.item = items::detail::row(q);
    e.meta = items::detail::event_meta_row(q, 13);
    out.push_back(std::move(e));
  }
  q.reset();
  return out;
}

std::optional<Item> find_by_uid(ReadTxn& txn, PrincipalId account, std::string_view uid) {
  auto& q = txn.db().cached(fmt::format(
      "SELECT {} FROM items WHERE id = (SELECT i.id FROM event_meta m JOIN items i ON i.id = m.item_id "
      "JOIN collections c ON c.id = i.collection_id WHERE m.ical_uid = ?1 AND i.account_id = ?2 AND c.kind IN (?3, ?4) "
      "ORDER BY i.id LIMIT 1)",
      items::detail::columns()));
  q.bind(1, uid).bind(2, account)
      .bind(3, static_cast<std::int64_t>(CollectionKind::calendar))
      .bind(4, static_cast<std::int64_t>(CollectionKind::tasks));
  std::optional<Item> out;
  if (q.step()) out = items::detail::row(q);
  q.reset();
  return out;
}

std::optional<EventMeta> event_meta(ReadTxn& txn, ItemId id) {
  auto& q = txn.db().cached(
      "SELECT ical_uid, component, starts_at, ends_at, exact, instances FROM event_meta WHERE item_id = ?");
  q.bind(1, id);
  std::optional<EventMeta> out;
  if (q.step()) out = items::detail::event_meta_row(q, 0);
  q.reset();
  return out;
}

void ensure_default_collections(WriteTxn& txn, PrincipalId account) {
  auto principal = directory::get_principal(txn, account);
  if (!principal || principal->kind == PrincipalKind::group) return;
  auto sys = Actor::system();
  auto make = [&](CollectionKind kind, const char* name, const char* display, const char* component) {
    auto c = collections::create(txn, sys, {account, kind, name, ""});
    std::vector<Property> props{{"{DAV:}displayname",
                                 std::string("<displayname xmlns=\"DAV:\">") + display + "</displayname>", display}};
    if (*component) {
      props.push_back({"{urn:ietf:params:xml:ns:caldav}supported-calendar-component-set",
                       std::string("<supported-calendar-component-set xmlns=\"urn:ietf:params:xml:ns:caldav\">"
                                   "<comp name=\"") + component + "\"/></supported-calendar-component-set>",
                       component});
    }
    set_properties(txn, sys, c.id, "", props, {});
  };
  bool calendars = !collections::list(txn, sys, account, CollectionKind::calendar).empty() ||
                   !collections::list(txn, sys, account, CollectionKind::tasks).empty();
  if (!calendars) make(CollectionKind::calendar, "calendar", "Calendar", "VEVENT");
  if (principal->kind == PrincipalKind::resource) return;
  if (!calendars) make(CollectionKind::tasks, "tasks", "Tasks", "VTODO");
  if (collections::list(txn, sys, account, CollectionKind::addressbook).empty()) {
    make(CollectionKind::addressbook, "contacts", "Contacts", "");
  }
  if (!collections::find(txn, sys, account, CollectionKind::files, "Files")) {
    collections::create(txn, sys, {account, CollectionKind::files, "Files", ""});
  }
}

std::vector<Property> properties(ReadTxn& txn, const Actor& actor, CollectionId collection, std::string_view resource) {
  checked_collection(txn, actor, collection, resource.empty() ? right_lookup : right_read);
  auto& q = txn.db().cached(
      "SELECT name, xml, value FROM dav_properties WHERE collection_id = ? AND resource = ? ORDER BY name");
  q.bind(1, collection).bind(2, resource);
  std::vector<Property> out;
  while (q.step()) out.push_back({q.column_text(0), q.column_text(1), q.column_text(2)});
  q.reset();
  return out;
}

void set_properties(WriteTxn& txn, const Actor& actor, CollectionId collection, std::string_view resource,
                    const std::vector<Property>& set, const std::vector<std::string>& remove) {
  auto c = checked_collection(txn, actor, collection, right_write);
  for (const auto& p : set) {
    if (p.name.size() > 1024 || p.xml.size() > 64 * 1024) throw StoreError(Errc::invalid, "property too large");
    txn.db()
        .cached("INSERT INTO dav_properties (collection_id, resource, name, xml, value) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (collection_id, resource, name) DO UPDATE SET xml = excluded.xml, value = excluded.value")
        .bind(1, collection)
        .bind(2, resource)
        .bind(3, p.name)
        .bind(4, p.xml)
        .bind(5, p.value)
        .run();
  }
  for (const auto& name : remove) {
    txn.db()
        .cached("DELETE FROM dav_properties WHERE collection_id = ? AND resource = ? AND name = ?")
        .bind(1, collection)
        .bind(2, resource)
        .bind(3, name)
        .run();
  }
  // A collection may hold at most 256 properties of its own and per member: dead properties are
  // client data and need a bound like everything else.
  auto& n = txn.db().cached("SELECT COUNT(*) FROM dav_properties WHERE collection_id = ? AND resource = ?");
  n.bind(1, collection).bind(2, resource);
  n.step();
  auto count = n.column_int(0);
  n.reset();
  if (count > 256) throw StoreError(Errc::invalid, "too many properties");
  if (resource.empty() && (!set.empty() || !remove.empty())) {
    txn.log_change(c.account_id, c.id, std::nullopt, std::nullopt, ChangeOp::collection_updated);
  }
}

}  // namespace atrium::storage::resources
