// The SMTP client session (RFC 5321 client side): one connection to one server address, opened
// with greeting, EHLO (HELO fallback), STARTTLS per policy (opportunistic, verified name, DANE)
// and AUTH, then any number of mail transactions (pipelined when offered; DATA or BDAT), RSET and
// QUIT. A coroutine over net::Stream; every network or protocol problem is a value, never an
// exception, and every read and write has its RFC 5321 section 4.5.3.2 timeout.
#pragma once

#include "core/dns/resolver.hpp"
#include "core/net/stream.hpp"
#include "mail/smtp/client/capabilities.hpp"
#include "mail/smtp/client/reply_parser.hpp"
#include "mail/smtp/client/transaction.hpp"
#include "mail/smtp/reply.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace atrium::smtp::client {

using Duration = net::Duration;
using tcp = asio::ip::tcp;

// RFC 5321 section 4.5.3.2 where it gives one; Postfix's defaults for the rest. Tests shorten them.
struct Timeouts {
  Duration connect = std::chrono::seconds(30);
  Duration greeting = std::chrono::minutes(5);       // the 220 banner
  Duration command = std::chrono::minutes(5);        // EHLO/HELO, STARTTLS and AUTH replies
  Duration tls_handshake = std::chrono::minutes(5);
  Duration mail = std::chrono::minutes(5);           // MAIL FROM reply
  Duration rcpt = std::chrono::minutes(5);           // each RCPT TO reply
  Duration data_init = std::chrono::minutes(2);      // the 354 after DATA
  Duration data_block = std::chrono::minutes(3);     // each write of message data; non-last BDAT replies
  Duration data_end = std::chrono::minutes(10);      // the reply after CRLF.CRLF or BDAT LAST
  Duration rset = std::chrono::seconds(20);
  Duration quit = std::chrono::seconds(30);
};

enum class TlsMode {
  none,                  // never STARTTLS
  // STARTTLS when offered, any certificate accepted (RFC 7435); in cleartext when not offered or
  // refused by a reply. A failed handshake leaves the connection unusable: open() reports
  // Stage::tls_handshake and the caller may retry in cleartext on a new connection (as Postfix).
  opportunistic,
  // STARTTLS required, and the certificate must chain to a trust anchor of tls_context and match
  // tls_name (or one of tls_extra_names).
  required_verify_name,
  // RFC 7672 DANE: STARTTLS required and verified against `tlsa` (usages 2 and 3 only; names are
  // checked for usage 2). When no record is usable, TLS is still required but not authenticated
  // (RFC 7672 section 2.2).
  dane,
};

struct Credentials {
  std::string user;
  std::string password;
};

struct ConnectOptions {
  std::string helo_name;  // our host name for EHLO/HELO: a domain or an address literal
  Timeouts timeouts;
  TlsMode tls = TlsMode::none;
  ssl::context* tls_context = nullptr;  // not owned; from net::make_client_tls_context
  // The server's host name: SNI, the name to verify (required_verify_name), the TLSA base domain
  // (dane). For DANE this is the MX host name or, after CNAME expansion, its target.
  std::string tls_name;
  // Further names the certificate may match (RFC 7672 section 3.2.3: e.g. the MX host name when
  // tls_name is the expanded TLSA base domain).
  std::vector<std::string> tls_extra_names;
  std::vector<dns::TlsaRecord> tlsa;  // for TlsMode::dane, from a DNSSEC-secure answer
  // AUTH PLAIN or LOGIN (smarthosts), only ever over TLS: without TLS open() fails at Stage::auth.
  std::optional<Credentials> auth;
  std::optional<asio::ip::address> source_address;  // local address to connect from
  ReplyLimits reply_limits;
  PlanOptions plan;
  std::size_t bdat_chunk_size = 256 * 1024;  // octets of message per BDAT chunk
};

// Where a connection or transaction failed.
enum class Stage { connect, greeting, ehlo, starttls, tls_handshake, auth, mail, rcpt, data, message, rset, quit };
std::string_view to_string(Stage s) noexcept;

enum class ErrorKind {
  refused,      // the TCP connection was refused
  timeout,      // no reply, or the peer accepted no data, within the stage's timeout
  network,      // the connection broke or the server closed it
  reply,        // the server answered 4xx/5xx (Error::reply)
  tls_failure,  // the TLS handshake failed (also by timing out) or the certificate check did
  unsupported,  // the server lacks what the options require (STARTTLS, an AUTH mechanism)
  protocol,     // a malformed or unexpected reply
  local,        // the options cannot be used (bad helo_name, no TLS context, ...); nothing sent
};
std::string_view to_string(ErrorKind k) noexcept;

struct Error {
  Stage stage = Stage::connect;
  ErrorKind kind = ErrorKind::network;
  std::optional<Reply> reply;  // for ErrorKind::reply
  std::string text;            // for logs and diagnostics
  // A 5xx reply: retrying the same thing will not help. Everything else may be temporary.
  bool permanent() const { return reply && reply->code >= 500; }
};
// One line for logs: "greeting: reply: 554 5.7.1 go away" / "tls_handshake: tls_failure: ...".
std::string describe(const Error& error);

// How the server was authenticated by TLS.
enum class TlsAuthentication {
  none,        // no TLS
  unverified,  // encrypted; the certificate was not checked or did not verify
  verified,    // the certificate chained to a trust anchor and matched the name
  dane,        // a TLSA record matched
};
std::string_view to_string(TlsAuthentication a) noexcept;

// The outcome of one transaction. Exactly one of these holds: `local` (nothing was sent),
// `error` (the connection failed before the outcome was known; it is closed), or the replies
// decide. RCPT replies are recorded even when MAIL was refused (pipelining sends them anyway).
struct TransactionResult {
  std::optional<LocalRefusal> local;
  std::optional<Error> error;
  std::optional<Reply> mail;       // the MAIL FROM reply
  std::vector<Reply> recipients;   // RCPT replies in envelope order; fewer if the exchange stopped
  // The DATA/BDAT refusal, or the reply after the message. Absent when MAIL was refused or no
  // recipient was accepted (no message was sent).
  std::optional<Reply> final_reply;

  // The message was accepted for the recipients whose RCPT got a 2xx reply.
  bool delivered() const { return final_reply && final_reply->code / 100 == 2; }
};

// What happened to one recipient, for the queue.
enum class Disposition { delivered, permanent_failure, temporary_failure };
struct RecipientOutcome {
  Disposition disposition = Disposition::temporary_failure;
  std::optional<Reply> reply;  // the reply that decided; none for local refusals and connection failures
};
// One outcome per envelope recipient (`recipient_count` of them). The deciding reply is the
// first failure among MAIL, the recipient's RCPT, and the final reply; 5xx is permanent, 4xx
// temporary. A local refusal is permanent (the server's capabilities or the envelope are at
// fault), except that invalid_recipient fails only that recipient and leaves the others
// temporary (not attempted). A connection failure leaves undecided recipients temporary.
std::vector<RecipientOutcome> recipient_outcomes(const TransactionResult& result, std::size_t recipient_count);

class Connection;
using OpenResult = std::variant<Connection, Error>;

// One SMTP connection. Use from one coroutine at a time, on the executor given to open().
// Moving is allowed between operations (a moved-from Connection may only be destroyed or
// assigned to). The destructor closes the socket abruptly; call quit() first to end politely.
class Connection {
 public:
  // Connects to `endpoint` (from options.source_address if set), reads the greeting, EHLO (HELO
  // when EHLO gets 500 or 502), STARTTLS per options.tls and EHLO again, AUTH if configured.
  // `options` is copied. Never throws for network, TLS or protocol problems: every failure is an
  // Error. After a 4xx/5xx greeting or EHLO the session says QUIT before closing.
  static asio::awaitable<OpenResult> open(asio::any_io_executor executor, tcp::endpoint endpoint,
                                          ConnectOptions options);

  Connection(Connection&&) noexcept;
  Connection& operator=(Connection&&) noexcept;
  ~Connection();

  // One mail transaction (see plan_transaction for the parameters). With PIPELINING, MAIL, every
  // RCPT and (without BDAT) DATA go in one write and the replies are read in order (RFC 2920).
  // If MAIL is refused or no RCPT is accepted, no message is sent and RSET follows. A DATA or
  // BDAT refusal is followed by RSET too. After a successful final reply the connection is ready
  // for the next transaction. If the connection fails, result.error says where and usable()
  // turns false. `envelope` and `message` must stay valid until the call completes.
  asio::awaitable<TransactionResult> send(const Envelope& envelope, std::string_view message);

  // RSET: true on 250. On anything else the connection is closed and unusable.
  asio::awaitable<bool> reset();

  // QUIT, waits for the reply (timeouts.quit), closes. Never fails; the connection is unusable
  // afterwards.
  asio::awaitable<void> quit();

  // False once the connection failed, the server said 421, or quit() ran.
  bool usable() const noexcept;
  const Capabilities& capabilities() const noexcept;  // from the last EHLO (after STARTTLS)
  const Reply& greeting() const noexcept;             // the 220 reply
  // "TLSv1.3 TLS_AES_256_GCM_SHA384", or "" without TLS.
  std::string tls_description() const;
  TlsAuthentication tls_authentication() const noexcept;
  net::TlsPeerStatus tls_peer_status() const;  // details of the certificate check
  bool authenticated() const noexcept;         // AUTH succeeded
  tcp::endpoint remote_endpoint() const noexcept;

 private:
  struct Impl;
  explicit Connection(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace atrium::smtp::client
