// Local delivery: trace fields, one blob, one writer job for all recipients.
#include "mail/delivery/delivery.hpp"

#include "core/log/log.hpp"
#include "mail/delivery/resolve.hpp"
#include "mail/delivery/trace.hpp"
#include "mail/index/message_meta.hpp"
#include "storage/access.hpp"
#include "storage/collections.hpp"
#include "storage/directory.hpp"
#include "storage/items.hpp"

#include <fmt/format.h>

#include <ctime>
#include <map>
#include <random>

namespace atrium::mail::delivery {
namespace {

namespace queue = storage::queue;

// Unique enough to find one message in the logs: 64 random bits.
std::string new_queue_id() {
  thread_local std::mt19937_64 rng{(static_cast<std::uint64_t>(std::random_device{}()) << 32) ^ std::random_device{}()};
  return fmt::format("{:016X}", rng());
}

queue::BodyType to_queue(BodyType b) {
  switch (b) {
    case BodyType::eight_bit_mime: return queue::BodyType::eight_bit_mime;
    case BodyType::binary_mime: return queue::BodyType::binary_mime;
    case BodyType::seven_bit: break;
  }
  return queue::BodyType::seven_bit;
}

queue::DsnRet to_queue(DsnRet r) {
  switch (r) {
    case DsnRet::full: return queue::DsnRet::full;
    case DsnRet::headers: return queue::DsnRet::headers;
    case DsnRet::unspecified: break;
  }
  return queue::DsnRet::unspecified;
}

queue::DsnNotifySet to_queue_notify(DsnNotifySet n) {
  queue::DsnNotifySet out = 0;
  if (n & notify_success) out |= queue::notify_success;
  if (n & notify_failure) out |= queue::notify_failure;
  if (n & notify_delay) out |= queue::notify_delay;
  if (n & notify_never) out = queue::notify_never;  // NEVER stands alone (RFC 3461 §4.1)
  return out;
}

// What happened to one principal in this job; a principal reached twice is served once.
enum class Served { stored, already_stored, over_quota };

// The writer job's body: everything between "blob is durable" and "commit".
class DeliveryJob {
 public:
  DeliveryJob(const Envelope& env, const storage::BlobRef& blob, const storage::MessageMeta& meta,
              std::int64_t now)
      : env_(env), blob_(blob), meta_(meta), now_(now) {}

  // Runs inside the writer's savepoint; an exception rolls back everything this job did.
  DeliveryResult run(storage::WriteTxn& txn) {
    DeliveryResult result;
    queue::OutboundMessage outbound;
    bool may_relay = env_.authenticated.has_value() && env_.protocol != Protocol::lmtp;

    for (const auto& rcpt : env_.recipients) {
      RecipientResult r;
      r.address = rcpt.address;
      Resolution res = resolve(txn, rcpt.address);
      if (res.kind == ResolutionKind::unknown) {
        r.status = DeliveryStatus::unknown_recipient;
      } else if (res.kind == ResolutionKind::remote && !may_relay) {
        r.status = DeliveryStatus::relay_denied;
      } else {
        std::size_t served = 0;
        for (const auto& target : res.local) {
          switch (serve(txn, target)) {
            case Served::stored: ++r.stored; ++served; break;
            case Served::already_stored: ++served; break;
            case Served::over_quota: r.over_quota.push_back(target.principal); break;
          }
        }
        for (const auto& address : res.remote) {
          // A forwarded copy names the address the sender used (RFC 3461 §4.2 ORCPT), so a
          // bounce from the far end is understandable.
          std::string orcpt = rcpt.orcpt;
          if (orcpt.empty() && res.kind == ResolutionKind::local) orcpt = "rfc822;" + rcpt.address;
          outbound.recipients.push_back({address, to_queue_notify(rcpt.notify), orcpt});
          ++r.queued;
        }
        bool nothing = served == 0 && r.queued == 0;
        r.status = nothing ? DeliveryStatus::over_quota : DeliveryStatus::delivered;
      }
      result.recipients.push_back(std::move(r));
    }

    if (!outbound.recipients.empty()) {
      outbound.blob = blob_;
      outbound.reverse_path = env_.reverse_path;
      outbound.envid = env_.envid;
      outbound.ret = to_queue(env_.ret);
      outbound.body_type = env_.undeclared_8bit && env_.body_type == BodyType::seven_bit
                               ? queue::BodyType::eight_bit_mime
                               : to_queue(env_.body_type);
      outbound.smtputf8 = env_.smtputf8;
      outbound.created_at = now_;
      outbound.next_attempt_at = now_;
      result.outbound = queue::enqueue(txn, outbound);
    }
    return result;
  }

 private:
  Served serve(storage::WriteTxn& txn, const LocalTarget& target) {
    auto known = served_.find(target.principal);
    if (known != served_.end()) return known->second == Served::stored ? Served::already_stored : known->second;

    // Checked here rather than left to items::add's refusal: the refusal is an exception, and
    // this recipient's quota must not fail the others' delivery in the same job.
    auto p = storage::directory::get_principal(txn, target.principal);
    if (!p) throw storage::StoreError(storage::Errc::not_found, "recipient vanished during delivery");
    if (p->quota_bytes > 0 && p->used_bytes + blob_.size > p->quota_bytes) {
      served_.emplace(target.principal, Served::over_quota);
      return Served::over_quota;
    }
    auto system = storage::Actor::system();
    storage::CollectionId box = target.collection;
    if (env_.quarantine && (box == 0 || is_inbox(txn, box))) {
      if (auto junk = junk_of(txn, target.principal)) box = junk;
    }
    if (box == 0) {
      box = storage::collections::create(txn, system, {target.principal, storage::CollectionKind::mailbox, "INBOX", ""}).id;
    }
    storage::items::add(txn, system,
                        {.collection = box,
                         .kind = storage::ItemKind::message,
                         .blob = blob_,
                         .internal_date = now_,
                         .meta = meta_});
    served_.emplace(target.principal, Served::stored);
    return Served::stored;
  }

  static bool is_inbox(storage::WriteTxn& txn, storage::CollectionId id) {
    auto c = storage::collections::load(txn, id);
    return c && c->name == "INBOX";
  }

  // The principal's mailbox with the \Junk special use; 0 when it has none (then INBOX).
  static storage::CollectionId junk_of(storage::WriteTxn& txn, storage::PrincipalId principal) {
    for (const auto& c : storage::collections::list(txn, storage::Actor::system(), principal, storage::CollectionKind::mailbox)) {
      if (c.special_use == "\\Junk") return c.id;
    }
    return 0;
  }

  const Envelope& env_;
  const storage::BlobRef& blob_;
  const storage::MessageMeta& meta_;
  std::int64_t now_;
  std::map<storage::PrincipalId, Served> served_;  // stored or over_quota
};

DeliveryResult all_failed(const Envelope& env, std::string queue_id) {
  DeliveryResult result;
  result.queue_id = std::move(queue_id);
  for (const auto& rcpt : env.recipients) {
    result.recipients.push_back({.address = rcpt.address, .status = DeliveryStatus::temporary_failure});
  }
  return result;
}

}  // namespace

LocalDelivery::LocalDelivery(storage::Store& store, DeliveryOptions options)
    : store_(store), options_(std::move(options)) {}

bool LocalDelivery::prepare_blocks(std::size_t message_size) const {
  // Hashing up to this much on an I/O thread costs less than handing it to a pool; above it, or
  // when the blob will be a file (write + fsync), prepare() belongs on the blocking pool.
  constexpr std::size_t k_cpu_budget = 64 * 1024;
  constexpr std::size_t k_trace_allowance = 2048;  // Return-Path + Received
  return message_size + k_trace_allowance > std::min(k_cpu_budget, store_.blobs().inline_max());
}

PreparedMessage LocalDelivery::prepare(const Envelope& env, std::string_view message) const {
  PreparedMessage p;
  p.envelope = env;
  p.queue_id = new_queue_id();
  p.time = static_cast<std::int64_t>(std::time(nullptr));
  if (env.recipients.empty()) return p;
  std::string full = trace_fields(env, {.hostname = options_.hostname, .queue_id = p.queue_id, .time = p.time});
  full.append(message);
  p.meta = index::message_meta(message);
  p.blob = store_.blobs().stage(std::move(full));
  return p;
}

DeliveryResult LocalDelivery::run(storage::WriteTxn& txn, const PreparedMessage& message) {
  DeliveryJob job(message.envelope, message.blob, message.meta, message.time);
  return job.run(txn);
}

DeliveryResult LocalDelivery::finish(const PreparedMessage& message, std::optional<DeliveryResult> result,
                                     std::string_view error) const {
  const Envelope& env = message.envelope;
  if (!result) {
    log::warn("delivery.failed", "id", message.queue_id, "from", env.reverse_path, "rcpts", env.recipients.size(),
              "reason", error);
    return all_failed(env, message.queue_id);
  }
  result->queue_id = message.queue_id;
  if (env.recipients.empty()) return std::move(*result);
  std::size_t stored = 0, queued = 0, refused = 0;
  for (const auto& r : result->recipients) {
    stored += r.stored;
    queued += r.queued;
    if (r.status != DeliveryStatus::delivered) ++refused;
  }
  log::info("delivery.done", "id", message.queue_id, "from", env.reverse_path, "rcpts", env.recipients.size(),
            "stored", stored, "queued", queued, "refused", refused, "size", message.blob.size);
  return std::move(*result);
}

DeliveryResult LocalDelivery::deliver(const Envelope& env, std::string_view message) {
  if (env.recipients.empty()) return {.queue_id = new_queue_id()};
  std::optional<PreparedMessage> prepared;
  try {
    prepared = prepare(env, message);
    const PreparedMessage& p = *prepared;
    return finish(p, store_.write([&](storage::WriteTxn& txn) { return run(txn, p); }));
  } catch (const std::exception& e) {
    if (!prepared) {
      log::warn("delivery.failed", "from", env.reverse_path, "rcpts", env.recipients.size(), "reason", e.what());
      return all_failed(env, new_queue_id());
    }
    return finish(*prepared, std::nullopt, e.what());
  }
}

}  // namespace atrium::mail::delivery
