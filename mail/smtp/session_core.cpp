// The session's input pump and command dispatcher: frames lines, applies the command table
// (listener, pipelining, TLS, authentication, phase, syntax — in that order), runs handlers.
#include "mail/smtp/session_core.hpp"

#include "core/text/ascii.hpp"
#include "core/log/log.hpp"
#include "mail/smtp/command_table.hpp"
#include "mail/smtp/commands/handlers.hpp"

#include <cstdlib>

namespace atrium::smtp::detail {

namespace {

ReplyId reply_for(const SyntaxError& e) {
  using enum SyntaxErrorKind;
  const bool mail = e.verb == Verb::mail;
  switch (e.kind) {
    case unknown_command: return ReplyId::unrecognized_command;
    case line_too_long: return ReplyId::line_too_long;
    case invalid_character: return ReplyId::invalid_character;
    case missing_argument: return mail ? ReplyId::bad_sender_syntax : ReplyId::missing_argument;
    case unexpected_argument: return ReplyId::unexpected_argument;
    case bad_domain: return ReplyId::bad_domain;
    case bad_path: return mail ? ReplyId::bad_sender_syntax : ReplyId::bad_recipient_syntax;
    case path_too_long: return mail ? ReplyId::sender_too_long : ReplyId::recipient_too_long;
    case unknown_parameter: return ReplyId::unknown_parameter;
    case bad_parameter_value: return ReplyId::bad_parameter_value;
    case duplicate_parameter: return ReplyId::duplicate_parameter;
    case bad_chunk_size: return ReplyId::bad_chunk_size;
  }
  return ReplyId::unrecognized_command;
}

}  // namespace

void check(bool ok, const char* what) {
  if (ok) return;
  log::error("smtp.invariant", "what", what);
  std::abort();
}

SessionCore::SessionCore(SessionOptions opts, std::string peer_address)
    : options(std::move(opts)), peer(std::move(peer_address)), framer_(max_any_line) {
  if (options.tls_active) tls = options.tls_description;
}

Phase SessionCore::phase() const {
  if (std::holds_alternative<Connected>(state)) return Phase::connected;
  if (std::holds_alternative<Greeted>(state)) return Phase::greeted;
  return std::get<Transaction>(state).envelope.recipients.empty() ? Phase::mail : Phase::rcpt;
}

bool SessionCore::awaiting() const {
  return std::holds_alternative<AwaitingTls>(input) || std::holds_alternative<AwaitingAuth>(input) ||
         std::holds_alternative<AwaitingSender>(input) || std::holds_alternative<AwaitingRecipient>(input) ||
         std::holds_alternative<AwaitingDelivery>(input);
}

void SessionCore::send(const Reply& reply, CountError count) {
  if (is_closed()) return;
  // Replies queued back to back go out in one write (RFC 2920 section 3.2 encourages this).
  Send* last = actions.empty() ? nullptr : std::get_if<Send>(&actions.back());
  if (last != nullptr) {
    append_reply(last->bytes, reply);
  } else {
    actions.emplace_back(Send{format_reply(reply)});
  }
  if (count == CountError::yes && reply.code >= 500) {
    ++errors;
    if (options.max_errors != 0 && errors >= options.max_errors) {
      log::info("smtp.too_many_errors", "peer", peer, "errors", errors);
      send(make_reply(ReplyId::too_many_errors, options.hostname), CountError::no);
      close();
    }
  }
}

void SessionCore::close() {
  if (is_closed()) return;
  actions.push_back(Close{});
  input = Closed{};
  buffer_.clear();
  pos_ = 0;
}

void SessionCore::end_transaction() {
  if (std::holds_alternative<Transaction>(state)) state = Greeted{};
}

std::size_t SessionCore::discard_buffered_input() {
  std::size_t dropped = buffer_.size() - pos_;
  pos_ = buffer_.size();
  framer_.reset();
  return dropped;
}

void SessionCore::feed(std::string_view bytes) {
  check(started, "Session::feed before start");
  if (is_closed() || bytes.empty()) return;
  // Cleartext read between STARTTLS and the handshake must never be executed.
  if (std::holds_alternative<AwaitingTls>(input)) return;
  buffer_.append(bytes);
  pump();
}

void SessionCore::pump() {
  while (!is_closed() && !awaiting() && pos_ < buffer_.size()) {
    std::string_view rest(buffer_.data() + pos_, buffer_.size() - pos_);
    if (std::holds_alternative<ReadingData>(input)) {
      pos_ += data_input(*this, rest);
      continue;
    }
    if (std::holds_alternative<ReadingChunk>(input)) {
      pos_ += chunk_input(*this, rest);
      continue;
    }
    LineFramer::Frame frame = framer_.next(rest);
    pos_ += frame.consumed;
    if (frame.kind == LineFramer::Kind::need_more) break;
    const bool sasl = std::holds_alternative<ReadingSaslResponse>(input);
    if (frame.kind == LineFramer::Kind::too_long) {
      if (sasl) {
        sasl_line_too_long(*this);
      } else {
        reply(ReplyId::line_too_long);
      }
      continue;
    }
    const std::string line(frame.line);  // `rest` dies if a handler discards input
    if (sasl) {
      sasl_input(*this, line, frame.bare_lf);
    } else {
      dispatch(line, frame.bare_lf, pos_ < buffer_.size());
    }
  }
  if (pos_ > 0) {
    buffer_.erase(0, pos_);
    pos_ = 0;
  }
}

void SessionCore::refuse(Verb verb, const ParseResult& parsed, ReplyId id) {
  reply(id);
  if (!(command_spec(verb).flags & has_payload) || is_closed()) return;
  // A refused BDAT is still followed by its chunk (RFC 3030 section 3): swallow it, or its
  // octets would be read as commands. Without a parsable size we cannot resynchronise.
  if (const auto* cmd = std::get_if<Command>(&parsed)) {
    const auto& bdat = std::get<Bdat>(*cmd);
    input = ReadingChunk{.size = bdat.size, .remaining = bdat.size, .last = bdat.last, .discard = true};
  } else {
    close();
  }
}

void SessionCore::dispatch(std::string_view line, bool bare_lf, bool more_buffered) {
  if (bare_lf) {
    reply(ReplyId::bare_lf_in_command);
    return;
  }
  ParseResult parsed = parse_command(line);
  std::optional<Verb> verb;
  if (const auto* cmd = std::get_if<Command>(&parsed)) {
    verb = verb_of(*cmd);
  } else {
    verb = std::get<SyntaxError>(parsed).verb;
  }
  if (!verb) {
    reply(reply_for(std::get<SyntaxError>(parsed)));
    return;
  }
  const CommandSpec& spec = command_spec(*verb);
  if (!has_mode(spec.modes, options.mode)) return refuse(*verb, parsed, spec.other_mode);
  // RFC 4954 section 4: AUTH with an initial response for a single-round mechanism (PLAIN) may
  // be followed by pipelined commands; no SASL response can be among them.
  bool one_round_auth = false;
  if (const auto* cmd = std::get_if<Command>(&parsed)) {
    if (const auto* a = std::get_if<Auth>(cmd)) {
      one_round_auth = a->initial_response && a->initial_response != "=" && text::iequals(a->mechanism, "PLAIN");
    }
  }
  if ((spec.flags & last_in_group) && more_buffered && *verb != Verb::quit && *verb != Verb::starttls &&
      !one_round_auth) {
    // The client sent more without waiting for this reply. After DATA that "more" would be
    // the message read as commands, after AUTH a guessed SASL response: stop talking.
    log::info("smtp.pipelining_violation", "peer", peer, "after", verb_name(*verb));
    send(make_reply(ReplyId::pipelining_violation, verb_name(*verb)), CountError::no);
    close();
    return;
  }
  if (tls_required() && !(spec.flags & pre_tls)) return refuse(*verb, parsed, ReplyId::must_starttls);
  if (auth_required() && (spec.flags & needs_auth)) return refuse(*verb, parsed, ReplyId::auth_required);
  const Phase now = phase();
  if (!has_phase(spec.allowed, now)) return refuse(*verb, parsed, refusal_for(spec, now));
  if (const auto* error = std::get_if<SyntaxError>(&parsed)) return refuse(*verb, parsed, reply_for(*error));
  spec.run(*this, std::get<Command>(parsed));
}

}  // namespace atrium::smtp::detail
