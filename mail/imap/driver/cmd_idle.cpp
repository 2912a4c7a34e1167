// IDLE (RFC 2177): untagged updates as other sessions and protocols commit, until DONE. The
// store's notify hub wakes the session right after each commit to the account.
#include "mail/imap/driver/session_impl.hpp"

#include "core/text/ascii.hpp"

#include <fmt/format.h>

namespace atrium::imap {

asio::awaitable<void> run_idle(Session::Impl& s, const Command& c) {
  Account who = *s.account();
  auto wake = s.channel.make_wakeup();
  auto subscription = s.services.store.notify().subscribe(
      who.principal, [wake](const storage::Notification&) { wake->notify(); });
  s.out += "+ idling\r\n";
  co_await s.announce_changes(Session::Impl::Announce::all, false);
  if (!co_await s.flush()) {
    s.state = LoggedOut{};
    co_return;
  }
  for (;;) {
    bool woken = false;
    auto line = co_await s.channel.read_line_or_wake(64, *wake, s.options.idle_timeout, &woken);
    if (line) {
      if (text::iequals(*line, "DONE")) {
        s.tagged(c.tag, "OK", "IDLE terminated");
      } else {
        s.tagged(c.tag, "BAD", "Expected DONE");
      }
      co_return;
    }
    if (!woken) {
      s.untagged("BYE Idle for too long");
      s.state = LoggedOut{};
      co_return;
    }
    co_await s.announce_changes(Session::Impl::Announce::all, false, Session::Impl::Refresh::always);
    if (std::holds_alternative<LoggedOut>(s.state) || !co_await s.flush()) {
      s.state = LoggedOut{};
      co_return;
    }
  }
}

}  // namespace atrium::imap
