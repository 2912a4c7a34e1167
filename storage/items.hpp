// Items: messages, calendar objects and contacts. Each points at a blob and carries its per-kind
// metadata; every change takes the account's modseq and appends to the change log.
#pragma once

#include "storage/access.hpp"
#include "storage/store.hpp"
#include "storage/types.hpp"

#include <optional>
#include <string>
#include <vector>

namespace atrium::storage::items {

struct NewItem {
  CollectionId collection = 0;
  ItemKind kind = ItemKind::message;
  BlobRef blob;                  // already durable: BlobStore::put() before the job
  std::string name;              // DAV resource name, unique in the collection; empty for mail
  std::int64_t internal_date = 0;  // seconds since the epoch; 0 = now
  std::uint32_t flags = 0;
  std::string keywords;
  ItemMeta meta;
};

struct Added {
  ItemId id = 0;
  Uid uid = 0;
  Modseq modseq = 0;
};

// Adds an item (needs right_insert): takes the next UID, a blob reference, charges the owner's
// quota (StoreError(quota) when it would be exceeded) and logs item_created.
Added add(WriteTxn& txn, const Actor& actor, const NewItem& item);

// Replaces flags and keywords (needs right_write, or right_seen when only \Seen changes, or
// right_delete_items when only \Deleted changes). Returns the new modseq.
Modseq set_flags(WriteTxn& txn, const Actor& actor, ItemId id, std::uint32_t flags, std::string_view keywords);

// Removes an item (needs right_delete_items): drops its blob reference, refunds quota and
// leaves a tombstone.
void remove(WriteTxn& txn, const Actor& actor, ItemId id);

std::optional<Item> get(ReadTxn& txn, const Actor& actor, ItemId id);
// Items of a collection in UID order (needs right_read).
std::vector<Item> list(ReadTxn& txn, const Actor& actor, CollectionId collection);
std::optional<Item> find_by_name(ReadTxn& txn, const Actor& actor, CollectionId collection, std::string_view name);

// Changes in a collection after `since`, oldest first, at most `limit` (needs right_read).
// One row per change; tombstones included. O(changes), never a rescan.
std::vector<Change> changes_since(ReadTxn& txn, const Actor& actor, CollectionId collection, Modseq since,
                                  std::size_t limit);
// The account's highest modseq.
Modseq highest_modseq(ReadTxn& txn, PrincipalId account);

// The store's own building blocks for modules that have already checked access (messages,
// DAV collections). Not for protocols.
namespace detail {
// Inserts into `c` (quota, UID, blob reference, metadata, change log) without an access check.
Added insert(WriteTxn& txn, const Collection& c, const NewItem& item);
// Deletes the row, drops its blob reference, refunds quota and leaves a tombstone.
void erase(WriteTxn& txn, const Item& item);
// Writes the per-kind metadata row of item `id`.
void insert_meta(WriteTxn& txn, PrincipalId account, ItemId id, const ItemMeta& meta);
// The columns row() reads, for "SELECT <columns> FROM items ...".
std::string_view columns();
// The item at the current row of a statement that selected columns() first.
Item row(const sql::Statement& q);
// The item without an access check.
std::optional<Item> load(ReadTxn& txn, ItemId id);
// EventMeta::instances as the event_meta.instances column stores them (little-endian 64-bit
// start and end per instance; NULL for nullopt), and back; a column of the wrong length reads
// as nullopt (the object is then read instead).
std::optional<std::string> encode_instances(const EventMeta& meta);
std::optional<std::vector<std::pair<std::int64_t, std::int64_t>>> decode_instances(const sql::Statement& q, int col);
// The EventMeta of the current row of a statement that selected, from column `col` on,
// ical_uid, component, starts_at, ends_at, exact, instances.
EventMeta event_meta_row(const sql::Statement& q, int col);
}  // namespace detail

}  // namespace atrium::storage::items
