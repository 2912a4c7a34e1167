// A selected mailbox as one IMAP session sees it: the message sequence numbers it has announced,
// the changes made since by any session or protocol (read from the change log), and when each of
// them may be told (RFC 9051 §7.5.1: never an EXPUNGE during FETCH, STORE or SEARCH by sequence
// number).
#pragma once

#include "storage/access.hpp"
#include "storage/messages.hpp"
#include "storage/store.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace atrium::imap {

using storage::Modseq;
using storage::Uid;

enum class Access { read_write, read_only };

// What has to be told to the client after a refresh, in the order it must be told.
struct ViewUpdate {
  std::vector<Uid> expunged;              // UIDs gone, ascending (EXPUNGE or VANISHED)
  std::vector<storage::messages::Summary> flag_changes;  // still-present messages whose flags changed
  std::uint32_t exists = 0;               // new message count when messages arrived (0: none)
  bool mailbox_gone = false;              // deleted (or access withdrawn) under the session
  bool any() const { return !expunged.empty() || !flag_changes.empty() || exists != 0 || mailbox_gone; }
};

// What a rev1 EXPUNGE announcement needs: the sequence number of each expunged message at the
// moment it is announced (RFC 3501 §7.4.1: every EXPUNGE renumbers the following ones).
std::vector<std::uint32_t> expunge_sequence_numbers(std::span<const Uid> view_before, std::span<const Uid> expunged);

class MailboxView {
 public:
  // Loads the mailbox (needs right_read). Throws StoreError like storage::messages::list.
  MailboxView(storage::ReadTxn& txn, const storage::Actor& actor, const storage::Collection& mailbox, Access access);
  // From a listing already read in the same transaction as `mailbox`.
  MailboxView(const storage::Collection& mailbox, Access access,
              const std::vector<storage::messages::Summary>& messages);

  storage::CollectionId id() const { return mailbox_.id; }
  const storage::Collection& mailbox() const { return mailbox_; }
  Access access() const { return access_; }
  std::uint32_t uidvalidity() const { return mailbox_.uidvalidity; }
  Uid uidnext() const { return uidnext_; }
  Modseq highest_modseq() const { return modseq_; }

  // Announced messages, in sequence order (sequence number n is uids()[n-1]).
  const std::vector<Uid>& uids() const { return uids_; }
  std::uint32_t exists() const { return static_cast<std::uint32_t>(uids_.size()); }
  // 1-based sequence number of `uid`, or nullopt when not in the view.
  std::optional<std::uint32_t> sequence_of(Uid uid) const;
  // The highest UID in the view, 0 when empty (what `*` means in a UID set).
  Uid max_uid() const { return uids_.empty() ? 0 : uids_.back(); }

  // \Recent (RFC 3501): this session's recent messages are those above `mark`.
  void set_recent_mark(Uid mark) { recent_mark_ = mark; }
  bool is_recent(Uid uid) const { return uid > recent_mark_; }
  std::uint32_t recent_count() const;

  // Reads what changed since the last refresh. Expunges are held back while `expunges_allowed`
  // is false (a FETCH, STORE or SEARCH by sequence number is running) and told later; arrivals
  // and flag changes are always told. The view is updated to match what the returned update
  // announces. Flag changes this session made itself and already reported (see `reported`) are
  // left out.
  enum class Expunges { hold, tell };
  ViewUpdate refresh(storage::ReadTxn& txn, const storage::Actor& actor, Expunges expunges);

  // Expunges seen by a refresh that held them back, not yet told.
  bool holds_expunges() const { return !held_expunges_.empty(); }

  // Records that this session told the client about these messages' flags itself (STORE's
  // untagged FETCH), so the next refresh does not repeat them.
  void reported(std::span<const storage::messages::Summary> changed);
  // Removes UIDs this session expunged itself and has announced.
  void forget(std::span<const Uid> expunged);

 private:
  storage::Collection mailbox_;
  Access access_;
  std::vector<Uid> uids_;
  Uid uidnext_ = 1;
  Modseq modseq_ = 0;
  Uid recent_mark_ = 0;
  std::vector<Uid> held_expunges_;  // gone from the store, not yet told; still in uids_
  std::vector<std::pair<Uid, Modseq>> self_reported_;  // (uid, modseq) told by this session
};

}  // namespace atrium::imap
