#include "core/auth/login_cache.hpp"

#include <sodium.h>

namespace atrium::auth {

LoginCache::LoginCache(std::chrono::seconds ttl, std::size_t max_entries) : ttl_(ttl), max_entries_(max_entries) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  randombytes_buf(secret_, sizeof secret_);
}

std::string LoginCache::key(std::string_view login, std::string_view password) const {
  // BLAKE2b keyed with the process secret over len(login) || login || password: the length
  // prefix keeps ("ab", "c") and ("a", "bc") apart.
  crypto_generichash_state st;
  crypto_generichash_init(&st, secret_, sizeof secret_, 32);
  std::uint64_t n = login.size();
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(&n), sizeof n);
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(login.data()), login.size());
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(password.data()), password.size());
  std::string out(32, '\0');
  crypto_generichash_final(&st, reinterpret_cast<unsigned char*>(out.data()), out.size());
  return out;
}

std::optional<CachedLogin> LoginCache::find(std::string_view login, std::string_view password) {
  auto k = key(login, password);
  std::lock_guard lock(mutex_);
  auto it = entries_.find(k);
  if (it == entries_.end()) return std::nullopt;
  if (it->second.expires <= std::chrono::steady_clock::now()) {
    entries_.erase(it);
    return std::nullopt;
  }
  return it->second.who;
}

void LoginCache::remember(std::string_view login, std::string_view password, CachedLogin who) {
  auto k = key(login, password);
  std::lock_guard lock(mutex_);
  if (entries_.size() >= max_entries_) entries_.clear();
  entries_[std::move(k)] = Entry{std::move(who), std::chrono::steady_clock::now() + ttl_};
}

void LoginCache::clear() {
  std::lock_guard lock(mutex_);
  entries_.clear();
}

}  // namespace atrium::auth
