// A scripted SMTP server for the client's session tests: it accepts one connection on
// 127.0.0.1:0 and runs a test-written coroutine ("script") that reads what the client sends and
// answers, so each test states the exact exchange it expects.
#pragma once

#include "core/net/line.hpp"
#include "core/net/stream.hpp"
#include "core/runtime/asio.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace atrium::smtp::client::test {

using tcp = asio::ip::tcp;

// The server's side of one connection. Reads never fail the test by themselves: on end of
// stream or a timeout they return a marker ("<eof>", "<timeout>", "<error>") that the script's
// expectations then reject.
class Peer {
 public:
  explicit Peer(tcp::socket socket) : stream_(std::move(socket)) {}

  // Writes raw bytes (replies with their CRLF).
  asio::awaitable<void> send(std::string_view bytes);
  // One line without its CRLF.
  asio::awaitable<std::string> line();
  // One line, then, after a pause long enough for anything the client wrote with it to arrive,
  // every further complete line already received: what the client sent in one go. Plain TCP only.
  asio::awaitable<std::vector<std::string>> batch();
  // Message data after 354, up to and including the terminating ".\r\n", as received (every
  // line's ending is reported as it came: "\r\n" or a bare "\n").
  asio::awaitable<std::string> data();
  // Exactly `n` octets (a BDAT chunk).
  asio::awaitable<std::string> exact(std::size_t n);
  // Server side of STARTTLS after the 220 (drops buffered cleartext). Returns the handshake error.
  asio::awaitable<net::error_code> starttls(ssl::context& ctx);
  // Reads and discards until the client closes the connection (or 10 s pass).
  asio::awaitable<void> hold();
  // Ends the connection gracefully.
  asio::awaitable<void> close();

  net::Stream& stream() { return stream_; }

 private:
  net::Stream stream_;
  net::Buffer buffer_;
};

using Script = std::function<asio::awaitable<void>(Peer&)>;

// "250-mx.test\r\n250-KEYWORD\r\n...250 LAST\r\n": a positive EHLO reply offering `keywords`,
// one per line ("PIPELINING\nSIZE 1000"). (A string rather than a braced list: GCC 12 cannot
// keep an initializer_list's array in a coroutine frame across co_await.)
std::string ehlo_reply(std::string_view keywords);

// The usual opening: "220 mx.test ESMTP", then expects "EHLO client.example" and answers with
// ehlo_reply(keywords).
asio::awaitable<void> greet(Peer& peer, std::string keywords);

// Runs the server script and a client coroutine on one io_context until both have finished, and
// returns the client's result (rethrowing its or the script's exception). Fails after 20 s
// instead of hanging the test run.
class Harness {
 public:
  Harness();
  tcp::endpoint endpoint() const { return endpoint_; }
  asio::io_context& io() { return io_; }

  template <class Client>
  auto run(Script script, Client client) {
    using Awaitable = decltype(client(endpoint_));
    return run_impl<typename Awaitable::value_type>(std::move(script),
                                                    std::function<Awaitable(tcp::endpoint)>(std::move(client)));
  }

 private:
  template <class T>
  T run_impl(Script script, std::function<asio::awaitable<T>(tcp::endpoint)> client);
  void wait(const std::function<bool()>& done);
  void stop_accepting();

  asio::io_context io_;
  tcp::acceptor acceptor_;
  tcp::endpoint endpoint_;
};

asio::awaitable<void> serve_one(tcp::acceptor& acceptor, Script script);

template <class T>
asio::awaitable<T> call_client(std::function<asio::awaitable<T>(tcp::endpoint)> client, tcp::endpoint endpoint) {
  co_return co_await client(endpoint);
}

}  // namespace atrium::smtp::client::test

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>

#include <future>

namespace atrium::smtp::client::test {

template <class T>
T Harness::run_impl(Script script, std::function<asio::awaitable<T>(tcp::endpoint)> client) {
  auto server = asio::co_spawn(io_, serve_one(acceptor_, std::move(script)), asio::use_future);
  auto result = asio::co_spawn(io_, call_client<T>(std::move(client), endpoint_), asio::use_future);
  wait([&] {
    const bool client_done = result.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
    // A client that never connected (refused locally) leaves the server waiting in accept.
    if (client_done) stop_accepting();
    return client_done && server.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
  });
  server.get();
  return result.get();
}

}  // namespace atrium::smtp::client::test
