// Listener: accept loop, admission against the limits, per-connection session lifecycle.
#include "core/net/listener.hpp"

#include "core/log/log.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include <charconv>
#include <map>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace atrium::net {

namespace {

// The address connection limits count against: IPv4 as is (also when v4-mapped), IPv6 per /64.
asio::ip::address limit_key(const asio::ip::address& a) {
  if (a.is_v4()) return a;
  const auto v6 = a.to_v6();
  if (v6.is_v4_mapped()) return asio::ip::make_address_v4(asio::ip::v4_mapped, v6);
  auto bytes = v6.to_bytes();
  std::fill(bytes.begin() + 8, bytes.end(), 0);
  return asio::ip::address_v6(bytes);
}

}  // namespace

ConnectionGate::Admission ConnectionGate::acquire(const asio::ip::address& remote) {
  const auto key = limit_key(remote);
  std::lock_guard lock(mutex_);
  if (total_ >= max_total_) return Admission::limit_total;
  auto& n = per_ip_[key];
  if (n >= max_per_ip_) {
    if (n == 0) per_ip_.erase(key);
    return Admission::limit_per_ip;
  }
  ++n;
  ++total_;
  return Admission::admitted;
}

void ConnectionGate::release(const asio::ip::address& remote) {
  const auto key = limit_key(remote);
  std::lock_guard lock(mutex_);
  auto it = per_ip_.find(key);
  if (it != per_ip_.end() && --it->second == 0) per_ip_.erase(it);
  if (total_ > 0) --total_;
}

std::size_t ConnectionGate::open() const {
  std::lock_guard lock(mutex_);
  return total_;
}

std::string ConnectionInfo::peer() const { return format_endpoint(tcp::endpoint(remote_address, remote_port)); }

tcp::endpoint parse_endpoint(std::string_view text) {
  auto bad = [&](const char* why) {
    return std::invalid_argument("listener endpoint '" + std::string(text) + "': " + why +
                                 " (expected 127.0.0.1:143, [::1]:143 or 0.0.0.0:143)");
  };
  std::string_view host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) throw bad("missing ']'");
    host = text.substr(1, close - 1);
    if (close + 1 >= text.size() || text[close + 1] != ':') throw bad("missing ':port'");
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) throw bad("missing ':port'");
    host = text.substr(0, colon);
    if (host.find(':') != std::string_view::npos) throw bad("IPv6 addresses must be in brackets");
    port = text.substr(colon + 1);
  }
  if (port.empty() || port.size() > 5) throw bad("bad port");
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc{} || end != port.data() + port.size() || value > 65535) throw bad("bad port");
  boost::system::error_code aec;
  const auto address = asio::ip::make_address(std::string(host), aec);
  if (aec || host.empty()) throw bad("host must be an IP address literal");
  if (text.front() == '[' && !address.is_v6()) throw bad("brackets are for IPv6 addresses");
  return {address, static_cast<std::uint16_t>(value)};
}

std::string format_endpoint(const tcp::endpoint& endpoint) {
  // Appended piece by piece: GCC 12 -O3 warns (-Wrestrict, a false positive) on "[" + string.
  const auto a = endpoint.address();
  std::string out;
  if (a.is_v6()) out += '[';
  out += a.to_string();
  if (a.is_v6()) out += ']';
  out += ':';
  out += std::to_string(endpoint.port());
  return out;
}

namespace detail {

struct ListenerState : std::enable_shared_from_this<ListenerState> {
  ListenerState(asio::any_io_executor ex, ListenerConfig cfg, ConnectionHandler h, metrics::Registry& m)
      : executor(std::move(ex)),
        acceptor(asio::make_strand(executor)),
        config(std::move(cfg)),
        handler(std::move(h)),
        ids(config.ids ? config.ids : &own_ids),
        own_gate(config.limits.max_connections, config.limits.max_connections_per_ip),
        gate(config.gate ? config.gate : &own_gate),
        connections_total(m.counter("atrium_connections_total", "Connections admitted by a listener.",
                                    {{"proto", config.protocol}})),
        connections_open(m.gauge("atrium_connections_open", "Connections currently open.", {{"proto", config.protocol}})),
        errors_limit_total(error_counter(m, "limit_total")),
        errors_limit_per_ip(error_counter(m, "limit_per_ip")),
        errors_tls(error_counter(m, "tls_handshake")),
        errors_accept(error_counter(m, "accept")),
        errors_handler(error_counter(m, "handler_exception")) {}

  metrics::Counter& error_counter(metrics::Registry& m, const char* reason) {
    return m.counter("atrium_connection_errors_total", "Connections refused or failed, by reason.",
                     {{"proto", config.protocol}, {"reason", reason}});
  }

  asio::any_io_executor executor;
  tcp::acceptor acceptor;  // on its own strand; touched only there after construction
  ListenerConfig config;
  ConnectionHandler handler;
  ConnectionIds own_ids;
  ConnectionIds* ids;
  ConnectionGate own_gate;
  ConnectionGate* gate;
  tcp::endpoint bound;
  std::string bound_text;

  metrics::Counter& connections_total;
  metrics::Gauge& connections_open;
  metrics::Counter& errors_limit_total;
  metrics::Counter& errors_limit_per_ip;
  metrics::Counter& errors_tls;
  metrics::Counter& errors_accept;
  metrics::Counter& errors_handler;

  mutable std::mutex mutex;  // guards everything below
  bool started = false;
  bool stopped = false;
  std::map<std::uint64_t, StreamHandle> sessions;
};

namespace {

// Releases a session's slot however the coroutine ends (also when its frame is destroyed
// unresumed because the io_context went away), so the counts can never leak.
class SessionSlot {
 public:
  SessionSlot(std::shared_ptr<ListenerState> st, const ConnectionInfo& info, asio::ip::address key)
      : st_(std::move(st)), info_(info), key_(key), started_(std::chrono::steady_clock::now()) {}
  ~SessionSlot() {
    {
      std::lock_guard lock(st_->mutex);
      st_->sessions.erase(info_.id);
    }
    st_->gate->release(key_);
    st_->connections_open.sub();
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started_);
    try {
      log::info("conn.close", "conn", info_.id, "proto", info_.protocol, "peer", info_.peer(), "duration_ms", ms.count());
    } catch (...) {  // logging must not turn a teardown into a terminate
    }
  }
  SessionSlot(const SessionSlot&) = delete;
  SessionSlot& operator=(const SessionSlot&) = delete;

 private:
  std::shared_ptr<ListenerState> st_;
  const ConnectionInfo& info_;
  asio::ip::address key_;
  std::chrono::steady_clock::time_point started_;
};

asio::awaitable<void> run_session(std::shared_ptr<ListenerState> st, Stream stream, ConnectionInfo info,
                                  asio::ip::address key) {
  SessionSlot slot(st, info, key);
  log::info("conn.open", "conn", info.id, "proto", info.protocol, "peer", info.peer(), "local",
            format_endpoint(info.local_endpoint), "tls", st->config.tls == TlsMode::implicit ? "implicit" : "none");
  if (st->config.tls == TlsMode::implicit) {
    const auto ec = co_await stream.handshake(*st->config.tls_context, st->config.limits.tls_handshake_timeout);
    if (ec) {
      st->errors_tls.inc();
      log::info("conn.tls_failed", "conn", info.id, "proto", info.protocol, "peer", info.peer(), "error", ec.message());
      co_return;
    }
    log::debug("conn.tls", "conn", info.id, "tls", stream.tls_description());
  }
  try {
    co_await st->handler(std::move(stream), info);
  } catch (const std::exception& e) {
    st->errors_handler.inc();
    log::error("conn.handler_failed", "conn", info.id, "proto", info.protocol, "peer", info.peer(), "what", e.what());
  }
}

// Admits or refuses one accepted socket. Refusal closes it at once: the protocol handler is the
// only one who could say why, and it has not been given the socket.
// `remote` is the address accept() returned; the local one is asked of the kernel only when the
// listener is bound to a wildcard address (two system calls fewer per connection otherwise).
void admit(const std::shared_ptr<ListenerState>& st, tcp::socket socket, const tcp::endpoint& remote) {
  boost::system::error_code ec;
  const auto local = st->bound.address().is_unspecified() ? socket.local_endpoint(ec) : st->bound;
  if (ec) return;  // the connection is gone already
  const auto key = remote.address();

  const char* refused = nullptr;
  std::uint64_t id = 0;
  {
    std::lock_guard lock(st->mutex);
    if (st->stopped) {
      refused = "stopped";
    } else {
      switch (st->gate->acquire(key)) {
        case ConnectionGate::Admission::limit_total: refused = "limit_total"; break;
        case ConnectionGate::Admission::limit_per_ip: refused = "limit_per_ip"; break;
        case ConnectionGate::Admission::admitted:
          id = st->ids->next();
          st->sessions.emplace(id, StreamHandle{});
          break;
      }
    }
  }
  if (refused) {
    if (refused == std::string_view("limit_total")) st->errors_limit_total.inc();
    if (refused == std::string_view("limit_per_ip")) st->errors_limit_per_ip.inc();
    log::warn("conn.refused", "proto", st->config.protocol, "peer", format_endpoint(remote), "reason", refused);
    socket.close(ec);
    return;
  }

  // Replies are small and often written in pieces (header, body): Nagle would hold the last
  // piece back until the peer's delayed ACK, adding ~40 ms to each exchange.
  socket.set_option(tcp::no_delay(true), ec);
  st->connections_total.inc();
  st->connections_open.add();
  ConnectionInfo info{st->config.protocol, remote.address(), remote.port(), local, id};
  Stream stream(std::move(socket));
  {
    std::lock_guard lock(st->mutex);
    st->sessions[id] = stream.handle();
  }
  auto ex = stream.get_executor();
  asio::co_spawn(ex, run_session(st, std::move(stream), std::move(info), key), asio::detached);
}

asio::awaitable<void> accept_loop(std::shared_ptr<ListenerState> st) {
  asio::steady_timer backoff(st->acceptor.get_executor());
  for (;;) {
    // A connection's coroutine, deadlines and cross-thread interrupts run one at a time, without
    // a lock, while connections run in parallel: on an executor with one thread (IoRuntime's
    // contexts) as it is, otherwise on a strand of its own.
    asio::any_io_executor ex;
    if (st->config.connection_executor) {
      ex = st->config.connection_executor();
    } else {
      ex = asio::make_strand(st->executor);
    }
    tcp::endpoint remote;
    auto [ec, socket] = co_await st->acceptor.async_accept(ex, remote, asio::as_tuple(asio::use_awaitable));
    if (ec) {
      {
        std::lock_guard lock(st->mutex);
        if (st->stopped) break;
      }
      if (ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor) break;
      st->errors_accept.inc();
      log::warn("listener.accept_failed", "proto", st->config.protocol, "addr", st->bound_text, "error", ec.message());
      // Out of file descriptors and similar: pause instead of spinning on the same error.
      backoff.expires_after(std::chrono::milliseconds(100));
      co_await backoff.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    admit(st, std::move(socket), remote);
  }
  log::info("listener.stopped", "proto", st->config.protocol, "addr", st->bound_text);
}

}  // namespace
}  // namespace detail

Listener::Listener(asio::any_io_executor executor, ListenerConfig config, ConnectionHandler handler,
                   metrics::Registry& metrics) {
  const auto endpoint = parse_endpoint(config.endpoint);
  if (config.tls == TlsMode::implicit && !config.tls_context)
    throw std::invalid_argument("listener " + config.protocol + " '" + config.endpoint +
                                "': implicit TLS needs a TLS context");
  if (!handler) throw std::invalid_argument("listener " + config.protocol + ": no connection handler");
  state_ = std::make_shared<detail::ListenerState>(std::move(executor), std::move(config), std::move(handler), metrics);
  auto& acc = state_->acceptor;
  const auto where = "listener " + state_->config.protocol + " '" + state_->config.endpoint + "'";
  boost::system::error_code ec;
  acc.open(endpoint.protocol(), ec);
  if (ec) throw boost::system::system_error(ec, where + ": socket");
  acc.set_option(tcp::acceptor::reuse_address(true), ec);
  if (endpoint.address().is_v6()) acc.set_option(asio::ip::v6_only(true), ec);
  acc.bind(endpoint, ec);
  if (ec) throw boost::system::system_error(ec, where + ": bind");
  acc.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw boost::system::system_error(ec, where + ": listen");
  state_->bound = acc.local_endpoint();
  state_->bound_text = format_endpoint(state_->bound);
}

Listener::~Listener() { stop(); }

void Listener::start() {
  {
    std::lock_guard lock(state_->mutex);
    if (state_->started) throw std::logic_error("Listener::start called twice");
    state_->started = true;
  }
  log::info("listener.start", "proto", state_->config.protocol, "addr", state_->bound_text, "tls",
            state_->config.tls == TlsMode::implicit ? "implicit" : "none");
  asio::co_spawn(state_->acceptor.get_executor(), detail::accept_loop(state_), asio::detached);
}

void Listener::stop() {
  {
    std::lock_guard lock(state_->mutex);
    if (state_->stopped) return;
    state_->stopped = true;
  }
  asio::post(state_->acceptor.get_executor(), [st = state_] {
    boost::system::error_code ignored;
    st->acceptor.close(ignored);
  });
}

namespace {
std::vector<StreamHandle> handles_of(detail::ListenerState& st) {
  std::lock_guard lock(st.mutex);
  std::vector<StreamHandle> out;
  out.reserve(st.sessions.size());
  for (const auto& [id, h] : st.sessions) out.push_back(h);
  return out;
}
}  // namespace

void Listener::interrupt_sessions() {
  for (const auto& h : handles_of(*state_)) h.interrupt();
}

void Listener::close_sessions() {
  for (const auto& h : handles_of(*state_)) h.close();
}

std::size_t Listener::live_sessions() const {
  std::lock_guard lock(state_->mutex);
  return state_->sessions.size();
}

tcp::endpoint Listener::local_endpoint() const { return state_->bound; }

const std::string& Listener::protocol() const { return state_->config.protocol; }

}  // namespace atrium::net
