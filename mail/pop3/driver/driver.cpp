// POP3 transport driver: bytes between the socket and the session, backend calls off the I/O
// threads, message content streamed in bounded pieces, and the goodbye on shutdown.
#include "mail/pop3/driver/driver.hpp"

#include "core/log/log.hpp"
#include "core/net/line.hpp"
#include "mail/pop3/message_encoder.hpp"
#include "mail/pop3/reply.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <optional>

namespace atrium::pop3 {
namespace {

constexpr std::size_t k_read_chunk = 16 * 1024;
// Large messages are read from their blob file and written in pieces of about this size, so a
// session's memory stays bounded whatever the message size.
constexpr std::size_t k_content_chunk = 64 * 1024;

asio::awaitable<bool> send(net::Stream& stream, std::string_view bytes, std::chrono::seconds timeout) {
  auto r = co_await net::write_all(stream, asio::buffer(bytes.data(), bytes.size()), timeout);
  co_return !r.error;
}

asio::awaitable<void> pause(std::chrono::milliseconds delay) {
  if (delay.count() <= 0) co_return;
  asio::steady_timer timer(co_await asio::this_coro::executor, delay);
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

bool cleartext_allowed(CleartextLogin policy, const asio::ip::address& peer) {
  switch (policy) {
    case CleartextLogin::never: return false;
    case CleartextLogin::loopback: return peer.is_loopback();
    case CleartextLogin::always: return true;
  }
  return false;
}

// RETR/TOP: the status line and the encoded content, or nothing and the reason. nullopt when
// the connection is unusable afterwards (a failed write, or a read error after the +OK).
asio::awaitable<std::optional<RetrieveStatus>> retrieve(net::Stream& stream, const net::ConnectionInfo& info,
                                                        Backend& backend, MaildropLease& lease,
                                                        const Retrieve& request, runtime::BlockingPool& pool,
                                                        std::chrono::seconds write_timeout) {
  MessageContent content = co_await backend.open_message(lease, request, pool);
  if (content.status != RetrieveStatus::sent) co_return content.status;
  MessageEncoder encoder(request.body_lines);
  std::string out = request.status_line;
  bool more = encoder.encode(content.head, out);
  content.head = std::string();
  std::string chunk;
  while (more && content.rest) {
    if (out.size() >= k_content_chunk) {
      if (!co_await send(stream, out, write_timeout)) co_return std::nullopt;
      out.clear();
    }
    chunk.clear();
    MessageReader& reader = *content.rest;
    auto read_more = [&reader, &chunk] { return reader.read(chunk, k_content_chunk); };
    bool got = false;
    try {
      got = co_await runtime::run_blocking(pool, read_more);
    } catch (const std::exception& e) {
      log::error("pop3.read_failed", "conn", info.id, "message", request.number, "reason", e.what());
      co_return std::nullopt;
    }
    if (!got) break;
    more = encoder.encode(chunk, out);
  }
  encoder.finish(out);
  if (!co_await send(stream, out, write_timeout)) co_return std::nullopt;
  co_return RetrieveStatus::sent;
}

}  // namespace

asio::awaitable<void> serve_connection(net::Stream stream, net::ConnectionInfo info, DriverOptions options,
                                       Backend& backend, runtime::BlockingPool& pool) {
  runtime::BlockingPool& store_pool = options.store_pool ? *options.store_pool : pool;
  options.session.tls_active = stream.is_tls();
  options.session.tls_available = options.tls != nullptr;
  options.session.cleartext_login_allowed = cleartext_allowed(options.cleartext_login, info.remote_address);
  Session session(options.session, info.remote_address.to_string());
  session.start();
  // Held while the session is in the TRANSACTION state; its destruction releases the lock, so
  // every way out of this coroutine (QUIT, a dropped connection, a timeout) releases it.
  std::unique_ptr<MaildropLease> lease;
  std::string input;
  input.resize(k_read_chunk);

  for (;;) {
    // Completions produce more actions (the reply to a login, the next pipelined command's
    // request): drain until the session has nothing left to say, then read.
    for (auto actions = session.take_actions(); !actions.empty(); actions = session.take_actions()) {
      for (auto& action : actions) {
        if (auto* s = std::get_if<Send>(&action)) {
          if (!co_await send(stream, s->bytes, options.write_timeout)) co_return;
        } else if (std::holds_alternative<StartTls>(action)) {
          auto ec = co_await stream.start_tls(*options.tls, options.tls_handshake_timeout);
          if (ec) {
            log::info("pop3.stls_failed", "conn", info.id, "error", ec.message());
            co_return;
          }
          session.tls_started(stream.tls_description());
        } else if (auto* a = std::get_if<Authenticate>(&action)) {
          std::chrono::milliseconds delay{0};
          auto login = [&backend, a, &info, &delay] { return backend.authenticate(*a, info, delay); };
          AuthResult result = co_await runtime::run_blocking(pool, login);
          co_await pause(delay);
          session.auth_done(std::move(result));
        } else if (auto* o = std::get_if<OpenMaildrop>(&action)) {
          OpenedMaildrop opened = co_await backend.open_maildrop(*o, store_pool);
          lease = std::move(opened.lease);
          session.maildrop_opened(std::move(opened.result));
        } else if (auto* r = std::get_if<Retrieve>(&action)) {
          if (!lease) {
            // The backend said "opened" without a lease: a bug on our side, not the client's.
            log::error("pop3.no_lease", "conn", info.id);
            co_return;
          }
          auto status = co_await retrieve(stream, info, backend, *lease, *r, store_pool, options.write_timeout);
          if (!status) co_return;
          session.retrieved(*status);
        } else if (auto* c = std::get_if<Commit>(&action)) {
          if (!lease) {
            log::error("pop3.no_lease", "conn", info.id);
            co_return;
          }
          CommitStatus status = co_await backend.commit(*lease, *c);
          session.committed(status);
        } else if (std::holds_alternative<Close>(action)) {
          lease.reset();
          co_await stream.shutdown(std::chrono::seconds(2));
          co_return;
        }
        // Released before the reply goes out, so a client that reconnects at once after QUIT
        // finds the maildrop free (and already without the messages it deleted).
        if (lease && !session.holds_maildrop()) lease.reset();
      }
    }
    if (session.closed()) co_return;

    std::size_t n = 0;
    boost::system::error_code ec;
    {
      net::Deadline deadline(stream, net::DeadlineScope::read, options.idle_timeout);
      std::tie(ec, n) = co_await stream.async_read_some(asio::buffer(input), asio::as_tuple(asio::use_awaitable));
      if (ec && stream.interrupted()) {
        const std::string goodbye = format_reply(make_reply(ReplyId::shutting_down));
        co_await send(stream, goodbye, std::chrono::seconds(2));
        co_return;
      }
      if (ec && deadline.expired()) {
        log::info("pop3.timeout", "conn", info.id, "seconds", options.idle_timeout.count());
        co_return;
      }
    }
    if (n > 0) session.feed(std::string_view(input.data(), n));
    if (ec) co_return;  // end of stream or I/O error: nothing more to say, nothing removed
  }
}

}  // namespace atrium::pop3
