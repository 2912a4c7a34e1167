// Notify hub: fan-out of commit notifications to subscribers.
#include "storage/notify.hpp"

#include <algorithm>

namespace atrium::storage {

NotifyHub::Subscription& NotifyHub::Subscription::operator=(Subscription&& other) noexcept {
  if (this != &other) {
    reset();
    hub_ = other.hub_;
    entry_ = std::move(other.entry_);
    other.hub_ = nullptr;
  }
  return *this;
}

NotifyHub::Subscription::~Subscription() { reset(); }

void NotifyHub::Subscription::reset() {
  if (hub_ && entry_) hub_->unsubscribe(entry_);
  hub_ = nullptr;
  entry_.reset();
}

NotifyHub::Subscription NotifyHub::subscribe(PrincipalId account, Callback cb) {
  auto entry = std::make_shared<Subscription::Entry>();
  entry->account = account;
  entry->cb = std::move(cb);
  std::lock_guard lock(mutex_);
  subscribers_[account].push_back(entry);
  return Subscription(this, entry);
}

void NotifyHub::unsubscribe(const std::shared_ptr<Subscription::Entry>& entry) {
  {
    std::lock_guard lock(mutex_);
    auto it = subscribers_.find(entry->account);
    if (it != subscribers_.end()) {
      auto& v = it->second;
      v.erase(std::remove(v.begin(), v.end(), entry), v.end());
      if (v.empty()) subscribers_.erase(it);
    }
  }
  // Wait for a callback running right now, then make sure no later one starts.
  std::lock_guard lock(entry->mutex);
  entry->active = false;
}

void NotifyHub::publish(const Notification& n) {
  std::vector<std::shared_ptr<Subscription::Entry>> targets;
  {
    std::lock_guard lock(mutex_);
    for (PrincipalId key : {n.account_id, PrincipalId{0}}) {
      auto it = subscribers_.find(key);
      if (it != subscribers_.end()) targets.insert(targets.end(), it->second.begin(), it->second.end());
    }
  }
  for (auto& e : targets) {
    std::lock_guard lock(e->mutex);
    if (e->active) e->cb(n);
  }
}

std::size_t NotifyHub::subscriber_count() const {
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (const auto& [k, v] : subscribers_) n += v.size();
  return n;
}

}  // namespace atrium::storage
