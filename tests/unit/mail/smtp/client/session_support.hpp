// Helpers shared by the client's session tests: short timeouts, a one-recipient envelope, and
// client-side coroutines that open a connection and report failures.
#pragma once

#include "mail/smtp/client/connection.hpp"
#include "tests/unit/mail/smtp/client/fake_server.hpp"

#include <boost/asio/this_coro.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

namespace atrium::smtp::client::test {

using namespace std::chrono_literals;

// Every timeout 5 s: long enough for a loaded machine, short enough for a hanging test to end.
inline ConnectOptions options() {
  ConnectOptions o;
  o.helo_name = "client.example";
  auto& t = o.timeouts;
  t.connect = t.greeting = t.command = t.tls_handshake = t.mail = t.rcpt = t.data_init = t.data_block = t.data_end =
      t.rset = t.quit = 5s;
  return o;
}

inline Envelope envelope(std::vector<std::string> rcpts) {
  Envelope e;
  e.reverse_path = "a@example.org";
  for (auto& r : rcpts) e.recipients.push_back({.address = std::move(r)});
  return e;
}

// Not a default argument: GCC 12 cannot keep an initializer_list's array in a coroutine frame,
// and calls like `co_await c.send(envelope(), ...)` would need that.
inline Envelope envelope() { return envelope(std::vector<std::string>{"b@example.net"}); }

// Opens or throws, so that a failure shows the error and ends the client side.
inline asio::awaitable<Connection> open_ok(tcp::endpoint ep, ConnectOptions o) {
  auto r = co_await Connection::open(co_await asio::this_coro::executor, ep, std::move(o));
  if (auto* e = std::get_if<Error>(&r)) throw std::runtime_error("open failed: " + describe(*e));
  co_return std::move(std::get<Connection>(r));
}

inline asio::awaitable<Error> open_fails(tcp::endpoint ep, ConnectOptions o) {
  auto r = co_await Connection::open(co_await asio::this_coro::executor, ep, std::move(o));
  if (auto* c = std::get_if<Connection>(&r)) {
    co_await c->quit();
    throw std::runtime_error("open succeeded unexpectedly");
  }
  co_return std::get<Error>(r);
}

// What the client sent in one go, lines joined by "\n". (A string rather than ElementsAre: GCC 12
// cannot keep the matcher's array arguments in a coroutine frame across co_await.)
inline asio::awaitable<void> expect_batch(Peer& p, std::string want) {
  const std::vector<std::string> got = co_await p.batch();
  std::string joined;
  for (const auto& line : got) joined += (joined.empty() ? "" : "\n") + line;
  EXPECT_EQ(joined, want);
}

inline asio::awaitable<void> expect_quit(Peer& p) {
  EXPECT_EQ(co_await p.line(), "QUIT");
  co_await p.send("221 2.0.0 bye\r\n");
}

}  // namespace atrium::smtp::client::test
