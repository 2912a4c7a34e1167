// Stream internals: the plain/TLS variant, the two deadline timers and the cross-thread handle.
#include "core/net/stream.hpp"

#include "core/net/tls.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <vector>
#include <cassert>
#include <stdexcept>

namespace atrium::net {

namespace detail {

struct StreamImpl : std::enable_shared_from_this<StreamImpl> {
  struct Watch {
    explicit Watch(const asio::any_io_executor& ex) : timer(ex) {}
    asio::steady_timer timer;
    std::uint64_t generation = 0;  // tells a stale timer completion from the current one
    bool armed = false;
    bool fired = false;
  };

  explicit StreamImpl(tcp::socket s)
      : executor(s.get_executor()), layer(std::in_place_index<0>, std::move(s)), read(executor), write(executor) {}

  tcp::socket& socket() noexcept {
    if (auto* plain = std::get_if<tcp::socket>(&layer)) return *plain;
    return std::get<Stream::tls_stream>(layer).next_layer();
  }
  Watch& watch(DeadlineScope scope) noexcept { return scope == DeadlineScope::read ? read : write; }

  // Ends reading at the kernel: a pending read completes with end of stream (for TLS, a
  // truncation error) and later reads do too, without disturbing a write in progress.
  void cut_receive() noexcept {
    read_cut = true;
    error_code ignored;
    socket().shutdown(tcp::socket::shutdown_receive, ignored);
  }
  void cut_all() noexcept {
    error_code ignored;
    socket().close(ignored);
  }

  asio::any_io_executor executor;
  std::variant<tcp::socket, Stream::tls_stream> layer;
  Watch read;
  Watch write;
  bool interrupted = false;
  bool read_cut = false;  // the receive side was shut down by us; see Stream::async_read_some
};

}  // namespace detail

Stream::Stream(tcp::socket socket) : impl_(std::make_shared<detail::StreamImpl>(std::move(socket))) {}

Stream::~Stream() {
  if (impl_) close();
}

Stream::executor_type Stream::get_executor() const noexcept { return impl_->executor; }

Stream::Layer& Stream::layer() noexcept { return impl_->layer; }

bool Stream::read_cut() const noexcept { return impl_->read_cut; }

tcp::socket& Stream::socket() noexcept { return impl_->socket(); }

bool Stream::is_tls() const noexcept { return impl_->layer.index() == 1; }

bool Stream::interrupted() const noexcept { return impl_->interrupted; }

std::string Stream::tls_description() const {
  auto* tls = std::get_if<tls_stream>(&impl_->layer);
  if (!tls) return {};
  return net::tls_description(tls->native_handle());
}

tcp::endpoint Stream::remote_endpoint() const noexcept {
  error_code ec;
  auto ep = impl_->socket().remote_endpoint(ec);
  return ec ? tcp::endpoint{} : ep;
}

tcp::endpoint Stream::local_endpoint() const noexcept {
  error_code ec;
  auto ep = impl_->socket().local_endpoint(ec);
  return ec ? tcp::endpoint{} : ep;
}

asio::awaitable<error_code> Stream::handshake(ssl::context& ctx, Duration timeout) {
  auto& impl = *impl_;
  if (impl.layer.index() != 0) throw std::logic_error("Stream: TLS handshake on a stream that already uses TLS");
  tcp::socket plain = std::move(std::get<tcp::socket>(impl.layer));
  auto& tls = impl.layer.emplace<tls_stream>(std::move(plain), ctx);
  Deadline deadline(*this, DeadlineScope::write, timeout);
  auto [ec] = co_await tls.async_handshake(ssl::stream_base::server, asio::as_tuple(asio::use_awaitable));
  if (deadline.expired()) ec = asio::error::timed_out;
  co_return ec;
}

asio::awaitable<error_code> Stream::start_tls(ssl::context& ctx, Duration timeout) {
  // The same server handshake; only the caller's duty (drop buffered cleartext) differs.
  co_return co_await handshake(ctx, timeout);
}

asio::awaitable<error_code> Stream::client_handshake(ssl::context& ctx, const ClientTlsOptions& options,
                                                     Duration timeout) {
  auto& impl = *impl_;
  if (impl.layer.index() != 0) throw std::logic_error("Stream: TLS handshake on a stream that already uses TLS");
  tcp::socket plain = std::move(std::get<tcp::socket>(impl.layer));
  auto& tls = impl.layer.emplace<tls_stream>(std::move(plain), ctx);
  if (!apply_client_options(tls.native_handle(), options).empty()) co_return error_code(asio::error::invalid_argument);
  Deadline deadline(*this, DeadlineScope::write, timeout);
  auto [ec] = co_await tls.async_handshake(ssl::stream_base::client, asio::as_tuple(asio::use_awaitable));
  if (deadline.expired()) ec = asio::error::timed_out;
  co_return ec;
}

TlsPeerStatus Stream::tls_peer_status() const {
  auto* tls = std::get_if<tls_stream>(&impl_->layer);
  if (!tls) return {};
  return peer_status(tls->native_handle());
}

asio::awaitable<void> Stream::shutdown(Duration timeout) {
  auto& impl = *impl_;
  const auto until = std::chrono::steady_clock::now() + timeout;
  auto left = [&] { return std::max(Duration::zero(), until - std::chrono::steady_clock::now()); };

  if (auto* tls = std::get_if<tls_stream>(&impl.layer)) {
    // Send our close_notify without waiting for the peer's (RFC 8446 6.1 allows that when the
    // connection is closed anyway); marking it received makes SSL_shutdown return after sending.
    // The raw drain below still swallows the peer's close_notify.
    SSL* ssl = tls->native_handle();
    SSL_set_shutdown(ssl, SSL_get_shutdown(ssl) | SSL_RECEIVED_SHUTDOWN);
    Deadline deadline(*this, DeadlineScope::write, left());
    co_await tls->async_shutdown(asio::as_tuple(asio::use_awaitable));
  }
  error_code ec;
  impl.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (ec || impl.read_cut) co_return;  // closed already, or nothing more to read

  // Lingering close: closing with unread bytes makes the kernel send RST, which can destroy the
  // response the peer has not read yet. Read until its FIN, within the time and a byte budget.
  constexpr std::size_t drain_budget = 1 << 20;
  std::vector<char> scratch(4096);  // on the heap: keeps the coroutine frame small
  std::size_t drained = 0;
  Deadline deadline(*this, DeadlineScope::read, left());
  while (drained < drain_budget) {
    auto [rec, n] = co_await impl.socket().async_read_some(asio::buffer(scratch), asio::as_tuple(asio::use_awaitable));
    if (rec) break;
    drained += n;
  }
}

void Stream::close() noexcept {
  impl_->cut_all();
  impl_->read.timer.cancel();
  impl_->write.timer.cancel();
}

StreamHandle Stream::handle() const { return StreamHandle(impl_); }

void StreamHandle::interrupt() const {
  auto impl = impl_.lock();
  if (!impl) return;
  asio::post(impl->executor, [weak = impl_] {
    if (auto impl = weak.lock()) {
      impl->interrupted = true;
      impl->cut_receive();
    }
  });
}

void StreamHandle::close() const {
  auto impl = impl_.lock();
  if (!impl) return;
  asio::post(impl->executor, [weak = impl_] {
    if (auto impl = weak.lock()) impl->cut_all();
  });
}

Deadline::Deadline(Stream& stream, DeadlineScope scope, Duration timeout) : impl_(*stream.impl_), scope_(scope) {
  auto& w = impl_.watch(scope);
  assert(!w.armed && "one Deadline per scope per stream at a time");
  w.armed = true;
  w.fired = false;
  const auto generation = ++w.generation;
  w.timer.expires_after(timeout);
  w.timer.async_wait([weak = impl_.weak_from_this(), scope, generation](const error_code& ec) {
    if (ec) return;
    auto impl = weak.lock();
    if (!impl) return;
    auto& w = impl->watch(scope);
    if (!w.armed || w.generation != generation) return;
    w.fired = true;
    if (scope == DeadlineScope::read) {
      impl->cut_receive();
    } else {
      impl->cut_all();
    }
  });
}

Deadline::~Deadline() {
  auto& w = impl_.watch(scope_);
  w.armed = false;
  w.timer.cancel();
}

bool Deadline::expired() const noexcept { return impl_.watch(scope_).fired; }

}  // namespace atrium::net
