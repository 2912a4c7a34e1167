// Listener: accepts TCP connections on one endpoint, applies connection limits, does the
// implicit-TLS handshake, and runs one protocol-handler coroutine per connection, its handlers one
// at a time (on a single-threaded context, or a strand of its own).
#pragma once

#include "core/metrics/metrics.hpp"
#include "core/net/stream.hpp"

#include <boost/asio/ip/address.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <memory>
#include <string>
#include <string_view>

namespace atrium::net {

enum class TlsMode {
  none,      // cleartext; the protocol may offer STARTTLS itself
  implicit,  // TLS from the first byte (IMAPS, POP3S, SMTPS submission, HTTPS)
};

struct ListenerLimits {
  // Concurrent connections on this listener, all peers together.
  std::size_t max_connections = 1000;
  // Concurrent connections from one client: one IPv4 address, or one IPv6 /64 (a single host
  // usually owns a whole /64, so counting full v6 addresses would not limit anything). Generous
  // by default because whole offices sit behind one NAT address.
  std::size_t max_connections_per_ip = 50;
  // Time a client gets to finish the implicit-TLS handshake.
  Duration tls_handshake_timeout = std::chrono::seconds(15);
};

struct ConnectionInfo {
  std::string protocol;  // the listener's protocol name, e.g. "imap"
  asio::ip::address remote_address;
  std::uint16_t remote_port = 0;
  tcp::endpoint local_endpoint;
  std::uint64_t id = 0;  // unique within the ConnectionIds that numbered it; "conn" in logs

  // "192.0.2.1:4711" or "[2001:db8::1]:4711".
  std::string peer() const;
};

// Hands out connection ids. The composition root owns one and gives it to every listener so
// that ids are unique across protocols; a listener without one numbers its own connections.
class ConnectionIds {
 public:
  std::uint64_t next() noexcept { return next_.fetch_add(1, std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> next_{1};
};

// Runs one connection. It owns the stream; it should end with `co_await stream.shutdown(...)`
// for a polite close (destroying the stream closes it abruptly). It runs on the connection's
// strand. An exception escaping it is logged and counted; the connection is then closed.
using ConnectionHandler = std::function<asio::awaitable<void>(Stream, ConnectionInfo)>;

// Admission counts: connections in all, and per client address (an IPv4 address, or an IPv6
// /64). The composition root gives one gate to every listener so the limits hold across
// protocols; a listener without one counts its own connections against its ListenerLimits.
// Thread-safe.
class ConnectionGate {
 public:
  enum class Admission { admitted, limit_total, limit_per_ip };
  ConnectionGate(std::size_t max_total, std::size_t max_per_ip) : max_total_(max_total), max_per_ip_(max_per_ip) {}
  // Takes a slot for `remote` unless a limit is reached. Every admitted call needs one release().
  Admission acquire(const asio::ip::address& remote);
  void release(const asio::ip::address& remote);
  std::size_t open() const;

 private:
  std::size_t max_total_;
  std::size_t max_per_ip_;
  mutable std::mutex mutex_;
  std::size_t total_ = 0;
  std::map<asio::ip::address, std::size_t> per_ip_;
};

struct ListenerConfig {
  std::string endpoint;  // "127.0.0.1:2143", "[::1]:2143", "0.0.0.0:25"
  std::string protocol;  // names the listener in logs and metric labels
  TlsMode tls = TlsMode::none;
  // Required for TlsMode::implicit; may be given with none for STARTTLS-capable handlers to
  // use. Not owned; must outlive the listener and its sessions.
  ssl::context* tls_context = nullptr;
  ListenerLimits limits;
  ConnectionIds* ids = nullptr;  // not owned; nullptr: the listener's own numbering
  ConnectionGate* gate = nullptr;  // not owned; nullptr: a gate of its own from `limits`
  // Where each connection runs. It must return an executor that runs handlers one at a time (an
  // io_context run by a single thread, as IoRuntime's connection_executor gives, spreading
  // connections over the I/O threads); the connection uses it as it is. Empty: each connection
  // gets a strand of the listener's executor.
  std::function<asio::any_io_executor()> connection_executor;
};

// Parses "host:port" where host is an IPv4 literal or a bracketed IPv6 literal and port is
// 0..65535. Throws std::invalid_argument naming the text.
tcp::endpoint parse_endpoint(std::string_view text);
// The inverse: "127.0.0.1:25", "[::1]:25".
std::string format_endpoint(const tcp::endpoint& endpoint);

namespace detail {
struct ListenerState;
}

class Listener {
 public:
  // Binds and listens at once, so a port in use fails at start-up and local_endpoint() is known
  // (bind to port 0 in tests). IPv6 endpoints are v6-only: listen on "0.0.0.0:p" and "[::]:p" for
  // both families. Throws std::invalid_argument for a bad endpoint or a missing TLS context,
  // boost::system::system_error naming the endpoint when bind or listen fails. `executor` is the
  // io_context's (without a connection_executor, each connection gets a strand of it). `metrics`
  // must outlive the io_context: sessions still update it while they are torn down.
  Listener(asio::any_io_executor executor, ListenerConfig config, ConnectionHandler handler,
           metrics::Registry& metrics);
  // Stops accepting. Live sessions keep running until they end (they share the listener state).
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // Starts the accept loop. Call once.
  void start();
  // Stops accepting new connections; returns at once. Thread-safe. Live sessions continue.
  void stop();
  // Interrupts every live session (see StreamHandle::interrupt): their reads end, line reads
  // report ReadError::cancelled, and they can still write a goodbye. Thread-safe.
  void interrupt_sessions();
  // Closes every live session's socket; for sessions that ignored interrupt_sessions(). Thread-safe.
  void close_sessions();
  // Sessions admitted and not yet finished. Thread-safe.
  std::size_t live_sessions() const;

  tcp::endpoint local_endpoint() const;
  const std::string& protocol() const;

 private:
  std::shared_ptr<detail::ListenerState> state_;
};

}  // namespace atrium::net
