// Sliding-window failure counts per address and per account, behind one mutex.
#include "core/auth/throttle.hpp"

#include "core/log/log.hpp"

#include <algorithm>
#include <stdexcept>

namespace atrium::auth {
namespace {

// How many least-recently-used entries eviction may pass over because they are blocked.
// Bounded so an insert stays cheap even when every old entry is blocked.
constexpr int eviction_scan_limit = 16;
// Per-address keys longer than this are cut: a non-address peer string should not cost much.
constexpr std::size_t max_raw_key_bytes = 128;
// Longest mail address is 254 bytes; longer account strings are cut rather than stored whole.
constexpr std::size_t max_account_key_bytes = 256;
std::string_view account_key(std::string_view account) { return account.substr(0, max_account_key_bytes); }

}  // namespace

std::string throttle_address_key(std::string_view ip) {
  auto addr = parse_ip_address(ip);
  if (!addr) return std::string(ip.substr(0, max_raw_key_bytes));
  if (addr->is_v4()) return to_string(*addr);
  return to_string(network_of(*addr, 64).base) + "/64";
}

template <class Entry>
const Entry* Throttle::Table<Entry>::find(std::string_view key) const {
  auto it = index.find(key);
  return it == index.end() ? nullptr : &it->second->second;
}

template <class Entry>
Entry& Throttle::Table<Entry>::touch(std::string_view key, std::size_t capacity,
                                     const std::function<bool(const Entry&)>& pinned) {
  if (auto it = index.find(key); it != index.end()) {
    lru.splice(lru.begin(), lru, it->second);
    return it->second->second;
  }
  if (index.size() >= capacity) {
    auto evict = [&](auto victim) {
      index.erase(victim->first);
      lru.erase(victim);
    };
    bool evicted = false;
    for (int scanned = 0; scanned < eviction_scan_limit && !lru.empty(); ++scanned) {
      auto oldest = std::prev(lru.end());
      if (!pinned(oldest->second)) {
        evict(oldest);
        evicted = true;
        break;
      }
      lru.splice(lru.begin(), lru, oldest);  // blocked: keep it, look at the next oldest
    }
    if (!evicted && !lru.empty()) evict(std::prev(lru.end()));
  }
  lru.emplace_front(std::string(key), Entry{});
  index.emplace(lru.front().first, lru.begin());
  return lru.front().second;
}

template <class Entry>
void Throttle::Table<Entry>::erase(std::string_view key) {
  auto it = index.find(key);
  if (it == index.end()) return;
  auto node = it->second;
  index.erase(it);
  lru.erase(node);
}

Throttle::Throttle(ThrottleOptions options) : options_(std::move(options)) {
  if (!options_.clock) options_.clock = [] { return Clock::now(); };
  if (options_.ip_block_failures == 0 || options_.account_lock_failures == 0 || options_.max_tracked_keys == 0) {
    throw std::invalid_argument("throttle thresholds and max_tracked_keys must be at least 1");
  }
  for (const auto& cidr : options_.exempt) {
    auto net = parse_ip_network(cidr);
    if (!net) throw std::invalid_argument("not an IP network: \"" + cidr + "\"");
    exempt_networks_.push_back(*net);
  }
}

Throttle::TimePoint Throttle::now() const { return options_.clock(); }

bool Throttle::exempt(std::string_view ip) const {
  if (exempt_networks_.empty()) return false;
  auto addr = parse_ip_address(ip);
  if (!addr) return false;
  return std::any_of(exempt_networks_.begin(), exempt_networks_.end(),
                     [&](const IpNetwork& n) { return n.contains(*addr); });
}

void Throttle::prune(FailureTimes& failures, TimePoint t) const {
  auto first_recent = std::find_if(failures.begin(), failures.end(),
                                   [&](TimePoint f) { return t - f < options_.window; });
  failures.erase(failures.begin(), first_recent);
}

std::chrono::milliseconds Throttle::delay_for(std::size_t failures) const {
  if (failures == 0) return std::chrono::milliseconds{0};
  auto delay = options_.base_delay;
  // Doubling stops at the cap, so large counts cannot overflow.
  for (std::size_t i = 1; i < failures && delay < options_.max_delay; ++i) delay *= 2;
  return std::min(delay, options_.max_delay);
}

bool Throttle::known(const AccountEntry& entry, std::string_view address_key) {
  return std::any_of(entry.known_addresses.begin(), entry.known_addresses.end(),
                     [&](const auto& k) { return k.first == address_key; });
}

Verdict Throttle::check(std::string_view ip, std::string_view account) const {
  if (exempt(ip)) return {};
  std::string key = throttle_address_key(ip);
  std::lock_guard lock(mutex_);
  TimePoint t = now();
  if (const auto* a = addresses_.find(key); a && a->blocked_until > t) {
    return {Verdict::Status::ip_blocked, std::chrono::ceil<std::chrono::milliseconds>(a->blocked_until - t)};
  }
  if (const auto* acc = accounts_.find(account_key(account)); acc && acc->locked_until > t && !known(*acc, key)) {
    return {Verdict::Status::account_locked, std::chrono::ceil<std::chrono::milliseconds>(acc->locked_until - t)};
  }
  return {};
}

std::chrono::milliseconds Throttle::record_failure(std::string_view ip, std::string_view account) {
  if (exempt(ip)) return std::chrono::milliseconds{0};
  std::string key = throttle_address_key(ip);
  std::lock_guard lock(mutex_);
  TimePoint t = now();

  auto& addr = addresses_.touch(key, options_.max_tracked_keys,
                                [t](const AddressEntry& e) { return e.blocked_until > t; });
  prune(addr.failures, t);
  addr.failures.push_back(t);
  std::size_t addr_failures = addr.failures.size();
  auto delay = delay_for(addr_failures);
  if (addr_failures >= options_.ip_block_failures) {
    addr.blocked_until = t + options_.ip_block_duration;
    // The block replaces the count: when it ends the address starts afresh, and the failures
    // that caused it have left the window anyway.
    addr.failures.clear();
    log::warn("auth.ip_blocked", "ip", key, "failures", addr_failures, "block_s", options_.ip_block_duration.count());
  }

  auto& acc = accounts_.touch(account_key(account), options_.max_tracked_keys,
                              [t](const AccountEntry& e) { return e.locked_until > t; });
  prune(acc.failures, t);
  acc.failures.push_back(t);
  if (acc.failures.size() >= options_.account_lock_failures) {
    acc.locked_until = t + options_.account_lock_duration;
    acc.failures.clear();
    log::warn("auth.account_locked", "user", account_key(account), "failures", options_.account_lock_failures,
              "lock_s", options_.account_lock_duration.count(), "known_addresses", acc.known_addresses.size());
  }
  return delay;
}

void Throttle::record_success(std::string_view ip, std::string_view account) {
  if (exempt(ip)) return;
  std::string key = throttle_address_key(ip);
  std::lock_guard lock(mutex_);
  TimePoint t = now();

  if (const auto* addr = addresses_.find(key); addr && addr->blocked_until <= t) addresses_.erase(key);

  auto& acc = accounts_.touch(account_key(account), options_.max_tracked_keys,
                              [t](const AccountEntry& e) { return e.locked_until > t; });
  auto& known_list = acc.known_addresses;
  auto it = std::find_if(known_list.begin(), known_list.end(), [&](const auto& k) { return k.first == key; });
  if (it != known_list.end()) {
    it->second = t;
    return;
  }
  if (known_list.size() >= options_.max_known_addresses_per_account && !known_list.empty()) {
    auto stalest = std::min_element(known_list.begin(), known_list.end(),
                                    [](const auto& a, const auto& b) { return a.second < b.second; });
    known_list.erase(stalest);
  }
  known_list.emplace_back(std::move(key), t);
}

std::size_t Throttle::tracked_addresses() const {
  std::lock_guard lock(mutex_);
  return addresses_.index.size();
}

std::size_t Throttle::tracked_accounts() const {
  std::lock_guard lock(mutex_);
  return accounts_.index.size();
}

}  // namespace atrium::auth
