// IMAP transport: bytes between the socket and the session.
#include "mail/imap/driver/connection.hpp"

#include "core/log/log.hpp"
#include "core/net/line.hpp"
#include "mail/imap/driver/deflate.hpp"
#include "mail/imap/framer.hpp"
#include "mail/imap/parser.hpp"
#include "mail/imap/response.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace atrium::imap {
namespace {

constexpr std::size_t k_read_chunk = 16 * 1024;

// Fired by the notify hub (any thread); observed on the connection's executor.
class TimerWakeup : public Channel::Wakeup, public std::enable_shared_from_this<TimerWakeup> {
 public:
  explicit TimerWakeup(asio::any_io_executor ex) : timer_(ex) {}
  void notify() override {
    // The hub calls from the writer thread: hop to the connection's executor first.
    asio::post(timer_.get_executor(), [self = weak_from_this()]() {
      if (auto s = self.lock()) {
        s->fired_ = true;
        s->timer_.cancel();
      }
    });
  }
  asio::steady_timer& timer() { return timer_; }
  bool take_fired() {
    bool f = fired_;
    fired_ = false;
    return f;
  }

 private:
  asio::steady_timer timer_;
  bool fired_ = false;
};

// A read left running while IDLE waits for DONE or a wake-up; it ends by itself when data
// arrives or the connection closes.
struct PendingRead {
  std::string data;
  boost::system::error_code ec;
  bool done = false;
};

class StreamChannel : public Channel {
 public:
  StreamChannel(net::Stream& stream, Framer& framer, const ConnectionOptions& options, const net::ConnectionInfo& info)
      : stream_(stream), framer_(framer), options_(options), info_(info) {}

  // Unconsumed input.
  std::string& input() { return in_; }

  // Reads more input within the idle timeout. false on timeout, end of stream or error; the
  // reason is in timed_out()/interrupted().
  asio::awaitable<bool> read_more(std::chrono::seconds timeout) {
    if (pending_) co_return co_await finish_pending(timeout);
    std::string buffer(k_read_chunk, '\0');
    net::Deadline deadline(stream_, net::DeadlineScope::read, timeout);
    auto [ec, n] = co_await stream_.async_read_some(asio::buffer(buffer), asio::as_tuple(asio::use_awaitable));
    if (!absorb(std::string_view(buffer.data(), n))) co_return false;
    if (ec) {
      timed_out_ = deadline.expired();
      co_return n > 0;
    }
    co_return true;
  }

  // Appends raw input to the unconsumed input, decompressing once COMPRESS is active. False on
  // corrupt compressed input.
  bool absorb(std::string_view raw) {
    if (!inflate_) {
      in_.append(raw);
      return true;
    }
    return inflate_->decompress(raw, in_);
  }
  bool timed_out() const { return timed_out_; }
  bool interrupted() const { return stream_.interrupted(); }

  // Waits until a read left running by IDLE has finished (the connection is closing).
  asio::awaitable<void> drain_pending() {
    if (!pending_ || pending_->done) co_return;
    asio::steady_timer t(co_await asio::this_coro::executor);
    for (int i = 0; i < 50 && !pending_->done; ++i) {
      t.expires_after(std::chrono::milliseconds(100));
      co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
    }
  }

  asio::awaitable<bool> write(std::string bytes) override {
    if (deflate_) bytes = deflate_->compress(bytes);
    auto r = co_await net::write_all(stream_, asio::buffer(bytes.data(), bytes.size()), options_.write_timeout);
    co_return !r.error;
  }

  asio::awaitable<std::optional<std::string>> read_line(std::size_t max) override {
    framer_.expect_raw_line();
    for (;;) {
      Frame f = framer_.next(in_);
      std::string line(f.line);
      in_.erase(0, f.consumed);
      if (f.kind == FrameKind::raw_line) {
        if (line.size() > max) co_return std::nullopt;
        co_return line;
      }
      if (f.kind == FrameKind::error) co_return std::nullopt;
      if (!co_await read_more(options_.session.idle_timeout)) co_return std::nullopt;
    }
  }

  std::shared_ptr<Wakeup> make_wakeup() override {
    return std::make_shared<TimerWakeup>(stream_.get_executor());
  }

  asio::awaitable<std::optional<std::string>> read_line_or_wake(std::size_t max, Wakeup& wake_base,
                                                                  std::chrono::seconds timeout, bool* woken) override {
    auto& wake = static_cast<TimerWakeup&>(wake_base);
    *woken = false;
    framer_.expect_raw_line();
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (!in_.empty()) {
        Frame f = framer_.next(in_);
        std::string line(f.line);
        in_.erase(0, f.consumed);
        if (f.kind == FrameKind::raw_line) {
          if (line.size() > max) co_return std::nullopt;
          co_return line;
        }
        if (f.kind == FrameKind::error) co_return std::nullopt;
        framer_.expect_raw_line();
      }
      if (pending_ && pending_->done) {
        auto p = std::move(pending_);
        if (!absorb(p->data)) co_return std::nullopt;
        if (p->ec && p->data.empty()) co_return std::nullopt;
        continue;
      }
      if (wake.take_fired()) {
        *woken = true;
        co_return std::nullopt;
      }
      if (!pending_) start_pending(wake);
      wake.timer().expires_at(deadline);
      auto [ec] = co_await wake.timer().async_wait(asio::as_tuple(asio::use_awaitable));
      if (!ec && !(pending_ && pending_->done) && !wake.take_fired()) co_return std::nullopt;  // timeout
      if (!ec) continue;
      // Cancelled: data arrived or a commit woke us; the loop tells which.
      if (!(pending_ && pending_->done)) {
        if (wake.take_fired()) {
          *woken = true;
          co_return std::nullopt;
        }
      }
    }
  }

  asio::awaitable<bool> start_tls() override {
    if (!options_.tls) co_return false;
    in_.clear();  // input pipelined behind STARTTLS is discarded (CVE-2011-0411 class)
    framer_.reset();
    auto ec = co_await stream_.start_tls(*options_.tls, options_.tls_handshake_timeout);
    if (ec) {
      log::info("imap.starttls_failed", "conn", info_.id, "error", ec.message());
      co_return false;
    }
    co_return true;
  }
  bool tls_active() const override { return stream_.is_tls(); }
  bool tls_available() const override { return options_.tls != nullptr; }

  bool start_compression() override {
    deflate_.emplace();
    inflate_.emplace();
    // Anything the client sent after COMPRESS is already compressed.
    std::string raw;
    raw.swap(in_);
    return absorb(raw);
  }
  bool compression_active() const override { return deflate_.has_value(); }

 private:
  void start_pending(TimerWakeup& wake) {
    pending_ = std::make_shared<PendingRead>();
    auto p = pending_;
    auto w = wake.shared_from_this();
    asio::co_spawn(
        stream_.get_executor(),
        [this, p, w]() -> asio::awaitable<void> {
          std::string buffer(k_read_chunk, '\0');
          auto [ec, n] = co_await stream_.async_read_some(asio::buffer(buffer), asio::as_tuple(asio::use_awaitable));
          p->data.assign(buffer.data(), n);
          p->ec = ec;
          p->done = true;
          w->timer().cancel();
        },
        asio::detached);
  }

  asio::awaitable<bool> finish_pending(std::chrono::seconds timeout) {
    asio::steady_timer t(co_await asio::this_coro::executor);
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!pending_->done && std::chrono::steady_clock::now() < deadline) {
      t.expires_after(std::chrono::milliseconds(50));
      co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    if (!pending_->done) {
      timed_out_ = true;
      co_return false;
    }
    auto p = std::move(pending_);
    if (!absorb(p->data)) co_return false;
    co_return !p->data.empty() || !p->ec;
  }

  net::Stream& stream_;
  Framer& framer_;
  const ConnectionOptions& options_;
  const net::ConnectionInfo& info_;
  std::string in_;
  bool timed_out_ = false;
  std::shared_ptr<PendingRead> pending_;
  std::optional<Deflater> deflate_;
  std::optional<Inflater> inflate_;
};

}  // namespace

asio::awaitable<void> serve_connection(net::Stream stream, net::ConnectionInfo info, ConnectionOptions options,
                                       Services& services) {
  bool loopback = info.remote_address.is_loopback();
  options.session.cleartext_login = options.cleartext_anywhere || (options.cleartext_from_loopback && loopback);
  FramerOptions framing;
  framing.max_literal = options.session.append_limit;
  framing.max_command = options.session.append_limit + framing.max_line_text + 4096;
  Framer framer(framing);
  StreamChannel channel(stream, framer, options, info);
  Session session(services, options.session, channel, info);

  bool alive = co_await session.greet();
  while (alive) {
    Frame f = framer.next(channel.input());
    channel.input().erase(0, f.consumed);
    switch (f.kind) {
      case FrameKind::need_more:
        if (!co_await channel.read_more(options.session.idle_timeout)) {
          if (channel.interrupted()) {
            co_await session.bye("Server shutting down");
          } else if (channel.timed_out()) {
            co_await session.bye("Autologout; idle for too long");
          }
          alive = false;
        }
        break;
      case FrameKind::continuation: {
        std::string ready = "+ Ready for literal data\r\n";
        alive = co_await channel.write(std::move(ready));
        break;
      }
      case FrameKind::raw_line: break;  // not asked for outside AUTHENTICATE/IDLE
      case FrameKind::error: {
        std::string reply;
        append_frame_error(reply, f.tag, f.error);
        alive = co_await channel.write(std::move(reply));
        if (f.error == FrameError::unframeable) alive = false;
        break;
      }
      case FrameKind::command: {
        FramedCommand framed = framer.take_command();
        ParserOptions popts;
        popts.charset = session.utf8_names() ? WireCharset::utf8 : WireCharset::modified_utf7;
        ParseResult parsed = parse_command(framed.bytes, popts);
        if (auto* err = std::get_if<ParseError>(&parsed)) {
          std::string reply;
          append_parse_error(reply, *err);
          // Through the session, which counts errors in a row and may say BYE.
          std::string text = reply.substr(reply.find(' ') + 1);
          if (text.starts_with("BAD ")) text.erase(0, 4);
          while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
          std::optional<std::string> tag;  // named: no temporaries inside co_await (GCC 12)
          if (!err->tag.empty()) tag = err->tag;
          alive = co_await session.reject(std::move(tag), text);
          break;
        }
        alive = co_await session.execute(std::get<Command>(parsed));
        break;
      }
    }
  }
  co_await stream.shutdown(std::chrono::seconds(2));
  co_await channel.drain_pending();
}

}  // namespace atrium::imap
