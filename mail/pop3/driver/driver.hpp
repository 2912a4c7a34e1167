// The POP3 transport: runs a sans-I/O pop3::Session over a net::Stream, performing its actions
// (writes, STLS, logins on the CPU pool, store work through the backend) with the idle timeout,
// and streams RETR/TOP content through a MessageEncoder in bounded pieces.
#pragma once

#include "core/net/listener.hpp"
#include "core/runtime/blocking_pool.hpp"
#include "mail/pop3/session.hpp"

#include <chrono>
#include <memory>
#include <string>

namespace atrium::pop3 {

// Where a password may be sent without TLS (USER/PASS, AUTH PLAIN/LOGIN): the driver decides
// per connection and tells the session (mirrors config auth.cleartext_login).
enum class CleartextLogin {
  never,     // only after STLS or on pop3s
  loopback,  // also from 127.0.0.0/8 and ::1
  always,
};

// What the backend keeps for one session's open maildrop: its lock, and whatever it needs to
// find the listed messages again. Destroying it releases the lock (the driver does so when the
// session leaves the TRANSACTION state, or when the connection ends in any way).
class MaildropLease {
 public:
  virtual ~MaildropLease() = default;
};

struct OpenedMaildrop {
  MaildropResult result;
  std::unique_ptr<MaildropLease> lease;  // set exactly when result.status is opened
};

// The rest of a large message, read in pieces so memory stays bounded.
class MessageReader {
 public:
  virtual ~MessageReader() = default;
  // Appends up to `max` further octets to `out`; returns false at the end (nothing appended).
  // Blocking (file I/O): the driver calls it on the store pool, one call at a time. Throws on an
  // I/O error; the driver then drops the connection, since the +OK has already gone out.
  virtual bool read(std::string& out, std::size_t max) = 0;
};

struct MessageContent {
  RetrieveStatus status = RetrieveStatus::sent;  // sent: the content follows; else nothing does
  std::string head;                              // the whole message, or its start when `rest` is set
  std::unique_ptr<MessageReader> rest;
};

// What the session asks of the rest of the server. Implementations must be thread-safe.
// authenticate() may block (Argon2id): the driver runs it on the CPU pool. The others are
// coroutines on the connection's executor that put blocking store reads on `pool` themselves.
class Backend {
 public:
  virtual ~Backend() = default;
  // `delay` is how long to wait before answering (brute-force tarpit); a timer, not a sleep.
  virtual AuthResult authenticate(const Authenticate& request, const net::ConnectionInfo& peer,
                                  std::chrono::milliseconds& delay) = 0;
  // Takes the maildrop lock for request.account (in_use when another session holds it) and
  // lists the maildrop.
  virtual asio::awaitable<OpenedMaildrop> open_maildrop(const OpenMaildrop& request, runtime::BlockingPool& pool) = 0;
  // The content of the message request.key of the leased maildrop.
  virtual asio::awaitable<MessageContent> open_message(MaildropLease& lease, const Retrieve& request,
                                                       runtime::BlockingPool& pool) = 0;
  // Removes the messages in one store transaction; completes only once the outcome is durable.
  virtual asio::awaitable<CommitStatus> commit(MaildropLease& lease, const Commit& request) = 0;
};

struct DriverOptions {
  SessionOptions session;                  // tls_active, tls_available and cleartext_login_allowed are set per connection
  ssl::context* tls = nullptr;             // for STLS; not owned
  // Where maildrop listings and message reads run (they wait on the disk). Null: the pool
  // given to serve_connection, which also runs the CPU-bound logins.
  runtime::BlockingPool* store_pool = nullptr;  // not owned
  CleartextLogin cleartext_login = CleartextLogin::loopback;
  std::chrono::seconds tls_handshake_timeout{30};
  std::chrono::seconds write_timeout{300};
  // Waiting for the next command ([limits] pop3_idle_timeout_seconds; RFC 1939 section 3 asks
  // for at least 10 minutes). On expiry the connection is closed without a reply and without
  // entering the UPDATE state, as RFC 1939 describes the autologout timer.
  std::chrono::seconds idle_timeout{600};
};

// Serves one connection until the session closes, the peer goes away, the idle timeout or
// shutdown ("-ERR [SYS/TEMP] Server shutting down"). Never throws for anything the peer does.
// A connection that ends before QUIT removes nothing. `pool` runs logins (and, without
// options.store_pool, the store reads too).
asio::awaitable<void> serve_connection(net::Stream stream, net::ConnectionInfo info, DriverOptions options,
                                       Backend& backend, runtime::BlockingPool& pool);

}  // namespace atrium::pop3
