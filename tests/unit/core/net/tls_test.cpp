// TLS policy: the self-signed identity (files, modes, certificate contents, fingerprint), context
// loading errors, and which clients an implicit-TLS listener accepts (1.3 yes, 1.1 no, weak 1.2
// suites no).
#include "core/net/line.hpp"
#include "core/net/listener.hpp"
#include "core/net/tls.hpp"
#include "tests/unit/core/net/net_test_support.hpp"

#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/streambuf.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>
#include <fstream>

namespace atrium::net {
namespace {

using namespace std::chrono_literals;
using test::run;

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};

std::unique_ptr<X509, X509Free> load_cert(const std::filesystem::path& p) {
  FILE* f = std::fopen(p.c_str(), "r");
  if (!f) return nullptr;
  X509* x = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  return std::unique_ptr<X509, X509Free>(x);
}

std::vector<std::string> subject_alt_names(X509* cert) {
  std::vector<std::string> out;
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, i);
    if (gn->type == GEN_DNS) {
      out.push_back("DNS:" + std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(gn->d.dNSName)),
                                         ASN1_STRING_length(gn->d.dNSName)));
    } else if (gn->type == GEN_IPADD) {
      const auto* d = ASN1_STRING_get0_data(gn->d.iPAddress);
      const int len = ASN1_STRING_length(gn->d.iPAddress);
      if (len == 4) {
        out.push_back("IP:" + asio::ip::address_v4({d[0], d[1], d[2], d[3]}).to_string());
      } else if (len == 16) {
        asio::ip::address_v6::bytes_type b;
        std::copy(d, d + 16, b.begin());
        out.push_back("IP:" + asio::ip::address_v6(b).to_string());
      }
    }
  }
  GENERAL_NAMES_free(names);
  return out;
}

// 32 upper-case hex bytes joined by ':' ("AB:01:...").  (No std::regex: GCC 12 warns inside it
// at -O1 with sanitizers, which the CI build uses.)
bool is_fingerprint(std::string_view f) {
  if (f.size() != 32 * 3 - 1) return false;
  for (std::size_t i = 0; i < f.size(); ++i) {
    const char c = f[i];
    if (i % 3 == 2 ? c != ':' : !((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'))) return false;
  }
  return true;
}

TEST(SelfSigned, GeneratesAnEcKeyAndAServerCertificate) {
  test::TempDir dir;
  const auto id = ensure_self_signed(dir.path(), "mail.example.org");
  EXPECT_TRUE(id.generated);
  EXPECT_EQ(id.files.cert_chain, dir.path() / "tls" / "cert.pem");
  EXPECT_EQ(id.files.private_key, dir.path() / "tls" / "key.pem");

  struct stat st {};
  ASSERT_EQ(::stat(id.files.private_key.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "tls" / "key.pem.tmp"));

  auto cert = load_cert(id.files.cert_chain);
  ASSERT_TRUE(cert);
  EXPECT_EQ(X509_get_version(cert.get()), X509_VERSION_3);
  EXPECT_THAT(subject_alt_names(cert.get()),
              ::testing::ElementsAre("DNS:mail.example.org", "DNS:localhost", "IP:127.0.0.1", "IP:::1"));
  int days = 0, secs = 0;
  ASSERT_TRUE(ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(cert.get()), X509_get0_notAfter(cert.get())));
  EXPECT_EQ(days, 825);
  EXPECT_EQ(X509_get_extended_key_usage(cert.get()) & XKU_SSL_SERVER, static_cast<uint32_t>(XKU_SSL_SERVER));
  EVP_PKEY* pub = X509_get0_pubkey(cert.get());
  ASSERT_TRUE(pub);
  EXPECT_TRUE(EVP_PKEY_is_a(pub, "EC"));
  char group[64] = {};
  size_t glen = 0;
  ASSERT_TRUE(EVP_PKEY_get_utf8_string_param(pub, "group", group, sizeof group, &glen));
  EXPECT_STREQ(group, "prime256v1");
  // Self-signed: issuer is subject and the signature verifies with the certificate's own key.
  EXPECT_EQ(X509_NAME_cmp(X509_get_issuer_name(cert.get()), X509_get_subject_name(cert.get())), 0);
  EXPECT_EQ(X509_verify(cert.get(), pub), 1);

  EXPECT_TRUE(is_fingerprint(id.sha256_fingerprint)) << id.sha256_fingerprint;
  // The loaded pair must be usable by the server context (key matches certificate).
  EXPECT_NO_THROW(make_server_tls_context(id.files));
}

TEST(SelfSigned, FingerprintMatchesTheOpensslCommandLine) {
  test::TempDir dir;
  const auto id = ensure_self_signed(dir.path(), "localhost");
  const std::string cmd = "openssl x509 -noout -fingerprint -sha256 -in '" + id.files.cert_chain.string() + "' 2>/dev/null";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) GTEST_SKIP() << "cannot run openssl";
  char line[256] = {};
  const bool got = std::fgets(line, sizeof line, p) != nullptr;
  const int rc = ::pclose(p);
  if (!got || rc != 0) GTEST_SKIP() << "openssl command line not available";
  std::string out(line);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  const auto eq = out.find('=');
  ASSERT_NE(eq, std::string::npos) << out;
  EXPECT_EQ(out.substr(eq + 1), id.sha256_fingerprint);
  // hostname "localhost" is not listed twice
  auto cert = load_cert(id.files.cert_chain);
  EXPECT_THAT(subject_alt_names(cert.get()), ::testing::ElementsAre("DNS:localhost", "IP:127.0.0.1", "IP:::1"));
}

TEST(SelfSigned, ReusesExistingFilesAndRegeneratesAMissingHalf) {
  test::TempDir dir;
  const auto first = ensure_self_signed(dir.path(), "a.example");
  const auto second = ensure_self_signed(dir.path(), "a.example");
  EXPECT_FALSE(second.generated);
  EXPECT_EQ(first.sha256_fingerprint, second.sha256_fingerprint);
  std::filesystem::remove(first.files.cert_chain);
  const auto third = ensure_self_signed(dir.path(), "a.example");
  EXPECT_TRUE(third.generated);
  EXPECT_NE(third.sha256_fingerprint, first.sha256_fingerprint);
  EXPECT_NO_THROW(make_server_tls_context(third.files));
}

TEST(SelfSigned, RejectsHostnamesThatAreNotDnsNames) {
  test::TempDir dir;
  EXPECT_THROW(ensure_self_signed(dir.path(), ""), std::invalid_argument);
  EXPECT_THROW(ensure_self_signed(dir.path(), "a,DNS:evil.example"), std::invalid_argument);
  EXPECT_THROW(ensure_self_signed(dir.path(), "-bad.example"), std::invalid_argument);
  EXPECT_THROW(ensure_self_signed(dir.path(), "a..b"), std::invalid_argument);
}

TEST(ServerContext, ErrorsNameTheFile) {
  test::TempDir dir;
  const auto id = ensure_self_signed(dir.path(), "localhost");
  try {
    make_server_tls_context({dir.path() / "nope.pem", id.files.private_key});
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("nope.pem"), std::string::npos) << e.what();
  }
  test::TempDir other;
  const auto id2 = ensure_self_signed(other.path(), "localhost");
  try {
    make_server_tls_context({id.files.cert_chain, id2.files.private_key});
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("does not match"), std::string::npos) << e.what();
  }
}

// An implicit-TLS listener whose handler reports the negotiated TLS and closes.
struct TlsServer {
  explicit TlsServer(asio::io_context& io)
      : io(io),
        identity(ensure_self_signed(dir.path(), "localhost")),
        ctx(make_server_tls_context(identity.files)),
        listener(io.get_executor(),
                 ListenerConfig{.endpoint = "127.0.0.1:0", .protocol = "test-tls", .tls = TlsMode::implicit,
                                .tls_context = &ctx, .limits = {.tls_handshake_timeout = 2s}},
                 [](Stream s, ConnectionInfo) -> asio::awaitable<void> {
                   co_await write_all(s, s.tls_description() + "\r\n", 2s);
                   co_await s.shutdown(1s);
                 },
                 metrics) {
    listener.start();
  }
  // Sessions use the registry and the context: let them all end first.
  ~TlsServer() {
    listener.stop();
    listener.close_sessions();
    for (int i = 0; i < 100 && listener.live_sessions() > 0; ++i) test::settle(io, 20ms);
  }
  asio::io_context& io;
  metrics::Registry metrics;
  test::TempDir dir;
  TlsIdentity identity;
  ssl::context ctx;
  Listener listener;
};

struct HandshakeOutcome {
  error_code ec;
  std::string line;
};

asio::awaitable<HandshakeOutcome> try_client(tcp::endpoint ep, ssl::context& client_ctx) {
  auto ex = co_await asio::this_coro::executor;
  ssl::stream<tcp::socket> s(ex, client_ctx);
  co_await s.next_layer().async_connect(ep, asio::use_awaitable);
  SSL_set_tlsext_host_name(s.native_handle(), "localhost");
  s.set_verify_callback(ssl::host_name_verification("localhost"));
  HandshakeOutcome out;
  auto [ec] = co_await s.async_handshake(ssl::stream_base::client, asio::as_tuple(asio::use_awaitable));
  out.ec = ec;
  if (ec) co_return out;
  asio::streambuf sb;
  auto [rec, n] = co_await asio::async_read_until(s, sb, "\r\n", asio::as_tuple(asio::use_awaitable));
  if (!rec) {
    out.line.assign(asio::buffers_begin(sb.data()), asio::buffers_begin(sb.data()) + n - 2);
  }
  co_return out;
}

TEST(TlsPolicy, Tls13ClientIsAcceptedAndVerifiesTheSelfSignedCertificate) {
  asio::io_context io;
  TlsServer server(io);
  auto client_ctx = test::verifying_client_context(server.identity.files.cert_chain);
  SSL_CTX_set_min_proto_version(client_ctx.native_handle(), TLS1_3_VERSION);
  auto out = run(io, try_client(server.listener.local_endpoint(), client_ctx));
  ASSERT_FALSE(out.ec) << out.ec.message();
  EXPECT_TRUE(out.line.starts_with("TLSv1.3 TLS_")) << out.line;
}

TEST(TlsPolicy, Tls12ClientGetsAnEcdheAeadSuite) {
  asio::io_context io;
  TlsServer server(io);
  auto client_ctx = test::verifying_client_context(server.identity.files.cert_chain);
  SSL_CTX_set_max_proto_version(client_ctx.native_handle(), TLS1_2_VERSION);
  auto out = run(io, try_client(server.listener.local_endpoint(), client_ctx));
  ASSERT_FALSE(out.ec) << out.ec.message();
  EXPECT_EQ(out.line, "TLSv1.2 ECDHE-ECDSA-AES128-GCM-SHA256");
}

TEST(TlsPolicy, Tls11ClientIsRefusedWithAProtocolVersionAlert) {
  asio::io_context io;
  TlsServer server(io);
  ssl::context client_ctx(ssl::context::tls_client);
  // Let the client offer TLS 1.1 at all (OpenSSL 3 hides it below security level 0).
  SSL_CTX_set_security_level(client_ctx.native_handle(), 0);
  SSL_CTX_set_cipher_list(client_ctx.native_handle(), "DEFAULT:@SECLEVEL=0");
  SSL_CTX_set_min_proto_version(client_ctx.native_handle(), TLS1_VERSION);
  SSL_CTX_set_max_proto_version(client_ctx.native_handle(), TLS1_1_VERSION);
  auto out = run(io, try_client(server.listener.local_endpoint(), client_ctx));
  ASSERT_TRUE(out.ec);
  // The server answered with a protocol_version alert: the refusal is the server's policy.
  EXPECT_EQ(ERR_GET_REASON(static_cast<unsigned long>(out.ec.value())), SSL_R_TLSV1_ALERT_PROTOCOL_VERSION)
      << out.ec.message();
  test::settle(io, 200ms);
  EXPECT_NE(server.metrics.render().find(
                R"(atrium_connection_errors_total{proto="test-tls",reason="tls_handshake"} 1)"),
            std::string::npos)
      << server.metrics.render();
}

TEST(TlsPolicy, Tls12ClientWithOnlyCbcSuitesIsRefused) {
  asio::io_context io;
  TlsServer server(io);
  ssl::context client_ctx(ssl::context::tls_client);
  SSL_CTX_set_max_proto_version(client_ctx.native_handle(), TLS1_2_VERSION);
  SSL_CTX_set_cipher_list(client_ctx.native_handle(), "ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:AES128-SHA");
  auto out = run(io, try_client(server.listener.local_endpoint(), client_ctx));
  EXPECT_TRUE(out.ec);
}

TEST(TlsPolicy, PlainClientOnImplicitTlsPortTimesOutOrFailsHandshake) {
  asio::io_context io;
  TlsServer server(io);
  run(io, [&]() -> asio::awaitable<void> {
    tcp::socket s(co_await asio::this_coro::executor);
    co_await s.async_connect(server.listener.local_endpoint(), asio::use_awaitable);
    co_await asio::async_write(s, asio::buffer(std::string_view("EHLO example\r\n")), asio::use_awaitable);
    char c;
    auto [ec, n] = co_await s.async_read_some(asio::buffer(&c, 1), asio::as_tuple(asio::use_awaitable));
    // An alert record or a close; either way no plaintext greeting.
    if (!ec) {
      EXPECT_EQ(static_cast<unsigned char>(c), 0x15);  // TLS alert content type
    }
  }());
}

}  // namespace
}  // namespace atrium::net
