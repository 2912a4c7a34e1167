// Client sessions with STARTTLS (opportunistic, verified name, DANE-EE and DANE-TA) and AUTH
// against the scripted fake server, which uses core/net's self-signed identity or a small test PKI.
#include "core/auth/sasl.hpp"
#include "core/net/tls.hpp"
#include "mail/smtp/client/connection.hpp"
#include "tests/unit/core/net/net_test_support.hpp"
#include "tests/unit/mail/smtp/client/fake_server.hpp"
#include "tests/unit/mail/smtp/client/session_support.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>

namespace atrium::smtp::client {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using namespace test;

// The server's self-signed identity (CN and SAN localhost, 127.0.0.1), made once for the suite.
struct TlsMaterial {
  TlsMaterial()
      : identity(net::ensure_self_signed(dir.path(), "localhost")), server(net::make_server_tls_context(identity.files)) {
    FILE* f = std::fopen(identity.files.cert_chain.c_str(), "r");
    X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
    std::fclose(f);
    unsigned char* der = nullptr;
    const int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    EVP_Digest(der, static_cast<std::size_t>(len), md, &md_len, EVP_sha256(), nullptr);
    spki_sha256.assign(reinterpret_cast<char*>(md), md_len);
    OPENSSL_free(der);
    der = nullptr;
    const int cert_len = i2d_X509(cert, &der);
    EVP_Digest(der, static_cast<std::size_t>(cert_len), md, &md_len, EVP_sha256(), nullptr);
    cert_sha256.assign(reinterpret_cast<char*>(md), md_len);
    OPENSSL_free(der);
    X509_free(cert);
  }
  ::atrium::test::TempDir dir;
  net::TlsIdentity identity;
  ssl::context server;
  std::string spki_sha256;  // DANE selector 1, matching type 1
  std::string cert_sha256;  // DANE selector 0, matching type 1
};

TlsMaterial& tls() {
  static TlsMaterial m;
  return m;
}

// STARTTLS on the server side, then answers the second EHLO with `caps`. Returns whether the
// handshake succeeded (a client that rejects the certificate makes it fail).
asio::awaitable<bool> server_starttls(Peer& p, std::string caps, std::string go_ahead = "220 2.0.0 go ahead\r\n") {
  EXPECT_EQ(co_await p.line(), "STARTTLS");
  co_await p.send(go_ahead);
  if (co_await p.starttls(tls().server)) co_return false;
  EXPECT_EQ(co_await p.line(), "EHLO client.example");
  co_await p.send(ehlo_reply(caps));
  co_return true;
}

struct TlsOutcome {
  std::string description;
  TlsAuthentication authentication = TlsAuthentication::none;
  Capabilities caps;
  bool authenticated = false;
};

asio::awaitable<TlsOutcome> open_and_quit(tcp::endpoint ep, ConnectOptions o) {
  Connection c = co_await open_ok(ep, std::move(o));
  TlsOutcome out{c.tls_description(), c.tls_authentication(), c.capabilities(), c.authenticated()};
  co_await c.quit();
  co_return out;
}

TEST(SmtpClientTls, OpportunisticStarttlsWithASelfSignedServer) {
  Harness h;
  ssl::context client = net::make_client_tls_context();
  ConnectOptions o = options();
  o.tls = TlsMode::opportunistic;
  o.tls_context = &client;
  auto r = h.run(
      [](Peer& p) -> asio::awaitable<void> {
        co_await greet(p, "PIPELINING\nSTARTTLS");
        // Bytes after the 220 arrive in cleartext: the client must not take them as the reply
        // to its EHLO under TLS.
        if (co_await server_starttls(p, "PIPELINING\n8BITMIME", "220 2.0.0 go ahead\r\n250 injected\r\n"))
          co_await expect_quit(p);
      },
      [&](tcp::endpoint ep) { return open_and_quit(ep, o); });
  EXPECT_THAT(r.description, HasSubstr("TLSv1."));
  EXPECT_EQ(r.authentication, TlsAuthentication::unverified);
  EXPECT_EQ(r.caps.server_name, "mx.test");
  EXPECT_TRUE(r.caps.eight_bit_mime);
  EXPECT_FALSE(r.caps.starttls);
}

TEST(SmtpClientTls, OpportunisticGoesOnInClearWhenStarttlsIsRefused) {
  Harness h;
  ssl::context client = net::make_client_tls_context();
  ConnectOptions o = options();
  o.tls = TlsMode::opportunistic;
  o.tls_context = &client;
  auto r = h.run(
      [](Peer& p) -> asio::awaitable<void> {
        co_await greet(p, "STARTTLS\n8BITMIME");
        EXPECT_EQ(co_await p.line(), "STARTTLS");
        co_await p.send("454 4.7.0 TLS not available\r\n");
        co_await expect_quit(p);
      },
      [&](tcp::endpoint ep) { return open_and_quit(ep, o); });
  EXPECT_EQ(r.description, "");
  EXPECT_EQ(r.authentication, TlsAuthentication::none);
  EXPECT_TRUE(r.caps.eight_bit_mime);
}

TEST(SmtpClientTls, OpportunisticHandshakeFailureIsReported) {
  Harness h;
  ssl::context client = net::make_client_tls_context();
  ConnectOptions o = options();
  o.tls = TlsMode::opportunistic;
  o.tls_context = &client;
  const Error e = h.run(
      [](Peer& p) -> asio::awaitable<void> {
        co_await greet(p, "STARTTLS");
        EXPECT_EQ(co_await p.line(), "STARTTLS");
        co_await p.send("220 go ahead\r\n");
        co_await p.send("this is not a TLS server hello\r\n");
        co_await p.hold();
      },
      [&](tcp::endpoint ep) { return open_fails(ep, o); });
  EXPECT_EQ(e.stage, Stage::tls_handshake);
  EXPECT_EQ(e.kind, ErrorKind::tls_failure);
}

TEST(SmtpClientTls, StalledHandshakeIsATlsFailure) {
  Harness h;
  ssl::context client = net::make_client_tls_context();
  ConnectOptions o = options();
  o.tls = TlsMode::opportunistic;
  o.tls_context = &client;
  o.timeouts.tls_handshake = 300ms;
  const Error e = h.run(
      [](Peer& p) -> asio::awaitable<void> {
        co_await greet(p, "STARTTLS");
        EXPECT_EQ(co_await p.line(), "STARTTLS");
        co_await p.send("220 go ahead\r\n");
        co_await p.hold();  // never answers the ClientHello
      },
      [&](tcp::endpoint ep) { return open_fails(ep, o); });
  EXPECT_EQ(e.stage, Stage::tls_handshake);
  EXPECT_EQ(e.kind, ErrorKind::tls_failure);
  EXPECT_THAT(e.text, HasSubstr("not finished within 300 ms"));
}

TEST(SmtpClientTls, RequiredVerifyNameFailsForAnUntrustedCertificate) {
  Harness h;
  ssl::context client = net::make_client_tls_context();  // the system store: our cert is not in it
  ConnectOptions o = options();
  o.tls = TlsMode::required_verify_name;
  o.tls_context = &client;
  o.tls_name = "localhost";
  const Error e = h.run(
      [](Peer& p) -> asio::awaitable<void> {
        co_await greet(p, "STARTTLS");
        EXPECT_FALSE(co_await server_starttls(p, ""));
      },
      [&](tcp::endpoint ep) { return open_fails(ep, o); });
  EXPECT_EQ(e.stage, Stage::tls_handshake);
  EXPECT_EQ(e.kind, ErrorKind::tls_failure);
  EXPECT_THAT(e.text, HasSubstr("self-signed"));
}

TEST(SmtpClientTls, RequiredVerifyNameSucceedsWithTheCertificateAsTrustAnchor) {
  Harness h;
  ssl::context client = net::make_client_tls_context({.ca_file = tls().identity.files.cert_chain});
  ConnectOptions o = options();
  o.tls = TlsMode::required_verify_name;
  o.tls_context = &client;
  o.tls_name = "localhost";
  auto r = h.run(
      [](Peer& p) -> asio::awaitable<void> {
        co_await greet(p, "STARTTLS");
        if (co_await server_starttls(p, "8BITMIME")) co_await expect_quit(p);
      },
      [&](tcp::endpoint ep) { return open_and_quit(ep, o); });
  EXPECT_EQ(r.authentication, TlsAuthentication::verified);
}

TEST(SmtpClientTls, RequiredVerifyNameFailsForAnotherName) {
  Harness h;
  ssl::context client = net::make_client_tls_context({.ca_file = tls().identity.files.cert_chain});
  ConnectOptions o = options();
  o.tls = TlsMode::required_verify_name;
  o.tls_context = &client;
  o.tls_name = "mx.example.net";
  const Error e = h.run(
      [](Peer& p) -> asio::awaitable<void> {
        co_await greet(p, "STARTTLS");
        EXPECT_FALSE(co_await server_starttls(p, ""));
      },
      [&](tcp::endpoint ep) { return open_fails(ep, o); });
  EXPECT_EQ(e.kind, ErrorKind::tls_failure);
  EXPECT_THAT(e.text, HasSubstr("hostname mismatch"));
}

TEST(SmtpClientTls, RequiredFailsWhenStarttlsIsNotOffered) {
  Harness h;
  ssl::context client = net::make_client_tls_context();
  ConnectOptions o = options();
  o.tls = TlsMode::required_verify_name;
  o.tls_context = &client;
  o.tls_name = "localhost";
  const Error e = h.run(
      [](Peer& p) -> asio::awaitable<void> {
        co_await greet(p, "8BITMIME");
        co_await expect_quit(p);
      },
      [&](tcp::endpoint ep) { return open_fails(ep, o); });
  EXPECT_EQ(e.stage, Stage::starttls);
  EXPECT_EQ(e.kind, ErrorKind::unsupported);
}

TEST(SmtpClientTls, RequiredWithoutAContextIsALocalError) {
  Harness h;
  ConnectOptions o = options();
  o.tls = TlsMode::dane;
  o.tls_name = "mx.example";
  const Error e = h.run([](Peer&) -> asio::awaitable<void> { co_return; },
                        [&](tcp::endpoint ep) { return open_fails(ep, o); });
  EXPECT_EQ(e.kind, ErrorKind::local);
}

ConnectOptions dane_options(ssl::context& client, std::vector<dns::TlsaRecord> tlsa) {
  ConnectOptions o = options();
  o.tls = TlsMode::dane;
  o.tls_context = &client;
  o.tls_name = "mx.example.net";  // not a name in the certificate: DANE-EE does not check names
  o.tlsa = std::move(tlsa);
  return o;
}

TEST(SmtpClientTls, DaneEeMatchingTheServerKeyPasses) {
  Harness h;
  ssl::context client = net::make_client_tls_context();
  // A mismatching record beside the matching one does not matter.
  std::string wrong = tls().spki_sha256;
  wrong[0] = static_cast<char>(wrong[0] ^ 1);
  const ConnectOptions o = dane_options(client, {{3, 1, 1, wrong}, {3, 1, 1, tls().spki_sha256}});
  auto r = h.run(
      [](Peer& p) -> asio::awaitable<void> {
        co_await greet(p, "STARTTLS");
        if (co_await server_starttls(p, "")) co_await expect_quit(p);
      },
      [&](tcp::endpoint ep) { return open_and_quit(ep, o); });
  EXPECT_EQ(r.authentication, TlsAuthentication::dane);
}

TEST(SmtpClientTls, DaneEeOnTheFullCertificatePasses) {
  Harness h;
  ssl::context client = net::make_client_tls_context();
  const ConnectOptions o = dane_options(client, {{3, 0, 1, tls().cert_sha256}});
  auto r = h.run(
      [](Peer& p) -> asio::awaitable<void> {
        co_await greet(p, "STARTTLS");
        if (co_await server_starttls(p, "")) co_await expect_quit(p);
      },
      [&](tcp::endpoint ep) { return open_and_quit(ep, o); });
  EXPECT_EQ(r.authentication, TlsAuthentication::dane);
}

TEST(SmtpClientTls, DaneEeMismatchFails) {
  Harness h;
  ssl::context client = net::make_client_tls_context();
  std::string wrong = tls().spki_sha256;
  wrong[31] = static_cast<char>(wrong[31] ^ 0x80);
  const ConnectOptions o = dane_options(client, {{3, 1, 1, wrong}});
  const Error e = h.run(
      [](Peer& p) -> asio::awaitable<void> {
        co_await greet(p, "STARTTLS");
        EXPECT_FALSE(co_await server_starttls(p, ""));
      },
      [&](tcp::endpoint ep) { return open_fails(ep, o); });
  EXPECT_EQ(e.stage, Stage::tls_handshake);
  EXPECT_EQ(e.kind, ErrorKind::tls_failure);
}

// A small PKI for DANE-TA: a CA and a leaf for mx.example.net signed by it; the server sends
// both (RFC 7671 section 5.2.2: a DANE-TA server includes its trust anchor in the chain).
struct CaChain {
  CaChain() {
    EVP_PKEY* ca_key = EVP_EC_gen("P-256");
    EVP_PKEY* leaf_key = EVP_EC_gen("P-256");
    X509* ca = make_cert(ca_key, ca_key, nullptr, "Test CA", true);
    X509* leaf = make_cert(leaf_key, ca_key, ca, "mx.example.net", false);
    files.cert_chain = dir.path() / "chain.pem";
    files.private_key = dir.path() / "key.pem";
    FILE* f = std::fopen(files.cert_chain.c_str(), "w");
    PEM_write_X509(f, leaf);
    PEM_write_X509(f, ca);
    std::fclose(f);
    f = std::fopen(files.private_key.c_str(), "w");
    PEM_write_PrivateKey(f, leaf_key, nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(f);
    unsigned char* der = nullptr;
    const int len = i2d_X509(ca, &der);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    EVP_Digest(der, static_cast<std::size_t>(len), md, &md_len, EVP_sha256(), nullptr);
    ca_sha256.assign(reinterpret_cast<char*>(md), md_len);
    OPENSSL_free(der);
    X509_free(leaf);
    X509_free(ca);
    EVP_PKEY_free(leaf_key);
    EVP_PKEY_free(ca_key);
  }

  static X509* make_cert(EVP_PKEY* key, EVP_PKEY* signer, X509* issuer, const char* cn, bool is_ca) {
    X509* x = X509_new();
    X509_set_version(x, X509_VERSION_3);
    ASN1_INTEGER_set(X509_get_serialNumber(x), is_ca ? 1 : 2);
    X509_gmtime_adj(X509_getm_notBefore(x), -300);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_NAME* name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
    X509_set_pubkey(x, key);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer ? issuer : x, x, nullptr, nullptr, 0);
    auto add = [&](int nid, const char* value) {
      X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
      X509_add_ext(x, ext, -1);
      X509_EXTENSION_free(ext);
    };
    if (is_ca) {
      add(NID_basic_constraints, "critical,CA:TRUE");
      add(NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
      add(NID_basic_constraints, "critical,CA:FALSE");
      add(NID_subject_alt_name, "DNS:mx.example.net");
      add(NID_ext_key_usage, "serverAuth");
    }
    X509_sign(x, signer, EVP_sha256());
    return x;
  }

  ::atrium::test::TempDir dir;
  net::TlsFiles files;
  std::string ca_sha256;
};

// DANE-TA(2) matches the CA in the chain; unlike DANE-EE the leaf's name must match a reference
// name (RFC 7672 section 3.2.2).
TEST(SmtpClientTls, DaneTaMatchesTheIssuerAndChecksTheName) {
  const CaChain pki;
  ssl::context server = net::make_server_tls_context(pki.files);
  ssl::context client = net::make_client_tls_context();
  auto script = [&](bool succeeds) {
    return [&server, succeeds](Peer& p) -> asio::awaitable<void> {
      co_await greet(p, "STARTTLS");
      EXPECT_EQ(co_await p.line(), "STARTTLS");
      co_await p.send("220 go ahead\r\n");
      const net::error_code ec = co_await p.starttls(server);
      EXPECT_EQ(!ec, succeeds);
      if (ec) co_return;
      EXPECT_EQ(co_await p.line(), "EHLO client.example");
      co_await p.send(ehlo_reply(""));
      co_await expect_quit(p);
    };
  };
  {
    Harness h;
    const ConnectOptions o = dane_options(client, {{2, 0, 1, pki.ca_sha256}});  // tls_name mx.example.net
    auto r = h.run(script(true), [&](tcp::endpoint ep) { return open_and_quit(ep, o); });
    EXPECT_EQ(r.authentication, TlsAuthentication::dane);
  }
  {
    Harness h;
    ConnectOptions o = dane_options(client, {{2, 0, 1, pki.ca_sha256}});
    o.tls_name = "other.example.net";
    const Error e = h.run(script(false), [&](tcp::endpoint ep) { return open_fails(ep, o); });
    EXPECT_EQ(e.kind, ErrorKind::tls_failure);
    EXPECT_THAT(e.text, HasSubstr("hostname mismatch"));
  }
  {
    // The base domain may differ when the certificate names the MX host (tls_extra_names).
    Harness h;
    ConnectOptions o = dane_options(client, {{2, 0, 1, pki.ca_sha256}});
    o.tls_name = "other.example.net";
    o.tls_extra_names = {"mx.example.net"};
    auto r = h.run(script(true), [&](tcp::endpoint ep) { return open_and_quit(ep, o); });
    EXPECT_EQ(r.authentication, TlsAuthentication::dane);
  }
}

TEST(SmtpClientTls, DaneWithOnlyUnusableRecordsStillRequiresTls) {
  Harness h;
  ssl::context client = net::make_client_tls_context();
  // PKIX-EE(1) is unusable for SMTP (RFC 7672 section 3.1.3), so is a digest of the wrong length:
  // TLS without authentication (section 2.2).
  const ConnectOptions o = dane_options(client, {{1, 1, 1, tls().spki_sha256}, {3, 1, 1, "short"}});
  auto r = h.run(
      [](Peer& p) -> asio::awaitable<void> {
        co_await greet(p, "STARTTLS");
        if (co_await server_starttls(p, "")) co_await expect_quit(p);
      },
      [&](tcp::endpoint ep) { return open_and_quit(ep, o); });
  EXPECT_EQ(r.authentication, TlsAuthentication::unverified);
  EXPECT_THAT(r.description, HasSubstr("TLSv1."));
}

TEST(SmtpClientTls, AuthPlainAfterStarttls) {
  Harness h;
  ssl::context client = net::make_client_tls_context();
  ConnectOptions o = options();
  o.tls = TlsMode::opportunistic;
  o.tls_context = &client;
  o.auth = Credentials{.user = "user", .password = "secret"};
  auto r = h.run(
      [](Peer& p) -> asio::awaitable<void> {
        co_await greet(p, "STARTTLS\nAUTH PLAIN LOGIN");
        if (!co_await server_starttls(p, "AUTH LOGIN PLAIN")) co_return;
        EXPECT_EQ(co_await p.line(), "AUTH PLAIN " + auth::base64_encode(std::string("\0user\0secret", 12)));
        co_await p.send("235 2.7.0 authenticated\r\n");
        co_await expect_quit(p);
      },
      [&](tcp::endpoint ep) { return open_and_quit(ep, o); });
  EXPECT_TRUE(r.authenticated);
}

TEST(SmtpClientTls, AuthLoginWhenPlainIsNotOffered) {
  Harness h;
  ssl::context client = net::make_client_tls_context();
  ConnectOptions o = options();
  o.tls = TlsMode::opportunistic;
  o.tls_context = &client;
  o.auth = Credentials{.user = "user", .password = "secret"};
  auto r = h.run(
      [](Peer& p) -> asio::awaitable<void> {
        co_await greet(p, "STARTTLS");
        if (!co_await server_starttls(p, "AUTH LOGIN")) co_return;
        EXPECT_EQ(co_await p.line(), "AUTH LOGIN");
        co_await p.send("334 VXNlcm5hbWU6\r\n");
        EXPECT_EQ(co_await p.line(), "dXNlcg==");
        co_await p.send("334 UGFzc3dvcmQ6\r\n");
        EXPECT_EQ(co_await p.line(), "c2VjcmV0");
        co_await p.send("235 2.7.0 ok\r\n");
        co_await expect_quit(p);
      },
      [&](tcp::endpoint ep) { return open_and_quit(ep, o); });
  EXPECT_TRUE(r.authenticated);
}

TEST(SmtpClientTls, AuthFailureIsAReplyError) {
  Harness h;
  ssl::context client = net::make_client_tls_context();
  ConnectOptions o = options();
  o.tls = TlsMode::opportunistic;
  o.tls_context = &client;
  o.auth = Credentials{.user = "user", .password = "wrong"};
  const Error e = h.run(
      [](Peer& p) -> asio::awaitable<void> {
        co_await greet(p, "STARTTLS");
        if (!co_await server_starttls(p, "AUTH PLAIN")) co_return;
        EXPECT_THAT(co_await p.line(), HasSubstr("AUTH PLAIN "));
        co_await p.send("535 5.7.8 authentication failed\r\n");
        co_await expect_quit(p);
      },
      [&](tcp::endpoint ep) { return open_fails(ep, o); });
  EXPECT_EQ(e.stage, Stage::auth);
  EXPECT_EQ(e.kind, ErrorKind::reply);
  EXPECT_EQ(e.reply->code, 535);
}

TEST(SmtpClientTls, CredentialsAreNeverSentInClear) {
  Harness h;
  ConnectOptions o = options();
  o.auth = Credentials{.user = "user", .password = "secret"};
  const Error e = h.run(
      [](Peer& p) -> asio::awaitable<void> {
        co_await greet(p, "AUTH PLAIN LOGIN");
        co_await expect_quit(p);  // no AUTH line
      },
      [&](tcp::endpoint ep) { return open_fails(ep, o); });
  EXPECT_EQ(e.stage, Stage::auth);
  EXPECT_EQ(e.kind, ErrorKind::unsupported);
}

}  // namespace
}  // namespace atrium::smtp::client
