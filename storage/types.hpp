// Plain value types of the store: identifiers, kinds, rows as the rest of the system sees them.
// Nothing here knows about SQL.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace atrium::storage {

using DomainId = std::int64_t;
using PrincipalId = std::int64_t;  // an account is a principal that owns collections
using CollectionId = std::int64_t;
using ItemId = std::int64_t;
using Modseq = std::int64_t;       // per account, strictly increasing, 0 = nothing yet
using Uid = std::int64_t;          // per collection, strictly increasing (IMAP UID)

enum class PrincipalKind : int { user = 1, group = 2, resource = 3 };
enum class ResourceKind : int { room = 1, equipment = 2 };
// `files`: a plain WebDAV folder holding any kind of file (ItemKind::file). `schedule_inbox`: the
// iTIP messages a calendar user received (RFC 6638 §2.2).
enum class CollectionKind : int { mailbox = 1, calendar = 2, tasks = 3, addressbook = 4, files = 5, schedule_inbox = 6 };
// `journal`: a VJOURNAL calendar object resource.
enum class ItemKind : int { message = 1, event = 2, todo = 3, card = 4, journal = 5, file = 6 };

// What a change-log row records. Item ops carry the item id and uid; collection ops do not.
enum class ChangeOp : int {
  item_created = 1,
  item_updated = 2,
  item_deleted = 3,  // tombstone
  collection_created = 4,
  collection_updated = 5,
  collection_deleted = 6,
  // The account itself was deleted (with every item, collection and change of its own): the one
  // row left of it, so that whatever derives state per account (the search index) drops it.
  account_deleted = 7,
};

// Failure classes every protocol maps to its own reply (4xx vs 5xx, NO [..], HTTP status).
enum class Errc {
  invalid,        // bad input from the caller; nothing changed
  not_found,
  conflict,       // already exists, or a concurrent change won
  access_denied,
  quota,          // over quota
  unavailable,    // temporary: disk full, database busy, I/O error; retry later
  corrupt,        // the store is damaged; an operator must look
};

class StoreError : public std::runtime_error {
 public:
  StoreError(Errc code, const std::string& what) : std::runtime_error(what), code_(code) {}
  Errc code() const { return code_; }
  // True when a retry later may succeed (maps to SMTP 4xx, IMAP NO [UNAVAILABLE], HTTP 503).
  bool temporary() const { return code_ == Errc::unavailable; }

 private:
  Errc code_;
};

struct Domain {
  DomainId id = 0;
  std::string name;
  std::int64_t created_at = 0;
};

struct Principal {
  PrincipalId id = 0;
  PrincipalKind kind = PrincipalKind::user;
  std::string email;
  DomainId domain_id = 0;
  std::string display_name;
  std::int64_t quota_bytes = 0;  // 0 = unlimited
  std::int64_t used_bytes = 0;
  std::optional<ResourceKind> resource_kind;
  Modseq modseq = 0;
  std::int64_t created_at = 0;
  bool has_password = false;
};

struct AppPassword {
  std::int64_t id = 0;
  std::string label;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> last_used_at;
};

struct Alias {
  std::string address;
  std::vector<std::string> targets;
};

struct Collection {
  CollectionId id = 0;
  PrincipalId account_id = 0;
  std::optional<CollectionId> parent_id;
  CollectionKind kind = CollectionKind::mailbox;
  std::string name;         // full hierarchical name, "/"-separated ("Archive/2026")
  std::string special_use;  // "\\Sent", "\\Trash" ... or empty
  std::uint32_t uidvalidity = 0;
  Uid uidnext = 1;
  Uid recent_uid = 0;       // highest UID some IMAP session has already seen as \Recent
  Modseq modseq = 0;        // highest modseq of the collection or any of its items
  std::int64_t created_at = 0;
};

struct BlobRef {
  std::string hash;  // lowercase hex SHA-256 of the content
  std::int64_t size = 0;
  // Set by BlobStore::stage() for a small blob: the content travels with the reference and the
  // first job that references it stores it in the database, durable with that job's commit.
  std::shared_ptr<const std::string> content;
};

// Per-kind metadata stored beside an item. Later protocols add fields with migrations.
struct MessageMeta {
  std::string message_id;
  std::string subject;
  std::string envelope;        // cached IMAP ENVELOPE, filled by the MIME layer
  std::string bodystructure;   // cached IMAP BODYSTRUCTURE
  // Thread keys, filled by the MIME layer: the message's own Message-ID, then the ids of its
  // In-Reply-To and References (without angle brackets). On insert the store puts the message in
  // the thread of the first key already known in the account, else in a new thread of its own.
  std::vector<std::string> thread_keys;
  // The thread, set by the store (on insert, and when read back); a copy within the same account
  // passes it on unchanged, since a message's thread never changes (RFC 8474 THREADID).
  std::int64_t thread_id = 0;
};
struct EventMeta {
  std::string ical_uid;
  std::string component;  // VEVENT, VTODO, VJOURNAL
  std::optional<std::int64_t> starts_at;  // UTC seconds, for time-range queries
  std::optional<std::int64_t> ends_at;
  // [starts_at, ends_at] is exactly the span of the object's one instance (calendar::Object::
  // exact_bounds): a time-range query decides on it without reading the object.
  bool exact = false;
  // For a recurring object, every instance as [start, end) UTC seconds (end == start: an
  // instant), when the whole set is known and independent of the zone floating times are read in
  // (calendar::Object::exact_instances): a time-range query decides on it without reading the
  // object. nullopt: unknown, the object must be read.
  std::optional<std::vector<std::pair<std::int64_t, std::int64_t>>> instances;
};
struct CardMeta {
  std::string vcard_uid;
  std::string full_name;
  std::string emails;  // comma-separated, lowercase
};
using ItemMeta = std::variant<std::monostate, MessageMeta, EventMeta, CardMeta>;

struct Item {
  ItemId id = 0;
  PrincipalId account_id = 0;
  CollectionId collection_id = 0;
  Uid uid = 0;
  ItemKind kind = ItemKind::message;
  BlobRef blob;
  std::string name;  // DAV resource name; empty for messages
  std::int64_t internal_date = 0;
  Modseq modseq = 0;
  std::uint32_t flags = 0;   // message system flags (bit set, see MessageFlag)
  std::string keywords;      // space-separated IMAP keywords
  std::int64_t saved_at = 0; // when it was put into this collection (seconds since the epoch)
};

enum MessageFlag : std::uint32_t {
  flag_seen = 1u << 0,
  flag_answered = 1u << 1,
  flag_flagged = 1u << 2,
  flag_deleted = 1u << 3,
  flag_draft = 1u << 4,
};

struct Change {
  Modseq modseq = 0;
  CollectionId collection_id = 0;
  std::optional<ItemId> item_id;
  std::optional<Uid> uid;
  ChangeOp op = ChangeOp::item_created;
  std::string name;  // the item's DAV resource name, when it has one (tombstones included)
};

// Published by the writer after a commit is durable.
struct Notification {
  PrincipalId account_id = 0;
  CollectionId collection_id = 0;
  Modseq modseq = 0;
};

}  // namespace atrium::storage
