// Timed reads and writes for line protocols (SMTP, IMAP, POP3, ManageSieve): a CRLF line reader
// with a length limit, exact-size reads for literals and BDAT, and write_all. Expected failures
// (timeouts, oversized lines, the peer going away) are values, never exceptions.
#pragma once

#include "core/net/stream.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace atrium::net {

// Bytes read from the stream but not yet consumed; one per connection, kept across calls so that
// pipelined commands are not lost. Discard it (clear()) when the stream switches to TLS.
using Buffer = beast::flat_buffer;

enum class ReadError {
  timeout,    // no complete line / data within the timeout
  too_long,   // the line exceeds max_len
  eof,        // the peer closed (a partial line is dropped)
  io_error,   // a network or TLS error; see ReadResult::cause
  cancelled,  // the stream was interrupted (server shutdown): say goodbye if possible and return
};
std::string_view to_string(ReadError e) noexcept;

struct ReadResult {
  std::string data;  // the line without its line ending, or the bytes read; empty on error
  std::optional<ReadError> error;
  bool bare_lf = false;   // read_line: the line ended in LF without CR (SMTP must reject this)
  error_code cause;       // for io_error, the underlying error (for logs)
  bool ok() const noexcept { return !error; }
  explicit operator bool() const noexcept { return ok(); }
};

// Reads one line ending in LF (CRLF or bare LF; see bare_lf) and returns it without the ending.
// `max_len` bounds the line without its ending. `timeout` bounds the whole call, so a peer that
// drips a byte at a time cannot hold it open. On too_long: if the whole oversized line had
// arrived it is consumed and the stream stays in step (reply and carry on); otherwise the partial
// line is dropped, the stream is out of step and the caller should reply and close. Returns
// cancelled at once once the stream was interrupted. Bytes after the line stay in `buffer`.
asio::awaitable<ReadResult> read_line(Stream& stream, Buffer& buffer, std::size_t max_len, Duration timeout);

// Reads exactly `n` bytes (an IMAP literal, a BDAT chunk), buffered bytes first. `timeout`
// bounds each wait for more data, not the whole transfer, so large literals on slow links work.
// The caller checks `n` against its own size limit first: this allocates `n` bytes.
asio::awaitable<ReadResult> read_exact(Stream& stream, Buffer& buffer, std::size_t n, Duration timeout);

enum class WriteError {
  timeout,   // the peer did not accept data for `timeout`; the socket is closed
  io_error,  // see WriteResult::cause
};
std::string_view to_string(WriteError e) noexcept;

struct WriteResult {
  std::optional<WriteError> error;
  error_code cause;
  bool ok() const noexcept { return !error; }
  explicit operator bool() const noexcept { return ok(); }
};

// Writes all of `data`; `timeout` bounds each wait for the peer to accept more bytes. The data
// must stay valid until the call completes.
asio::awaitable<WriteResult> write_all(Stream& stream, asio::const_buffer data, Duration timeout);
inline asio::awaitable<WriteResult> write_all(Stream& stream, std::string_view data, Duration timeout) {
  return write_all(stream, asio::buffer(data), timeout);
}

struct StartTlsResult {
  error_code error;            // from Stream::start_tls (asio::error::timed_out on timeout)
  std::size_t discarded = 0;   // cleartext bytes pipelined after STARTTLS and thrown away
  bool ok() const noexcept { return !error; }
};

// STARTTLS for line protocols: drops everything in `buffer` (bytes sent in cleartext after the
// STARTTLS command must not be executed as if they came over TLS, CVE-2011-0411), then upgrades
// the stream. Call after writing the "go ahead" reply. Log `discarded` when it is not zero: a
// client that pipelines past STARTTLS is broken or an attacker.
asio::awaitable<StartTlsResult> start_tls(Stream& stream, Buffer& buffer, ssl::context& ctx, Duration timeout);

}  // namespace atrium::net
