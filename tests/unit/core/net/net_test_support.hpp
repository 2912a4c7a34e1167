// Helpers shared by the core/net and core/http tests: run a coroutine to completion on a test
// io_context, make a connected loopback socket pair, and build TLS client contexts.
#pragma once

#include "core/runtime/asio.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>

namespace atrium::test {

using tcp = asio::ip::tcp;

// Runs `coro` on `io` (single-threaded, on this thread) until it finishes and returns its result
// or rethrows its exception. Listeners keep `io` busy, so this polls the future; a test that
// hangs fails after `limit` instead of blocking CTest.
template <class T>
T run(asio::io_context& io, asio::awaitable<T> coro, std::chrono::seconds limit = std::chrono::seconds(20)) {
  auto fut = asio::co_spawn(io, std::move(coro), asio::use_future);
  const auto until = std::chrono::steady_clock::now() + limit;
  while (fut.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
    if (std::chrono::steady_clock::now() > until) throw std::runtime_error("test coroutine timed out");
    if (io.stopped()) io.restart();
    io.run_one_for(std::chrono::milliseconds(20));
  }
  return fut.get();
}

// Lets queued handlers (session teardown, logging) run for a moment.
inline void settle(asio::io_context& io, std::chrono::milliseconds d = std::chrono::milliseconds(50)) {
  if (io.stopped()) io.restart();
  io.run_for(d);
}

// A connected pair of loopback TCP sockets: {client, server}.
inline asio::awaitable<std::pair<tcp::socket, tcp::socket>> connected_pair() {
  auto ex = co_await asio::this_coro::executor;
  tcp::acceptor acceptor(ex, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  tcp::socket client(ex);
  co_await client.async_connect(acceptor.local_endpoint(), asio::use_awaitable);
  tcp::socket server = co_await acceptor.async_accept(asio::use_awaitable);
  co_return std::pair{std::move(client), std::move(server)};
}

// A fresh directory under the system temp dir, removed with the object.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / ("atrium-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A client context that trusts exactly `ca_cert` (the self-signed server certificate).
inline ssl::context verifying_client_context(const std::filesystem::path& ca_cert) {
  ssl::context ctx(ssl::context::tls_client);
  ctx.load_verify_file(ca_cert.string());
  ctx.set_verify_mode(ssl::verify_peer);
  return ctx;
}

}  // namespace atrium::test
