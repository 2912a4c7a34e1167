// Session: the public face of SessionCore. Completions finish the outstanding request, then
// resume the input that was buffered behind it.
#include "mail/pop3/session.hpp"

#include "mail/pop3/commands/handlers.hpp"
#include "mail/pop3/session_core.hpp"

#include <utility>

namespace atrium::pop3 {

Session::Session(SessionOptions options, std::string peer_address)
    : core_(std::make_unique<detail::SessionCore>(std::move(options), std::move(peer_address))) {}
Session::~Session() = default;
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;

void Session::start() {
  detail::check(!core_->started, "Session::start called twice");
  core_->started = true;
  core_->reply(ReplyId::greeting, core_->options.hostname);
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

void Session::maildrop_opened(MaildropResult result) {
  detail::finish_maildrop(*core_, std::move(result));
  core_->pump();
}

void Session::retrieved(RetrieveStatus status) {
  detail::finish_retrieve(*core_, status);
  core_->pump();
}

void Session::committed(CommitStatus status) {
  detail::finish_commit(*core_, status);
  core_->pump();
}

std::vector<Action> Session::take_actions() { return std::exchange(core_->actions, {}); }

bool Session::awaiting_completion() const { return core_->awaiting(); }
bool Session::closed() const { return core_->is_closed(); }

bool Session::holds_maildrop() const {
  // A session closed in TRANSACTION (too many errors) needs the lock no more than one that
  // quit: nothing will be read from it again.
  if (core_->is_closed()) return false;
  return std::holds_alternative<detail::Transaction>(core_->state) ||
         std::holds_alternative<detail::AwaitingCommit>(core_->input);
}

}  // namespace atrium::pop3
