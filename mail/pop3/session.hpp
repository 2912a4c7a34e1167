// The POP3 server session as a sans-I/O state machine: bytes and backend answers in, replies and
// backend requests (Actions) out. No sockets, no store, no clock.
#pragma once

#include "mail/pop3/command.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace atrium::pop3 {

namespace detail {
class SessionCore;
}

struct SessionOptions {
  std::string hostname = "localhost";  // in the greeting and the QUIT reply
  bool tls_available = false;          // a TLS context exists: STLS may be offered
  bool tls_active = false;             // implicit TLS (pop3s): the connection starts encrypted
  // USER/PASS and AUTH without TLS. The driver decides it per connection from the
  // configuration (auth.cleartext_login) and the peer's address.
  bool cleartext_login_allowed = false;
  std::size_t max_errors = 10;  // protocol errors before "-ERR Too many errors" and Close; 0 = no limit
};

// One message of the maildrop as the session lists it.
struct MaildropMessage {
  std::uint64_t key = 0;   // the backend's name for it (the store UID); given back in requests
  std::uint64_t size = 0;  // octets, as LIST and STAT report them
  std::string unique_id;   // UIDL (RFC 1939 section 7): 1-70 octets in 0x21-0x7E, stable
};

// ---- Requests the session makes (Actions) and the answers the driver returns ----

// Bytes for the client, in order. Consecutive replies are coalesced into one Send.
struct Send {
  std::string bytes;
};
// Flush every Send before it, run the TLS handshake, then call Session::tls_started. Input
// buffered after STLS has already been discarded (CVE-2011-0411). On handshake failure just
// close the connection.
struct StartTls {};
// Verify these credentials (core/auth Authenticator::login), then call Session::auth_done.
// `password` is a secret: never log it.
struct Authenticate {
  std::string mechanism;  // "USER" for USER/PASS, else the SASL mechanism ("PLAIN", "LOGIN")
  std::string authcid;
  std::string password;
};
// Lock the account's maildrop for this session and list it (INBOX as it is now), then call
// Session::maildrop_opened. The lock is held until the session leaves the TRANSACTION state
// (holds_maildrop() turns false) or the connection ends, whichever is first.
struct OpenMaildrop {
  std::string principal;  // the canonical address authenticated
  std::int64_t account = 0;
};
// Write `status_line`, then the message `key` encoded by a MessageEncoder with `body_lines`
// (nullopt for RETR), then call Session::retrieved. If the message cannot be read, write
// nothing and call Session::retrieved with the reason instead.
struct Retrieve {
  std::uint64_t key = 0;
  std::uint64_t number = 0;  // the client's message number (for logs and replies)
  std::optional<std::uint64_t> body_lines;
  std::string status_line;   // "+OK ... \r\n"
};
// The UPDATE state (RFC 1939 section 6): remove these messages in one durable store
// transaction, then call Session::committed. Never empty.
struct Commit {
  std::vector<std::uint64_t> keys;  // ascending
};
// Close the connection after flushing every Send before it. Nothing follows.
struct Close {};

using Action = std::variant<Send, StartTls, Authenticate, OpenMaildrop, Retrieve, Commit, Close>;

enum class AuthOutcome { success, invalid_credentials, temporary_failure };
struct AuthResult {
  AuthOutcome outcome = AuthOutcome::invalid_credentials;
  std::string principal;     // success: the canonical address
  std::int64_t account = 0;  // success: the principal id
};

enum class MaildropStatus {
  opened,             // +OK; `messages` is the maildrop
  in_use,             // -ERR [IN-USE]: another POP3 session holds it
  missing,            // -ERR [SYS/PERM]: the account has no INBOX
  temporary_failure,  // -ERR [SYS/TEMP]
};
struct MaildropResult {
  MaildropStatus status = MaildropStatus::temporary_failure;
  std::vector<MaildropMessage> messages;  // in the order to number them (ascending key)
};

enum class RetrieveStatus {
  sent,               // the status line, the content and the terminator were written
  gone,               // nothing written: the message no longer exists
  temporary_failure,  // nothing written: the store could not read it now
};

enum class CommitStatus { committed, temporary_failure };

// One connection. Not thread-safe. Usage by a driver:
//   Session s(options, peer);  s.start();
//   loop: for (Action& a : s.take_actions()) perform a (completions may be called at once);
//         read with the idle timeout; s.feed(bytes) — until a Close action.
// Contract: start() once, first. Each request Action (StartTls, Authenticate, OpenMaildrop,
// Retrieve, Commit) gets exactly one matching completion call, after which the session
// continues with input it buffered meanwhile (PIPELINING), preserving order. A request is
// always the last action of its batch. A completion that matches no outstanding request is a
// driver bug: abort.
class Session {
 public:
  Session(SessionOptions options, std::string peer_address);
  ~Session();
  Session(Session&&) noexcept;
  Session& operator=(Session&&) noexcept;

  // Queues the greeting.
  void start();
  // Raw bytes from the client, any split. Ignored once closed.
  void feed(std::string_view bytes);

  void tls_started(std::string description);
  void auth_done(AuthResult result);
  void maildrop_opened(MaildropResult result);
  void retrieved(RetrieveStatus status);
  void committed(CommitStatus status);

  // Everything produced since the last call, in order.
  std::vector<Action> take_actions();

  // A request Action is outstanding.
  bool awaiting_completion() const;
  // A Close action has been produced.
  bool closed() const;
  // In the TRANSACTION state or committing its deletions, and not closed: the maildrop lock
  // must be held.
  bool holds_maildrop() const;

 private:
  std::unique_ptr<detail::SessionCore> core_;
};

}  // namespace atrium::pop3
