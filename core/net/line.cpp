// Line reader, exact reads and write_all over Stream, with deadlines and errors as values.
#include "core/net/line.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cstring>

namespace atrium::net {

namespace {

constexpr std::size_t read_chunk = 4096;

ReadResult failure(ReadError e, error_code cause = {}) {
  ReadResult r;
  r.error = e;
  r.cause = cause;
  return r;
}

// Maps a failed read to the caller's terms. The deadline and interrupt come first because they
// work by cutting the socket, which then reports end of stream or a TLS truncation.
ReadResult read_failure(const Stream& stream, const Deadline& deadline, const error_code& ec) {
  if (stream.interrupted()) return failure(ReadError::cancelled);
  if (deadline.expired()) return failure(ReadError::timeout);
  // A TLS peer that closes without close_notify is just a closed connection for line protocols.
  if (ec == asio::error::eof || ec == ssl::error::stream_truncated) return failure(ReadError::eof);
  return failure(ReadError::io_error, ec);
}

std::string_view view_of(const Buffer& buffer) {
  auto d = buffer.data();
  return {static_cast<const char*>(d.data()), d.size()};
}

}  // namespace

std::string_view to_string(ReadError e) noexcept {
  switch (e) {
    case ReadError::timeout: return "timeout";
    case ReadError::too_long: return "too_long";
    case ReadError::eof: return "eof";
    case ReadError::io_error: return "io_error";
    case ReadError::cancelled: return "cancelled";
  }
  return "unknown";
}

std::string_view to_string(WriteError e) noexcept {
  switch (e) {
    case WriteError::timeout: return "timeout";
    case WriteError::io_error: return "io_error";
  }
  return "unknown";
}

asio::awaitable<ReadResult> read_line(Stream& stream, Buffer& buffer, std::size_t max_len, Duration timeout) {
  // Armed only when we have to wait: lines already buffered (pipelining) cost no timer.
  std::optional<Deadline> deadline;
  std::size_t scanned = 0;  // bytes already searched for LF, so each byte is looked at once
  for (;;) {
    if (stream.interrupted()) co_return failure(ReadError::cancelled);
    const auto view = view_of(buffer);
    if (const auto lf = view.find('\n', scanned); lf != std::string_view::npos) {
      std::size_t len = lf;
      const bool cr = len > 0 && view[len - 1] == '\r';
      if (cr) --len;
      if (len > max_len) {
        buffer.consume(lf + 1);
        co_return failure(ReadError::too_long);
      }
      ReadResult r;
      r.data.assign(view.data(), len);
      r.bare_lf = !cr;
      buffer.consume(lf + 1);
      co_return r;
    }
    scanned = view.size();
    // max_len content bytes and a CR fit in max_len + 1; one more without an LF is too much.
    if (view.size() > max_len + 1) {
      buffer.consume(buffer.size());
      co_return failure(ReadError::too_long);
    }
    if (!deadline) deadline.emplace(stream, DeadlineScope::read, timeout);
    auto [ec, n] = co_await stream.async_read_some(buffer.prepare(read_chunk), asio::as_tuple(asio::use_awaitable));
    buffer.commit(n);
    if (ec) co_return read_failure(stream, *deadline, ec);
  }
}

asio::awaitable<ReadResult> read_exact(Stream& stream, Buffer& buffer, std::size_t n, Duration timeout) {
  if (stream.interrupted()) co_return failure(ReadError::cancelled);
  ReadResult r;
  r.data.resize(n);
  const std::size_t buffered = std::min(n, buffer.size());
  if (buffered) std::memcpy(r.data.data(), buffer.data().data(), buffered);
  buffer.consume(buffered);
  std::size_t got = buffered;
  while (got < n) {
    Deadline deadline(stream, DeadlineScope::read, timeout);
    auto [ec, k] = co_await stream.async_read_some(asio::buffer(r.data.data() + got, n - got),
                                                   asio::as_tuple(asio::use_awaitable));
    got += k;
    if (ec) co_return read_failure(stream, deadline, ec);
  }
  co_return r;
}

asio::awaitable<WriteResult> write_all(Stream& stream, asio::const_buffer data, Duration timeout) {
  WriteResult r;
  while (data.size() > 0) {
    Deadline deadline(stream, DeadlineScope::write, timeout);
    auto [ec, n] = co_await stream.async_write_some(data, asio::as_tuple(asio::use_awaitable));
    data += n;
    if (deadline.expired()) {
      r.error = WriteError::timeout;
      co_return r;
    }
    if (ec) {
      r.error = WriteError::io_error;
      r.cause = ec;
      co_return r;
    }
  }
  co_return r;
}

asio::awaitable<StartTlsResult> start_tls(Stream& stream, Buffer& buffer, ssl::context& ctx, Duration timeout) {
  StartTlsResult r;
  r.discarded = buffer.size();
  buffer.consume(buffer.size());
  r.error = co_await stream.start_tls(ctx, timeout);
  co_return r;
}

}  // namespace atrium::net
