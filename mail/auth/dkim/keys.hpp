// DKIM keys: signing keys loaded from PEM or generated for the admin CLI, and the key records
// published at <selector>._domainkey.<domain> (RFC 6376 section 3.6.1, RFC 8463). OpenSSL stays
// behind PrivateKey's pimpl: no OpenSSL type appears here.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace atrium::mail::auth::dkim {

// The signing algorithms Atrium signs and verifies with. rsa-sha1 is recognised only to be
// refused (RFC 8301).
enum class Algorithm { rsa_sha256, ed25519_sha256 };

std::string_view to_string(Algorithm algorithm);  // "rsa-sha256", "ed25519-sha256"

// RFC 8301 section 3.2: signers MUST use at least 1024 bits and verifiers MUST NOT accept less.
inline constexpr int min_rsa_bits = 1024;
inline constexpr int max_rsa_bits = 8192;

enum class KeyError {
  not_pem,          // not a PEM private key, or encrypted (we have no passphrase to give)
  unsupported_type, // a key that is neither RSA nor Ed25519
  rsa_too_small,    // under min_rsa_bits
  rsa_too_large,    // over max_rsa_bits (also the generate_key bound)
  crypto_failure,   // OpenSSL could not generate or encode a key
};

std::string_view to_string(KeyError error);

// A private key ready to sign with. Immutable and cheap to copy (the key is shared); safe to use
// from several threads at once.
class PrivateKey {
 public:
  struct Impl;  // defined in crypto.hpp, for the library's own use

  Algorithm algorithm() const noexcept;  // rsa-sha256 for RSA keys, ed25519-sha256 for Ed25519
  int bits() const noexcept;             // RSA modulus size; 256 for Ed25519
  const Impl& impl() const noexcept { return *impl_; }

  explicit PrivateKey(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

 private:
  std::shared_ptr<const Impl> impl_;
};

// Loads a PEM private key: PKCS#8 ("PRIVATE KEY") or PKCS#1 ("RSA PRIVATE KEY"). Encrypted
// keys, other key types and RSA keys outside [min_rsa_bits, max_rsa_bits] are refused.
std::variant<PrivateKey, KeyError> load_private_key(std::string_view pem);

struct GeneratedKey {
  std::string private_key_pem;  // PKCS#8 PEM
  std::string dns_txt_value;    // "v=DKIM1; k=rsa; p=..." to publish at <s>._domainkey.<d>
};

// A fresh key. `rsa_bits` is used for RSA only and must be within [min_rsa_bits, max_rsa_bits].
std::variant<GeneratedKey, KeyError> generate_key(Algorithm algorithm, int rsa_bits = 2048);

// The TXT record value that publishes `key`'s public half: for RSA, p= is the base64 DER
// SubjectPublicKeyInfo; for Ed25519 (RFC 8463 section 4.2), the raw 32-byte public key.
std::string dns_txt_value(const PrivateKey& key);

// A parsed key record. Unknown tags are ignored (RFC 6376 section 3.6.1).
struct KeyRecord {
  std::string key_type = "rsa";           // k=, lower-cased; "rsa" when absent
  std::vector<std::string> hashes;        // h=, lower-cased; empty = every hash allowed
  std::vector<std::string> services;      // s=, lower-cased; {"*"} when absent
  bool testing = false;                   // t=y
  bool strict_identity = false;           // t=s: i= must be exactly d=, not a subdomain
  std::string public_key;                 // p= decoded; empty means the key was revoked
  std::string notes;                      // n=, as written
};

enum class KeyRecordError {
  too_long,       // over max_tag_list_size
  tag_syntax,     // not a tag list
  duplicate_tag,
  bad_version,    // v= present and not "DKIM1"
  missing_key,    // no p= tag (an empty p= is a revoked key, not this error)
  bad_key_base64, // p= is not base64
};

std::string_view to_string(KeyRecordError error);

std::variant<KeyRecord, KeyRecordError> parse_key_record(std::string_view text);

}  // namespace atrium::mail::auth::dkim
