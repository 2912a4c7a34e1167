// The notify hub: after each durable commit the writer publishes (account, collection, modseq);
// IMAP IDLE, ActiveSync Ping, DAV push and the search indexer subscribe.
#pragma once

#include "storage/types.hpp"

#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace atrium::storage {

class NotifyHub {
 public:
  using Callback = std::function<void(const Notification&)>;

  // Unsubscribes on destruction; after the destructor returns the callback is never called again.
  class Subscription {
   public:
    Subscription() = default;
    Subscription(Subscription&&) noexcept = default;
    Subscription& operator=(Subscription&&) noexcept;
    ~Subscription();

   private:
    friend class NotifyHub;
    struct Entry;
    Subscription(NotifyHub* hub, std::shared_ptr<Entry> entry) : hub_(hub), entry_(std::move(entry)) {}
    void reset();
    NotifyHub* hub_ = nullptr;
    std::shared_ptr<Entry> entry_;
  };

  // Calls `cb` for every notification of `account` (or of every account when account is 0).
  // Callbacks run on the publishing thread (the writer): they must be quick and must not block —
  // post to your own executor. Thread-safe.
  [[nodiscard]] Subscription subscribe(PrincipalId account, Callback cb);
  void publish(const Notification& n);
  std::size_t subscriber_count() const;

 private:
  void unsubscribe(const std::shared_ptr<Subscription::Entry>& entry);
  mutable std::mutex mutex_;
  std::unordered_map<PrincipalId, std::vector<std::shared_ptr<Subscription::Entry>>> subscribers_;
};

struct NotifyHub::Subscription::Entry {
  PrincipalId account = 0;
  Callback cb;
  std::mutex mutex;  // held while calling cb, so unsubscribe waits for a running callback
  bool active = true;
};

}  // namespace atrium::storage
