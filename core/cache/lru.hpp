// A map bounded by the bytes of its values, least recently used out first. Thread-safe (one
// mutex); values are shared so a caller keeps what it got after it is evicted.
#pragma once

#include <cstddef>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace atrium::cache {

template <typename Value>
class Lru {
 public:
  // `size` tells how many bytes a value holds; a value larger than `capacity` is never kept.
  Lru(std::size_t capacity, std::function<std::size_t(const Value&)> size)
      : capacity_(capacity), size_(std::move(size)) {}

  // The value under `key` (now the most recently used), or nullptr.
  std::shared_ptr<const Value> get(std::string_view key) {
    std::lock_guard lock(mutex_);
    auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    entries_.splice(entries_.begin(), entries_, it->second);
    return it->second->value;
  }

  // Removes and returns the value under `key`, or nullptr.
  std::shared_ptr<const Value> take(std::string_view key) {
    std::lock_guard lock(mutex_);
    auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    auto value = std::move(it->second->value);
    bytes_ -= it->second->bytes;
    entries_.erase(it->second);
    index_.erase(it);
    return value;
  }

  // Keeps `value` under `key`, replacing what was there when `replace(old)` says so (always by
  // default), then drops the least recently used values until the bytes fit.
  void put(const std::string& key, std::shared_ptr<const Value> value,
           const std::function<bool(const Value& old)>& replace = {}) {
    const std::size_t bytes = size_(*value) + key.size();
    if (bytes > capacity_) return;
    std::lock_guard lock(mutex_);
    if (auto it = index_.find(key); it != index_.end()) {
      if (!replace || replace(*it->second->value)) {
        bytes_ = bytes_ - it->second->bytes + bytes;
        it->second->value = std::move(value);
        it->second->bytes = bytes;
      }
      entries_.splice(entries_.begin(), entries_, it->second);
    } else {
      entries_.push_front({key, std::move(value), bytes});
      index_.emplace(entries_.front().key, entries_.begin());
      bytes_ += bytes;
    }
    while (bytes_ > capacity_ && !entries_.empty()) {
      bytes_ -= entries_.back().bytes;
      index_.erase(entries_.back().key);
      entries_.pop_back();
    }
  }

 private:
  struct Entry {
    std::string key;
    std::shared_ptr<const Value> value;
    std::size_t bytes = 0;
  };
  const std::size_t capacity_;
  const std::function<std::size_t(const Value&)> size_;
  std::mutex mutex_;
  std::list<Entry> entries_;  // most recently used first
  std::map<std::string, typename std::list<Entry>::iterator, std::less<>> index_;
  std::size_t bytes_ = 0;
};

}  // namespace atrium::cache
