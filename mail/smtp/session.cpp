// Session: the public face of SessionCore. Completions finish the outstanding request, then
// resume the input that was buffered behind it.
#include "mail/smtp/session.hpp"

#include "mail/smtp/commands/handlers.hpp"
#include "mail/smtp/session_core.hpp"

#include <utility>

namespace atrium::smtp {

using namespace std::chrono_literals;

Session::Session(SessionOptions options, std::string peer_address)
    : core_(std::make_unique<detail::SessionCore>(std::move(options), std::move(peer_address))) {}
Session::~Session() = default;
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;

void Session::start() {
  detail::check(!core_->started, "Session::start called twice");
  core_->started = true;
  const auto id = core_->options.mode == Mode::lmtp ? ReplyId::greeting_lmtp : ReplyId::greeting;
  core_->send(make_reply(id, core_->options.hostname), detail::CountError::no);
}

void Session::feed(std::string_view bytes) { core_->feed(bytes); }

void Session::tls_started(std::string description) {
  detail::finish_starttls(*core_, std::move(description));
  core_->pump();
}

void Session::auth_done(AuthResult result) {
  detail::finish_auth(*core_, result);
  core_->pump();
}

void Session::sender_checked(SenderResult result) {
  detail::finish_mail(*core_, result);
  core_->pump();
}

void Session::recipient_checked(RecipientResult result) {
  detail::finish_rcpt(*core_, result);
  core_->pump();
}

void Session::delivered(DeliveryResult result) {
  detail::finish_delivery(*core_, result);
  core_->pump();
}

std::vector<Action> Session::take_actions() { return std::exchange(core_->actions, {}); }

bool Session::awaiting_completion() const { return core_->awaiting(); }
bool Session::closed() const { return core_->is_closed(); }

std::optional<Timeout> Session::current_timeout() const {
  using detail::Phase;
  const auto& in = core_->input;
  if (core_->is_closed()) return std::nullopt;
  if (std::holds_alternative<detail::ReadingData>(in) || std::holds_alternative<detail::ReadingChunk>(in)) {
    return Timeout{TimeoutPhase::data_block, 3min};
  }
  if (std::holds_alternative<detail::AwaitingDelivery>(in)) return Timeout{TimeoutPhase::data_termination, 10min};
  if (std::holds_alternative<detail::AwaitingSender>(in)) return Timeout{TimeoutPhase::mail, 5min};
  if (std::holds_alternative<detail::AwaitingRecipient>(in)) return Timeout{TimeoutPhase::rcpt, 5min};
  if (!std::holds_alternative<detail::ReadingCommands>(in)) return Timeout{TimeoutPhase::server, 5min};
  switch (core_->phase()) {
    case Phase::connected: return Timeout{TimeoutPhase::initial, 5min};
    case Phase::greeted: return Timeout{TimeoutPhase::mail, 5min};
    case Phase::mail:
    case Phase::rcpt: return Timeout{TimeoutPhase::rcpt, 5min};
  }
  return Timeout{TimeoutPhase::server, 5min};
}

}  // namespace atrium::smtp
