// TLS policy for every listener (one hardened server context) and the self-signed identity a
// fresh install uses until the operator provides a real certificate.
#pragma once

#include "core/runtime/asio.hpp"

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>

#include <openssl/ssl.h>

#include <filesystem>
#include <string>
#include <string_view>

namespace atrium::net {

struct TlsFiles {
  std::filesystem::path cert_chain;   // PEM: leaf certificate first, then intermediates
  std::filesystem::path private_key;  // PEM private key matching the leaf
};

// A server context: TLS 1.2 minimum (1.0/1.1 are refused), TLS 1.3 enabled, only ECDHE+AEAD
// cipher suites for 1.2 in server preference order, no compression (CRIME), no renegotiation.
// Throws std::runtime_error naming the file and OpenSSL's reason when the chain or key cannot
// be loaded or the key does not match the certificate. The context is immutable afterwards and
// may be shared by all listeners and threads.
ssl::context make_server_tls_context(const TlsFiles& files);

struct TlsIdentity {
  TlsFiles files;
  // SHA-256 of the DER certificate, upper-case hex bytes joined by ':', as printed by
  // `openssl x509 -noout -fingerprint -sha256` (without its "sha256 Fingerprint=" prefix).
  std::string sha256_fingerprint;
  bool generated = false;  // true when this call created the files
};

// Makes sure `dir`/tls/cert.pem and key.pem exist. When either is missing both are (re)created:
// an EC P-256 key and a self-signed X.509v3 certificate for `hostname` (SAN DNS:hostname,
// DNS:localhost, IP:127.0.0.1, IP:::1; serverAuth; valid 825 days, the longest Apple clients
// accept). Files are written to a temporary name, fsync'd and renamed, key mode 0600, so a crash
// never leaves a half-written file. Existing files are reused as they are. Throws
// std::invalid_argument for a hostname that is not a DNS name, std::runtime_error (naming the
// path) on I/O or OpenSSL failure. Blocking: call at start-up or on a BlockingPool.
TlsIdentity ensure_self_signed(const std::filesystem::path& dir, std::string_view hostname);

// SHA-256 fingerprint of the first certificate in a PEM file, formatted as in TlsIdentity.
// Throws std::runtime_error naming the file.
std::string sha256_fingerprint(const std::filesystem::path& cert_pem);

// "TLSv1.3 TLS_AES_256_GCM_SHA384": negotiated version and cipher, for Received headers and logs.
// Empty before the handshake finished.
std::string tls_description(const SSL* ssl);
template <class NextLayer>
std::string tls_description(ssl::stream<NextLayer>& stream) {
  return tls_description(stream.native_handle());
}

}  // namespace atrium::net
