// UnboundResolver: libunbound's asynchronous API driven from an Asio strand.
#include "core/dns/unbound_resolver.hpp"

#include "core/dns/answer_cache.hpp"

#include "core/log/log.hpp"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <unbound.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <algorithm>
#include <random>
#include <set>
#include <stdexcept>

namespace atrium::dns {

struct UnboundResolver::Raw : RawAnswer {};

namespace {

constexpr int k_type_a = 1, k_type_ptr = 12, k_type_mx = 15, k_type_txt = 16, k_type_aaaa = 28, k_type_tlsa = 52;
constexpr std::size_t k_max_name = 253;

using Handler = asio::any_completion_handler<void(UnboundResolver::Raw)>;

void check(int rc, const char* what) {
  if (rc != 0) throw std::runtime_error(std::string("DNS resolver: ") + what + ": " + ub_strerror(rc));
}

// A domain name in wire form (uncompressed, as libunbound hands rdata over) to text, lower case,
// without the trailing dot. Returns false on a malformed name.
bool wire_name(std::string_view wire, std::size_t& pos, std::string& out) {
  out.clear();
  for (int labels = 0; labels < 128; ++labels) {
    if (pos >= wire.size()) return false;
    auto len = static_cast<unsigned char>(wire[pos++]);
    if (len == 0) return true;
    if (len > 63 || pos + len > wire.size()) return false;
    if (!out.empty()) out += '.';
    for (std::size_t i = 0; i < len; ++i) {
      auto c = wire[pos + i];
      out += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    pos += len;
  }
  return false;
}

bool valid_query_name(const std::string& name) {
  if (name.empty() || name.size() > k_max_name) return false;
  return std::none_of(name.begin(), name.end(), [](char c) {
    return static_cast<unsigned char>(c) <= ' ' || c == 0x7f;
  });
}

template <class T>
Answer<T> shell(const UnboundResolver::Raw& raw) {
  Answer<T> out;
  out.status = raw.status;
  out.secure = raw.secure;
  return out;
}

// Records of a type that parse; an answer whose records all fail to parse is no data.
template <class T>
void settle(Answer<T>& out) {
  if (out.status == Status::ok && out.records.empty()) out.status = Status::no_data;
}

// Writes `text` to a private temporary file, loads it with ub_ctx_config and removes it.
void apply_config_text(ub_ctx* ctx, const std::string& text) {
  char path[] = "/tmp/atrium-unbound-XXXXXX";
  int fd = ::mkstemp(path);
  if (fd < 0) throw std::runtime_error(std::string("DNS resolver: temporary config file: ") + std::strerror(errno));
  bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  int rc = written ? ub_ctx_config(ctx, path) : static_cast<int>(UB_SOCKET);
  ::unlink(path);
  check(rc, "configuration");
}

}  // namespace

struct UnboundResolver::Impl : std::enable_shared_from_this<Impl> {
  ub_ctx* ctx = nullptr;
  asio::strand<asio::any_io_executor> strand;
  asio::posix::stream_descriptor fd;
  bool waiting = false;
  std::size_t outstanding = 0;
  struct Pending;
  std::set<Pending*> pending;  // started, not completed
  AnswerCache answers;

  explicit Impl(asio::any_io_executor ex) : strand(asio::make_strand(ex)), fd(strand) {}
  ~Impl() {
    fd.release();  // libunbound owns the descriptor
    if (ctx) ub_ctx_delete(ctx);
    // Queries still outstanding never complete now: their handlers (and the coroutines awaiting
    // them) are destroyed with the resolver, as an io_context destroys its pending handlers.
    for (auto* slot : pending) delete slot;
  }

  static void on_result(void* data, int err, ub_result* result) {
    auto* slot = static_cast<Pending*>(data);
    Raw raw;
    if (err != 0 || result == nullptr) {
      raw.status = Status::temporary;
    } else if (result->bogus) {
      raw.status = Status::bogus;
    } else if (result->nxdomain) {
      raw.status = Status::nxdomain;
    } else if (result->rcode != 0) {
      raw.status = Status::temporary;  // SERVFAIL, REFUSED, ...
    } else if (!result->havedata) {
      raw.status = Status::no_data;
    } else {
      raw.status = Status::ok;
      for (int i = 0; result->data[i] != nullptr; ++i) raw.rdata.emplace_back(result->data[i], result->len[i]);
    }
    if (result) {
      raw.secure = result->secure != 0;
      raw.ttl = result->ttl > 0 ? static_cast<std::uint32_t>(result->ttl) : 0;
      ub_resolve_free(result);
    }
    --slot->impl->outstanding;
    slot->impl->pending.erase(slot);
    auto handler = std::move(slot->handler);
    auto ex = std::move(slot->executor);
    delete slot;
    // Completion runs on the awaiting coroutine's executor, never inline on the resolver's strand.
    asio::post(ex, asio::append(std::move(handler), std::move(raw)));
  }

  void arm() {
    if (waiting || outstanding == 0) return;
    waiting = true;
    // A weak reference: the resolver's owner decides when the context goes, not a pending wait.
    std::weak_ptr<Impl> weak = weak_from_this();
    fd.async_wait(asio::posix::stream_descriptor::wait_read,
                  asio::bind_executor(strand, [weak](boost::system::error_code ec) {
                    auto self = weak.lock();
                    if (!self) return;
                    self->waiting = false;
                    if (ec) return;
                    if (int rc = ub_process(self->ctx); rc != 0) log::warn("dns_process_failed", "reason", ub_strerror(rc));
                    self->arm();
                  }));
  }

  struct Pending {
    Impl* impl = nullptr;
    Handler handler;
    asio::any_io_executor executor;
  };

  void start(std::string name, int type, Handler handler, asio::any_io_executor executor) {
    auto* slot = new Pending{this, std::move(handler), std::move(executor)};
    pending.insert(slot);
    ++outstanding;
    int id = 0;
    int rc = ub_resolve_async(ctx, name.c_str(), type, 1, slot, &Impl::on_result, &id);
    if (rc != 0) {
      log::warn("dns_query_failed", "name", name, "reason", ub_strerror(rc));
      on_result(slot, rc, nullptr);
      return;
    }
    arm();
  }
};

struct UnboundResolver::Initiate {
  std::shared_ptr<Impl> impl;
  template <class H>
  void operator()(H&& handler, std::string name, int type) const {
    asio::any_io_executor ex = asio::get_associated_executor(handler, impl->strand);
    auto start = [impl = impl, name = std::move(name), type, h = Handler(std::forward<H>(handler)),
                  ex = std::move(ex)]() mutable { impl->start(std::move(name), type, std::move(h), std::move(ex)); };
    asio::post(impl->strand, std::move(start));
  }
};

UnboundResolver::UnboundResolver(asio::any_io_executor executor, const UnboundOptions& options)
    : impl_(std::make_shared<Impl>(executor)) {
  impl_->ctx = ub_ctx_create();
  if (!impl_->ctx) throw std::runtime_error("DNS resolver: cannot create the libunbound context");
  // Threads, not a forked process, answer the asynchronous queries.
  check(ub_ctx_async(impl_->ctx, 1), "async mode");
  if (!options.servers.empty()) {
    // ub_ctx_set_option() does not take "local-zone", so these settings go through a config file.
    std::string text = "server:\n  do-not-query-localhost: no\n";
    for (const auto& zone : options.unblock_zones) text += "  local-zone: \"" + zone + ".\" nodefault\n";
    apply_config_text(impl_->ctx, text);
    for (const auto& server : options.servers) {
      int rc = ub_ctx_set_fwd(impl_->ctx, server.c_str());
      if (rc != 0) throw std::runtime_error("DNS resolver: bad server address '" + server + "': " + ub_strerror(rc));
    }
  } else {
    int rc = ub_ctx_resolvconf(impl_->ctx, nullptr);
    if (rc != 0) log::warn("dns_resolvconf_unreadable", "reason", ub_strerror(rc));
  }
  if (!options.trust_anchor.empty()) {
    int rc = ub_ctx_add_ta_file(impl_->ctx, options.trust_anchor.c_str());
    if (rc != 0) {
      throw std::runtime_error("DNS resolver: trust anchor '" + options.trust_anchor.string() + "': " + ub_strerror(rc));
    }
  }
  int fd = ub_fd(impl_->ctx);
  if (fd < 0) throw std::runtime_error("DNS resolver: libunbound gave no descriptor");
  impl_->fd.assign(fd);
}

// Queries still outstanding are abandoned with the context; destroy the resolver only once the
// io_context no longer runs (server shutdown) or nothing awaits it.
UnboundResolver::~UnboundResolver() = default;

asio::awaitable<UnboundResolver::Raw> UnboundResolver::query(std::string name, int type) {
  while (!name.empty() && name.back() == '.') name.pop_back();
  if (!valid_query_name(name)) {
    Raw bad;
    bad.status = Status::nxdomain;
    co_return bad;
  }
  if (auto kept = impl_->answers.get(type, name)) {
    Raw hit;
    static_cast<RawAnswer&>(hit) = std::move(*kept);
    co_return hit;
  }
  const std::string asked = name;
  // A named initiation with the arguments passed through async_initiate, not a capturing lambda
  // temporary in the co_await expression: GCC 12 destroys such captures twice.
  Initiate initiate{impl_};
  auto raw = co_await asio::async_initiate<decltype(asio::use_awaitable), void(Raw)>(initiate, asio::use_awaitable,
                                                                                     std::move(name), type);
  impl_->answers.put(type, asked, raw);
  co_return raw;
}

asio::awaitable<Answer<MxRecord>> UnboundResolver::mx(std::string name) {
  auto raw = co_await query(std::move(name), k_type_mx);
  auto out = shell<MxRecord>(raw);
  for (const auto& rd : raw.rdata) {
    if (rd.size() < 3) continue;
    MxRecord r;
    r.preference = static_cast<std::uint16_t>((static_cast<unsigned char>(rd[0]) << 8) | static_cast<unsigned char>(rd[1]));
    std::size_t pos = 2;
    if (!wire_name(rd, pos, r.exchange)) continue;
    out.records.push_back(std::move(r));
  }
  // RFC 5321 §5.1: equal preferences in random order, so load spreads over them.
  static thread_local std::minstd_rand rng{std::random_device{}()};
  std::shuffle(out.records.begin(), out.records.end(), rng);
  std::stable_sort(out.records.begin(), out.records.end(),
                   [](const MxRecord& x, const MxRecord& y) { return x.preference < y.preference; });
  settle(out);
  co_return out;
}

asio::awaitable<Answer<std::string>> UnboundResolver::a(std::string name) {
  auto raw = co_await query(std::move(name), k_type_a);
  auto out = shell<std::string>(raw);
  for (const auto& rd : raw.rdata) {
    if (rd.size() != 4) continue;
    asio::ip::address_v4::bytes_type b;
    std::copy(rd.begin(), rd.end(), b.begin());
    out.records.push_back(asio::ip::address_v4(b).to_string());
  }
  settle(out);
  co_return out;
}

asio::awaitable<Answer<std::string>> UnboundResolver::aaaa(std::string name) {
  auto raw = co_await query(std::move(name), k_type_aaaa);
  auto out = shell<std::string>(raw);
  for (const auto& rd : raw.rdata) {
    if (rd.size() != 16) continue;
    asio::ip::address_v6::bytes_type b;
    std::copy(rd.begin(), rd.end(), b.begin());
    out.records.push_back(asio::ip::address_v6(b).to_string());
  }
  settle(out);
  co_return out;
}

asio::awaitable<Answer<std::string>> UnboundResolver::txt(std::string name) {
  auto raw = co_await query(std::move(name), k_type_txt);
  auto out = shell<std::string>(raw);
  for (const auto& rd : raw.rdata) {
    std::string text;
    std::size_t pos = 0;
    bool good = true;
    while (pos < rd.size()) {
      auto len = static_cast<unsigned char>(rd[pos++]);
      if (pos + len > rd.size()) {
        good = false;
        break;
      }
      text.append(rd, pos, len);
      pos += len;
    }
    if (good) out.records.push_back(std::move(text));
  }
  settle(out);
  co_return out;
}

asio::awaitable<Answer<std::string>> UnboundResolver::ptr(std::string address) {
  auto name = reverse_name(address);
  if (name.empty()) {
    Answer<std::string> bad;
    bad.status = Status::nxdomain;
    co_return bad;
  }
  auto raw = co_await query(std::move(name), k_type_ptr);
  auto out = shell<std::string>(raw);
  for (const auto& rd : raw.rdata) {
    std::size_t pos = 0;
    std::string host;
    if (wire_name(rd, pos, host)) out.records.push_back(std::move(host));
  }
  settle(out);
  co_return out;
}

asio::awaitable<Answer<TlsaRecord>> UnboundResolver::tlsa(std::string name) {
  auto raw = co_await query(std::move(name), k_type_tlsa);
  auto out = shell<TlsaRecord>(raw);
  for (const auto& rd : raw.rdata) {
    if (rd.size() < 4) continue;
    TlsaRecord r;
    r.usage = static_cast<std::uint8_t>(rd[0]);
    r.selector = static_cast<std::uint8_t>(rd[1]);
    r.matching_type = static_cast<std::uint8_t>(rd[2]);
    r.data = rd.substr(3);
    out.records.push_back(std::move(r));
  }
  settle(out);
  co_return out;
}

}  // namespace atrium::dns
