// Account password hashing (Argon2id, PHC strings) and app passwords (random tokens, SHA-256).
// Everything here is synchronous and CPU-bound; Argon2 at interactive cost takes tens of ms and
// 64 MiB, so protocol sessions call it from a blocking pool, never from an I/O thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace atrium::auth {

// Argon2id work factors, named after libsodium's presets.
enum class HashCost {
  interactive,  // OPSLIMIT/MEMLIMIT_INTERACTIVE (t=2, 64 MiB): the default for account passwords
  moderate,     // OPSLIMIT/MEMLIMIT_MODERATE (t=3, 256 MiB): for small installs that can afford it
  minimal,      // the smallest libsodium accepts (t=1, 8 KiB): tests only, offers no protection
};

// Hashes `password` with Argon2id at `cost` and a fresh random salt. Returns the PHC string
// "$argon2id$v=19$m=...,t=...,p=1$<salt>$<hash>" (under 128 bytes). Thread-safe.
// Throws std::bad_alloc if the memory Argon2 needs cannot be allocated.
std::string hash_password(std::string_view password, HashCost cost = HashCost::interactive);

// True iff `phc` is an Argon2 PHC string (argon2id, or argon2i as libsodium also reads) and
// `password` matches it. The final comparison is constant-time. Returns false for a malformed
// or truncated hash, and when the memory for verification cannot be allocated. Never throws.
bool verify_password(std::string_view phc, std::string_view password) noexcept;

// True iff `phc` was not produced by hash_password at `cost` (other parameters, another
// algorithm, or malformed): the caller should rehash the password it has just verified.
bool needs_rehash(std::string_view phc, HashCost cost = HashCost::interactive) noexcept;

// A PHC hash of a random password nobody knows, computed once at interactive cost. Credential
// verifiers check a password against it when the login does not exist, so an unknown account
// costs as much time as a known one and timing does not reveal which accounts exist.
const std::string& dummy_password_hash();

// Policy for a new account password. Returns true if `password` may be set (and clears `why`).
// Otherwise returns false with `why` saying, for the person choosing it, what is wrong: empty,
// longer than 1024 bytes, invalid UTF-8, or containing NUL or control characters (which some
// clients cannot type and some protocols cannot carry).
bool password_acceptable(std::string_view password, std::string& why);

// App passwords: generated tokens a user gives a mail client instead of the account password,
// valid on every protocol and revocable one by one.

// Length of an app password in characters, without the group separators.
inline constexpr std::size_t app_password_chars = 24;

// A fresh app password: 24 characters from a 32-symbol lowercase alphabet without look-alikes
// (no l, o, 0, 1), i.e. 120 random bits, grouped "xxxx-xxxx-xxxx-xxxx-xxxx-xxxx". Shown to the
// user once; only hash_app_password's result is stored. Thread-safe.
std::string generate_app_password();

// True iff `candidate`, once normalised (spaces and dashes removed, ASCII lowercased), has the
// shape of a generated app password. Lets a verifier try app passwords before paying for Argon2.
bool looks_like_app_password(std::string_view candidate);

// Stored form of an app password: "sha256$" + lowercase hex SHA-256 of the normalised token.
// A fast unsalted hash is right here: 120 random bits cannot be guessed or found in a table,
// and logins stay cheap. Accepts the token with or without dashes, in any case.
std::string hash_app_password(std::string_view app_password);

// True iff `candidate` normalises to the token `stored` (from hash_app_password) was made from.
// The hash comparison is constant-time. False for a malformed `stored`. Never throws.
bool verify_app_password(std::string_view stored, std::string_view candidate) noexcept;

}  // namespace atrium::auth
