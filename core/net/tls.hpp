// TLS policy for every listener (one hardened server context) and the self-signed identity a
// fresh install uses until the operator provides a real certificate.
#pragma once

#include "core/runtime/asio.hpp"

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>

#include <openssl/ssl.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

// ---- Client side (outbound SMTP, smarthosts) ----

struct ClientTlsConfig {
  // Trust anchors (PEM) for PeerVerification::name. Empty: the system store (OpenSSL's default
  // paths). More can be added to the returned context with load_verify_file().
  std::filesystem::path ca_file;
  // A client certificate to present when the server asks for one (relays authorised by
  // certificate); none by default.
  std::optional<TlsFiles> client_certificate;
};

// A client context: TLS 1.2 minimum, no compression, no renegotiation, DANE enabled so that any
// connection made with it may use PeerVerification::dane. How the server's certificate is checked
// is chosen per connection (ClientTlsOptions); the context itself verifies nothing. Throws
// std::runtime_error naming the file and OpenSSL's reason when a file cannot be loaded. Immutable
// afterwards (apart from adding trust anchors before first use); may be shared by all threads.
ssl::context make_client_tls_context(const ClientTlsConfig& config = {});

// One DANE TLSA association (RFC 6698 section 2.1): certificate usage, selector, matching type
// and the association data as raw bytes.
struct TlsaAssociation {
  std::uint8_t usage = 0;          // 2 DANE-TA, 3 DANE-EE
  std::uint8_t selector = 0;       // 0 full certificate, 1 SubjectPublicKeyInfo
  std::uint8_t matching_type = 0;  // 0 exact, 1 SHA-256, 2 SHA-512
  std::string data;
};

// How a client checks the server's certificate.
enum class PeerVerification {
  // Accept any certificate (opportunistic TLS, RFC 7435). The chain and the reference names are
  // still checked, for information only (TlsPeerStatus).
  none,
  // The chain must lead to a trust anchor of the context and the certificate must match one of
  // the reference names (RFC 6125: DNS-ID, wildcard only as the whole left-most label).
  name,
  // RFC 7671/7672 DANE: a TLSA association must match. DANE-EE(3) matches the server's own
  // certificate or key, with no name or expiry checks; DANE-TA(2) matches a certificate of the
  // chain, which must lead to it and whose leaf must match a reference name. PKIX-TA(0) and
  // PKIX-EE(1) are unusable for SMTP (RFC 7672 section 3.1.3) and are ignored here.
  dane,
};

struct ClientTlsOptions {
  // Server Name Indication (RFC 6066); not sent when empty or an IP address.
  std::string server_name;
  PeerVerification verify = PeerVerification::none;
  // Names the certificate may match; the first is the primary one (for DANE, the TLSA base
  // domain; when server_name is empty it also becomes the SNI). An IP address literal here
  // is matched against IP SANs instead (only the first name may be one).
  std::vector<std::string> reference_names;
  // For PeerVerification::dane. At least one usable association (usage 2 or 3, a known selector
  // and matching type, data of the digest's length) is required, or the handshake is refused.
  std::vector<TlsaAssociation> tlsa;
};

// What a client learned about the server's certificate in its last handshake.
struct TlsPeerStatus {
  bool certificate = false;  // the server presented one
  // The checks of the chosen PeerVerification passed (for `none`: chain and reference names,
  // reported but not enforced).
  bool verified = false;
  // OpenSSL's reason when the checks failed, e.g. "self-signed certificate" (also after a
  // handshake that failed because of it); "" when they passed or nothing was checked.
  std::string verify_error;
  int dane_depth = -1;       // chain depth of the certificate a TLSA association matched; -1: none
};

// Applies `options` (SNI, reference names, DANE associations, verify mode) to a fresh client SSL
// object before its handshake. Returns "" on success, else why the options are unusable (the
// handshake must then not be attempted). Stream::client_handshake calls this.
std::string apply_client_options(SSL* ssl, const ClientTlsOptions& options);

// The verification outcome of a finished (or failed) client handshake on `ssl`.
TlsPeerStatus peer_status(const SSL* ssl);

// "TLSv1.3 TLS_AES_256_GCM_SHA384": negotiated version and cipher, for Received headers and logs.
// Empty before the handshake finished.
std::string tls_description(const SSL* ssl);
template <class NextLayer>
std::string tls_description(ssl::stream<NextLayer>& stream) {
  return tls_description(stream.native_handle());
}

}  // namespace atrium::net
