// The session's input pump and command dispatcher: frames lines, applies the command table
// (state, cleartext-password policy, syntax — in that order), runs handlers.
#include "mail/pop3/session_core.hpp"

#include "core/log/log.hpp"
#include "mail/pop3/command_table.hpp"
#include "mail/pop3/commands/handlers.hpp"

#include <cstdlib>

namespace atrium::pop3::detail {
namespace {

ReplyId reply_for(const SyntaxError& e) {
  using enum SyntaxErrorKind;
  switch (e.kind) {
    case unknown_command: return ReplyId::unknown_command;
    case line_too_long: return ReplyId::line_too_long;
    case invalid_character: return ReplyId::invalid_character;
    case missing_argument: return ReplyId::missing_argument;
    case unexpected_argument: return ReplyId::unexpected_argument;
    case bad_number: return ReplyId::bad_number;
  }
  return ReplyId::unknown_command;
}

}  // namespace

void check(bool ok, const char* what) {
  if (ok) return;
  log::error("pop3.invariant", "what", what);
  std::abort();
}

SessionCore::SessionCore(SessionOptions opts, std::string peer_address)
    : options(std::move(opts)), peer(std::move(peer_address)), framer_(max_any_line) {
  if (options.tls_active) tls = std::string();
}

Phase SessionCore::phase() const {
  return std::holds_alternative<Authorization>(state) ? Phase::authorization : Phase::transaction;
}

bool SessionCore::awaiting() const {
  return std::holds_alternative<AwaitingTls>(input) || std::holds_alternative<AwaitingAuth>(input) ||
         std::holds_alternative<AwaitingMaildrop>(input) || std::holds_alternative<AwaitingRetrieve>(input) ||
         std::holds_alternative<AwaitingCommit>(input);
}

void SessionCore::send_bytes(std::string_view bytes) {
  if (is_closed()) return;
  // Replies queued back to back (pipelined commands) go out in one write.
  if (!actions.empty()) {
    if (auto* last = std::get_if<Send>(&actions.back())) {
      last->bytes.append(bytes);
      return;
    }
  }
  actions.emplace_back(Send{std::string(bytes)});
}

void SessionCore::send(const Reply& reply, CountError count) {
  if (is_closed()) return;
  send_bytes(format_reply(reply));
  if (count == CountError::no) return;
  ++errors;
  if (options.max_errors != 0 && errors >= options.max_errors) {
    log::info("pop3.too_many_errors", "peer", peer, "errors", errors);
    send_bytes(format_reply(make_reply(ReplyId::too_many_errors)));
    close();
  }
}

void SessionCore::close() {
  if (is_closed()) return;
  actions.push_back(Close{});
  input = Closed{};
  buffer_.clear();
  pos_ = 0;
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
  // Cleartext read between STLS and the handshake must never be executed.
  if (std::holds_alternative<AwaitingTls>(input)) return;
  buffer_.append(bytes);
  pump();
}

void SessionCore::pump() {
  while (!is_closed() && !awaiting() && pos_ < buffer_.size()) {
    std::string_view rest(buffer_.data() + pos_, buffer_.size() - pos_);
    LineFramer::Frame frame = framer_.next(rest);
    pos_ += frame.consumed;
    if (frame.kind == LineFramer::Kind::need_more) break;
    const bool sasl = std::holds_alternative<ReadingSaslResponse>(input);
    if (frame.kind == LineFramer::Kind::too_long) {
      if (sasl) {
        sasl_line_too_long(*this);
      } else {
        error(ReplyId::line_too_long);
      }
      continue;
    }
    const std::string line(frame.line);  // `rest` dies if a handler discards input
    if (sasl) {
      sasl_input(*this, line);
    } else {
      dispatch(line);
    }
  }
  if (pos_ > 0) {
    buffer_.erase(0, pos_);
    pos_ = 0;
  }
}

void SessionCore::dispatch(std::string_view line) {
  ParseResult parsed = parse_command(line);
  std::optional<Verb> verb;
  if (const auto* cmd = std::get_if<Command>(&parsed)) {
    verb = verb_of(*cmd);
  } else {
    verb = std::get<SyntaxError>(parsed).verb;
  }
  if (!verb) return error(reply_for(std::get<SyntaxError>(parsed)));
  const CommandSpec& spec = command_spec(*verb);
  if (!has_phase(spec.allowed, phase())) return error(spec.refusal);
  if ((spec.flags & credentials) && !login_allowed()) {
    log::info("pop3.cleartext_refused", "peer", peer, "command", verb_name(*verb));
    return error(ReplyId::cleartext_refused);
  }
  if (const auto* e = std::get_if<SyntaxError>(&parsed)) return error(reply_for(*e));
  spec.run(*this, std::get<Command>(parsed));
}

}  // namespace atrium::pop3::detail
