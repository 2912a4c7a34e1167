// Brute-force protection for password logins, per client address and per account, shared by
// every protocol so an attacker cannot get fresh attempts by switching from IMAP to SMTP.
//
// Policy (defaults in ThrottleOptions):
// - Failures are counted in a sliding window (15 minutes): each failure adds one and drops out
//   of the count when it is older than the window, so the count decays on its own.
// - Tarpit: after a failure the protocol waits min(2^(n-1) * 250 ms, 15 s) before answering,
//   n being the address's failures in the window (250 ms, 500 ms, 1 s, ... 15 s), as Dovecot's
//   auth_failure_delay does. A guessing client is slowed, a mistyping user barely notices.
// - Address block: the 20th failure within the window blocks the address for 15 minutes;
//   check() then says ip_blocked and protocols answer a temporary failure without looking at
//   the password, so a blocked attacker learns nothing and costs no Argon2 work.
// - Account lock: the 10th failure on one account within the window, from any addresses, locks
//   the account for 15 minutes against addresses that have never logged in to it successfully.
//   Addresses that have (known-good) keep working, so an attacker cannot lock the owner out.
// - A success clears the address's failure count and makes (address, account) known-good.
// - Attempts refused by check() are not failures: they neither extend a block nor add delay.
// - Addresses are keyed per host for IPv4 and per /64 for IPv6 (one end site gets a whole /64;
//   per-host keys would give it 2^64 fresh starts). A string that is not an address (a Unix
//   socket peer, say) is used as its own key.
// - Addresses inside an `exempt` network are never delayed, blocked or locked out, and their
//   attempts are not recorded. Loopback is not exempt unless listed.
// - Memory is bounded: at most max_tracked_keys addresses and as many accounts are tracked; the
//   least recently used entry is dropped first, skipping (for a while) currently blocked ones
//   so a flood of new keys cannot wash a block away. Known-good addresses live in the account
//   entry (at most max_known_addresses_per_account), and like all state here, in memory only.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <list>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/auth/ip_network.hpp"

namespace atrium::auth {

struct ThrottleOptions {
  using Clock = std::chrono::steady_clock;

  std::chrono::milliseconds base_delay{250};
  std::chrono::milliseconds max_delay{15'000};
  std::chrono::seconds window{15 * 60};
  std::size_t ip_block_failures = 20;
  std::chrono::seconds ip_block_duration{15 * 60};
  std::size_t account_lock_failures = 10;
  std::chrono::seconds account_lock_duration{15 * 60};
  std::size_t max_tracked_keys = 100'000;
  std::size_t max_known_addresses_per_account = 32;
  // CIDR strings ("10.0.0.0/8", "2001:db8::/32", "127.0.0.1") never throttled, e.g. a webmail
  // front end that checks passwords on its users' behalf.
  std::vector<std::string> exempt;
  // Time source; empty means steady_clock::now. Tests inject a fake clock.
  std::function<Clock::time_point()> clock;
};

// Answer of Throttle::check: may this attempt go ahead?
struct Verdict {
  enum class Status { allowed, ip_blocked, account_locked };
  Status status = Status::allowed;
  // When the block or lock ends (zero when allowed); for "try again later" replies.
  std::chrono::milliseconds retry_after{0};

  bool allowed() const { return status == Status::allowed; }
};

// Thread-safe: every member may be called from any thread (one internal mutex).
// `ip` arguments are address strings as the listener reports them ("192.0.2.1", "::1",
// "::ffff:192.0.2.1"); `account` is the normalised login the user typed (only its first
// 256 bytes count, which bounds memory and is longer than any mail address).
class Throttle {
 public:
  // Throws std::invalid_argument naming the entry if an `exempt` entry is not a valid network,
  // or if a threshold or max_tracked_keys is zero.
  explicit Throttle(ThrottleOptions options = {});

  // Whether an attempt from `ip` on `account` may be checked now. Does not change any state.
  Verdict check(std::string_view ip, std::string_view account) const;

  // Records a failed attempt (wrong password or unknown account) and returns how long the
  // protocol should wait before answering. Zero for exempt addresses. May start a block or lock.
  std::chrono::milliseconds record_failure(std::string_view ip, std::string_view account);

  // Records a successful login: clears the address's failures and remembers it as known-good
  // for `account`.
  void record_success(std::string_view ip, std::string_view account);

  // Number of addresses / accounts currently tracked (for tests and gauges).
  std::size_t tracked_addresses() const;
  std::size_t tracked_accounts() const;

  const ThrottleOptions& options() const { return options_; }

 private:
  using Clock = ThrottleOptions::Clock;
  using TimePoint = Clock::time_point;

  // Recent failure times, oldest first, never more than the threshold that acts on them.
  using FailureTimes = std::vector<TimePoint>;

  struct AddressEntry {
    FailureTimes failures;
    TimePoint blocked_until{};
  };
  struct AccountEntry {
    FailureTimes failures;
    TimePoint locked_until{};
    std::vector<std::pair<std::string, TimePoint>> known_addresses;  // address key, last success
  };

  // Keyed entries in least-recently-used order, bounded. std::map rather than a hash map:
  // keys (account names) come from attackers, and a tree cannot be flooded into collisions.
  template <class Entry>
  struct Table {
    using List = std::list<std::pair<std::string, Entry>>;
    List lru;  // front = most recently used
    // Keys view the strings in `lru`, whose nodes never move, so each key is stored once.
    std::map<std::string_view, typename List::iterator, std::less<>> index;

    const Entry* find(std::string_view key) const;
    // The entry for `key`, created if missing, moved to the front. `pinned` says which entries
    // eviction should pass over while there are others.
    Entry& touch(std::string_view key, std::size_t capacity, const std::function<bool(const Entry&)>& pinned);
    void erase(std::string_view key);
  };

  TimePoint now() const;
  bool exempt(std::string_view ip) const;
  void prune(FailureTimes& failures, TimePoint now) const;
  std::chrono::milliseconds delay_for(std::size_t failures) const;
  static bool known(const AccountEntry& entry, std::string_view address_key);

  ThrottleOptions options_;
  std::vector<IpNetwork> exempt_networks_;
  mutable std::mutex mutex_;
  Table<AddressEntry> addresses_;
  Table<AccountEntry> accounts_;
};

// The key an address is tracked under: the address for IPv4, its /64 for IPv6 ("2001:db8::/64"),
// `ip` itself if it is not an address.
std::string throttle_address_key(std::string_view ip);

}  // namespace atrium::auth
