// Internal to mail/smtp: the session's state (as types), the helpers the command handlers share,
// and the dispatcher that applies the command table. Session (session.hpp) is its public face.
#pragma once

#include "core/auth/sasl.hpp"
#include "mail/smtp/data_reader.hpp"
#include "mail/smtp/line_framer.hpp"
#include "mail/smtp/parser.hpp"
#include "mail/smtp/reply.hpp"
#include "mail/smtp/session.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace atrium::smtp::detail {

// ---- Protocol state: where the client is in RFC 5321's command sequence ----
struct Connected {};  // greeting sent; no EHLO/HELO/LHLO yet (again after STARTTLS)
struct Greeted {};    // hello done, no transaction
struct Transaction {  // MAIL accepted
  Envelope envelope;               // reverse path, MAIL parameters, accepted recipients
  std::optional<DataReader> body;  // DATA: from the 354 on; BDAT: from the first chunk on
  std::string message;             // decoded content so far
  bool chunked = false;            // a BDAT chunk was received: DATA is no longer allowed
};
using ProtocolState = std::variant<Connected, Greeted, Transaction>;

// The phase the command table speaks of: ProtocolState with Transaction split by recipients.
enum class Phase : std::uint8_t { connected = 1, greeted = 2, mail = 4, rcpt = 8 };

// ---- Input state: what the next client octets are, or what we are waiting for ----
struct ReadingCommands {};
struct ReadingData {};  // DATA content into Transaction::body
struct ReadingChunk {   // BDAT content
  std::uint64_t size = 0;       // the chunk's announced size
  std::uint64_t remaining = 0;  // octets still to come
  bool last = false;
  bool discard = false;         // the BDAT was refused: consume the octets, store nothing
};
struct ReadingSaslResponse {
  auth::SaslServer sasl;
};
struct AwaitingTls {};
struct AwaitingAuth {
  std::string authcid;
};
struct AwaitingSender {
  Mail mail;
};
struct AwaitingRecipient {
  Rcpt rcpt;
};
struct AwaitingDelivery {
  std::vector<std::string> recipients;  // mailboxes, for LMTP's per-recipient replies
};
struct Closed {};
using InputState = std::variant<ReadingCommands, ReadingData, ReadingChunk, ReadingSaslResponse, AwaitingTls,
                                AwaitingAuth, AwaitingSender, AwaitingRecipient, AwaitingDelivery, Closed>;

// Whether a reply counts towards SessionOptions::max_errors (only 5xx replies do).
enum class CountError { yes, no };

// Crashes loudly (log + abort) when `ok` is false: for broken invariants and driver bugs only,
// never for anything a client can cause.
void check(bool ok, const char* what);

class SessionCore {
 public:
  SessionCore(SessionOptions options, std::string peer);

  const SessionOptions options;
  const std::string peer;

  ProtocolState state = Connected{};
  InputState input = ReadingCommands{};
  std::string helo;                       // last EHLO/HELO/LHLO argument
  HelloVerb hello_verb = HelloVerb::ehlo;  // and which verb it came with
  std::optional<std::string> tls;         // TLS description once TLS is active
  std::optional<std::string> principal;   // authenticated user
  std::size_t errors = 0;
  bool started = false;

  // ---- queries ----
  Phase phase() const;
  Transaction* transaction() { return std::get_if<Transaction>(&state); }
  bool is_closed() const { return std::holds_alternative<Closed>(input); }
  bool awaiting() const;
  bool smtp_mode() const { return options.mode != Mode::lmtp; }
  bool submission_mode() const { return options.mode == Mode::submission || options.mode == Mode::submissions; }
  // Submission before STARTTLS: only commands flagged pre_tls may run.
  bool tls_required() const { return options.mode == Mode::submission && !tls && !options.auth_without_tls_allowed; }
  // Submission before AUTH: commands flagged needs_auth are refused.
  bool auth_required() const { return submission_mode() && !principal; }
  // AUTH is usable (and advertised) now.
  bool auth_offered() const { return submission_mode() && (tls || options.auth_without_tls_allowed); }
  bool starttls_offered() const { return options.tls_available && !tls; }

  // ---- output ----
  // Queues a reply; counts 5xx replies and, at the limit, follows with 421 and Close.
  void send(const Reply& reply, CountError count = CountError::yes);
  template <class... Args>
  void reply(ReplyId id, const Args&... args) {
    send(make_reply(id, args...));
  }
  // Queues a request; the caller has set `input` to the matching Awaiting* state.
  void request(Action action) { actions.push_back(std::move(action)); }
  // Queues Close; nothing is read or sent afterwards.
  void close();
  // Ends any transaction (RSET, EHLO, end of message): back to Greeted.
  void end_transaction();
  // Drops unprocessed input (STARTTLS); returns how many octets were dropped.
  std::size_t discard_buffered_input();

  // ---- input ----
  void feed(std::string_view bytes);
  // Processes buffered input until it runs out, a request is outstanding, or the session closes.
  void pump();

  std::vector<Action> actions;

 private:
  void dispatch(std::string_view line, bool bare_lf, bool more_buffered);
  void refuse(Verb verb, const ParseResult& parsed, ReplyId reply);

  std::string buffer_;
  std::size_t pos_ = 0;  // start of unprocessed input in buffer_
  LineFramer framer_;
};

}  // namespace atrium::smtp::detail
