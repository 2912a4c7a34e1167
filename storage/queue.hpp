// The outbound queue: messages accepted for remote recipients, kept durably until the delivery
// worker (mail/queue, a later issue) hands them to the remote MX. Each queued message holds one
// reference to its blob, so garbage collection never removes a body that is still to be sent.
#pragma once

#include "storage/store.hpp"
#include "storage/types.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace atrium::storage::queue {

using QueueId = std::int64_t;

// RFC 6152 / RFC 3030 body types, as declared by MAIL FROM BODY=.
enum class BodyType : int { seven_bit = 1, eight_bit_mime = 2, binary_mime = 3 };

// RFC 3461 RET: how much of the message a failure DSN returns; unspecified = the remote's choice.
enum class DsnRet : int { unspecified = 0, full = 1, headers = 2 };

// RFC 3461 NOTIFY as a bit set. 0 means the client gave no NOTIFY (the default: FAILURE, and
// DELAY at the relay's discretion); `notify_never` is never combined with the others.
enum DsnNotify : std::uint32_t {
  notify_success = 1u << 0,
  notify_failure = 1u << 1,
  notify_delay = 1u << 2,
  notify_never = 1u << 3,
};
using DsnNotifySet = std::uint32_t;

enum class RecipientStatus : int { pending = 1, delivered = 2, failed = 3 };

struct OutboundRecipient {
  std::string address;           // the forward-path, as it will be given in RCPT TO
  DsnNotifySet notify = 0;       // 0: not given
  std::string orcpt;             // "addr-type;original-recipient", xtext decoded; empty: not given
  RecipientStatus status = RecipientStatus::pending;
  std::string last_error;        // the last remote reply or local reason; empty while untried
  std::string status_code;       // RFC 3463 code of the last outcome ("4.4.1", "5.1.1"); "" untried
  std::string remote_mta;        // the host that gave `last_error`; "" for local reasons
  std::int64_t updated_at = 0;   // when the status last changed
};

struct OutboundMessage {
  QueueId id = 0;                // assigned by enqueue
  BlobRef blob;                  // already durable: BlobStore::put() before the job
  std::string reverse_path;      // empty: the null reverse-path <>
  std::string envid;             // RFC 3461 ENVID, xtext decoded; empty: not given
  DsnRet ret = DsnRet::unspecified;
  BodyType body_type = BodyType::seven_bit;
  bool smtputf8 = false;         // the message needs SMTPUTF8 at the next hop
  std::int64_t created_at = 0;   // seconds since the epoch; enqueue fills 0 with now
  std::int64_t next_attempt_at = 0;  // enqueue fills 0 with now (due at once)
  std::int64_t attempts = 0;
  std::int64_t last_attempt_at = 0;
  bool delay_notified = false;   // the delay DSN went out
  std::vector<OutboundRecipient> recipients;  // in the order given
};

// What one delivery attempt of a queued message found out.
struct RecipientOutcome {
  std::string address;
  RecipientStatus status = RecipientStatus::pending;
  std::string last_error;
  std::string status_code;
  std::string remote_mta;
};

struct AttemptOutcome {
  QueueId id = 0;
  std::int64_t attempted_at = 0;
  std::vector<RecipientOutcome> recipients;  // the recipients this attempt tried; others keep theirs
  std::int64_t next_attempt_at = 0;          // when recipients remain pending
  bool delay_notified = false;               // set the flag (never cleared)
};

// Queues `message` for its recipients and takes one reference to its blob. A recipient address
// given twice is queued once (the first one's DSN parameters win). Refuses (StoreError(invalid),
// nothing changed) a message without recipients, with an empty or over-long (> 254 octets)
// address, a control character in any stored text, or NOTIFY=NEVER combined with other values.
// Returns the new queue id.
QueueId enqueue(WriteTxn& txn, const OutboundMessage& message);

// Every queued message with its recipients, due first (next_attempt_at, then id).
std::vector<OutboundMessage> list_queue(ReadTxn& txn);

// Queued messages due at `now` (next_attempt_at <= now) that still have pending recipients,
// due first, at most `limit`.
std::vector<OutboundMessage> due_messages(ReadTxn& txn, std::int64_t now, std::size_t limit);

// One queued message with its recipients; nullopt when it is not (or no longer) queued.
std::optional<OutboundMessage> get_queued(ReadTxn& txn, QueueId id);

// The earliest next_attempt_at of a message with pending recipients; nullopt for an idle queue.
std::optional<std::int64_t> next_due(ReadTxn& txn);

// Records an attempt: updates the named recipients, counts the attempt, and either schedules the
// next one or, when no recipient is pending any more, removes the message (and its blob
// reference). Returns true when the message was removed. Throws StoreError(not_found) when the
// message is gone (deleted by an operator meanwhile).
bool record_attempt(WriteTxn& txn, const AttemptOutcome& outcome);

// Makes a queued message (or every message, `id` = nullopt) due now. Returns how many.
std::size_t retry_now(WriteTxn& txn, std::optional<QueueId> id);

// Removes a queued message with its recipients and drops its blob reference.
// Throws StoreError(not_found) when no such message is queued.
void remove_queued(WriteTxn& txn, QueueId id);

}  // namespace atrium::storage::queue
