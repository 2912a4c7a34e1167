// MTA-STS policy fetch over HTTPS with Beast.
#include "mail/queue/sts_fetch.hpp"

#include "mail/queue/dsn/mta_sts.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <openssl/ssl.h>

namespace atrium::mail::queue {
namespace {

namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto k_tuple = asio::as_tuple(asio::use_awaitable);

StsFetchResult failed(std::string why) { return {false, {}, std::move(why)}; }

}  // namespace

asio::awaitable<StsFetchResult> fetch_sts_policy(asio::any_io_executor executor, dns::Resolver& resolver,
                                                 ssl::context& tls, std::string domain, StsFetchOptions options) {
  std::string host = "mta-sts." + domain;
  std::vector<std::string> addresses;
  auto v4 = co_await resolver.a(host);
  auto v6 = co_await resolver.aaaa(host);
  for (auto& a : v4.records) addresses.push_back(a);
  for (auto& a : v6.records) addresses.push_back(a);
  if (addresses.empty()) co_return failed(host + " has no address (" + std::string(dns::to_string(v4.status)) + ")");

  std::string last_error;
  for (const auto& address : addresses) {
    boost::system::error_code ec;
    auto ip = asio::ip::make_address(address, ec);
    if (ec) continue;
    beast::ssl_stream<beast::tcp_stream> stream(executor, tls);
    auto& tcp_layer = beast::get_lowest_layer(stream);
    tcp_layer.expires_after(options.timeout);
    auto [cerr] = co_await tcp_layer.async_connect(tcp::endpoint(ip, options.port), k_tuple);
    if (cerr) {
      last_error = "connect to " + address + ": " + cerr.message();
      continue;
    }
    SSL* ssl = stream.native_handle();
    SSL_set_tlsext_host_name(ssl, host.c_str());
    // §3.3: the certificate must be valid for the policy host (PKIX, name checked here).
    SSL_set1_host(ssl, host.c_str());
    SSL_set_verify(ssl, SSL_VERIFY_PEER, nullptr);
    auto [herr] = co_await stream.async_handshake(ssl::stream_base::client, k_tuple);
    if (herr) {
      last_error = "TLS with " + host + ": " + herr.message();
      continue;
    }
    http::request<http::empty_body> req{http::verb::get, "/.well-known/mta-sts.txt", 11};
    req.set(http::field::host, host);
    req.set(http::field::user_agent, "Atrium MTA-STS");
    auto [werr, wn] = co_await http::async_write(stream, req, k_tuple);
    (void)wn;
    if (werr) {
      last_error = "request to " + host + ": " + werr.message();
      continue;
    }
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(max_sts_policy_size);
    parser.header_limit(16 * 1024);
    auto [rerr, rn] = co_await http::async_read(stream, buffer, parser, k_tuple);
    (void)rn;
    if (rerr) {
      last_error = "response from " + host + ": " + rerr.message();
      continue;
    }
    auto& res = parser.get();
    // §3.3: redirects are not followed; only 200 counts.
    if (res.result() != http::status::ok) co_return failed(host + " answered HTTP " + std::to_string(res.result_int()));
    auto type = std::string(res[http::field::content_type]);
    if (type.rfind("text/plain", 0) != 0) co_return failed(host + " served the policy as " + type + ", not text/plain");
    tcp_layer.expires_after(std::chrono::seconds(2));
    co_await stream.async_shutdown(k_tuple);
    co_return StsFetchResult{true, std::move(res.body()), {}};
  }
  co_return failed(last_error);
}

}  // namespace atrium::mail::queue
