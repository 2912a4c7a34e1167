// Server TLS context policy and the self-signed certificate generator (OpenSSL 3 API).
#include "core/net/tls.hpp"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <boost/asio/ip/address.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <memory>
#include <stdexcept>
#include <system_error>

namespace atrium::net {

namespace {

template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const noexcept { Free(p); }
};
template <class T, void (*Free)(T*)>
using Owned = std::unique_ptr<T, Deleter<T, Free>>;

using Pkey = Owned<EVP_PKEY, EVP_PKEY_free>;
using Cert = Owned<X509, X509_free>;
using Bio = Owned<BIO, BIO_free_all>;
using Names = Owned<GENERAL_NAMES, GENERAL_NAMES_free>;
using Bignum = Owned<BIGNUM, BN_free>;
using Extension = Owned<X509_EXTENSION, X509_EXTENSION_free>;
using Asn1Int = Owned<ASN1_INTEGER, ASN1_INTEGER_free>;

// OpenSSL's error queue as one string, and the queue cleared so it cannot leak into later calls.
std::string openssl_errors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error("tls: " + what + ": " + openssl_errors()); }

// Built by appending: GCC 12 at -O3 warns (-Wrestrict, a false positive) on "'" + std::string.
std::string quoted(const std::filesystem::path& p) {
  std::string out(1, '\'');
  out += p.native();
  out += '\'';
  return out;
}

// TLS 1.2 suites: forward secrecy and AEAD only (Mozilla "intermediate" minus the DHE ones).
constexpr const char* tls12_ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

bool is_dns_name(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  std::size_t label = 0;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      continue;
    }
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && c != '-') return false;
    if (c == '-' && (label == 0 || i + 1 == name.size() || name[i + 1] == '.')) return false;
    if (++label > 63) return false;
  }
  return label != 0;
}

void add_dns(GENERAL_NAMES* names, std::string_view dns) {
  GENERAL_NAME* gn = GENERAL_NAME_new();
  ASN1_IA5STRING* s = ASN1_IA5STRING_new();
  if (!gn || !s || !ASN1_STRING_set(s, dns.data(), static_cast<int>(dns.size()))) {
    GENERAL_NAME_free(gn);
    ASN1_IA5STRING_free(s);
    fail("building subjectAltName");
  }
  GENERAL_NAME_set0_value(gn, GEN_DNS, s);
  if (!sk_GENERAL_NAME_push(names, gn)) {
    GENERAL_NAME_free(gn);
    fail("building subjectAltName");
  }
}

void add_ip(GENERAL_NAMES* names, const char* ip) {
  ASN1_OCTET_STRING* s = a2i_IPADDRESS(ip);
  GENERAL_NAME* gn = GENERAL_NAME_new();
  if (!gn || !s) {
    GENERAL_NAME_free(gn);
    ASN1_OCTET_STRING_free(s);
    fail("building subjectAltName");
  }
  GENERAL_NAME_set0_value(gn, GEN_IPADD, s);
  if (!sk_GENERAL_NAME_push(names, gn)) {
    GENERAL_NAME_free(gn);
    fail("building subjectAltName");
  }
}

void add_conf_ext(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  Extension ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  if (!ext || !X509_add_ext(cert, ext.get(), -1)) fail(std::string("adding extension ") + OBJ_nid2sn(nid));
}

Cert make_certificate(EVP_PKEY* key, std::string_view hostname) {
  Cert cert(X509_new());
  if (!cert) fail("X509_new");
  if (!X509_set_version(cert.get(), X509_VERSION_3)) fail("setting version");

  // Random positive 127-bit serial: unique per generated cert, as RFC 5280 wants.
  Bignum bn(BN_new());
  if (!bn || !BN_rand(bn.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY)) fail("serial number");
  Asn1Int serial(BN_to_ASN1_INTEGER(bn.get(), nullptr));
  if (!serial || !X509_set_serialNumber(cert.get(), serial.get())) fail("serial number");

  // A few minutes of back-dating tolerates clients whose clock runs slightly behind ours.
  if (!X509_gmtime_adj(X509_getm_notBefore(cert.get()), -300) ||
      !X509_gmtime_adj(X509_getm_notAfter(cert.get()), 825L * 24 * 60 * 60))
    fail("validity");

  X509_NAME* name = X509_get_subject_name(cert.get());
  const std::string cn(hostname);
  if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0) ||
      !X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("Atrium self-signed"), -1, -1, 0) ||
      !X509_set_issuer_name(cert.get(), name))
    fail("subject name");
  if (!X509_set_pubkey(cert.get(), key)) fail("public key");

  add_conf_ext(cert.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_conf_ext(cert.get(), NID_key_usage, "critical,digitalSignature");
  add_conf_ext(cert.get(), NID_ext_key_usage, "serverAuth");
  add_conf_ext(cert.get(), NID_subject_key_identifier, "hash");

  // Built as structures, not as a config string, so nothing in `hostname` is interpreted.
  Names names(sk_GENERAL_NAME_new_null());
  if (!names) fail("subjectAltName");
  add_dns(names.get(), hostname);
  if (hostname != "localhost") add_dns(names.get(), "localhost");
  add_ip(names.get(), "127.0.0.1");
  add_ip(names.get(), "::1");
  if (!X509_add1_ext_i2d(cert.get(), NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT)) fail("subjectAltName");

  if (X509_sign(cert.get(), key, EVP_sha256()) <= 0) fail("signing certificate");
  return cert;
}

std::string pem_of(const std::function<int(BIO*)>& write, const char* what) {
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || write(bio.get()) != 1) fail(std::string("encoding ") + what);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

[[noreturn]] void fail_errno(const std::string& what, const std::filesystem::path& path) {
  throw std::runtime_error("tls: " + what + " " + quoted(path) + ": " + std::strerror(errno));
}

// temp file + fsync + rename + fsync(dir): after a crash either the old or the new file exists.
void write_file_atomically(const std::filesystem::path& path, std::string_view content, mode_t mode) {
  const auto tmp = std::filesystem::path(path).concat(".tmp");
  ::unlink(tmp.c_str());  // a leftover from a crash
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) fail_errno("cannot create", tmp);
  std::size_t off = 0;
  while (off < content.size()) {
    const ssize_t n = ::write(fd, content.data() + off, content.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int saved = errno;
      ::close(fd);
      errno = saved;
      fail_errno("cannot write", tmp);
    }
    off += static_cast<std::size_t>(n);
  }
  // open()'s mode is filtered by the umask; the key's mode must not depend on it.
  if (::fchmod(fd, mode) != 0 || ::fsync(fd) != 0) {
    const int saved = errno;
    ::close(fd);
    errno = saved;
    fail_errno("cannot sync", tmp);
  }
  if (::close(fd) != 0) fail_errno("cannot close", tmp);
  if (::rename(tmp.c_str(), path.c_str()) != 0) fail_errno("cannot rename to", path);
  const int dfd = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) fail_errno("cannot open directory", path.parent_path());
  const int rc = ::fsync(dfd);
  ::close(dfd);
  if (rc != 0) fail_errno("cannot sync directory", path.parent_path());
}

std::string fingerprint_of(X509* cert) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!X509_digest(cert, EVP_sha256(), md, &len)) fail("certificate digest");
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(len * 3);
  for (unsigned int i = 0; i < len; ++i) {
    if (i) out += ':';
    out += hex[md[i] >> 4];
    out += hex[md[i] & 0xF];
  }
  return out;
}

}  // namespace

ssl::context make_server_tls_context(const TlsFiles& files) {
  ssl::context ctx(ssl::context::tls_server);
  SSL_CTX* native = ctx.native_handle();
  if (!SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) || !SSL_CTX_set_max_proto_version(native, 0))
    fail("setting protocol versions");
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (!SSL_CTX_set_cipher_list(native, tls12_ciphers)) fail("setting TLS 1.2 ciphers");
  if (!SSL_CTX_set1_groups_list(native, "X25519:P-256:P-384")) fail("setting key-exchange groups");
  // Session tickets stay on: resumption saves a full handshake for reconnecting mail clients.

  ERR_clear_error();
  if (SSL_CTX_use_certificate_chain_file(native, files.cert_chain.c_str()) != 1)
    fail("cannot load certificate chain " + quoted(files.cert_chain));
  if (SSL_CTX_use_PrivateKey_file(native, files.private_key.c_str(), SSL_FILETYPE_PEM) != 1) {
    // OpenSSL checks the pair while loading; say so plainly, it is the common operator mistake.
    if (ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH)
      fail("private key " + quoted(files.private_key) + " does not match certificate " + quoted(files.cert_chain));
    fail("cannot load private key " + quoted(files.private_key));
  }
  if (SSL_CTX_check_private_key(native) != 1)
    fail("private key " + quoted(files.private_key) + " does not match certificate " + quoted(files.cert_chain));
  return ctx;
}

std::string sha256_fingerprint(const std::filesystem::path& cert_pem) {
  ERR_clear_error();
  Bio bio(BIO_new_file(cert_pem.c_str(), "r"));
  if (!bio) fail("cannot open certificate " + quoted(cert_pem));
  Cert cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) fail("cannot parse certificate " + quoted(cert_pem));
  return fingerprint_of(cert.get());
}

TlsIdentity ensure_self_signed(const std::filesystem::path& dir, std::string_view hostname) {
  if (!is_dns_name(hostname))
    throw std::invalid_argument("tls: self-signed hostname is not a DNS name: '" + std::string(hostname) + "'");
  const auto tls_dir = dir / "tls";
  TlsIdentity id;
  id.files = {tls_dir / "cert.pem", tls_dir / "key.pem"};

  std::error_code ec;
  if (std::filesystem::exists(id.files.cert_chain, ec) && std::filesystem::exists(id.files.private_key, ec)) {
    id.sha256_fingerprint = sha256_fingerprint(id.files.cert_chain);
    return id;
  }

  std::filesystem::create_directories(tls_dir, ec);
  if (ec) throw std::runtime_error("tls: cannot create directory " + quoted(tls_dir) + ": " + ec.message());
  ::chmod(tls_dir.c_str(), 0700);

  ERR_clear_error();
  Pkey key(EVP_EC_gen("P-256"));
  if (!key) fail("generating EC P-256 key");
  Cert cert = make_certificate(key.get(), hostname);

  const auto key_pem = pem_of(
      [&](BIO* b) { return PEM_write_bio_PrivateKey(b, key.get(), nullptr, nullptr, 0, nullptr, nullptr); }, "key");
  const auto cert_pem = pem_of([&](BIO* b) { return PEM_write_bio_X509(b, cert.get()); }, "certificate");
  // Old certificate out, then key, then certificate: a crash at any point leaves the certificate
  // missing, so the next start regenerates both instead of pairing an old cert with a new key.
  std::filesystem::remove(id.files.cert_chain, ec);
  write_file_atomically(id.files.private_key, key_pem, 0600);
  write_file_atomically(id.files.cert_chain, cert_pem, 0644);

  id.sha256_fingerprint = fingerprint_of(cert.get());
  id.generated = true;
  return id;
}

namespace {

bool is_ip_literal(const std::string& name) {
  boost::system::error_code ec;
  asio::ip::make_address(name, ec);
  return !ec;
}

// Sets the names the server's certificate may match: the first as the primary identifier (an IP
// address is matched against IP SANs), the others as alternatives.
bool set_reference_names(SSL* ssl, const std::vector<std::string>& names, std::size_t first) {
  for (std::size_t i = first; i < names.size(); ++i) {
    const std::string& name = names[i];
    if (name.empty()) continue;
    if (i == 0 && is_ip_literal(name)) {
      if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name.c_str()) != 1) return false;
    } else if (i == 0) {
      if (SSL_set1_host(ssl, name.c_str()) != 1) return false;
    } else if (SSL_add1_host(ssl, name.c_str()) != 1) {
      return false;
    }
  }
  return true;
}

}  // namespace

ssl::context make_client_tls_context(const ClientTlsConfig& config) {
  ssl::context ctx(ssl::context::tls_client);
  SSL_CTX* native = ctx.native_handle();
  if (!SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) || !SSL_CTX_set_max_proto_version(native, 0))
    fail("setting protocol versions");
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  ERR_clear_error();
  if (config.ca_file.empty()) {
    if (SSL_CTX_set_default_verify_paths(native) != 1) fail("cannot load the system trust store");
  } else if (SSL_CTX_load_verify_locations(native, config.ca_file.c_str(), nullptr) != 1) {
    fail("cannot load trust anchors " + quoted(config.ca_file));
  }
  if (const auto& cert = config.client_certificate) {
    if (SSL_CTX_use_certificate_chain_file(native, cert->cert_chain.c_str()) != 1)
      fail("cannot load certificate chain " + quoted(cert->cert_chain));
    if (SSL_CTX_use_PrivateKey_file(native, cert->private_key.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(native) != 1)
      fail("cannot load private key " + quoted(cert->private_key) + " for " + quoted(cert->cert_chain));
  }
  // Enabled here, once, because SSL_CTX_dane_enable changes the shared context: per connection
  // only SSL_dane_enable is called, which is safe on a context used by several threads.
  if (SSL_CTX_dane_enable(native) <= 0) fail("enabling DANE");
  // The per-connection ClientTlsOptions decide; a context used without them checks nothing.
  SSL_CTX_set_verify(native, SSL_VERIFY_NONE, nullptr);
  return ctx;
}

std::string apply_client_options(SSL* ssl, const ClientTlsOptions& options) {
  ERR_clear_error();
  const auto& names = options.reference_names;
  std::string sni = options.server_name;
  if (sni.empty() && !names.empty()) sni = names.front();
  // RFC 6066 section 3: literal IP addresses are not permitted in "HostName".
  if (!sni.empty() && !is_ip_literal(sni) && SSL_set_tlsext_host_name(ssl, sni.c_str()) != 1) {
    ERR_clear_error();
    return "cannot set the server name indication '" + sni + "'";
  }
  // RFC 6125 section 6.4.3: a wildcard is only honoured as the complete left-most label.
  SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);

  if (options.verify != PeerVerification::dane) {
    if (options.verify == PeerVerification::name && (names.empty() || names.front().empty()))
      return "certificate name verification needs a reference name";
    if (!set_reference_names(ssl, names, 0)) {
      ERR_clear_error();
      return "invalid reference name";
    }
    SSL_set_verify(ssl, options.verify == PeerVerification::name ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nullptr);
    return {};
  }

  if (names.empty() || names.front().empty() || is_ip_literal(names.front()))
    return "DANE needs the TLSA base domain as the first reference name";
  // Also sets the primary reference identifier, and the SNI if none was set above.
  if (SSL_dane_enable(ssl, names.front().c_str()) <= 0) {
    ERR_clear_error();
    return "cannot enable DANE (was the context made by make_client_tls_context?)";
  }
  // RFC 7672 section 3.1.1: with DANE-EE(3) the names in the certificate are not checked.
  SSL_dane_set_flags(ssl, DANE_FLAG_NO_DANE_EE_NAMECHECKS);
  if (!set_reference_names(ssl, names, 1)) {
    ERR_clear_error();
    return "invalid reference name";
  }
  std::size_t usable = 0;
  for (const TlsaAssociation& a : options.tlsa) {
    // RFC 7672 section 3.1.3: PKIX-TA(0) and PKIX-EE(1) are not used by SMTP clients.
    if (a.usage != 2 && a.usage != 3) continue;
    const int rc = SSL_dane_tlsa_add(ssl, a.usage, a.selector, a.matching_type,
                                     reinterpret_cast<const unsigned char*>(a.data.data()), a.data.size());
    // 0: unusable (unknown matching type); < 0: malformed (bad selector, wrong digest length).
    if (rc > 0) ++usable;
  }
  ERR_clear_error();
  if (usable == 0) return "no usable TLSA record";
  SSL_set_verify(ssl, SSL_VERIFY_PEER, nullptr);
  return {};
}

TlsPeerStatus peer_status(const SSL* ssl) {
  TlsPeerStatus st;
  if (!ssl) return st;
  // A client that rejects the certificate fails the handshake before OpenSSL records it as the
  // peer's, but the verification result is kept: report it either way.
  st.certificate = SSL_get0_peer_certificate(ssl) != nullptr;
  const long result = SSL_get_verify_result(ssl);
  st.verified = st.certificate && result == X509_V_OK;
  if (result != X509_V_OK) st.verify_error = X509_verify_cert_error_string(result);
  // Not const in OpenSSL's signature, but only reads the verification state.
  st.dane_depth = SSL_get0_dane_authority(const_cast<SSL*>(ssl), nullptr, nullptr);
  return st;
}

std::string tls_description(const SSL* ssl) {
  if (!ssl) return {};
  const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl);
  if (!cipher) return {};
  std::string out = SSL_get_version(ssl);
  out += ' ';
  out += SSL_CIPHER_get_name(cipher);
  return out;
}

}  // namespace atrium::net
