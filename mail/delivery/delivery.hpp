// Local delivery: turns one accepted message into stored items for every local recipient and an
// outbound-queue entry for the remote ones, with one blob and one store transaction.
#pragma once

#include "mail/delivery/envelope.hpp"
#include "storage/queue.hpp"
#include "storage/store.hpp"
#include "storage/types.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atrium::mail::delivery {

enum class DeliveryStatus {
  delivered,          // every local target has the message (or got it through an earlier
                      // recipient of this envelope) and every remote target is queued: 250
  over_quota,         // every local target is over quota and there is no remote one; nothing
                      // stored for this recipient: temporary, 452 4.2.2
  unknown_recipient,  // resolves to nobody (deleted since RCPT): 550 5.1.1
  relay_denied,       // not ours and the session may not relay: 550 5.7.1
  temporary_failure,  // the blob or the transaction failed; nothing stored for anyone: 451 4.3.0
};

struct RecipientResult {
  std::string address;  // as in the envelope
  DeliveryStatus status = DeliveryStatus::temporary_failure;
  std::size_t stored = 0;  // copies stored for this recipient (already-served principals excluded)
  std::size_t queued = 0;  // remote addresses queued for it (forwarding alias targets included)
  // Group members or alias targets skipped because their quota would be exceeded while others
  // were served (the recipient is still `delivered`; a DSN for them comes with the queue worker).
  std::vector<storage::PrincipalId> over_quota;
};

struct DeliveryResult {
  std::string queue_id;  // the Received "id", for the 250 reply and the logs
  std::vector<RecipientResult> recipients;  // one per Envelope::recipients entry, same order
  std::optional<storage::queue::QueueId> outbound;  // the queue entry for remote recipients
};

struct DeliveryOptions {
  std::string hostname = "localhost";  // our name in the Received "by" clause
};

// One message made ready for its write job: the stored form's blob staged, metadata parsed.
struct PreparedMessage {
  Envelope envelope;
  std::string queue_id;
  std::int64_t time = 0;
  storage::BlobRef blob;
  storage::MessageMeta meta;
};

class LocalDelivery {
 public:
  // `store` must outlive this object. Thread-safe: every member may run on many threads at once.
  LocalDelivery(storage::Store& store, DeliveryOptions options);

  // Delivers `message` (the DATA/BDAT content, dot-unstuffed, stored byte for byte after the
  // trace fields) to every envelope recipient. BLOCKING: prepare(), the group commit, finish();
  // it returns only once the outcome is durable, so the caller may send 250 (or each LMTP reply)
  // right after. Never throws for a store failure: every recipient then gets temporary_failure.
  //
  // The stored message is "Return-Path: <reverse-path>" + one Received field + `message`.
  // The blob is stored once; ONE writer job resolves every recipient, checks each target's
  // quota, adds one item (kind message, no flags, internal date now, Message-ID and Subject in
  // MessageMeta) per distinct local principal, and enqueues all remote targets as one outbound
  // message carrying the envelope's DSN parameters. Remote envelope recipients are accepted
  // only from an authenticated SMTP session (submission), never over LMTP.
  DeliveryResult deliver(const Envelope& env, std::string_view message);

  // The same in three steps, for callers that await the writer instead of blocking a thread:
  //   prepare() -> co_await storage::async_write(store, run(txn, prepared)) -> finish().
  // prepare() builds the stored form and stages its blob: CPU only, unless prepare_blocks()
  // says the message is large enough to be hashed and written to a file off the I/O threads.
  // It throws StoreError(unavailable) when that file cannot be written.
  PreparedMessage prepare(const Envelope& env, std::string_view message) const;
  bool prepare_blocks(std::size_t message_size) const;
  // The writer job's body. Throws on store failure (the job then rolls back).
  static DeliveryResult run(storage::WriteTxn& txn, const PreparedMessage& message);
  // Logs the outcome. `result` is run()'s result once committed, or nullopt when preparing,
  // running or committing failed (`error` says why): every recipient then gets temporary_failure.
  DeliveryResult finish(const PreparedMessage& message, std::optional<DeliveryResult> result,
                        std::string_view error = {}) const;

 private:
  storage::Store& store_;
  DeliveryOptions options_;
};

}  // namespace atrium::mail::delivery
