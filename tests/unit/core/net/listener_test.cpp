// Listener: endpoint parsing, connection limits, STARTTLS round trip (with the CVE-2011-0411
// discard), session interrupt/close for shutdown, stop(), handler exceptions, metrics.
#include "core/net/line.hpp"
#include "core/net/listener.hpp"
#include "core/net/tls.hpp"
#include "tests/unit/core/net/net_test_support.hpp"

#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include <gtest/gtest.h>

namespace atrium::net {
namespace {

using namespace std::chrono_literals;
using test::run;

TEST(ParseEndpoint, AcceptsIpLiterals) {
  EXPECT_EQ(parse_endpoint("127.0.0.1:2143"), tcp::endpoint(asio::ip::make_address("127.0.0.1"), 2143));
  EXPECT_EQ(parse_endpoint("[::1]:2143"), tcp::endpoint(asio::ip::make_address("::1"), 2143));
  EXPECT_EQ(parse_endpoint("0.0.0.0:25"), tcp::endpoint(asio::ip::make_address("0.0.0.0"), 25));
  EXPECT_EQ(parse_endpoint("[::]:0"), tcp::endpoint(asio::ip::make_address("::"), 0));
  EXPECT_EQ(format_endpoint(parse_endpoint("[::1]:993")), "[::1]:993");
  EXPECT_EQ(format_endpoint(parse_endpoint("10.0.0.1:65535")), "10.0.0.1:65535");
}

TEST(ParseEndpoint, ErrorsNameTheText) {
  for (const char* bad : {"", "127.0.0.1", "127.0.0.1:", ":25", "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:2x",
                          "::1:25", "[::1]25", "[::1", "[127.0.0.1]:25", "localhost:25", "1.2.3:25", "[::1]:"}) {
    try {
      parse_endpoint(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("'" + std::string(bad) + "'"), std::string::npos) << e.what();
    }
  }
}

TEST(ListenerConfigErrors, ImplicitTlsWithoutContextAndBindFailures) {
  asio::io_context io;
  metrics::Registry m;
  auto noop = [](Stream, ConnectionInfo) -> asio::awaitable<void> { co_return; };
  EXPECT_THROW(Listener(io.get_executor(), {.endpoint = "127.0.0.1:0", .protocol = "x", .tls = TlsMode::implicit}, noop, m),
               std::invalid_argument);
  EXPECT_THROW(Listener(io.get_executor(), {.endpoint = "nonsense", .protocol = "x"}, noop, m), std::invalid_argument);
  Listener first(io.get_executor(), {.endpoint = "127.0.0.1:0", .protocol = "x"}, noop, m);
  const auto taken = format_endpoint(first.local_endpoint());
  try {
    Listener second(io.get_executor(), {.endpoint = taken, .protocol = "x"}, noop, m);
    FAIL() << "bound twice";
  } catch (const boost::system::system_error& e) {
    EXPECT_NE(std::string(e.what()).find(taken), std::string::npos) << e.what();
  }
}

// A greeting, then line echo until the peer closes; "* BYE" when interrupted.
asio::awaitable<void> echo_session(Stream s, ConnectionInfo) {
  Buffer buf;
  co_await write_all(s, "* OK hello\r\n", 2s);
  for (;;) {
    auto r = co_await read_line(s, buf, 1000, 30s);
    if (r.error == ReadError::cancelled) {
      co_await write_all(s, "* BYE shutting down\r\n", 2s);
      break;
    }
    if (!r) break;
    co_await write_all(s, r.data + "\r\n", 2s);
  }
  co_await s.shutdown(1s);
}

asio::awaitable<std::string> read_reply(tcp::socket& s, asio::streambuf& sb) {
  auto [ec, n] = co_await asio::async_read_until(s, sb, "\r\n", asio::as_tuple(asio::use_awaitable));
  if (ec) co_return "<" + ec.message() + ">";
  std::string line(asio::buffers_begin(sb.data()), asio::buffers_begin(sb.data()) + n - 2);
  sb.consume(n);
  co_return line;
}

// Connects from `from` (127.0.0.x) and returns the first line or "<error>".
asio::awaitable<std::pair<tcp::socket, std::string>> connect_and_greet(tcp::endpoint ep, const char* from = "127.0.0.1") {
  tcp::socket s(co_await asio::this_coro::executor);
  s.open(tcp::v4());
  s.bind(tcp::endpoint(asio::ip::make_address(from), 0));
  co_await s.async_connect(ep, asio::use_awaitable);
  asio::streambuf sb;
  auto line = co_await read_reply(s, sb);
  co_return std::pair{std::move(s), line};
}

asio::awaitable<void> wait_until(std::function<bool()> pred, std::chrono::milliseconds limit = 3000ms) {
  asio::steady_timer t(co_await asio::this_coro::executor);
  for (auto waited = 0ms; !pred() && waited < limit; waited += 10ms) {
    t.expires_after(10ms);
    co_await t.async_wait(asio::use_awaitable);
  }
}

bool has(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

// Lets every session end before the registry and the listener go away.
void drain(asio::io_context& io, Listener& l) {
  l.stop();
  l.close_sessions();
  for (int i = 0; i < 100 && l.live_sessions() > 0; ++i) test::settle(io, 20ms);
}

TEST(Listener, PerIpLimitRefusesTheExtraConnectionAndCountsIt) {
  metrics::Registry m;
  asio::io_context io;
  Listener l(io.get_executor(),
             {.endpoint = "127.0.0.1:0", .protocol = "imap", .limits = {.max_connections = 100, .max_connections_per_ip = 2}},
             echo_session, m);
  l.start();
  run(io, [&]() -> asio::awaitable<void> {
    auto [c1, g1] = co_await connect_and_greet(l.local_endpoint());
    auto [c2, g2] = co_await connect_and_greet(l.local_endpoint());
    auto [c3, g3] = co_await connect_and_greet(l.local_endpoint());
    EXPECT_EQ(g1, "* OK hello");
    EXPECT_EQ(g2, "* OK hello");
    EXPECT_EQ(g3, "<End of file>");  // closed without a word
    // Another address is counted separately.
    auto [d1, h1] = co_await connect_and_greet(l.local_endpoint(), "127.0.0.2");
    EXPECT_EQ(h1, "* OK hello");
    EXPECT_EQ(l.live_sessions(), 3u);
    const auto text = m.render();
    EXPECT_TRUE(has(text, R"(atrium_connection_errors_total{proto="imap",reason="limit_per_ip"} 1)")) << text;
    EXPECT_TRUE(has(text, R"(atrium_connections_open{proto="imap"} 3)")) << text;
    EXPECT_TRUE(has(text, R"(atrium_connections_total{proto="imap"} 3)")) << text;
    // A slot frees up when a session ends.
    c1.close();
    co_await wait_until([&] { return l.live_sessions() == 2; });
    auto [c4, g4] = co_await connect_and_greet(l.local_endpoint());
    EXPECT_EQ(g4, "* OK hello");
  }());
  drain(io, l);
  EXPECT_TRUE(has(m.render(), R"(atrium_connections_open{proto="imap"} 0)"));
}

TEST(Listener, GlobalLimitRefusesConnectionsBeyondIt) {
  metrics::Registry m;
  asio::io_context io;
  Listener l(io.get_executor(),
             {.endpoint = "127.0.0.1:0", .protocol = "pop3", .limits = {.max_connections = 1, .max_connections_per_ip = 10}},
             echo_session, m);
  l.start();
  run(io, [&]() -> asio::awaitable<void> {
    auto [c1, g1] = co_await connect_and_greet(l.local_endpoint());
    auto [c2, g2] = co_await connect_and_greet(l.local_endpoint(), "127.0.0.3");
    EXPECT_EQ(g1, "* OK hello");
    EXPECT_EQ(g2, "<End of file>");
    EXPECT_TRUE(has(m.render(), R"(atrium_connection_errors_total{proto="pop3",reason="limit_total"} 1)"));
  }());
  drain(io, l);
}

TEST(Listener, ConnectionInfoDescribesBothEnds) {
  metrics::Registry m;
  asio::io_context io;
  ConnectionIds ids;
  ConnectionInfo seen;
  auto record = [&](Stream s, ConnectionInfo info) -> asio::awaitable<void> {
    seen = info;
    co_await write_all(s, "hi\r\n", 2s);
    co_await s.shutdown(1s);
  };
  Listener a(io.get_executor(), {.endpoint = "127.0.0.1:0", .protocol = "smtp", .ids = &ids}, record, m);
  Listener b(io.get_executor(), {.endpoint = "127.0.0.1:0", .protocol = "submission", .ids = &ids}, record, m);
  a.start();
  b.start();
  run(io, [&]() -> asio::awaitable<void> {
    auto [c1, g1] = co_await connect_and_greet(a.local_endpoint());
    EXPECT_EQ(seen.protocol, "smtp");
    EXPECT_EQ(seen.remote_address, asio::ip::make_address("127.0.0.1"));
    EXPECT_EQ(seen.remote_port, c1.local_endpoint().port());
    EXPECT_EQ(seen.local_endpoint, a.local_endpoint());
    EXPECT_EQ(seen.peer(), format_endpoint(c1.local_endpoint()));
    const auto first = seen.id;
    auto [c2, g2] = co_await connect_and_greet(b.local_endpoint());
    EXPECT_EQ(seen.protocol, "submission");
    EXPECT_NE(seen.id, first);  // one numbering across listeners
  }());
  drain(io, a);
  drain(io, b);
}

TEST(Listener, StarttlsRoundTripDiscardsBytesPipelinedBeforeTheHandshake) {
  metrics::Registry m;
  test::TempDir dir;
  const auto id = ensure_self_signed(dir.path(), "localhost");
  auto server_ctx = make_server_tls_context(id.files);
  asio::io_context io;
  std::size_t discarded = 0;
  auto session = [&](Stream s, ConnectionInfo) -> asio::awaitable<void> {
    Buffer buf;
    co_await write_all(s, "220 ready\r\n", 2s);
    auto cmd = co_await read_line(s, buf, 512, 5s);
    if (cmd.data != "STARTTLS") co_return;
    co_await write_all(s, "220 go ahead\r\n", 2s);
    auto up = co_await start_tls(s, buf, server_ctx, 5s);
    discarded = up.discarded;
    if (!up.ok()) co_return;
    EXPECT_TRUE(s.is_tls());
    // Over TLS now: the first line must be the client's, not the injected one.
    auto line = co_await read_line(s, buf, 512, 5s);
    co_await write_all(s, "250 " + line.data + " " + s.tls_description() + "\r\n", 2s);
    co_await s.shutdown(1s);
  };
  Listener l(io.get_executor(), {.endpoint = "127.0.0.1:0", .protocol = "smtp", .tls_context = &server_ctx}, session, m);
  l.start();
  auto client_ctx = test::verifying_client_context(id.files.cert_chain);
  run(io, [&]() -> asio::awaitable<void> {
    tcp::socket sock(co_await asio::this_coro::executor);
    co_await sock.async_connect(l.local_endpoint(), asio::use_awaitable);
    asio::streambuf sb;
    EXPECT_EQ(co_await read_reply(sock, sb), "220 ready");
    // The attack of CVE-2011-0411: a command smuggled behind STARTTLS in the same packet.
    co_await asio::async_write(sock, asio::buffer(std::string_view("STARTTLS\r\nRCPT TO:<evil@example>\r\n")),
                               asio::use_awaitable);
    EXPECT_EQ(co_await read_reply(sock, sb), "220 go ahead");
    EXPECT_EQ(sb.size(), 0u);
    ssl::stream<tcp::socket> tls(std::move(sock), client_ctx);
    SSL_set_tlsext_host_name(tls.native_handle(), "localhost");
    tls.set_verify_callback(ssl::host_name_verification("localhost"));
    auto [hec] = co_await tls.async_handshake(ssl::stream_base::client, asio::as_tuple(asio::use_awaitable));
    EXPECT_FALSE(hec) << hec.message();
    if (hec) co_return;
    co_await asio::async_write(tls, asio::buffer(std::string_view("EHLO client.example\r\n")), asio::use_awaitable);
    asio::streambuf sb2;
    auto [ec, n] = co_await asio::async_read_until(tls, sb2, "\r\n", asio::as_tuple(asio::use_awaitable));
    EXPECT_FALSE(ec) << ec.message();
    if (ec) co_return;
    std::string reply(asio::buffers_begin(sb2.data()), asio::buffers_begin(sb2.data()) + n - 2);
    EXPECT_TRUE(reply.starts_with("250 EHLO client.example TLSv1.3 TLS_")) << reply;
  }());
  EXPECT_EQ(discarded, std::string_view("RCPT TO:<evil@example>\r\n").size());
  drain(io, l);
}

TEST(Listener, InterruptSessionsLetsThemSayGoodbye) {
  metrics::Registry m;
  asio::io_context io;
  Listener l(io.get_executor(), {.endpoint = "127.0.0.1:0", .protocol = "imap"}, echo_session, m);
  l.start();
  run(io, [&]() -> asio::awaitable<void> {
    auto [c1, g1] = co_await connect_and_greet(l.local_endpoint());
    auto [c2, g2] = co_await connect_and_greet(l.local_endpoint());
    EXPECT_EQ(l.live_sessions(), 2u);
    l.stop();
    l.interrupt_sessions();
    asio::streambuf sb1, sb2;
    EXPECT_EQ(co_await read_reply(c1, sb1), "* BYE shutting down");
    EXPECT_EQ(co_await read_reply(c2, sb2), "* BYE shutting down");
    co_await wait_until([&] { return l.live_sessions() == 0; });
    EXPECT_EQ(l.live_sessions(), 0u);
    // Stopped: nobody accepts any more.
    tcp::socket late(co_await asio::this_coro::executor);
    auto [ec] = co_await late.async_connect(l.local_endpoint(), asio::as_tuple(asio::use_awaitable));
    EXPECT_EQ(ec, asio::error::connection_refused);
  }());
  drain(io, l);
}

TEST(Listener, CloseSessionsEndsSessionsThatKeepReading) {
  metrics::Registry m;
  asio::io_context io;
  Listener l(io.get_executor(), {.endpoint = "127.0.0.1:0", .protocol = "pop3"}, echo_session, m);
  l.start();
  run(io, [&]() -> asio::awaitable<void> {
    auto [c1, g1] = co_await connect_and_greet(l.local_endpoint());
    EXPECT_EQ(l.live_sessions(), 1u);
    l.close_sessions();
    co_await wait_until([&] { return l.live_sessions() == 0; });
    EXPECT_EQ(l.live_sessions(), 0u);
    asio::streambuf sb;
    EXPECT_EQ(co_await read_reply(c1, sb), "<End of file>");
  }());
  drain(io, l);
}

TEST(Listener, HandlerExceptionIsLoggedCountedAndClosesTheConnection) {
  metrics::Registry m;
  asio::io_context io;
  auto throwing = [](Stream s, ConnectionInfo) -> asio::awaitable<void> {
    co_await write_all(s, "hello\r\n", 2s);
    throw std::runtime_error("boom");
  };
  Listener l(io.get_executor(), {.endpoint = "127.0.0.1:0", .protocol = "sieve"}, throwing, m);
  l.start();
  run(io, [&]() -> asio::awaitable<void> {
    auto [c, g] = co_await connect_and_greet(l.local_endpoint());
    EXPECT_EQ(g, "hello");
    asio::streambuf sb;
    EXPECT_EQ(co_await read_reply(c, sb), "<End of file>");
    co_await wait_until([&] { return l.live_sessions() == 0; });
  }());
  EXPECT_TRUE(has(m.render(), R"(atrium_connection_errors_total{proto="sieve",reason="handler_exception"} 1)"));
  drain(io, l);
}

TEST(Listener, ImplicitTlsHandshakeTimesOut) {
  metrics::Registry m;
  test::TempDir dir;
  auto ctx = make_server_tls_context(ensure_self_signed(dir.path(), "localhost").files);
  asio::io_context io;
  Listener l(io.get_executor(),
             {.endpoint = "127.0.0.1:0", .protocol = "imaps", .tls = TlsMode::implicit, .tls_context = &ctx,
              .limits = {.tls_handshake_timeout = 200ms}},
             echo_session, m);
  l.start();
  run(io, [&]() -> asio::awaitable<void> {
    tcp::socket s(co_await asio::this_coro::executor);
    co_await s.async_connect(l.local_endpoint(), asio::use_awaitable);
    const auto t0 = std::chrono::steady_clock::now();
    char c;
    auto [ec, n] = co_await s.async_read_some(asio::buffer(&c, 1), asio::as_tuple(asio::use_awaitable));
    EXPECT_TRUE(ec);  // closed by the server after the handshake timeout
    EXPECT_GE(std::chrono::steady_clock::now() - t0, 150ms);
    co_await wait_until([&] { return l.live_sessions() == 0; });
  }());
  EXPECT_TRUE(has(m.render(), R"(atrium_connection_errors_total{proto="imaps",reason="tls_handshake"} 1)"));
  drain(io, l);
}

}  // namespace
}  // namespace atrium::net

namespace atrium::net {
namespace {

TEST(ConnectionGate, LimitsHoldAcrossEveryListenerSharingTheGate) {
  ConnectionGate gate(3, 2);
  auto a = asio::ip::make_address("192.0.2.1");
  auto b = asio::ip::make_address("192.0.2.2");
  auto v6 = asio::ip::make_address("2001:db8::1");
  auto v6_same_64 = asio::ip::make_address("2001:db8::ffff");
  EXPECT_EQ(gate.acquire(a), ConnectionGate::Admission::admitted);
  EXPECT_EQ(gate.acquire(a), ConnectionGate::Admission::admitted);
  EXPECT_EQ(gate.acquire(a), ConnectionGate::Admission::limit_per_ip);
  EXPECT_EQ(gate.acquire(v6), ConnectionGate::Admission::admitted);
  EXPECT_EQ(gate.acquire(b), ConnectionGate::Admission::limit_total);
  gate.release(v6);
  EXPECT_EQ(gate.acquire(v6_same_64), ConnectionGate::Admission::admitted);
  EXPECT_EQ(gate.acquire(v6), ConnectionGate::Admission::limit_total);
  gate.release(a);
  gate.release(a);
  gate.release(v6_same_64);
  EXPECT_EQ(gate.open(), 0u);
  EXPECT_EQ(gate.acquire(v6), ConnectionGate::Admission::admitted);
  EXPECT_EQ(gate.acquire(v6_same_64), ConnectionGate::Admission::admitted);
  EXPECT_EQ(gate.acquire(v6), ConnectionGate::Admission::limit_per_ip);  // one /64 counts as one client
}

}  // namespace
}  // namespace atrium::net
