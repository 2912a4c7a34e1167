// OpenSSL hashing, signing and verification for DKIM and ARC (RFC 6376 section 3.3, RFC 8463).
#include "mail/auth/dkim/crypto.hpp"

#include <openssl/x509.h>

#include <stdexcept>

namespace atrium::mail::auth::dkim::detail {
namespace {

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* p) const noexcept { EVP_MD_CTX_free(p); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

const unsigned char* bytes_of(std::string_view s) noexcept {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// What the signature algorithm is computed over: RSA hashes `data` inside the signature
// primitive (so the digest type is passed to OpenSSL), Ed25519 signs SHA-256(data) itself.
struct SigningInput {
  const EVP_MD* md;
  std::string message;
};

SigningInput signing_input(Algorithm algorithm, std::string_view data) {
  if (algorithm == Algorithm::ed25519_sha256) return {nullptr, sha256(data)};
  return {EVP_sha256(), std::string(data)};
}

}  // namespace

std::string sha256(std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out, &len, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("dkim: SHA-256 failed");
  }
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string sign_data(const PrivateKey& key, std::string_view data) {
  const ClearOpensslErrors clear;
  const SigningInput in = signing_input(key.algorithm(), data);
  MdCtxPtr ctx(EVP_MD_CTX_new());
  std::size_t len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, in.md, nullptr, key.impl().pkey.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, bytes_of(in.message), in.message.size()) != 1) {
    throw std::runtime_error("dkim: signing failed");
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, bytes_of(in.message),
                     in.message.size()) != 1) {
    throw std::runtime_error("dkim: signing failed");
  }
  sig.resize(len);
  return sig;
}

bool PublicKey::verify(std::string_view data, std::string_view signature) const {
  const ClearOpensslErrors clear;
  const SigningInput in = signing_input(algorithm_, data);
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, in.md, nullptr, pkey_.get()) != 1) return false;
  return EVP_DigestVerify(ctx.get(), bytes_of(signature), signature.size(), bytes_of(in.message),
                          in.message.size()) == 1;
}

std::optional<PublicKey> decode_public_key(Algorithm algorithm, std::string_view bytes) {
  const ClearOpensslErrors clear;
  if (algorithm == Algorithm::ed25519_sha256) {
    if (bytes.size() != 32) return std::nullopt;
    PkeyPtr pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes_of(bytes), bytes.size()));
    if (!pkey) return std::nullopt;
    return PublicKey(std::move(pkey), algorithm, 256);
  }
  const auto length = static_cast<long>(bytes.size());
  const unsigned char* p = bytes_of(bytes);
  PkeyPtr pkey(d2i_PUBKEY(nullptr, &p, length));
  if (!pkey || p != bytes_of(bytes) + bytes.size()) {
    p = bytes_of(bytes);
    pkey.reset(d2i_PublicKey(EVP_PKEY_RSA, nullptr, &p, length));
    if (!pkey || p != bytes_of(bytes) + bytes.size()) return std::nullopt;
  }
  if (EVP_PKEY_get_base_id(pkey.get()) != EVP_PKEY_RSA) return std::nullopt;
  const int bits = EVP_PKEY_get_bits(pkey.get());
  return PublicKey(std::move(pkey), algorithm, bits);
}

}  // namespace atrium::mail::auth::dkim::detail
