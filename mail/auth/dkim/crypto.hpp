// The library's own OpenSSL layer: hashing, signing and verifying for DKIM and ARC. Internal to
// atrium_mail_auth_dkim (public headers never include it).
#pragma once

#include "mail/auth/dkim/keys.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace atrium::mail::auth::dkim {

struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

struct PrivateKey::Impl {
  PkeyPtr pkey;
  Algorithm algorithm = Algorithm::rsa_sha256;
  int bits = 0;
};

namespace detail {

// Clears OpenSSL's per-thread error queue on scope exit: a failed parse or verification of
// untrusted data leaves entries there that later, unrelated OpenSSL users (TLS) would misread.
struct ClearOpensslErrors {
  ClearOpensslErrors() = default;
  ClearOpensslErrors(const ClearOpensslErrors&) = delete;
  ClearOpensslErrors& operator=(const ClearOpensslErrors&) = delete;
  ~ClearOpensslErrors() { ERR_clear_error(); }
};

// SHA-256 of `data` (32 raw bytes).
std::string sha256(std::string_view data);

// Signs the canonicalised header data: RSASSA-PKCS1-v1_5 over SHA-256(data) for RSA; for
// Ed25519, PureEdDSA over the 32-byte SHA-256(data) as RFC 8463 section 3 says. Throws
// std::runtime_error only if OpenSSL fails, which is not caused by input.
std::string sign_data(const PrivateKey& key, std::string_view data);

// A verification key decoded from a key record's p=.
class PublicKey {
 public:
  explicit PublicKey(PkeyPtr pkey, Algorithm algorithm, int bits)
      : pkey_(std::move(pkey)), algorithm_(algorithm), bits_(bits) {}
  Algorithm algorithm() const noexcept { return algorithm_; }
  int bits() const noexcept { return bits_; }
  // True when `signature` is this key's signature of `data` (same scheme as sign_data).
  bool verify(std::string_view data, std::string_view signature) const;

 private:
  PkeyPtr pkey_;
  Algorithm algorithm_;
  int bits_;
};

// Decodes p= bytes for `algorithm`: RSA as DER SubjectPublicKeyInfo or, as some publishers do,
// a bare PKCS#1 RSAPublicKey; Ed25519 as the raw 32 bytes. nullopt if they do not decode.
std::optional<PublicKey> decode_public_key(Algorithm algorithm, std::string_view bytes);

}  // namespace detail
}  // namespace atrium::mail::auth::dkim
