// Answers the resolver has had, kept for their TTL so that the lookups every inbound message makes
// (SPF, DMARC, reverse DNS of the same few senders) are answered in the process instead of by a
// round trip to libunbound's thread. Only definite answers are kept (records, no data, no such
// name), for their TTL and at most `max_ttl`; failures never are. Bounded by bytes, least recently
// used out first. Thread-safe.
#pragma once

#include "core/cache/lru.hpp"
#include "core/dns/resolver.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atrium::dns {

// One completed query as the resolver reads it off the wire.
struct RawAnswer {
  Status status = Status::temporary;
  bool secure = false;
  std::vector<std::string> rdata;  // each answer record's RDATA
  std::uint32_t ttl = 0;           // seconds the answer may be kept
};

class AnswerCache {
 public:
  using Clock = std::chrono::steady_clock;

  explicit AnswerCache(std::size_t capacity_bytes = 4u << 20, std::chrono::seconds max_ttl = std::chrono::hours(1));

  // The answer kept for (`type`, `name`) that has not expired at `now`; names match in any case.
  std::optional<RawAnswer> get(int type, std::string_view name, Clock::time_point now = Clock::now());
  // Keeps `answer` when it is definite and its TTL is not zero.
  void put(int type, std::string_view name, const RawAnswer& answer, Clock::time_point now = Clock::now());

  std::uint64_t hits() const noexcept { return hits_.load(); }

 private:
  struct Entry {
    RawAnswer answer;
    Clock::time_point expires;
  };
  static std::string key(int type, std::string_view name);

  std::chrono::seconds max_ttl_;
  cache::Lru<Entry> entries_;
  std::atomic<std::uint64_t> hits_{0};
};

}  // namespace atrium::dns
