// Internal to mail/pop3: the session's state (as types), the helpers the command handlers share,
// and the dispatcher that applies the command table. Session (session.hpp) is its public face.
#pragma once

#include "core/auth/sasl.hpp"
#include "mail/pop3/line_framer.hpp"
#include "mail/pop3/parser.hpp"
#include "mail/pop3/reply.hpp"
#include "mail/pop3/session.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace atrium::pop3::detail {

// ---- Protocol state: RFC 1939 section 3's states ----
struct Authorization {
  std::optional<std::string> user;  // USER accepted, PASS expected
};
// The maildrop as it was at login, numbered 1..n, with the deletion marks of this session.
struct Transaction {
  std::string principal;
  std::vector<MaildropMessage> messages;
  std::vector<bool> deleted;  // same indices as `messages`
  std::size_t deleted_count = 0;
  std::uint64_t deleted_octets = 0;
  std::uint64_t total_octets = 0;

  std::size_t live_count() const { return messages.size() - deleted_count; }
  std::uint64_t live_octets() const { return total_octets - deleted_octets; }
};
// QUIT in TRANSACTION: the deletions are being committed.
struct Update {
  std::size_t remaining = 0;  // messages left after the commit, for the reply
};
using ProtocolState = std::variant<Authorization, Transaction, Update>;

// The states the command table speaks of (bits, so a command may name several).
enum class Phase : std::uint8_t { authorization = 1, transaction = 2 };

// ---- Input state: what the next client octets are, or what we are waiting for ----
struct ReadingCommands {};
struct ReadingSaslResponse {
  auth::SaslServer sasl;
};
struct AwaitingTls {};
struct AwaitingAuth {};
struct AwaitingMaildrop {
  std::string principal;
};
struct AwaitingRetrieve {
  std::uint64_t number = 0;  // the client's message number, for a failure reply
};
struct AwaitingCommit {};
struct Closed {};
using InputState = std::variant<ReadingCommands, ReadingSaslResponse, AwaitingTls, AwaitingAuth, AwaitingMaildrop,
                                AwaitingRetrieve, AwaitingCommit, Closed>;

// Whether a reply counts towards SessionOptions::max_errors (protocol errors only: a client that
// keeps sending what we do not understand is cut off; "no such message" is not its fault).
enum class CountError { yes, no };

// Crashes loudly (log + abort) when `ok` is false: for broken invariants and driver bugs only,
// never for anything a client can cause.
void check(bool ok, const char* what);

class SessionCore {
 public:
  SessionCore(SessionOptions options, std::string peer);

  const SessionOptions options;
  const std::string peer;

  ProtocolState state = Authorization{};
  InputState input = ReadingCommands{};
  std::optional<std::string> tls;  // TLS description once TLS is active
  std::size_t errors = 0;
  bool started = false;

  // ---- queries ----
  Phase phase() const;
  Transaction* transaction() { return std::get_if<Transaction>(&state); }
  bool is_closed() const { return std::holds_alternative<Closed>(input); }
  bool awaiting() const;
  // Passwords may be sent now: under TLS, or where the configuration allows it without.
  bool login_allowed() const { return tls.has_value() || options.cleartext_login_allowed; }
  bool stls_offered() const { return options.tls_available && !tls; }

  // ---- output ----
  // Queues a status line; counts protocol errors and, at the limit, says so and closes.
  void send(const Reply& reply, CountError count = CountError::no);
  template <class... Args>
  void reply(ReplyId id, const Args&... args) {
    send(make_reply(id, args...));
  }
  // A protocol error: counted towards max_errors.
  void error(ReplyId id) { send(make_reply(id), CountError::yes); }
  // Queues raw bytes (a multi-line body) right after the previous reply.
  void send_bytes(std::string_view bytes);
  // Queues a request; the caller has set `input` to the matching Awaiting* state.
  void request(Action action) { actions.push_back(std::move(action)); }
  // Queues Close; nothing is read or sent afterwards.
  void close();
  // Drops unprocessed input (STLS); returns how many octets were dropped.
  std::size_t discard_buffered_input();

  // ---- input ----
  void feed(std::string_view bytes);
  // Processes buffered input until it runs out, a request is outstanding, or the session closes.
  void pump();

  std::vector<Action> actions;

 private:
  void dispatch(std::string_view line);

  std::string buffer_;
  std::size_t pos_ = 0;  // start of unprocessed input in buffer_
  LineFramer framer_;
};

}  // namespace atrium::pop3::detail
