// Stream: one connection's byte stream, plain TCP or TLS, behind a single type so that line
// protocols and the HTTP server are written once for implicit TLS, STARTTLS and cleartext.
#pragma once

#include "core/net/tls.hpp"
#include "core/runtime/asio.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <variant>

namespace atrium::net {

using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using Duration = std::chrono::steady_clock::duration;

namespace detail {
struct StreamImpl;
}

class StreamHandle;

// A connected socket, optionally upgraded to TLS. Satisfies Asio's AsyncReadStream and
// AsyncWriteStream, so asio::async_read_until and beast::http::async_read work on it.
//
// Threading: every operation, and the coroutine that performs it, must run on the stream's
// executor. With a multi-threaded io_context that executor must be a strand (the Listener gives
// each connection one there). StreamHandle is the only part that other threads may use.
// At most one read and one write may be outstanding at a time, as for any Asio stream.
class Stream {
 public:
  using executor_type = asio::any_io_executor;
  using tls_stream = ssl::stream<tcp::socket>;

  // Takes ownership of a connected socket; the stream's executor is the socket's.
  explicit Stream(tcp::socket socket);
  Stream(Stream&&) noexcept = default;
  Stream& operator=(Stream&&) noexcept = default;
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  // Closes the socket (abortive for TLS: no close_notify). Call shutdown() first to be polite.
  ~Stream();

  executor_type get_executor() const noexcept;

  template <class MutableBuffers, class Token = asio::default_completion_token_t<executor_type>>
  auto async_read_some(const MutableBuffers& buffers, Token&& token = {}) {
    return asio::async_initiate<Token, void(error_code, std::size_t)>(
        [this](auto handler, const MutableBuffers& b) {
          // Once the receive side was cut (deadline, interrupt) reads end at once: Asio would
          // otherwise wait for an epoll edge that a socket already at end of stream never sends.
          if (read_cut()) {
            asio::post(get_executor(),
                       asio::append(std::move(handler), error_code(asio::error::eof), std::size_t{0}));
            return;
          }
          std::visit([&](auto& s) { s.async_read_some(b, std::move(handler)); }, layer());
        },
        token, buffers);
  }

  template <class ConstBuffers, class Token = asio::default_completion_token_t<executor_type>>
  auto async_write_some(const ConstBuffers& buffers, Token&& token = {}) {
    return asio::async_initiate<Token, void(error_code, std::size_t)>(
        [this](auto handler, const ConstBuffers& b) {
          std::visit([&](auto& s) { s.async_write_some(b, std::move(handler)); }, layer());
        },
        token, buffers);
  }

  // Implicit TLS: performs the server-side handshake on a fresh connection. Returns the error as
  // a value (a client that cannot speak TLS is expected input); asio::error::timed_out when
  // `timeout` elapsed, after which the socket is closed. `ctx` must outlive the stream.
  [[nodiscard]] asio::awaitable<error_code> handshake(ssl::context& ctx, Duration timeout);

  // STARTTLS: upgrades a plain connection and performs the server-side handshake; errors as for
  // handshake(). The caller must first throw away every byte it had read but not yet processed
  // (its read buffer): those arrived in cleartext and must not be treated as sent under TLS
  // (CVE-2011-0411, command injection). net::start_tls(Stream&, Buffer&, ...) in line.hpp does
  // that for line protocols. Calling this on a stream that already uses TLS is a logic error.
  [[nodiscard]] asio::awaitable<error_code> start_tls(ssl::context& ctx, Duration timeout);

  // Client side of TLS on a plain connection: implicit TLS, or STARTTLS after the server's go-ahead
  // (the caller must first throw away any bytes it had buffered: they came in cleartext and must
  // not be read as the server's first words under TLS). Sends SNI and checks the certificate as
  // `options` say (see ClientTlsOptions in tls.hpp); the outcome is in tls_peer_status(). Returns
  // the error as a value: asio::error::invalid_argument (nothing sent) when apply_client_options
  // refuses the options, asio::error::timed_out when `timeout` elapsed (the socket is then
  // closed), or the handshake's error (a certificate that fails the checks is an ssl error).
  // `ctx` must outlive the stream; make it with make_client_tls_context. Calling this on a stream
  // that already uses TLS is a logic error.
  [[nodiscard]] asio::awaitable<error_code> client_handshake(ssl::context& ctx, const ClientTlsOptions& options,
                                                             Duration timeout);
  // After client_handshake: what the server's certificate proved (also after a failed handshake).
  // Default (nothing verified) for a plain stream.
  TlsPeerStatus tls_peer_status() const;

  // True once handshake(), start_tls() or client_handshake() has switched the stream to TLS (even
  // if it then failed).
  bool is_tls() const noexcept;
  // "TLSv1.3 TLS_AES_256_GCM_SHA384" for a TLS stream after its handshake; "" otherwise.
  std::string tls_description() const;
  // The peer's address; a default endpoint if the socket is no longer connected.
  tcp::endpoint remote_endpoint() const noexcept;
  tcp::endpoint local_endpoint() const noexcept;

  // Graceful close, bounded by `timeout` in total: TLS close_notify, TCP FIN, then reads and
  // discards what the peer still sends until it closes (so that a last response is not lost to
  // an RST because unread request bytes remained). Never fails; close() afterwards.
  asio::awaitable<void> shutdown(Duration timeout);
  // Closes the socket now; pending operations complete with operation_aborted. Idempotent.
  void close() noexcept;

  // True after StreamHandle::interrupt(): the owner wants the session to end. Reads then see end
  // of stream, and the line helpers report ReadError::cancelled; writes still work.
  bool interrupted() const noexcept;

  // A weak reference for other threads (shutdown, admin kicks).
  StreamHandle handle() const;

  tcp::socket& socket() noexcept;  // the TCP layer (for socket options)

 private:
  friend class Deadline;
  using Layer = std::variant<tcp::socket, tls_stream>;
  Layer& layer() noexcept;
  bool read_cut() const noexcept;

  std::shared_ptr<detail::StreamImpl> impl_;
};

// Refers to a Stream without keeping it alive; copyable; every member is thread-safe and posts
// to the stream's executor. Does nothing once the stream is gone.
class StreamHandle {
 public:
  StreamHandle() = default;
  // Ends pending and future reads (they see end of stream; Stream::interrupted() turns true) but
  // leaves writing possible, so a session can still say goodbye (IMAP "* BYE").
  void interrupt() const;
  // Closes the socket: every pending and future operation fails.
  void close() const;

 private:
  friend class Stream;
  explicit StreamHandle(std::weak_ptr<detail::StreamImpl> impl) : impl_(std::move(impl)) {}
  std::weak_ptr<detail::StreamImpl> impl_;
};

// Which operations a Deadline guards, and so what expiry does to the stream.
enum class DeadlineScope {
  // Reads: on expiry the receive side is shut down, so pending and later reads end at once,
  // while the session can still write a last reply.
  read,
  // Writes or a handshake: on expiry the socket is closed; the connection is unusable.
  write,
};

// RAII deadline for operations on a stream, like beast::tcp_stream's expires_after but scoped:
// if the guard is still alive when `timeout` elapses, the stream is cut as DeadlineScope says
// and expired() turns true, so callers map the resulting error to a timeout. Cutting the socket
// rather than cancelling one operation also stops composed operations (Beast parsers, TLS
// records) that are between two steps when the timer fires. One guard per scope per stream at a
// time; construct and destroy on the stream's executor. The stream must outlive the guard.
class [[nodiscard]] Deadline {
 public:
  Deadline(Stream& stream, DeadlineScope scope, Duration timeout);
  ~Deadline();
  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;
  bool expired() const noexcept;

 private:
  detail::StreamImpl& impl_;
  DeadlineScope scope_;
};

}  // namespace atrium::net
