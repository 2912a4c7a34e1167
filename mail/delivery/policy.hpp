// Envelope policy the SMTP/LMTP session asks at MAIL and RCPT time, before any data is taken:
// which recipients this listener accepts, and which sender addresses an authenticated user may use.
#pragma once

#include "mail/delivery/resolve.hpp"
#include "storage/store.hpp"
#include "storage/types.hpp"

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace atrium::mail::delivery {

enum class RecipientMode {
  mx,          // unauthenticated SMTP from the Internet: only our own addresses
  submission,  // an authenticated user: ours or anyone's (remote ones go to the outbound queue)
  lmtp,        // from a trusted MTA in front of us: only our own addresses
};

enum class RecipientVerdict {
  accept,             // 250; `resolution` says where it goes
  unknown_user,       // 550 5.1.1
  relay_denied,       // 550 5.7.1: not ours and this mode does not relay
  quota_full,         // 452 4.2.2: every local target is already at or over its quota
  temporary_failure,  // 451 4.3.0: the store could not answer
};

struct RecipientDecision {
  RecipientVerdict verdict = RecipientVerdict::temporary_failure;
  Resolution resolution;  // filled when the store answered
};

// Decides one RCPT in `txn`'s snapshot. For the MX, an address whose local part carries '%',
// '!' or '@' (source routes and quoted "user@host" tricks) is relay_denied unless it resolves
// to one of ours; a foreign domain is relay_denied. Over LMTP a foreign domain is unknown_user
// (LMTP never relays). An alias that only forwards elsewhere is ours, so it is accepted in
// every mode. Throws StoreError when the store cannot answer.
RecipientDecision check_recipient(storage::ReadTxn& txn, RecipientMode mode, std::string_view address);

// check_recipient in a read transaction of its own; a store failure becomes temporary_failure.
// Blocking (a database read): run it on the blocking pool. Thread-safe.
class RecipientPolicy {
 public:
  explicit RecipientPolicy(storage::Store& store) : store_(store) {}
  RecipientDecision check(RecipientMode mode, std::string_view address) const;

 private:
  storage::Store& store_;
};

// Recent `accept` decisions, kept for a few seconds so a busy MX answers a hot recipient's RCPT
// without a database read. Only acceptance is remembered: a new user is never refused from a
// stale entry, and a removed one is still caught by delivery, which resolves every recipient
// again inside its write job. Thread-safe; bounded (emptied when full).
class RecipientCache {
 public:
  explicit RecipientCache(std::chrono::milliseconds ttl = std::chrono::seconds(5), std::size_t capacity = 10000)
      : ttl_(ttl), capacity_(capacity) {}
  // True when `address` was accepted in `mode` less than the TTL ago.
  bool accepted(RecipientMode mode, std::string_view address);
  void remember(RecipientMode mode, std::string_view address);

 private:
  static std::string key(RecipientMode mode, std::string_view address);
  std::chrono::milliseconds ttl_;
  std::size_t capacity_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> expiry_;
};

enum class SenderVerdict { allowed, denied, temporary_failure };

// May the authenticated `user` send with MAIL FROM `address`? Allowed: its primary address, an
// alias with the user among its direct targets, and a plus-address (`local+tag@domain`) of
// either. Denied: anything else, including the null reverse-path (an authenticated user's
// mail always names its sender). Throws StoreError when the store cannot answer.
SenderVerdict check_sender(storage::ReadTxn& txn, storage::PrincipalId user, std::string_view address);

// check_sender in a read transaction of its own; a store failure becomes temporary_failure.
// Blocking; thread-safe.
class SenderPolicy {
 public:
  explicit SenderPolicy(storage::Store& store) : store_(store) {}
  SenderVerdict check(storage::PrincipalId user, std::string_view address) const;

 private:
  storage::Store& store_;
};

}  // namespace atrium::mail::delivery
