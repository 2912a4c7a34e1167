// Collections: mailboxes, calendars, task lists and address books in one table. Every call goes
// through storage/access with the acting principal.
#pragma once

#include "storage/access.hpp"
#include "storage/store.hpp"
#include "storage/types.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atrium::storage::collections {

struct NewCollection {
  PrincipalId account = 0;
  CollectionKind kind = CollectionKind::mailbox;
  std::string name;         // full hierarchical name, "/"-separated; parents must exist
  std::string special_use;  // e.g. "\\Sent"; empty for none
};

// Creates the collection and logs collection_created. The owner and the system may always
// create; others need right_create on the parent. Refuses an empty name, a name over 1024
// octets or with empty or over-long segments, a missing parent, and a duplicate
// (StoreError(conflict)).
Collection create(WriteTxn& txn, const Actor& actor, const NewCollection& c);

// nullopt when missing or when the actor lacks right_lookup.
std::optional<Collection> find(ReadTxn& txn, const Actor& actor, PrincipalId account, CollectionKind kind,
                               std::string_view name);
std::optional<Collection> get(ReadTxn& txn, const Actor& actor, CollectionId id);
// The account's collections the actor may see, by name.
std::vector<Collection> list(ReadTxn& txn, const Actor& actor, PrincipalId account,
                             std::optional<CollectionKind> kind = std::nullopt);

// Renames a collection and its children (needs right_delete_collection). UIDVALIDITY is kept.
void rename(WriteTxn& txn, const Actor& actor, CollectionId id, std::string_view new_name);
// Deletes the collection, its children and their items (blob references dropped); tombstones
// in the change log. Needs right_delete_collection.
void remove(WriteTxn& txn, const Actor& actor, CollectionId id);

// Unchecked lookup for the store's own use (access checks, delivery). Not for protocols.
std::optional<Collection> load(ReadTxn& txn, CollectionId id);

}  // namespace atrium::storage::collections
