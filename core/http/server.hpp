// HTTP/1.1 server over net::Stream (Beast): keep-alive, a deadline on every read and write,
// header/body limits, HEAD, and dispatch through a Router. One coroutine per connection.
#pragma once

#include "core/http/router.hpp"
#include "core/metrics/metrics.hpp"
#include "core/net/listener.hpp"
#include "core/net/stream.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

namespace atrium::http {

struct ServerOptions {
  // Wait for the first byte of a request, on a new or kept-alive connection; then the
  // connection is closed without a reply.
  net::Duration idle_timeout = std::chrono::seconds(60);
  // The whole request header must arrive within this, once its first byte did (slowloris).
  net::Duration header_timeout = std::chrono::seconds(30);
  // A body read may make no progress for at most this long.
  net::Duration body_timeout = std::chrono::seconds(60);
  // Writing a response may make no progress for at most this long.
  net::Duration write_timeout = std::chrono::seconds(60);
  // Bound for the polite close (TLS close_notify, draining the peer's leftovers).
  net::Duration close_timeout = std::chrono::seconds(2);
  // Larger headers get 431, larger bodies 413; both close the connection.
  std::uint32_t max_header_bytes = 16 * 1024;
  std::uint64_t max_body_bytes = 64ull * 1024 * 1024;
};

class Server {
 public:
  // `metrics` must outlive the io_context the server's connections run on.
  Server(std::shared_ptr<const Router> router, ServerOptions options, metrics::Registry& metrics);

  // Serves requests on `stream` until the peer closes, a timeout, a protocol error (answered
  // with 400/413/431 first), a request without keep-alive, or the stream is interrupted (the
  // request in progress is finished, with Connection: close). Never throws for anything the
  // peer does; a handler's exception becomes a 500. Closes the stream politely at the end.
  asio::awaitable<void> serve(net::Stream stream, net::ConnectionInfo info) const;

 private:
  struct Exchange;
  asio::awaitable<Response> dispatch(Request& req, const net::ConnectionInfo& info, bool tls) const;
  asio::awaitable<bool> send(net::Stream& stream, Response& res, const Exchange& ex) const;
  metrics::Counter& requests_counter(unsigned code) const;

  std::shared_ptr<const Router> router_;
  ServerOptions options_;
  metrics::Registry& metrics_;
  // Counter per status code, looked up once: the registry takes a lock on every lookup.
  mutable std::array<std::atomic<metrics::Counter*>, 600> requests_{};
};

// A Listener connection handler that serves HTTP with `server`, which it keeps alive.
net::ConnectionHandler connection_handler(std::shared_ptr<const Server> server);

}  // namespace atrium::http
