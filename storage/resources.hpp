// DAV resources: the named members of calendars, task lists, address books and file folders
// (calendar objects, vCards, files), their conditional writes, the time-range index and the
// properties WebDAV clients set on collections and resources. Every call goes through
// storage/access with the acting principal.
#pragma once

#include "storage/access.hpp"
#include "storage/items.hpp"
#include "storage/store.hpp"
#include "storage/types.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atrium::storage::resources {

// Decides whether a conditional write may go ahead, given the resource's current row (nullptr
// when it does not exist). Runs inside the write transaction, so If-Match / If-None-Match are
// checked against exactly the state the write replaces.
using Precondition = std::function<bool(const Item* current)>;

enum class PutStatus { created, replaced, precondition_failed, uid_conflict };
struct PutResult {
  PutStatus status = PutStatus::created;
  ItemId id = 0;
  Modseq modseq = 0;
  std::string conflict;  // uid_conflict: the name of the resource that already has the UID
};

// Creates `item.name` in `item.collection` (needs right_insert) or replaces its content and
// metadata (needs right_write). An EventMeta or CardMeta UID that another resource of the
// collection already has is refused (uid_conflict), as CalDAV and CardDAV require. A replaced
// resource keeps its UID and row; its old blob reference is dropped and quota charged for the
// difference; the change log gets item_updated.
PutResult put(WriteTxn& txn, const Actor& actor, const items::NewItem& item, const Precondition& precondition);

enum class RemoveStatus { removed, not_found, precondition_failed };
// Deletes the resource `name` (needs right_delete_items), its properties with it.
RemoveStatus remove(WriteTxn& txn, const Actor& actor, CollectionId collection, std::string_view name,
                    const Precondition& precondition);

// The calendar objects of `collection` whose stored time bounds may overlap [start, end) (RFC
// 4791 §9.9; either end open). A superset: the caller still evaluates the filter on each. Needs
// right_read.
std::vector<Item> in_time_range(ReadTxn& txn, const Actor& actor, CollectionId collection,
                                std::optional<std::int64_t> start, std::optional<std::int64_t> end);

// The calendar object of `account` (in any of its calendars and task lists) whose iCalendar UID
// is `uid`: where scheduling finds an attendee's or organiser's copy. Unchecked: for the
// scheduling agent, which acts for the server.
std::optional<Item> find_by_uid(ReadTxn& txn, PrincipalId account, std::string_view uid);

// in_time_range() with each object's metadata, for queries that decide on the metadata alone
// where they can (EventMeta::exact).
struct IndexedEvent {
  Item item;
  EventMeta meta;
};
std::vector<IndexedEvent> indexed_events(ReadTxn& txn, const Actor& actor, CollectionId collection,
                                         std::optional<std::int64_t> start, std::optional<std::int64_t> end);

// The calendar object metadata of an item (nullopt when it has none).
std::optional<EventMeta> event_meta(ReadTxn& txn, ItemId id);

// Gives an account the collections its DAV clients expect, where it has none of a kind: a
// calendar ("calendar", events) and a task list ("tasks") when it has neither, an address book
// ("contacts") when it has none, and its file area ("Files"); a resource gets only its calendar.
// Runs when a principal is created and, for accounts older than that, at their first DAV login.
void ensure_default_collections(WriteTxn& txn, PrincipalId account);

// A property a client set: its name in Clark notation ("{DAV:}displayname"), the element as XML
// (to give back as sent) and its text (what live properties are read from).
struct Property {
  std::string name;
  std::string xml;
  std::string value;
  friend bool operator==(const Property&, const Property&) = default;
};

// The properties of the collection itself (`resource` empty) or of its member `resource`, by
// name. Needs right_lookup on the collection (right_read for a member).
std::vector<Property> properties(ReadTxn& txn, const Actor& actor, CollectionId collection, std::string_view resource);

// Sets and removes properties in one step (needs right_write on the collection). Changing the
// collection's own properties logs collection_updated, so its ctag and sync token move.
void set_properties(WriteTxn& txn, const Actor& actor, CollectionId collection, std::string_view resource,
                    const std::vector<Property>& set, const std::vector<std::string>& remove);

}  // namespace atrium::storage::resources
