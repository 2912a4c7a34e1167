// The SMTP / submission / LMTP server session as a sans-I/O state machine: bytes and backend
// answers in, replies and backend requests (Actions) out. No sockets, no store, no clock.
#pragma once

#include "mail/smtp/command.hpp"
#include "mail/smtp/envelope.hpp"
#include "mail/smtp/path.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace atrium::smtp {

namespace detail {
class SessionCore;
}

// Which listener the session serves. The differences:
//   mx          port 25: local recipients only (the backend says which), no AUTH (503 5.5.1
//               "Authentication not enabled", as Postfix answers when SASL is off), the null
//               sender accepted, '%' '!' and quoted-'@' local parts refused with 554 5.7.1.
//   submission  port 587: STARTTLS first (530 5.7.0 for everything but EHLO/HELO/STARTTLS/
//               NOOP/RSET/HELP/QUIT until then, unless auth_without_tls_allowed), then AUTH
//               before MAIL (530 5.7.0); any recipient domain (the backend decides).
//   submissions port 465: as submission over implicit TLS (set tls_active).
//   lmtp        RFC 2033: LHLO instead of EHLO/HELO, no AUTH, one reply per accepted recipient
//               after the message.
enum class Mode { mx, submission, submissions, lmtp };

struct SessionOptions {
  std::string hostname = "localhost";      // in the greeting, EHLO response and 221/421
  Mode mode = Mode::mx;
  std::uint64_t max_message_size = 50u << 20;  // octets; advertised as SIZE; 0 = no limit
  std::size_t max_recipients = 100;        // per transaction; more get 452 4.5.3
  std::size_t max_errors = 10;             // 5xx replies before 421 4.7.0 and Close; 0 = no limit
  bool tls_available = false;              // a TLS context exists: STARTTLS may be offered
  bool tls_active = false;                 // implicit TLS: the connection starts encrypted
  std::string tls_description;             // with tls_active: e.g. "TLSv1.3 TLS_AES_256_GCM_SHA384"
  bool auth_without_tls_allowed = false;   // submission: AUTH (and MAIL) in cleartext (loopback, dev)
  bool pipelining = true;                  // advertise PIPELINING (RFC 2920)
};

// ---- Requests the session makes (Actions) and the answers the driver returns ----

// Bytes for the client, in order. Consecutive replies are coalesced into one Send.
struct Send { std::string bytes; };
// Flush every Send before it, run the TLS handshake on the raw connection, then call
// Session::tls_started. Input buffered after STARTTLS has already been discarded (CVE-2011-0411);
// do not feed bytes read before the handshake. On handshake failure just close the connection.
struct StartTls {};
// Verify these credentials (core/auth Authenticator::login), then call Session::auth_done.
// The SASL exchange has already run. `password` is a secret: never log it.
struct Authenticate {
  std::string mechanism;  // "PLAIN" or "LOGIN"
  std::string authcid;
  std::string password;
};
// May this MAIL FROM be used? `principal` is the authenticated user, if any. Call
// Session::sender_checked. Asked on every listener so the backend owns sender policy
// (authenticated users: own addresses and aliases only; MX: accept, the null sender included).
struct CheckSender {
  Path reverse_path;
  MailParams params;
  std::optional<std::string> principal;
};
// Does this RCPT TO resolve? Call Session::recipient_checked. The backend decides local vs.
// remote: without `principal` a non-local domain is relay_denied.
struct CheckRecipient {
  Path forward_path;
  RcptParams params;
  std::optional<std::string> principal;
};
// Deliver (or queue) the message durably, then call Session::delivered. `message` has CRLF line
// endings, dot-stuffing removed, and no headers added.
struct Deliver {
  Envelope envelope;
  std::string message;
};
// Close the connection after flushing every Send before it. Nothing follows.
struct Close {};

using Action = std::variant<Send, StartTls, Authenticate, CheckSender, CheckRecipient, Deliver, Close>;

enum class AuthOutcome { success, invalid_credentials, temporary_failure };
struct AuthResult {
  AuthOutcome outcome = AuthOutcome::invalid_credentials;
  std::string principal;  // success: the canonical user; empty means "the authcid"
};

enum class SenderStatus {
  accepted,           // 250 2.1.0
  not_owned,          // 553 5.7.1: an authenticated user used someone else's address
  rejected,           // 550 5.7.1: policy
  temporary_failure,  // 451 4.3.0
};
struct SenderResult {
  SenderStatus status = SenderStatus::accepted;
};

enum class RecipientStatus {
  accepted,           // 250 2.1.5
  unknown_user,       // 550 5.1.1
  mailbox_full,       // 452 4.2.2
  relay_denied,       // 554 5.7.1
  rejected,           // 550 5.7.1: policy
  temporary_failure,  // 451 4.3.0
};
struct RecipientResult {
  RecipientStatus status = RecipientStatus::accepted;
  std::string token;  // accepted: carried into EnvelopeRecipient::token for delivery
};

enum class DeliveryStatus {
  delivered,          // 250 2.0.0 (LMTP 250 2.1.5): stored and fsync'd / queued durably
  mailbox_full,       // 452 4.2.2
  unknown_user,       // 550 5.1.1 (LMTP: the recipient vanished since RCPT)
  rejected,           // 554 5.7.0: content policy
  dmarc_rejected,     // 550 5.7.1: the From domain's DMARC policy says reject
  temporary_failure,  // 451 4.3.0: nothing was stored
};
// SMTP modes: exactly one status for the whole message. LMTP: one per envelope recipient, in
// the envelope's order. Any other count is a driver bug and aborts.
struct DeliveryResult {
  std::vector<DeliveryStatus> statuses;
};

// RFC 5321 section 4.5.3.2 timers, seen from the server. `initial`, `mail` and `rcpt` are the
// 5-minute waits for the next command (4.5.3.2.7) named after what the client should send next;
// `data_block` (3 min) applies between reads of DATA/BDAT content; `data_termination` (10 min)
// bounds the driver's own delivery work while a Deliver is outstanding; `server` (5 min) covers
// the rest (SASL responses, TLS handshake, other backend requests). There is no DATA-initiation
// wait on our side: DATA is answered at once.
enum class TimeoutPhase { initial, mail, rcpt, data_block, data_termination, server };
struct Timeout {
  TimeoutPhase phase;
  std::chrono::seconds limit;
};

// One connection. Not thread-safe. Usage by a driver:
//   Session s(options, peer);  s.start();
//   loop: for (Action& a : s.take_actions()) perform a (completions may be called at once);
//         read with s.current_timeout(); s.feed(bytes)   — until a Close action.
// Contract: start() once, first. Each request Action gets exactly one matching completion call,
// after which the session continues with input it buffered meanwhile (pipelining), preserving
// order. While awaiting_completion(), feed() still queues bytes, but drivers should not read
// (back-pressure). A completion that matches no outstanding request is a driver bug: abort.
class Session {
 public:
  Session(SessionOptions options, std::string peer_address);
  ~Session();
  Session(Session&&) noexcept;
  Session& operator=(Session&&) noexcept;

  // Queues the greeting (220 <host> ESMTP / LMTP).
  void start();
  // Raw bytes from the client, any split. Ignored once closed.
  void feed(std::string_view bytes);

  void tls_started(std::string description);
  void auth_done(AuthResult result);
  void sender_checked(SenderResult result);
  void recipient_checked(RecipientResult result);
  void delivered(DeliveryResult result);

  // Everything produced since the last call, in order.
  std::vector<Action> take_actions();

  // The wait that applies now; nullopt once closed.
  std::optional<Timeout> current_timeout() const;
  // A request Action is outstanding.
  bool awaiting_completion() const;
  // A Close action has been produced.
  bool closed() const;

 private:
  std::unique_ptr<detail::SessionCore> core_;
};

}  // namespace atrium::smtp
