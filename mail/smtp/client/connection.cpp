// The client session over net::Stream: opening (greeting, EHLO, STARTTLS, AUTH), transactions,
// RSET and QUIT, with the RFC 5321 timeouts and every failure as a value.
#include "mail/smtp/client/connection.hpp"

#include "core/auth/sasl.hpp"
#include "core/net/line.hpp"
#include "mail/smtp/client/message_encoder.hpp"
#include "mail/smtp/path.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace atrium::smtp::client {

namespace {

using Clock = std::chrono::steady_clock;

// Commands per pipelined write. Unbounded groups could deadlock: a server that answers while we
// are still writing fills its send buffer when we do not read, then stops reading ours. A
// hundred short commands and their replies fit in any socket buffer.
constexpr std::size_t max_pipelined_commands = 100;
using ReplyOrError = std::variant<Reply, Error>;

bool positive(const Reply& r) { return r.code / 100 == 2; }

std::string duration_text(Duration d) {
  return fmt::format("{} ms", std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
}

// The greeting name must be a domain or an address literal: it goes on a command line as is.
bool valid_helo_name(std::string_view name) {
  return is_valid_domain(name, false) || is_valid_address_literal(name);
}

bool has_nul(std::string_view s) { return s.find('\0') != std::string_view::npos; }

// RFC 7672 section 3.1: only DANE-TA(2) and DANE-EE(3) with a known selector and matching type
// (and data of the digest's length) count; if none is left, TLS is still required but the
// server cannot be authenticated (section 2.2).
std::vector<net::TlsaAssociation> usable_tlsa(const std::vector<dns::TlsaRecord>& records) {
  std::vector<net::TlsaAssociation> out;
  for (const auto& r : records) {
    if (r.usage != 2 && r.usage != 3) continue;
    if (r.selector > 1) continue;
    const bool length_ok = (r.matching_type == 0 && !r.data.empty()) || (r.matching_type == 1 && r.data.size() == 32) ||
                           (r.matching_type == 2 && r.data.size() == 64);
    if (!length_ok) continue;
    out.push_back({.usage = r.usage, .selector = r.selector, .matching_type = r.matching_type, .data = r.data});
  }
  return out;
}

Disposition disposition_of(const Reply& r) {
  if (positive(r)) return Disposition::delivered;
  return r.code >= 500 ? Disposition::permanent_failure : Disposition::temporary_failure;
}

}  // namespace

std::string_view to_string(Stage s) noexcept {
  switch (s) {
    case Stage::connect: return "connect";
    case Stage::greeting: return "greeting";
    case Stage::ehlo: return "ehlo";
    case Stage::starttls: return "starttls";
    case Stage::tls_handshake: return "tls_handshake";
    case Stage::auth: return "auth";
    case Stage::mail: return "mail";
    case Stage::rcpt: return "rcpt";
    case Stage::data: return "data";
    case Stage::message: return "message";
    case Stage::rset: return "rset";
    case Stage::quit: return "quit";
  }
  return "unknown";
}

std::string_view to_string(ErrorKind k) noexcept {
  switch (k) {
    case ErrorKind::refused: return "refused";
    case ErrorKind::timeout: return "timeout";
    case ErrorKind::network: return "network";
    case ErrorKind::reply: return "reply";
    case ErrorKind::tls_failure: return "tls_failure";
    case ErrorKind::unsupported: return "unsupported";
    case ErrorKind::protocol: return "protocol";
    case ErrorKind::local: return "local";
  }
  return "unknown";
}

std::string_view to_string(TlsAuthentication a) noexcept {
  switch (a) {
    case TlsAuthentication::none: return "none";
    case TlsAuthentication::unverified: return "unverified";
    case TlsAuthentication::verified: return "verified";
    case TlsAuthentication::dane: return "dane";
  }
  return "unknown";
}

std::string describe(const Error& error) {
  std::string out = fmt::format("{}: {}: ", to_string(error.stage), to_string(error.kind));
  if (!error.reply) return out + error.text;
  // One line for logs: code, enhanced code, then the reply's lines joined by spaces.
  out += fmt::format("{:03d}", error.reply->code);
  if (!error.reply->enhanced.empty()) out += " " + error.reply->enhanced;
  for (const std::string& line : error.reply->lines) {
    if (!line.empty()) out += " " + line;
  }
  return out;
}

std::vector<RecipientOutcome> recipient_outcomes(const TransactionResult& result, std::size_t recipient_count) {
  std::vector<RecipientOutcome> out(recipient_count);
  if (result.local) {
    const bool one = result.local->reason == LocalReason::invalid_recipient && result.local->recipient;
    for (std::size_t i = 0; i < recipient_count; ++i) {
      if (!one || i == *result.local->recipient) out[i].disposition = Disposition::permanent_failure;
    }
    return out;
  }
  const std::optional<Reply> connection_reply = result.error ? result.error->reply : std::nullopt;
  for (std::size_t i = 0; i < recipient_count; ++i) {
    RecipientOutcome& o = out[i];
    if (result.mail && !positive(*result.mail)) {
      o = {disposition_of(*result.mail), result.mail};
    } else if (i < result.recipients.size() && !positive(result.recipients[i])) {
      o = {disposition_of(result.recipients[i]), result.recipients[i]};
    } else if (i < result.recipients.size() && result.final_reply) {
      o = {disposition_of(*result.final_reply), result.final_reply};
    } else {
      o = {Disposition::temporary_failure, connection_reply};
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

struct Connection::Impl {
  Impl(net::Stream s, ConnectOptions o) : stream(std::move(s)), options(std::move(o)), parser(options.reply_limits) {}

  net::Stream stream;
  net::Buffer buffer;
  ConnectOptions options;
  ReplyParser parser;
  Capabilities caps;
  Reply greeting;
  bool usable = true;
  bool authenticated = false;
  TlsAuthentication tls_auth = TlsAuthentication::none;

  // An error after which the connection cannot go on: it is closed.
  Error broken(Stage stage, ErrorKind kind, std::string text, std::optional<Reply> reply = std::nullopt) {
    stream.close();
    usable = false;
    return Error{.stage = stage, .kind = kind, .reply = std::move(reply), .text = std::move(text)};
  }
  // A refusal: the connection is still in step (the caller may RSET or QUIT).
  static Error refusal(Stage stage, Reply reply) {
    std::string text = reply.lines.empty() ? std::string() : reply.lines.front();
    return Error{.stage = stage, .kind = ErrorKind::reply, .reply = std::move(reply), .text = std::move(text)};
  }

  // Reads one whole reply within `timeout`. A 421 (RFC 5321 section 3.8: the server is closing
  // the connection) comes back as an Error of kind reply, and the connection is closed.
  asio::awaitable<ReplyOrError> read_reply(Stage stage, Duration timeout) {
    const auto until = Clock::now() + timeout;
    for (;;) {
      const Duration left = std::max(Duration::zero(), until - Clock::now());
      net::ReadResult line = co_await net::read_line(stream, buffer, parser.limits().max_line, left);
      if (!line) {
        parser.reset();
        switch (*line.error) {
          case net::ReadError::timeout:
            co_return broken(stage, ErrorKind::timeout, "no reply within " + duration_text(timeout));
          case net::ReadError::too_long:
            co_return broken(stage, ErrorKind::protocol, std::string(to_string(ReplyError::line_too_long)));
          case net::ReadError::eof:
            co_return broken(stage, ErrorKind::network, "connection closed by the server");
          case net::ReadError::io_error:
            co_return broken(stage, ErrorKind::network, line.cause.message());
          case net::ReadError::cancelled:
            co_return broken(stage, ErrorKind::network, "connection interrupted");
        }
      }
      ReplyParser::Result r = parser.add_line(line.data);
      if (r.kind == ReplyParser::Kind::error) co_return broken(stage, ErrorKind::protocol, std::string(to_string(r.error)));
      if (r.kind == ReplyParser::Kind::need_more) continue;
      if (r.reply.code == 421) {
        std::string text = r.reply.lines.empty() ? std::string() : r.reply.lines.front();
        co_return broken(stage, ErrorKind::reply, std::move(text), std::move(r.reply));
      }
      co_return std::move(r.reply);
    }
  }

  asio::awaitable<std::optional<Error>> write(Stage stage, std::string_view data, Duration timeout) {
    const net::WriteResult w = co_await net::write_all(stream, data, timeout);
    if (w) co_return std::nullopt;
    if (*w.error == net::WriteError::timeout)
      co_return broken(stage, ErrorKind::timeout, "the server accepted no data for " + duration_text(timeout));
    co_return broken(stage, ErrorKind::network, w.cause.message());
  }

  // Writes `line` (with its CRLF) and reads the reply, both within `timeout`.
  asio::awaitable<ReplyOrError> command(Stage stage, std::string_view line, Duration timeout) {
    if (auto e = co_await write(stage, line, timeout)) co_return std::move(*e);
    co_return co_await read_reply(stage, timeout);
  }

  asio::awaitable<std::optional<Error>> read_greeting() {
    ReplyOrError r = co_await read_reply(Stage::greeting, options.timeouts.greeting);
    if (auto* e = std::get_if<Error>(&r)) co_return std::move(*e);
    Reply& reply = std::get<Reply>(r);
    if (reply.code >= 400) co_return refusal(Stage::greeting, std::move(reply));
    if (reply.code != 220) co_return broken(Stage::greeting, ErrorKind::protocol, fmt::format("unexpected greeting {}", reply.code));
    greeting = std::move(reply);
    co_return std::nullopt;
  }

  // EHLO, or HELO when the server does not know EHLO (RFC 5321 section 3.2). After STARTTLS
  // only EHLO makes sense: the server offered STARTTLS in its EHLO reply.
  asio::awaitable<std::optional<Error>> hello(bool after_tls) {
    const Duration t = options.timeouts.command;
    ReplyOrError r = co_await command(Stage::ehlo, fmt::format("EHLO {}\r\n", options.helo_name), t);
    if (auto* e = std::get_if<Error>(&r)) co_return std::move(*e);
    Reply& reply = std::get<Reply>(r);
    if (positive(reply)) {
      caps = parse_ehlo(reply);
      co_return std::nullopt;
    }
    if (after_tls || (reply.code != 500 && reply.code != 502)) co_return refusal(Stage::ehlo, std::move(reply));
    r = co_await command(Stage::ehlo, fmt::format("HELO {}\r\n", options.helo_name), t);
    if (auto* e = std::get_if<Error>(&r)) co_return std::move(*e);
    Reply& helo = std::get<Reply>(r);
    if (!positive(helo)) co_return refusal(Stage::ehlo, std::move(helo));
    caps = Capabilities{};
    caps.server_name = parse_ehlo(helo).server_name;
    co_return std::nullopt;
  }

  asio::awaitable<std::optional<Error>> start_tls() {
    const TlsMode mode = options.tls;
    if (mode == TlsMode::none) co_return std::nullopt;
    const bool opportunistic = mode == TlsMode::opportunistic;
    if (!caps.starttls) {
      if (opportunistic) co_return std::nullopt;
      co_return Error{.stage = Stage::starttls, .kind = ErrorKind::unsupported, .text = "STARTTLS not offered"};
    }
    if (!options.tls_context) co_return std::nullopt;  // only possible when opportunistic (open() checks)

    ReplyOrError r = co_await command(Stage::starttls, "STARTTLS\r\n", options.timeouts.command);
    if (auto* e = std::get_if<Error>(&r)) co_return std::move(*e);
    Reply& reply = std::get<Reply>(r);
    if (reply.code != 220) {
      // Refused by a reply: the session is still in step, so opportunistic TLS goes on in clear.
      if (opportunistic && reply.code >= 400) co_return std::nullopt;
      if (reply.code >= 400) co_return refusal(Stage::starttls, std::move(reply));
      co_return broken(Stage::starttls, ErrorKind::protocol, fmt::format("unexpected STARTTLS reply {}", reply.code));
    }
    // Whatever followed the 220 came in cleartext and must not be taken as the server's first
    // words under TLS (response injection, the client side of CVE-2011-0411).
    buffer.consume(buffer.size());
    parser.reset();

    net::ClientTlsOptions tls;
    tls.server_name = options.tls_name;
    if (!options.tls_name.empty()) tls.reference_names.push_back(options.tls_name);
    for (const auto& n : options.tls_extra_names) {
      if (!n.empty()) tls.reference_names.push_back(n);
    }
    switch (mode) {
      case TlsMode::none:
      case TlsMode::opportunistic: tls.verify = net::PeerVerification::none; break;
      case TlsMode::required_verify_name: tls.verify = net::PeerVerification::name; break;
      case TlsMode::dane:
        tls.tlsa = usable_tlsa(options.tlsa);
        tls.verify = tls.tlsa.empty() ? net::PeerVerification::none : net::PeerVerification::dane;
        break;
    }
    const net::error_code ec =
        co_await stream.client_handshake(*options.tls_context, tls, options.timeouts.tls_handshake);
    if (ec) {
      // A handshake that stalls is a TLS failure like any other: an opportunistic caller retries
      // in cleartext either way.
      if (ec == asio::error::timed_out)
        co_return broken(Stage::tls_handshake, ErrorKind::tls_failure,
                         "TLS handshake not finished within " + duration_text(options.timeouts.tls_handshake));
      if (ec == asio::error::invalid_argument)
        co_return broken(Stage::tls_handshake, ErrorKind::local, "unusable TLS options");
      std::string text = ec.message();
      const net::TlsPeerStatus status = stream.tls_peer_status();
      if (!status.verify_error.empty()) text += ": " + status.verify_error;
      co_return broken(Stage::tls_handshake, ErrorKind::tls_failure, std::move(text));
    }
    const net::TlsPeerStatus status = stream.tls_peer_status();
    if (status.dane_depth >= 0) {
      tls_auth = TlsAuthentication::dane;
    } else if (status.verified && !tls.reference_names.empty()) {
      tls_auth = TlsAuthentication::verified;
    } else {
      tls_auth = TlsAuthentication::unverified;
    }
    // RFC 3207 section 4.2: forget what the server said in clear and ask again.
    caps = Capabilities{};
    co_return co_await hello(true);
  }

  asio::awaitable<std::optional<Error>> authenticate() {
    if (!options.auth) co_return std::nullopt;
    if (!stream.is_tls())
      co_return Error{.stage = Stage::auth, .kind = ErrorKind::unsupported,
                      .text = "AUTH needs TLS, which this connection does not have"};
    const Credentials& c = *options.auth;
    const Duration t = options.timeouts.command;
    ReplyOrError r;
    if (caps.auth.contains("PLAIN")) {
      // RFC 4616: authzid (empty), authcid and password separated by NUL; sent as the initial
      // response (RFC 4954 section 4), or after an empty challenge if the server wants one.
      std::string message(1, '\0');
      message += c.user;
      message += '\0';
      message += c.password;
      const std::string token = auth::base64_encode(message);
      r = co_await command(Stage::auth, "AUTH PLAIN " + token + "\r\n", t);
      if (auto* reply = std::get_if<Reply>(&r); reply && reply->code == 334) {
        r = co_await command(Stage::auth, token + "\r\n", t);
      }
    } else if (caps.auth.contains("LOGIN")) {
      r = co_await command(Stage::auth, "AUTH LOGIN\r\n", t);
      for (const std::string* field : {&c.user, &c.password}) {
        auto* reply = std::get_if<Reply>(&r);
        if (!reply || reply->code != 334) break;
        r = co_await command(Stage::auth, auth::base64_encode(*field) + "\r\n", t);
      }
    } else {
      co_return Error{.stage = Stage::auth, .kind = ErrorKind::unsupported,
                      .text = "the server offers neither AUTH PLAIN nor AUTH LOGIN"};
    }
    if (auto* e = std::get_if<Error>(&r)) co_return std::move(*e);
    Reply& reply = std::get<Reply>(r);
    if (reply.code == 235) {
      authenticated = true;
      co_return std::nullopt;
    }
    if (reply.code >= 400) co_return refusal(Stage::auth, std::move(reply));
    // A challenge we have no answer for: cancel the exchange (RFC 4954 section 4) and give up.
    co_await write(Stage::auth, "*\r\n", t);
    co_return broken(Stage::auth, ErrorKind::protocol, fmt::format("unexpected AUTH reply {}", reply.code));
  }

  // QUIT and close; never fails.
  asio::awaitable<void> goodbye() {
    if (usable) {
      const Duration t = options.timeouts.quit;
      if (!co_await write(Stage::quit, "QUIT\r\n", t)) {
        co_await read_reply(Stage::quit, t);
        if (usable) co_await stream.shutdown(t);
      }
    }
    stream.close();
    usable = false;
  }

  asio::awaitable<bool> rset() {
    if (!usable) co_return false;
    ReplyOrError r = co_await command(Stage::rset, "RSET\r\n", options.timeouts.rset);
    if (auto* reply = std::get_if<Reply>(&r); reply && positive(*reply)) co_return true;
    stream.close();
    usable = false;
    co_return false;
  }

  asio::awaitable<std::optional<Error>> send_data(std::string_view message) {
    constexpr std::size_t slice = 64 * 1024;
    MessageEncoder encoder(MessageEncoder::Framing::data);
    std::string out;
    std::size_t pos = 0;
    bool last = false;
    while (!last) {
      const std::string_view part = message.substr(pos, slice);
      pos += part.size();
      last = pos >= message.size();
      out.clear();
      encoder.feed(part, out);
      if (last) encoder.finish(out);
      if (auto e = co_await write(Stage::message, out, options.timeouts.data_block)) co_return e;
    }
    co_return std::nullopt;
  }

  // Sends the BDAT chunks (RFC 3030), each answered before the next. Sets result.final_reply to
  // the last chunk's reply or the first refusal.
  asio::awaitable<std::optional<Error>> send_bdat(std::string_view message, bool binary, TransactionResult& result) {
    const std::size_t chunk = std::max<std::size_t>(1, options.bdat_chunk_size);
    MessageEncoder encoder(MessageEncoder::Framing::bdat);
    std::string payload;
    std::size_t pos = 0;
    bool last = false;
    while (!last) {
      const std::string_view part = message.substr(pos, chunk);
      pos += part.size();
      last = pos >= message.size();
      payload.clear();
      if (binary) {
        payload.assign(part);
      } else {
        encoder.feed(part, payload);
        if (last) encoder.finish(payload);
      }
      const std::string head = fmt::format("BDAT {}{}\r\n", payload.size(), last ? " LAST" : "");
      const Duration t = last ? options.timeouts.data_end : options.timeouts.data_block;
      if (auto e = co_await write(Stage::message, head, options.timeouts.data_block)) co_return e;
      if (auto e = co_await write(Stage::message, payload, options.timeouts.data_block)) co_return e;
      ReplyOrError r = co_await read_reply(Stage::message, t);
      if (auto* e = std::get_if<Error>(&r)) co_return std::move(*e);
      Reply& reply = std::get<Reply>(r);
      if (!positive(reply) || last) {
        const bool refused_early = !positive(reply) && !last;
        result.final_reply = std::move(reply);
        if (refused_early) co_await rset();
        co_return std::nullopt;
      }
    }
    co_return std::nullopt;
  }

  asio::awaitable<TransactionResult> transaction(const Envelope& envelope, std::string_view message) {
    TransactionResult result;
    if (!usable) {
      result.error = Error{.stage = Stage::mail, .kind = ErrorKind::network, .text = "the connection is not usable"};
      co_return result;
    }
    auto planned = plan_transaction(envelope, message, caps, options.plan);
    if (auto* refusal = std::get_if<LocalRefusal>(&planned)) {
      result.local = std::move(*refusal);
      co_return result;
    }
    const TransactionPlan& plan = std::get<TransactionPlan>(planned);
    const Timeouts& t = options.timeouts;
    // RFC 2920 section 3.1: DATA may end a pipelined group; BDAT waits for the RCPT replies here.
    const bool data_in_batch = caps.pipelining && !plan.bdat;

    auto fail = [&](Error e) -> TransactionResult& {
      result.error = std::move(e);
      return result;
    };

    // The commands whose replies are read below, in order: MAIL, each RCPT, and DATA when it is
    // pipelined. With PIPELINING they go in groups of up to max_pipelined_commands per write
    // (RFC 2920 section 3.1); without it, one at a time.
    std::vector<const std::string*> commands;
    commands.push_back(&plan.mail);
    for (const auto& rcpt : plan.rcpts) commands.push_back(&rcpt);
    static const std::string data_command = "DATA\r\n";
    if (data_in_batch) commands.push_back(&data_command);
    const std::size_t window = caps.pipelining ? max_pipelined_commands : 1;
    std::size_t sent = 0;
    // The reply to commands[k], writing the next group first if command k was not sent yet.
    auto reply_to = [&](std::size_t k, Stage stage, Duration timeout) -> asio::awaitable<ReplyOrError> {
      if (k >= sent) {
        const std::size_t end = std::min(commands.size(), sent + window);
        std::string group;
        for (std::size_t i = sent; i < end; ++i) group += *commands[i];
        if (auto e = co_await write(stage, group, timeout)) co_return std::move(*e);
        sent = end;
      }
      co_return co_await read_reply(stage, timeout);
    };

    ReplyOrError r = co_await reply_to(0, Stage::mail, t.mail);
    if (auto* e = std::get_if<Error>(&r)) co_return fail(std::move(*e));
    result.mail = std::move(std::get<Reply>(r));
    const bool mail_ok = positive(*result.mail);

    std::size_t accepted = 0;
    for (std::size_t i = 0; i < plan.rcpts.size(); ++i) {
      // After a refused MAIL, only the replies to commands already sent are read.
      if (!mail_ok && 1 + i >= sent) break;
      r = co_await reply_to(1 + i, Stage::rcpt, t.rcpt);
      if (auto* e = std::get_if<Error>(&r)) co_return fail(std::move(*e));
      Reply& reply = std::get<Reply>(r);
      if (positive(reply)) ++accepted;
      result.recipients.push_back(std::move(reply));
    }
    const bool go = mail_ok && accepted > 0;
    const bool data_sent = data_in_batch && commands.size() - 1 < sent;

    if (!go && !data_sent) {
      co_await rset();
      co_return result;
    }
    if (!plan.bdat) {
      if (data_in_batch) {
        r = co_await reply_to(commands.size() - 1, Stage::data, t.data_init);
      } else {
        r = co_await command(Stage::data, data_command, t.data_init);
      }
      if (auto* e = std::get_if<Error>(&r)) {
        if (!go) co_return result;  // the refusals above already decided
        co_return fail(std::move(*e));
      }
      Reply& reply = std::get<Reply>(r);
      if (!go) {
        // RFC 2920 section 3.1: a server that accepts a pipelined DATA although no recipient was
        // accepted gets an empty message, whatever it then answers.
        if (reply.code == 354 && !co_await write(Stage::message, ".\r\n", t.data_block)) {
          co_await read_reply(Stage::message, t.data_end);
        }
        co_await rset();
        co_return result;
      }
      if (reply.code != 354) {
        if (positive(reply))
          co_return fail(broken(Stage::data, ErrorKind::protocol, fmt::format("unexpected DATA reply {}", reply.code)));
        result.final_reply = std::move(reply);
        co_await rset();
        co_return result;
      }
    }

    if (plan.bdat) {
      if (auto e = co_await send_bdat(message, plan.binary, result)) co_return fail(std::move(*e));
      co_return result;
    }
    if (auto e = co_await send_data(message)) co_return fail(std::move(*e));
    r = co_await read_reply(Stage::message, t.data_end);
    if (auto* e = std::get_if<Error>(&r)) co_return fail(std::move(*e));
    result.final_reply = std::move(std::get<Reply>(r));
    co_return result;
  }
};

// ---------------------------------------------------------------------------------------------

Connection::Connection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Connection::Connection(Connection&&) noexcept = default;
Connection& Connection::operator=(Connection&&) noexcept = default;
Connection::~Connection() = default;

asio::awaitable<OpenResult> Connection::open(asio::any_io_executor executor, tcp::endpoint endpoint,
                                             ConnectOptions options) {
  // Checked before connecting: these are the caller's mistakes, not the server's.
  if (!valid_helo_name(options.helo_name))
    co_return Error{.stage = Stage::ehlo, .kind = ErrorKind::local, .text = "helo_name is not a domain or address literal"};
  if (options.tls == TlsMode::required_verify_name || options.tls == TlsMode::dane) {
    if (!options.tls_context)
      co_return Error{.stage = Stage::starttls, .kind = ErrorKind::local, .text = "TLS is required but no TLS context is set"};
    if (options.tls_name.empty())
      co_return Error{.stage = Stage::starttls, .kind = ErrorKind::local, .text = "TLS is required but tls_name is empty"};
  }
  if (options.auth && (has_nul(options.auth->user) || has_nul(options.auth->password) || options.auth->user.empty()))
    co_return Error{.stage = Stage::auth, .kind = ErrorKind::local, .text = "unusable credentials"};

  tcp::socket socket(executor);
  net::error_code ec;
  socket.open(endpoint.protocol(), ec);
  if (!ec && options.source_address) socket.bind(tcp::endpoint(*options.source_address, 0), ec);
  if (ec) co_return Error{.stage = Stage::connect, .kind = ErrorKind::local, .text = ec.message()};
  {
    using namespace asio::experimental::awaitable_operators;
    asio::steady_timer timer(executor, options.timeouts.connect);
    auto done = co_await (socket.async_connect(endpoint, asio::as_tuple(asio::use_awaitable)) ||
                          timer.async_wait(asio::as_tuple(asio::use_awaitable)));
    if (done.index() == 1)
      co_return Error{.stage = Stage::connect, .kind = ErrorKind::timeout,
                      .text = "no connection within " + duration_text(options.timeouts.connect)};
    const auto [connect_ec] = std::get<0>(done);
    if (connect_ec == asio::error::connection_refused)
      co_return Error{.stage = Stage::connect, .kind = ErrorKind::refused, .text = connect_ec.message()};
    if (connect_ec) co_return Error{.stage = Stage::connect, .kind = ErrorKind::network, .text = connect_ec.message()};
  }

  auto impl = std::make_unique<Impl>(net::Stream(std::move(socket)), std::move(options));
  std::optional<Error> error = co_await impl->read_greeting();
  if (!error) error = co_await impl->hello(false);
  if (!error) error = co_await impl->start_tls();
  if (!error) error = co_await impl->authenticate();
  if (error) {
    co_await impl->goodbye();  // only says QUIT when the session is still in step
    co_return std::move(*error);
  }
  co_return Connection(std::move(impl));
}

asio::awaitable<TransactionResult> Connection::send(const Envelope& envelope, std::string_view message) {
  co_return co_await impl_->transaction(envelope, message);
}

asio::awaitable<bool> Connection::reset() { co_return co_await impl_->rset(); }

asio::awaitable<void> Connection::quit() { co_await impl_->goodbye(); }

bool Connection::usable() const noexcept { return impl_ && impl_->usable; }
const Capabilities& Connection::capabilities() const noexcept { return impl_->caps; }
const Reply& Connection::greeting() const noexcept { return impl_->greeting; }
std::string Connection::tls_description() const { return impl_->stream.tls_description(); }
TlsAuthentication Connection::tls_authentication() const noexcept { return impl_->tls_auth; }
net::TlsPeerStatus Connection::tls_peer_status() const { return impl_->stream.tls_peer_status(); }
bool Connection::authenticated() const noexcept { return impl_->authenticated; }
tcp::endpoint Connection::remote_endpoint() const noexcept { return impl_->stream.remote_endpoint(); }

}  // namespace atrium::smtp::client
