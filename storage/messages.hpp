// Mailbox operations the mail protocols share (IMAP, POP3, later ActiveSync): listing a mailbox
// in UID order, flag changes with CONDSTORE semantics, expunge, copy and move, status counters,
// \Recent marks and subscriptions. Built on items/collections; every call checks the actor's
// rights and every change goes through the one change log.
#pragma once

#include "storage/access.hpp"
#include "storage/store.hpp"
#include "storage/types.hpp"

#include <optional>
#include <span>
#include <string>
#include <vector>

namespace atrium::storage::messages {

// One message as a mailbox listing sees it (no content, no parsed metadata).
struct Summary {
  ItemId id = 0;
  Uid uid = 0;
  std::uint32_t flags = 0;    // MessageFlag bits
  std::string keywords;       // space-separated
  Modseq modseq = 0;
  std::int64_t size = 0;      // octets of the stored message
  std::int64_t internal_date = 0;
  std::int64_t saved_at = 0;
  std::string blob_hash;
};

// A message with what FETCH needs besides the content: the cached metadata.
struct Detail {
  Summary summary;
  MessageMeta meta;
};

// Every message of a mailbox in UID order (needs right_read). One query.
std::vector<Summary> list(ReadTxn& txn, const Actor& actor, CollectionId mailbox);

// The messages with these UIDs (ascending, duplicates ignored; UIDs that no longer exist are
// skipped), in UID order, with metadata when `with_meta`. Needs right_read. Reads whole UID runs
// with range scans, so 10,000 messages cost a handful of queries, not 10,000.
enum class Meta { without, with };
std::vector<Detail> fetch(ReadTxn& txn, const Actor& actor, CollectionId mailbox, std::span<const Uid> uids,
                          Meta meta = Meta::with);

// The UIDs (ascending) of the mailbox's messages in the thread `thread` (MessageMeta::thread_id).
// Needs right_read. One index range scan.
std::vector<Uid> thread_uids(ReadTxn& txn, const Actor& actor, CollectionId mailbox, std::int64_t thread);

// A message delivered to an INBOX whose cached structure has a text/calendar part: what the iMIP
// watcher reads (an invitation answer sent by mail). Unchecked, for that server-side reader.
struct CalendarMail {
  std::int64_t change_id = 0;  // the change-log row that created it
  PrincipalId account = 0;
  ItemId item = 0;
  std::string blob_hash;
};
// Such messages created after change-log row `after`, oldest first, at most `limit`.
std::vector<CalendarMail> calendar_mail_after(ReadTxn& txn, std::int64_t after, std::size_t limit);
// The newest change-log row (0 when there is none).
std::int64_t last_change_id(ReadTxn& txn);

// The UIDs of the messages stored into the mailbox (delivered, appended, copied or moved in) by
// changes after change-log row `change_id`, in the order of their changes, at most `limit`
// (so a caller learns "more than limit - 1" cheaply). Needs right_read. Reads the change log from
// that row on: meant for a short tail (what an indexer has not reached yet).
std::vector<Uid> created_after_change(ReadTxn& txn, const Actor& actor, CollectionId mailbox, std::int64_t change_id,
                                      std::size_t limit);

enum class FlagOp { replace, add, remove };

struct FlagChange {
  FlagOp op = FlagOp::replace;
  std::uint32_t flags = 0;              // MessageFlag bits
  std::vector<std::string> keywords;    // IMAP keyword atoms, compared ASCII case-insensitively
  std::optional<Modseq> unchanged_since;  // RFC 7162 UNCHANGEDSINCE
};

struct FlagResult {
  // Messages whose flags changed, with their new state (a no-op change is not listed).
  std::vector<Summary> changed;
  // UNCHANGEDSINCE failures: messages whose modseq is above it (RFC 7162 [MODIFIED]).
  std::vector<Uid> modified;
};

// Applies `change` to the messages with these UIDs (ascending) in one job. Rights per
// RFC 4314: \Seen needs right_seen, \Deleted right_delete_items, anything else right_write;
// a change the actor may not make throws StoreError(access_denied) and changes nothing.
FlagResult store_flags(WriteTxn& txn, const Actor& actor, CollectionId mailbox, std::span<const Uid> uids,
                       const FlagChange& change);

// Removes the messages marked \Deleted — all of them, or only those among `only` (UID
// EXPUNGE) — and returns their UIDs ascending. Needs right_expunge.
std::vector<Uid> expunge(WriteTxn& txn, const Actor& actor, CollectionId mailbox,
                         std::optional<std::span<const Uid>> only = std::nullopt);

// Removes exactly the messages with these UIDs, whatever their flags (POP3's DELE applied at
// QUIT), and returns the UIDs removed, ascending; UIDs already gone are skipped. Needs
// right_delete_items and right_expunge.
std::vector<Uid> remove(WriteTxn& txn, const Actor& actor, CollectionId mailbox, std::span<const Uid> uids);

enum class Transfer { copy, move };

struct CopyResult {
  std::uint32_t target_uidvalidity = 0;
  std::vector<Uid> source_uids;  // ascending; what was copied
  std::vector<Uid> target_uids;  // the new UIDs, same order
};

// Copies (or moves: copy, then remove from the source, in the same job) the messages with these
// UIDs into `target`, keeping flags, keywords and internal dates; the blob is shared, and the
// target's owner is charged quota (StoreError(quota) when it would be exceeded). Copy needs
// right_read on the source and right_insert on the target; move also right_delete_items and
// right_expunge on the source. Copying a mailbox into itself is allowed (new UIDs).
CopyResult transfer(WriteTxn& txn, const Actor& actor, CollectionId source, std::span<const Uid> uids,
                    CollectionId target, Transfer how);

struct Status {
  std::int64_t messages = 0;
  std::int64_t unseen = 0;
  std::int64_t deleted = 0;
  std::int64_t size = 0;  // octets, RFC 8438
  std::int64_t recent = 0;  // above the mailbox's \Recent mark (RFC 3501 STATUS RECENT)
  Uid uidnext = 1;
  std::uint32_t uidvalidity = 0;
  Modseq highest_modseq = 0;
};

// STATUS counters (needs right_read). Two indexed aggregate queries.
Status status(ReadTxn& txn, const Actor& actor, CollectionId mailbox);

// RFC 3501 \Recent: the first session to select a mailbox read-write after new mail arrives
// "claims" it. Raises the mailbox's mark to its highest UID and returns the previous mark: the
// caller's recent messages are those with a greater UID. Needs right_read.
Uid claim_recent(WriteTxn& txn, const Actor& actor, CollectionId mailbox);

// Subscriptions of an account to mailbox names (existing or not, RFC 9051 §6.3.7).
void subscribe(WriteTxn& txn, PrincipalId account, std::string_view name);
void unsubscribe(WriteTxn& txn, PrincipalId account, std::string_view name);
std::vector<std::string> subscriptions(ReadTxn& txn, PrincipalId account);
// Keeps subscriptions with a renamed mailbox and its children (RFC 9051 leaves this to servers;
// clients expect it).
void rename_subscriptions(WriteTxn& txn, PrincipalId account, std::string_view from, std::string_view to);

// Keyword list helpers: the stored form is a space-separated list without duplicates
// (case-insensitive), in first-seen order.
std::vector<std::string> split_keywords(std::string_view stored);
std::string join_keywords(const std::vector<std::string>& keywords);

}  // namespace atrium::storage::messages
