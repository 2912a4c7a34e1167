// Argon2id and SHA-256 via libsodium; the only file in core/auth that touches libsodium.
#include "core/auth/password.hpp"

#include "core/text/ascii.hpp"
#include "core/auth/utf8.hpp"

#include <sodium.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>

namespace atrium::auth {
namespace {

// sodium_init picks the RNG and CPU-specific code paths; a function-local static makes the one
// call thread-safe without a global. Without a working RNG nothing here is safe: stop.
void ensure_sodium() noexcept {
  static const bool ready = sodium_init() >= 0;
  if (!ready) std::abort();
}

struct CostParams {
  unsigned long long ops;
  std::size_t mem;
};

CostParams params(HashCost cost) {
  switch (cost) {
    case HashCost::interactive:
      return {crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE, crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE};
    case HashCost::moderate:
      return {crypto_pwhash_argon2id_OPSLIMIT_MODERATE, crypto_pwhash_argon2id_MEMLIMIT_MODERATE};
    case HashCost::minimal:
      return {crypto_pwhash_argon2id_OPSLIMIT_MIN, crypto_pwhash_argon2id_MEMLIMIT_MIN};
  }
  std::abort();  // unreachable: every enumerator is handled above
}

// libsodium reads PHC strings as NUL-terminated C strings of fewer than STRBYTES bytes; copy
// into such a buffer, refusing what cannot be a valid hash instead of letting it read past.
using PhcBuffer = std::array<char, crypto_pwhash_STRBYTES>;
bool to_phc_buffer(std::string_view phc, PhcBuffer& out) noexcept {
  if (phc.empty() || phc.size() >= out.size()) return false;
  if (phc.find('\0') != std::string_view::npos) return false;
  std::memcpy(out.data(), phc.data(), phc.size());
  out[phc.size()] = '\0';
  return true;
}

constexpr std::string_view app_alphabet = "abcdefghijkmnpqrstuvwxyz23456789";
static_assert(app_alphabet.size() == 32, "5 bits per character: 24 characters give 120 bits");
constexpr std::string_view app_hash_prefix = "sha256$";
constexpr std::size_t sha256_hex_chars = crypto_hash_sha256_BYTES * 2;

bool is_separator(char c) noexcept { return c == '-' || c == ' '; }

// Lowercase hex SHA-256 of the normalised token (separators dropped, ASCII lowercased).
// Streams the input through a small buffer so no allocation (and no exception) is needed.
std::array<char, sha256_hex_chars + 1> app_password_digest_hex(std::string_view token) noexcept {
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  std::array<unsigned char, 64> chunk{};
  std::size_t used = 0;
  for (char c : token) {
    if (is_separator(c)) continue;
    chunk[used++] = static_cast<unsigned char>(text::ascii_lower(c));
    if (used == chunk.size()) {
      crypto_hash_sha256_update(&state, chunk.data(), used);
      used = 0;
    }
  }
  crypto_hash_sha256_update(&state, chunk.data(), used);
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256_final(&state, digest.data());
  std::array<char, sha256_hex_chars + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  sodium_memzero(chunk.data(), chunk.size());
  return hex;
}

std::string make_dummy_hash(HashCost cost) {
  ensure_sodium();
  std::array<unsigned char, 32> secret{};
  randombytes_buf(secret.data(), secret.size());
  std::string hash = hash_password(
      std::string_view(reinterpret_cast<const char*>(secret.data()), secret.size()), cost);
  sodium_memzero(secret.data(), secret.size());
  return hash;
}

}  // namespace

std::string hash_password(std::string_view password, HashCost cost) {
  ensure_sodium();
  CostParams p = params(cost);
  PhcBuffer out{};
  // The only failures are allocating Argon2's memory and out-of-range limits; ours are in range.
  if (crypto_pwhash_str_alg(out.data(), password.data(), password.size(), p.ops, p.mem,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw std::bad_alloc();
  }
  return std::string(out.data());
}

bool verify_password(std::string_view phc, std::string_view password) noexcept {
  ensure_sodium();
  PhcBuffer buf{};
  if (!to_phc_buffer(phc, buf)) return false;
  return crypto_pwhash_str_verify(buf.data(), password.data(), password.size()) == 0;
}

bool needs_rehash(std::string_view phc, HashCost cost) noexcept {
  ensure_sodium();
  PhcBuffer buf{};
  if (!to_phc_buffer(phc, buf)) return true;
  CostParams p = params(cost);
  // 0: same algorithm and parameters; 1: different; -1: not a hash libsodium understands.
  return crypto_pwhash_str_needs_rehash(buf.data(), p.ops, p.mem) != 0;
}

const std::string& dummy_password_hash() {
  static const std::string hash = make_dummy_hash(HashCost::interactive);
  return hash;
}

bool password_acceptable(std::string_view password, std::string& why) {
  constexpr std::size_t max_bytes = 1024;
  if (password.empty()) {
    why = "the password is empty";
    return false;
  }
  if (password.size() > max_bytes) {
    why = "the password is longer than 1024 bytes";
    return false;
  }
  std::size_t pos = 0;
  while (pos < password.size()) {
    char32_t cp = 0;
    if (!utf8_next(password, pos, cp)) {
      why = "the password is not valid UTF-8";
      return false;
    }
    if (cp == 0) {
      why = "the password contains a NUL character";
      return false;
    }
    // C0, DEL and C1 controls: untypeable on most keyboards, and CR/LF end protocol lines.
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) {
      why = "the password contains a control character";
      return false;
    }
  }
  why.clear();
  return true;
}

std::string generate_app_password() {
  ensure_sodium();
  std::string out;
  out.reserve(app_password_chars + app_password_chars / 4 - 1);
  for (std::size_t i = 0; i < app_password_chars; ++i) {
    if (i > 0 && i % 4 == 0) out += '-';
    out += app_alphabet[randombytes_uniform(static_cast<std::uint32_t>(app_alphabet.size()))];
  }
  return out;
}

bool looks_like_app_password(std::string_view candidate) {
  std::size_t n = 0;
  for (char c : candidate) {
    if (is_separator(c)) continue;
    if (app_alphabet.find(text::ascii_lower(c)) == std::string_view::npos) return false;
    if (++n > app_password_chars) return false;
  }
  return n == app_password_chars;
}

std::string hash_app_password(std::string_view app_password) {
  ensure_sodium();
  auto hex = app_password_digest_hex(app_password);
  std::string out(app_hash_prefix);
  out.append(hex.data(), sha256_hex_chars);
  return out;
}

bool verify_app_password(std::string_view stored, std::string_view candidate) noexcept {
  ensure_sodium();
  if (stored.size() != app_hash_prefix.size() + sha256_hex_chars) return false;
  if (stored.substr(0, app_hash_prefix.size()) != app_hash_prefix) return false;
  auto hex = app_password_digest_hex(candidate);
  return sodium_memcmp(stored.data() + app_hash_prefix.size(), hex.data(), sha256_hex_chars) == 0;
}

}  // namespace atrium::auth
