// The HTTP/1.1 server end to end on loopback: built-in routes, 404/405, limits (413/431), 400,
// keep-alive, timeouts, 100-continue, handler exceptions, HEAD, and HTTPS via implicit TLS.
#include "core/http/builtin.hpp"
#include "core/http/server.hpp"
#include "core/net/tls.hpp"
#include "tests/unit/core/net/net_test_support.hpp"

#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/parser.hpp>

#include <gtest/gtest.h>

#include <optional>

namespace atrium::http {
namespace {

using namespace std::chrono_literals;
using test::run;
using tcp = asio::ip::tcp;
namespace bhttp = beast::http;

bool has(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

// A server with the built-in routes and a few test routes on 127.0.0.1:0.
struct HttpServer {
  explicit HttpServer(ServerOptions options = {}, net::TlsMode tls = net::TlsMode::none, ssl::context* ctx = nullptr) {
    auto r = std::make_shared<Router>();
    add_builtin_routes(*r, metrics);
    r->add(verb::post, "/echo", [](Request& req, RequestContext&) -> asio::awaitable<Response> {
      co_return text_response(status::ok, req.body());
    });
    r->add(verb::get, "/boom", [](Request&, RequestContext&) -> asio::awaitable<Response> {
      throw std::runtime_error("handler bug");
      co_return text_response(status::ok, "unreachable");
    });
    r->add(verb::get, "/whoami/", [](Request&, RequestContext& ctx) -> asio::awaitable<Response> {
      co_return text_response(status::ok, std::string("tls=") + (ctx.tls ? "1" : "0") + " path=" + std::string(ctx.path) +
                                              " query=" + std::string(ctx.query) + " route=" + std::string(ctx.route) +
                                              " proto=" + ctx.connection.protocol);
    });
    auto server = std::make_shared<const Server>(r, options, metrics);
    listener.emplace(io.get_executor(),
                     net::ListenerConfig{.endpoint = "127.0.0.1:0", .protocol = "http", .tls = tls, .tls_context = ctx},
                     connection_handler(server), metrics);
    listener->start();
  }
  ~HttpServer() {
    listener->stop();
    listener->close_sessions();
    for (int i = 0; i < 200 && listener->live_sessions() > 0; ++i) test::settle(io, 20ms);
  }
  tcp::endpoint endpoint() const { return listener->local_endpoint(); }

  metrics::Registry metrics;  // outlives io: sessions update it while they are torn down
  asio::io_context io;
  std::optional<net::Listener> listener;
};

struct Reply {
  std::optional<bhttp::response<bhttp::string_body>> res;
  beast::error_code ec;
};

template <class S>
asio::awaitable<Reply> read_reply(S& s, beast::flat_buffer& buf, bool head = false) {
  bhttp::response_parser<bhttp::string_body> p;
  p.body_limit(1 << 24);
  if (head) p.skip(true);
  auto [ec, n] = co_await bhttp::async_read(s, buf, p, asio::as_tuple(asio::use_awaitable));
  Reply r;
  r.ec = ec;
  if (!ec) r.res = p.release();
  co_return r;
}

template <class S>
asio::awaitable<Reply> exchange(S& s, beast::flat_buffer& buf, std::string_view raw, bool head = false) {
  co_await asio::async_write(s, asio::buffer(raw), asio::use_awaitable);
  co_return co_await read_reply(s, buf, head);
}

asio::awaitable<tcp::socket> connect(tcp::endpoint ep) {
  tcp::socket s(co_await asio::this_coro::executor);
  co_await s.async_connect(ep, asio::use_awaitable);
  co_return s;
}

// True if the server closes the connection within `limit` (reads until end of stream).
asio::awaitable<bool> closed_within(tcp::socket& s, std::chrono::milliseconds limit) {
  asio::steady_timer t(co_await asio::this_coro::executor);
  bool fired = false;
  t.expires_after(limit);
  t.async_wait([&](const beast::error_code& ec) {
    if (!ec) {
      fired = true;
      s.cancel();
    }
  });
  char buf[256];
  for (;;) {
    auto [ec, n] = co_await s.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
    if (ec) {
      t.cancel();
      co_return !fired;
    }
  }
}

constexpr std::string_view get_healthz = "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n";

TEST(HttpServer, HealthzIsOk) {
  HttpServer srv;
  run(srv.io, [&]() -> asio::awaitable<void> {
    auto s = co_await connect(srv.endpoint());
    beast::flat_buffer buf;
    auto r = co_await exchange(s, buf, get_healthz);
    EXPECT_FALSE(r.ec) << r.ec.message();
    if (!r.res) co_return;
    EXPECT_EQ(r.res->result(), status::ok);
    EXPECT_EQ(r.res->body(), "ok\n");
    EXPECT_EQ((*r.res)[bhttp::field::content_type], "text/plain");
    EXPECT_EQ((*r.res)[bhttp::field::server], "Atrium");
    EXPECT_TRUE(has(std::string((*r.res)[bhttp::field::date]), " GMT"));
  }());
}

TEST(HttpServer, HeadHasTheGetHeadersButNoBody) {
  HttpServer srv;
  run(srv.io, [&]() -> asio::awaitable<void> {
    auto s = co_await connect(srv.endpoint());
    beast::flat_buffer buf;
    auto r = co_await exchange(s, buf, "HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n", true);
    EXPECT_FALSE(r.ec) << r.ec.message();
    if (!r.res) co_return;
    EXPECT_EQ(r.res->result(), status::ok);
    EXPECT_EQ((*r.res)[bhttp::field::content_length], "3");
    // HEAD on a GET-only route works too, and the connection is still in step afterwards.
    auto m = co_await exchange(s, buf, "HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n", true);
    EXPECT_EQ(m.res->result(), status::ok);
    auto g = co_await exchange(s, buf, get_healthz);
    EXPECT_EQ(g.res->body(), "ok\n");
  }());
}

TEST(HttpServer, MetricsAreServedInPrometheusFormat) {
  HttpServer srv;
  run(srv.io, [&]() -> asio::awaitable<void> {
    auto s = co_await connect(srv.endpoint());
    beast::flat_buffer buf;
    co_await exchange(s, buf, get_healthz);
    co_await exchange(s, buf, "GET /nothing-here HTTP/1.1\r\nHost: x\r\n\r\n");
    auto r = co_await exchange(s, buf, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_FALSE(r.ec);
    if (!r.res) co_return;
    EXPECT_EQ(r.res->result(), status::ok);
    EXPECT_EQ((*r.res)[bhttp::field::content_type], "text/plain; version=0.0.4");
    const auto& body = r.res->body();
    EXPECT_TRUE(has(body, "# TYPE atrium_http_requests_total counter")) << body;
    EXPECT_TRUE(has(body, R"(atrium_http_requests_total{code="200"} 1)")) << body;
    EXPECT_TRUE(has(body, R"(atrium_http_requests_total{code="404"} 1)")) << body;
    EXPECT_TRUE(has(body, R"(atrium_connections_open{proto="http"} 1)")) << body;
  }());
}

TEST(HttpServer, UnknownPathIs404AndWrongMethodIs405WithAllow) {
  HttpServer srv;
  run(srv.io, [&]() -> asio::awaitable<void> {
    auto s = co_await connect(srv.endpoint());
    beast::flat_buffer buf;
    auto nf = co_await exchange(s, buf, "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(nf.res->result(), status::not_found);
    auto na = co_await exchange(s, buf, "DELETE /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(na.res->result(), status::method_not_allowed);
    EXPECT_EQ((*na.res)[bhttp::field::allow], "GET, HEAD");
    auto post = co_await exchange(s, buf, "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi");
    EXPECT_EQ(post.res->result(), status::method_not_allowed);
    EXPECT_EQ((*post.res)[bhttp::field::allow], "GET, HEAD");
  }());
}

TEST(HttpServer, OversizedBodyIs413) {
  HttpServer srv({.max_body_bytes = 1024});
  run(srv.io, [&]() -> asio::awaitable<void> {
    {
      auto s = co_await connect(srv.endpoint());
      beast::flat_buffer buf;
      auto ok = co_await exchange(s, buf, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1024\r\n\r\n" + std::string(1024, 'a'));
      EXPECT_EQ(ok.res->result(), status::ok);
      EXPECT_EQ(ok.res->body().size(), 1024u);
      auto big = co_await exchange(s, buf, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4096\r\n\r\n" + std::string(4096, 'b'));
      EXPECT_FALSE(big.ec) << big.ec.message();
      if (!big.res) co_return;
      EXPECT_EQ(big.res->result(), status::payload_too_large);
      EXPECT_FALSE(big.res->keep_alive());
      EXPECT_TRUE(co_await closed_within(s, 2000ms));
    }
    {
      // Chunked: the limit is only noticed while reading the body.
      auto s = co_await connect(srv.endpoint());
      beast::flat_buffer buf;
      std::string req = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
      for (int i = 0; i < 3; ++i) req += "400\r\n" + std::string(1024, 'c') + "\r\n";
      req += "0\r\n\r\n";
      auto big = co_await exchange(s, buf, req);
      EXPECT_FALSE(big.ec) << big.ec.message();
      if (!big.res) co_return;
      EXPECT_EQ(big.res->result(), status::payload_too_large);
    }
  }());
}

TEST(HttpServer, OversizedHeaderIs431) {
  HttpServer srv;
  run(srv.io, [&]() -> asio::awaitable<void> {
    auto s = co_await connect(srv.endpoint());
    beast::flat_buffer buf;
    auto r = co_await exchange(s, buf, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20 * 1024, 'h') + "\r\n\r\n");
    EXPECT_FALSE(r.ec) << r.ec.message();
    if (!r.res) co_return;
    EXPECT_EQ(r.res->result(), status::request_header_fields_too_large);
    EXPECT_TRUE(co_await closed_within(s, 2000ms));
  }());
  EXPECT_TRUE(has(srv.metrics.render(), R"(atrium_http_requests_total{code="431"} 1)"));
}

TEST(HttpServer, MalformedRequestsAre400) {
  HttpServer srv;
  run(srv.io, [&]() -> asio::awaitable<void> {
    for (std::string_view bad : {std::string_view("GET /healthz HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n"),
                                 std::string_view("GET /healthz HTTP/1.1\r\n\r\n"),  // no Host
                                 std::string_view("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: zz\r\n\r\n")}) {
      auto s = co_await connect(srv.endpoint());
      beast::flat_buffer buf;
      auto r = co_await exchange(s, buf, bad);
      EXPECT_FALSE(r.ec) << r.ec.message() << " for " << bad;
      if (!r.res) continue;
      EXPECT_EQ(r.res->result(), status::bad_request) << bad;
      EXPECT_TRUE(co_await closed_within(s, 2000ms)) << bad;
    }
    // A target that is not a path: the framing is intact, so the connection stays usable.
    auto s = co_await connect(srv.endpoint());
    beast::flat_buffer buf;
    auto r = co_await exchange(s, buf, "GET healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(r.res->result(), status::bad_request);
    auto ok = co_await exchange(s, buf, get_healthz);
    EXPECT_EQ(ok.res->result(), status::ok);
  }());
}

TEST(HttpServer, KeepAliveServesTwoRequestsOnOneConnection) {
  HttpServer srv;
  run(srv.io, [&]() -> asio::awaitable<void> {
    auto s = co_await connect(srv.endpoint());
    beast::flat_buffer buf;
    auto a = co_await exchange(s, buf, get_healthz);
    auto b = co_await exchange(s, buf, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
    EXPECT_EQ(a.res->result(), status::ok);
    EXPECT_TRUE(a.res->keep_alive());
    EXPECT_EQ(b.res->body(), "hello");
    // Pipelined: both requests in one write, answered in order.
    co_await asio::async_write(s, asio::buffer(std::string(get_healthz) + std::string(get_healthz)), asio::use_awaitable);
    auto c = co_await read_reply(s, buf);
    auto d = co_await read_reply(s, buf);
    EXPECT_EQ(c.res->body(), "ok\n");
    EXPECT_EQ(d.res->body(), "ok\n");
  }());
  EXPECT_TRUE(has(srv.metrics.render(), R"(atrium_connections_total{proto="http"} 1)"));
}

TEST(HttpServer, ConnectionCloseAndHttp10EndTheConnection) {
  HttpServer srv;
  run(srv.io, [&]() -> asio::awaitable<void> {
    auto s = co_await connect(srv.endpoint());
    beast::flat_buffer buf;
    auto a = co_await exchange(s, buf, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_FALSE(a.res->keep_alive());
    EXPECT_TRUE(co_await closed_within(s, 2000ms));
    auto t = co_await connect(srv.endpoint());
    beast::flat_buffer buf2;
    auto b = co_await exchange(t, buf2, "GET /healthz HTTP/1.0\r\n\r\n");
    EXPECT_EQ(b.res->result(), status::ok);
    EXPECT_EQ(b.res->version(), 10u);
    EXPECT_TRUE(co_await closed_within(t, 2000ms));
  }());
}

TEST(HttpServer, IdleTimeoutClosesTheConnection) {
  HttpServer srv({.idle_timeout = 200ms});
  run(srv.io, [&]() -> asio::awaitable<void> {
    auto s = co_await connect(srv.endpoint());
    beast::flat_buffer buf;
    auto a = co_await exchange(s, buf, get_healthz);
    EXPECT_EQ(a.res->result(), status::ok);
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_TRUE(co_await closed_within(s, 3000ms));
    EXPECT_GE(std::chrono::steady_clock::now() - t0, 150ms);
    // A connection that never sends a byte is closed too.
    auto silent = co_await connect(srv.endpoint());
    EXPECT_TRUE(co_await closed_within(silent, 3000ms));
  }());
}

TEST(HttpServer, SlowHeaderIsCutOffByTheHeaderTimeout) {
  HttpServer srv({.header_timeout = 200ms});
  run(srv.io, [&]() -> asio::awaitable<void> {
    auto s = co_await connect(srv.endpoint());
    co_await asio::async_write(s, asio::buffer(std::string_view("GET /healthz HTTP/1.1\r\nHost: x\r\n")),
                               asio::use_awaitable);
    EXPECT_TRUE(co_await closed_within(s, 3000ms));
  }());
}

TEST(HttpServer, HandlerExceptionIs500AndTheConnectionSurvives) {
  HttpServer srv;
  run(srv.io, [&]() -> asio::awaitable<void> {
    auto s = co_await connect(srv.endpoint());
    beast::flat_buffer buf;
    auto r = co_await exchange(s, buf, "GET /boom HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(r.res->result(), status::internal_server_error);
    EXPECT_FALSE(has(r.res->body(), "handler bug"));  // internals stay in the log
    auto again = co_await exchange(s, buf, get_healthz);
    EXPECT_EQ(again.res->result(), status::ok);
  }());
}

TEST(HttpServer, ExpectContinueGetsAnInterimResponse) {
  HttpServer srv;
  run(srv.io, [&]() -> asio::awaitable<void> {
    auto s = co_await connect(srv.endpoint());
    beast::flat_buffer buf;
    co_await asio::async_write(
        s, asio::buffer(std::string_view("POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")),
        asio::use_awaitable);
    auto interim = co_await read_reply(s, buf);
    EXPECT_EQ(interim.res->result(), status::continue_);
    co_await asio::async_write(s, asio::buffer(std::string_view("data")), asio::use_awaitable);
    auto r = co_await read_reply(s, buf);
    EXPECT_EQ(r.res->body(), "data");
  }());
}

TEST(HttpServer, ContextCarriesPathQueryRouteAndConnection) {
  HttpServer srv;
  run(srv.io, [&]() -> asio::awaitable<void> {
    auto s = co_await connect(srv.endpoint());
    beast::flat_buffer buf;
    auto r = co_await exchange(s, buf, "GET /whoami/a/b?x=1 HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(r.res->body(), "tls=0 path=/whoami/a/b query=x=1 route=/whoami/ proto=http");
    auto abs = co_await exchange(s, buf, "GET http://x/whoami/c HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(abs.res->body(), "tls=0 path=/whoami/c query= route=/whoami/ proto=http");
  }());
}

TEST(HttpServer, InterruptEndsAnIdleKeepAliveConnection) {
  HttpServer srv;
  run(srv.io, [&]() -> asio::awaitable<void> {
    auto s = co_await connect(srv.endpoint());
    beast::flat_buffer buf;
    auto a = co_await exchange(s, buf, get_healthz);
    EXPECT_EQ(a.res->result(), status::ok);
    srv.listener->interrupt_sessions();
    EXPECT_TRUE(co_await closed_within(s, 2000ms));
  }());
}

TEST(HttpServer, ServesHttpsOverImplicitTls) {
  test::TempDir dir;
  const auto id = net::ensure_self_signed(dir.path(), "localhost");
  auto server_ctx = net::make_server_tls_context(id.files);
  HttpServer srv({}, net::TlsMode::implicit, &server_ctx);
  auto client_ctx = test::verifying_client_context(id.files.cert_chain);
  run(srv.io, [&]() -> asio::awaitable<void> {
    ssl::stream<tcp::socket> s(co_await connect(srv.endpoint()), client_ctx);
    SSL_set_tlsext_host_name(s.native_handle(), "localhost");
    s.set_verify_callback(ssl::host_name_verification("localhost"));
    co_await s.async_handshake(ssl::stream_base::client, asio::use_awaitable);
    beast::flat_buffer buf;
    auto r = co_await exchange(s, buf, "GET /whoami/ HTTP/1.1\r\nHost: localhost\r\n\r\n");
    EXPECT_EQ(r.res->body(), "tls=1 path=/whoami/ query= route=/whoami/ proto=http");
    auto h = co_await exchange(s, buf, "GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(h.res->body(), "ok\n");
    // The server closes with close_notify, so the client sees a clean TLS end of stream.
    char c;
    auto [ec, n] = co_await s.async_read_some(asio::buffer(&c, 1), asio::as_tuple(asio::use_awaitable));
    EXPECT_EQ(ec, asio::error::eof) << ec.message();
  }());
}

}  // namespace
}  // namespace atrium::http
