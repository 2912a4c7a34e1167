// A short-lived memory of successful logins for protocols that send credentials with every
// request (HTTP Basic: CalDAV, CardDAV, ActiveSync). Without it each request would pay a full
// Argon2id check. Entries are keyed by a keyed hash of (login, password) with a random
// per-process key, so the cache holds no password and nothing usable outside this process.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace atrium::auth {

struct CachedLogin {
  std::int64_t principal_id = 0;
  std::string canonical_email;
};

class LoginCache {
 public:
  // `ttl`: how long a successful login is remembered (a changed or revoked password keeps
  // working this long for a client that already logged in). `max_entries` bounds memory; when
  // full, the cache is emptied.
  explicit LoginCache(std::chrono::seconds ttl = std::chrono::seconds(300), std::size_t max_entries = 10000);

  std::optional<CachedLogin> find(std::string_view login, std::string_view password);
  void remember(std::string_view login, std::string_view password, CachedLogin who);
  // Forgets everything (an administrator changed credentials).
  void clear();

 private:
  std::string key(std::string_view login, std::string_view password) const;
  struct Entry {
    CachedLogin who;
    std::chrono::steady_clock::time_point expires;
  };
  std::chrono::seconds ttl_;
  std::size_t max_entries_;
  unsigned char secret_[32];
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace atrium::auth
