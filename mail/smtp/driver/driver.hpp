// The SMTP transport: runs a sans-I/O smtp::Session over a net::Stream, performing its actions
// (writes, STARTTLS, backend requests on the blocking pool) with the RFC 5321 timeouts.
#pragma once

#include "core/net/listener.hpp"
#include "core/runtime/blocking_pool.hpp"
#include "mail/smtp/session.hpp"

#include <chrono>

namespace atrium::smtp {

// What the session asks of the rest of the server. Implementations must be thread-safe.
// authenticate() may block (Argon2id): the driver runs it on the blocking pool. The others are
// coroutines on the connection's executor: they answer at once what needs no I/O (a cached
// recipient, an unauthenticated sender), await the group commit instead of holding a thread,
// and put anything blocking (store reads, large blob files) on `pool` themselves.
class Backend {
 public:
  virtual ~Backend() = default;
  // `delay` is how long to wait before answering (brute-force tarpit); a timer, not a sleep.
  virtual AuthResult authenticate(const Authenticate& request, const net::ConnectionInfo& peer,
                                  std::chrono::milliseconds& delay) = 0;
  virtual asio::awaitable<SenderResult> check_sender(const CheckSender& request, Mode mode,
                                                     runtime::BlockingPool& pool) = 0;
  virtual asio::awaitable<RecipientResult> check_recipient(const CheckRecipient& request, Mode mode,
                                                           runtime::BlockingPool& pool) = 0;
  // Completes only once the outcome is durable.
  virtual asio::awaitable<DeliveryResult> deliver(const Deliver& request, Mode mode, runtime::BlockingPool& pool) = 0;
};

struct DriverOptions {
  SessionOptions session;
  ssl::context* tls = nullptr;                                 // for STARTTLS; not owned
  // Where sender and recipient checks and the blocking part of deliveries (large blob files)
  // run. They mostly wait on the disk, so this pool wants more threads than cores. Null: the
  // pool given to serve_connection, which then also runs the CPU-bound logins (Argon2id) that
  // must stay bounded by cores.
  runtime::BlockingPool* store_pool = nullptr;                 // not owned
  std::chrono::seconds tls_handshake_timeout{30};
  std::chrono::seconds write_timeout{300};
  // Waiting for the next command ([limits] smtp_idle_timeout_seconds); data blocks keep the
  // session's RFC 5321 3-minute limit.
  std::chrono::seconds command_timeout{300};
};

// Serves one connection until the session closes, the peer goes away, a timeout (421 4.4.2)
// or shutdown (421 4.3.2). Never throws for anything the peer does. `pool` runs logins (and, without
// options.store_pool, the store-bound requests too).
asio::awaitable<void> serve_connection(net::Stream stream, net::ConnectionInfo info, DriverOptions options,
                                       Backend& backend, runtime::BlockingPool& pool);

}  // namespace atrium::smtp
