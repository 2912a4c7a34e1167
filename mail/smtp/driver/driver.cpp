// SMTP transport driver: bytes between the socket and the session, backend calls off the I/O
// threads, and the goodbye on timeout or shutdown.
#include "mail/smtp/driver/driver.hpp"

#include "core/log/log.hpp"
#include "core/net/line.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace atrium::smtp {
namespace {

constexpr std::size_t k_read_chunk = 16 * 1024;

asio::awaitable<bool> send(net::Stream& stream, std::string_view bytes, std::chrono::seconds timeout) {
  auto r = co_await net::write_all(stream, asio::buffer(bytes.data(), bytes.size()), timeout);
  co_return !r.error;
}

asio::awaitable<void> pause(std::chrono::milliseconds delay) {
  if (delay.count() <= 0) co_return;
  asio::steady_timer timer(co_await asio::this_coro::executor, delay);
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

}  // namespace

asio::awaitable<void> serve_connection(net::Stream stream, net::ConnectionInfo info, DriverOptions options,
                                       Backend& backend, runtime::BlockingPool& pool) {
  const Mode mode = options.session.mode;
  runtime::BlockingPool& store_pool = options.store_pool ? *options.store_pool : pool;
  options.session.tls_active = stream.is_tls();
  if (stream.is_tls()) options.session.tls_description = stream.tls_description();
  options.session.tls_available = options.tls != nullptr;
  Session session(options.session, info.remote_address.to_string());
  session.start();
  std::string input;
  input.resize(k_read_chunk);

  for (;;) {
    // Completions produce more actions (the reply to a checked RCPT, the next pipelined
    // command's request): drain until the session has nothing left to say, then read.
    for (auto actions = session.take_actions(); !actions.empty(); actions = session.take_actions()) {
    for (auto& action : actions) {
      if (auto* s = std::get_if<Send>(&action)) {
        if (!co_await send(stream, s->bytes, options.write_timeout)) co_return;
      } else if (std::holds_alternative<StartTls>(action)) {
        auto ec = co_await stream.start_tls(*options.tls, options.tls_handshake_timeout);
        if (ec) {
          log::info("smtp.starttls_failed", "conn", info.id, "error", ec.message());
          co_return;
        }
        session.tls_started(stream.tls_description());
      } else if (auto* a = std::get_if<Authenticate>(&action)) {
        std::chrono::milliseconds delay{0};
        auto result = co_await runtime::run_blocking(pool, [&] { return backend.authenticate(*a, info, delay); });
        co_await pause(delay);
        session.auth_done(std::move(result));
      } else if (auto* c = std::get_if<CheckSender>(&action)) {
        session.sender_checked(co_await backend.check_sender(*c, mode, store_pool));
      } else if (auto* r = std::get_if<CheckRecipient>(&action)) {
        session.recipient_checked(co_await backend.check_recipient(*r, mode, store_pool));
      } else if (auto* d = std::get_if<Deliver>(&action)) {
        session.delivered(co_await backend.deliver(*d, mode, store_pool));
      } else if (std::holds_alternative<Close>(action)) {
        co_await stream.shutdown(std::chrono::seconds(2));
        co_return;
      }
    }
    }
    if (session.closed()) co_return;

    auto timeout = session.current_timeout();
    if (!timeout) co_return;
    if (timeout->phase == TimeoutPhase::initial || timeout->phase == TimeoutPhase::mail ||
        timeout->phase == TimeoutPhase::rcpt) {
      timeout->limit = options.command_timeout;
    }
    std::size_t n = 0;
    boost::system::error_code ec;
    {
      net::Deadline deadline(stream, net::DeadlineScope::read, timeout->limit);
      std::tie(ec, n) = co_await stream.async_read_some(asio::buffer(input), asio::as_tuple(asio::use_awaitable));
      if (ec && stream.interrupted()) {
        co_await send(stream, "421 4.3.2 Service shutting down, closing transmission channel\r\n", std::chrono::seconds(2));
        co_return;
      }
      if (ec && deadline.expired()) {
        log::info("smtp.timeout", "conn", info.id, "seconds", timeout->limit.count());
        co_await send(stream, "421 4.4.2 Timeout exceeded, closing transmission channel\r\n", std::chrono::seconds(2));
        co_return;
      }
    }
    if (n > 0) session.feed(std::string_view(input.data(), n));
    if (ec) co_return;  // end of stream or I/O error: nothing more to say
  }
}

}  // namespace atrium::smtp
