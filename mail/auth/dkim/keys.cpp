// Key loading, generation and key records (RFC 6376 section 3.6.1, RFC 8301, RFC 8463).
#include "mail/auth/dkim/keys.hpp"

#include "mail/auth/dkim/base64.hpp"
#include "mail/auth/dkim/crypto.hpp"
#include "mail/auth/dkim/tag_list.hpp"

#include "core/text/ascii.hpp"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

namespace atrium::mail::auth::dkim {
namespace {

struct BioDeleter {
  void operator()(BIO* b) const noexcept { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

// Refuses to prompt for a passphrase (OpenSSL's default would read the terminal).
int no_passphrase(char*, int, int, void*) { return -1; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = text::ascii_lower(c);
  return out;
}

// Checks type and size of a key OpenSSL loaded or generated, and wraps it.
std::variant<PrivateKey, KeyError> wrap(PkeyPtr pkey) {
  auto impl = std::make_shared<PrivateKey::Impl>();
  switch (EVP_PKEY_get_base_id(pkey.get())) {
    case EVP_PKEY_RSA: impl->algorithm = Algorithm::rsa_sha256; break;
    case EVP_PKEY_ED25519: impl->algorithm = Algorithm::ed25519_sha256; break;
    default: return KeyError::unsupported_type;
  }
  impl->bits = EVP_PKEY_get_bits(pkey.get());
  if (impl->algorithm == Algorithm::rsa_sha256) {
    if (impl->bits < min_rsa_bits) return KeyError::rsa_too_small;
    if (impl->bits > max_rsa_bits) return KeyError::rsa_too_large;
  }
  impl->pkey = std::move(pkey);
  return PrivateKey(std::move(impl));
}

std::string bio_contents(BIO* bio) {
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  return len > 0 ? std::string(data, static_cast<std::size_t>(len)) : std::string();
}

}  // namespace

std::string_view to_string(Algorithm algorithm) {
  switch (algorithm) {
    case Algorithm::rsa_sha256: return "rsa-sha256";
    case Algorithm::ed25519_sha256: return "ed25519-sha256";
  }
  return "unknown";
}

std::string_view to_string(KeyError error) {
  switch (error) {
    case KeyError::not_pem: return "not an unencrypted PEM private key";
    case KeyError::unsupported_type: return "key type is neither RSA nor Ed25519";
    case KeyError::rsa_too_small: return "RSA key shorter than 1024 bits";
    case KeyError::rsa_too_large: return "RSA key longer than 8192 bits";
    case KeyError::crypto_failure: return "key generation failed";
  }
  return "key error";
}

std::string_view to_string(KeyRecordError error) {
  switch (error) {
    case KeyRecordError::too_long: return "key record too long";
    case KeyRecordError::tag_syntax: return "key record syntax error";
    case KeyRecordError::duplicate_tag: return "key record has a duplicate tag";
    case KeyRecordError::bad_version: return "key record version is not DKIM1";
    case KeyRecordError::missing_key: return "key record has no p= tag";
    case KeyRecordError::bad_key_base64: return "key record p= is not base64";
  }
  return "key record error";
}

Algorithm PrivateKey::algorithm() const noexcept { return impl_->algorithm; }
int PrivateKey::bits() const noexcept { return impl_->bits; }

std::variant<PrivateKey, KeyError> load_private_key(std::string_view pem) {
  const detail::ClearOpensslErrors clear;
  if (pem.size() > 64 * 1024) return KeyError::not_pem;
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return KeyError::crypto_failure;
  PkeyPtr pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
  if (!pkey) return KeyError::not_pem;
  return wrap(std::move(pkey));
}

std::variant<GeneratedKey, KeyError> generate_key(Algorithm algorithm, int rsa_bits) {
  const detail::ClearOpensslErrors clear;
  PkeyPtr pkey;
  if (algorithm == Algorithm::rsa_sha256) {
    if (rsa_bits < min_rsa_bits) return KeyError::rsa_too_small;
    if (rsa_bits > max_rsa_bits) return KeyError::rsa_too_large;
    pkey.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(rsa_bits)));
  } else {
    pkey.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  }
  if (!pkey) return KeyError::crypto_failure;
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), pkey.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return KeyError::crypto_failure;
  }
  GeneratedKey out;
  out.private_key_pem = bio_contents(bio.get());
  auto key = wrap(std::move(pkey));
  if (auto* error = std::get_if<KeyError>(&key)) return *error;
  out.dns_txt_value = dns_txt_value(std::get<PrivateKey>(key));
  return out;
}

std::string dns_txt_value(const PrivateKey& key) {
  EVP_PKEY* pkey = key.impl().pkey.get();
  std::string public_bytes;
  if (key.algorithm() == Algorithm::ed25519_sha256) {
    unsigned char raw[32];
    std::size_t len = sizeof raw;
    if (EVP_PKEY_get_raw_public_key(pkey, raw, &len) == 1) public_bytes.assign(reinterpret_cast<char*>(raw), len);
  } else {
    unsigned char* der = nullptr;
    const int len = i2d_PUBKEY(pkey, &der);
    if (len > 0) public_bytes.assign(reinterpret_cast<char*>(der), static_cast<std::size_t>(len));
    OPENSSL_free(der);
  }
  const std::string_view type = key.algorithm() == Algorithm::ed25519_sha256 ? "ed25519" : "rsa";
  return "v=DKIM1; k=" + std::string(type) + "; p=" + base64_encode(public_bytes);
}

std::variant<KeyRecord, KeyRecordError> parse_key_record(std::string_view text) {
  auto parsed = parse_tag_list(text);
  if (auto* error = std::get_if<TagListError>(&parsed)) {
    switch (*error) {
      case TagListError::too_long: return KeyRecordError::too_long;
      case TagListError::duplicate_tag: return KeyRecordError::duplicate_tag;
      case TagListError::syntax: return KeyRecordError::tag_syntax;
    }
  }
  const TagList& tags = std::get<TagList>(parsed);
  KeyRecord record;
  record.services = {"*"};
  if (const Tag* v = tags.find("v"); v != nullptr && v->value != "DKIM1") return KeyRecordError::bad_version;
  if (const Tag* k = tags.find("k")) record.key_type = lower(k->value);
  if (const Tag* h = tags.find("h")) {
    for (auto item : split_colon_list(h->value)) record.hashes.push_back(lower(item));
  }
  if (const Tag* s = tags.find("s")) {
    record.services.clear();
    for (auto item : split_colon_list(s->value)) record.services.push_back(lower(item));
  }
  if (const Tag* t = tags.find("t")) {
    for (auto flag : split_colon_list(t->value)) {
      if (text::iequals(flag, "y")) record.testing = true;
      if (text::iequals(flag, "s")) record.strict_identity = true;
    }
  }
  if (const Tag* n = tags.find("n")) record.notes = std::string(n->value);
  const Tag* p = tags.find("p");
  if (p == nullptr) return KeyRecordError::missing_key;
  auto key = base64_decode(p->value);
  if (!key) return KeyRecordError::bad_key_base64;
  record.public_key = std::move(*key);
  return record;
}

}  // namespace atrium::mail::auth::dkim
