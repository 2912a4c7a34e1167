// The IMAP executor: one Session per connection runs parsed commands against the store and
// writes their responses through a Channel. State is a type (STYLE.md rule 4): before login the
// session holds no account; in the selected state it holds the MailboxView.
#pragma once

#include "core/auth/authenticator.hpp"
#include "core/net/listener.hpp"
#include "core/runtime/blocking_pool.hpp"
#include "mail/imap/command.hpp"
#include "mail/imap/driver/mailbox_view.hpp"
#include "storage/search/index.hpp"
#include "storage/store.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <variant>

namespace atrium::imap {

namespace asio = boost::asio;

// What the session needs from its connection. The transport implements it over a net::Stream;
// tests implement it in memory.
class Channel {
 public:
  virtual ~Channel() = default;
  // Sends `bytes` (complete response lines); returns false when the peer is gone.
  virtual asio::awaitable<bool> write(std::string bytes) = 0;
  // One raw line without its CRLF (AUTHENTICATE responses, IDLE's DONE), at most `max` octets;
  // nullopt on timeout, end of stream or an over-long line.
  virtual asio::awaitable<std::optional<std::string>> read_line(std::size_t max) = 0;
  // A wake-up signal for IDLE, fired from any thread (the store's writer publishes commits).
  struct Wakeup;
  virtual std::shared_ptr<Wakeup> make_wakeup() = 0;
  // Waits for a line (like read_line), for `wake` to be signalled, or for `timeout`, whichever
  // comes first. A line is returned; otherwise nullopt, with `*woken` true when `wake` fired
  // (false: timeout, end of stream or an over-long line).
  virtual asio::awaitable<std::optional<std::string>> read_line_or_wake(std::size_t max, Wakeup& wake,
                                                                          std::chrono::seconds timeout,
                                                                          bool* woken) = 0;
  // Switches to TLS after "OK Begin TLS" has been written; false when the handshake failed
  // (the connection must then close).
  virtual asio::awaitable<bool> start_tls() = 0;
  virtual bool tls_active() const = 0;
  virtual bool tls_available() const = 0;
  // COMPRESS=DEFLATE (RFC 4978): everything after the tagged OK, both ways, is raw DEFLATE.
  // False when compression is not available on this channel.
  virtual bool start_compression() = 0;
  virtual bool compression_active() const = 0;
};

// A wake-up signal the store's notify hub can fire from the writer thread while a session
// waits in IDLE. Thread-safe: notify() may be called from any thread.
struct Channel::Wakeup {
  virtual ~Wakeup() = default;
  virtual void notify() = 0;
};

struct Services {
  storage::Store& store;
  auth::Authenticator& authenticator;
  runtime::BlockingPool& cpu;    // logins (Argon2id)
  runtime::BlockingPool& store_pool;  // store reads and blob files
  // The full-text index, when the server runs one (SEARCH reads messages without it), and how
  // long a SEARCH waits for it to catch up before reading messages instead.
  storage::search::Index* search = nullptr;
  std::chrono::milliseconds search_wait{2000};
};

struct SessionOptions {
  std::string hostname = "localhost";
  std::uint64_t append_limit = std::uint64_t{50} << 20;
  // Passwords accepted without TLS on this connection (auth.cleartext_login and the peer).
  bool cleartext_login = false;
  std::chrono::seconds idle_timeout{1800};
};

class Session {
 public:
  Session(Services& services, SessionOptions options, Channel& channel, net::ConnectionInfo peer);
  ~Session();

  // The greeting ("* OK [CAPABILITY ...] ... ready").
  asio::awaitable<bool> greet();
  // Runs one command; false when the connection must close now (LOGOUT, a fatal error).
  asio::awaitable<bool> execute(const Command& command);
  // A command line that did not parse: "tag BAD ..." (or "* BAD" without a tag). Too many in a
  // row closes the connection with BYE; returns false then.
  asio::awaitable<bool> reject(std::optional<std::string> tag, std::string_view reason);
  // A literal refused before its data (RFC 7889 APPENDLIMIT, RFC 9051 [TOOBIG]).
  asio::awaitable<bool> refuse_literal(std::optional<std::string> tag, std::string_view reason);
  // Shutdown: "* BYE" and no more commands.
  asio::awaitable<void> bye(std::string_view text);

  // Whether IMAP4rev2 or UTF8=ACCEPT is in force: mailbox names are UTF-8 on the wire.
  bool utf8_names() const;
  bool authenticated() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace atrium::imap
