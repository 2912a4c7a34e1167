// Composition root for `atrium serve`: store, TLS, authentication, listeners, privilege drop,
// housekeeping and graceful shutdown.
#include "server/serve.hpp"

#include "core/auth/throttle.hpp"
#include "core/log/log.hpp"
#include "core/dns/unbound_resolver.hpp"
#include "core/net/tls.hpp"
#include "mail/queue/signer.hpp"
#include "mail/queue/worker.hpp"
#include "core/runtime/allocator.hpp"
#include "core/runtime/io_runtime.hpp"
#include "server/modules.hpp"
#include "server/pop3_backend.hpp"
#include "mail/index/search_document.hpp"
#include "server/imip_watcher.hpp"
#include "storage/credentials.hpp"

#include <grp.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

namespace atrium::server {
namespace {

using namespace std::chrono_literals;

// How long shutdown waits for sessions to say goodbye before closing their sockets; the whole
// shutdown stays within 5 s.
constexpr auto k_drain_grace = 3s;
constexpr auto k_gc_interval = 1h;
constexpr auto k_gc_grace = std::chrono::seconds(3600);
// Threads for blocking work that waits on the disk rather than using a CPU: an SMTP delivery
// holds one through its blob fsync and its group commit, so this bounds how many deliveries
// can share a commit. With the cores-sized pool alone, a 2-core machine committed one message
// per fsync.
constexpr unsigned k_store_pool_threads = 64;

// The account `[server] user` names, when we run as root and must end up as it.
struct Identity {
  std::string name;
  uid_t uid;
  gid_t gid;
};

std::optional<Identity> target_identity(const config::Config& cfg) {
  if (!cfg.server.user) return std::nullopt;
  if (::geteuid() != 0) {
    log::warn("serve.privileges", "note", "not running as root; [server] user ignored", "user", *cfg.server.user);
    return std::nullopt;
  }
  struct passwd* pw = ::getpwnam(cfg.server.user->c_str());
  if (!pw) throw std::runtime_error("[server] user " + *cfg.server.user + " does not exist");
  Identity id{*cfg.server.user, pw->pw_uid, pw->pw_gid};
  // Everything in data_dir must belong to the account: the store opens files after the switch.
  std::error_code ec;
  std::filesystem::create_directories(cfg.server.data_dir, ec);
  struct stat st {};
  if (::stat(cfg.server.data_dir.c_str(), &st) != 0) throw std::runtime_error("cannot stat " + cfg.server.data_dir.string());
  if (st.st_uid == 0 && ::chown(cfg.server.data_dir.c_str(), id.uid, id.gid) == 0) st.st_uid = id.uid;
  if (st.st_uid != id.uid) {
    throw std::runtime_error("data_dir " + cfg.server.data_dir.string() + " must be owned by " + id.name + " (chown -R " +
                             id.name + " " + cfg.server.data_dir.string() + ")");
  }
  return id;
}

// While root: act as `id` for file access (the store and certificate files are created as it),
// or return to root to bind privileged ports.
void act_as(const Identity& id) {
  if (::setegid(id.gid) != 0 || ::seteuid(id.uid) != 0) throw std::runtime_error("cannot act as " + id.name);
}
void act_as_root() {
  if (::seteuid(0) != 0 || ::setegid(0) != 0) throw std::runtime_error("cannot return to root");
}

// Switches to the account for good after the listeners are bound, and checks that root cannot
// be regained.
void drop_privileges(const Identity& id) {
  act_as_root();
  if (::setgroups(0, nullptr) != 0 || ::setgid(id.gid) != 0 || ::setuid(id.uid) != 0) {
    throw std::runtime_error("cannot switch to user " + id.name);
  }
  if (::setuid(0) == 0) throw std::runtime_error("privileges could be regained after dropping them");
  ::prctl(PR_SET_DUMPABLE, 1);
  log::info("serve.privileges", "user", id.name, "uid", id.uid, "gid", id.gid);
}

// Hourly blob garbage collection on the blocking pool.
void schedule_gc(asio::steady_timer& timer, storage::Store& store, runtime::BlockingPool& pool) {
  timer.expires_after(k_gc_interval);
  timer.async_wait([&timer, &store, &pool](boost::system::error_code ec) {
    if (ec) return;
    asio::post(pool.executor(), [&store] {
      try {
        auto removed = store.collect_garbage(k_gc_grace);
        log::info("store.gc", "removed", removed);
      } catch (const std::exception& e) {
        log::warn("store.gc_failed", "reason", e.what());
      }
    });
    schedule_gc(timer, store, pool);
  });
}

mail::queue::WorkerOptions worker_options(const config::Config& cfg) {
  const auto& d = cfg.delivery;
  mail::queue::WorkerOptions o;
  o.hostname = cfg.server.hostname;
  o.helo_name = d.helo_name.empty() ? cfg.server.hostname : d.helo_name;
  o.remote_port = d.remote_port;
  if (d.relay) {
    mail::queue::RelayHost relay{d.relay->host, d.relay->port, std::nullopt};
    if (!d.relay_user.empty()) {
      std::ifstream in(d.relay_password_file);
      std::string password;
      std::getline(in, password);
      if (!in && password.empty()) {
        throw std::runtime_error("delivery.relay_password_file " + d.relay_password_file.string() + " cannot be read");
      }
      relay.credentials = smtp::client::Credentials{d.relay_user, password};
    }
    o.relay = relay;
  }
  o.schedule.intervals.clear();
  for (auto s : d.retry_schedule) o.schedule.intervals.push_back(s.count());
  o.schedule.expire = d.expire_after.count();
  o.schedule.delay_notice_after = d.delay_notice_after.count();
  o.max_connections = d.max_connections;
  o.max_connections_per_domain = d.max_connections_per_domain;
  o.require_tls = d.tls == config::OutboundTls::required;
  o.mta_sts = d.mta_sts;
  o.mta_sts_port = d.mta_sts_port;
  o.dane = d.dane && !d.dnssec_trust_anchor.empty();
  o.timeouts.connect = d.connect_timeout;
  for (auto* t : {&o.timeouts.greeting, &o.timeouts.command, &o.timeouts.tls_handshake, &o.timeouts.mail,
                  &o.timeouts.rcpt, &o.timeouts.data_init, &o.timeouts.data_block}) {
    *t = std::min<net::Duration>(*t, d.command_timeout);
  }
  o.timeouts.data_end = d.data_timeout;
  return o;
}

}  // namespace

int serve(const config::Config& cfg, const ServeOptions& options) {
  runtime::tune_allocator();
  log::info("serve.starting", "version", ATRIUM_VERSION, "config", options.dev ? "dev defaults" : cfg.source.string(),
            "data_dir", cfg.server.data_dir.string(), "hostname", cfg.server.hostname);
  metrics::Registry registry;
  std::unique_ptr<storage::Store> store;
  std::unique_ptr<storage::search::Index> search;
  std::unique_ptr<ImipWatcher> imip;
  std::unique_ptr<ssl::context> tls;
  std::optional<Identity> identity;
  try {
    identity = target_identity(cfg);
    if (identity) act_as(*identity);
    store = storage::Store::open({.data_dir = cfg.server.data_dir, .metrics = &registry});
    std::shared_ptr<const mail::index::AttachmentDecoders> decoders;
    if (cfg.search.decode_attachments) {
      decoders = std::make_shared<const mail::index::AttachmentDecoders>(mail::index::AttachmentDecoders::defaults(),
                                                                         cfg.server.data_dir / "tmp");
    }
    search = std::make_unique<storage::search::Index>(
        *store, storage::search::IndexOptions{.dir = cfg.server.data_dir / "search",
                                              .extract = mail::index::message_extractor(decoders),
                                              .extract_quick = mail::index::extract_for_search});
    net::TlsFiles files;
    if (cfg.tls) {
      files = {cfg.tls->cert, cfg.tls->key};
      log::info("tls.certificate", "cert", files.cert_chain.string(), "sha256", net::sha256_fingerprint(files.cert_chain));
    } else {
      auto identity = net::ensure_self_signed(cfg.server.data_dir, cfg.server.hostname);
      files = identity.files;
      log::info("tls.certificate", "cert", files.cert_chain.string(), "self_signed", "true", "generated",
                identity.generated ? "true" : "false", "sha256", identity.sha256_fingerprint);
    }
    tls = std::make_unique<ssl::context>(net::make_server_tls_context(files));
    if (identity) act_as_root();
  } catch (const std::exception& e) {
    log::error("serve.failed", "reason", e.what());
    return 1;
  }

  runtime::IoRuntime io;
  std::unique_ptr<dns::UnboundResolver> resolver;
  std::unique_ptr<ssl::context> client_tls;
  std::unique_ptr<mail::queue::DkimSigner> signer;
  std::unique_ptr<mail::queue::Worker> outbound;
  try {
    resolver = std::make_unique<dns::UnboundResolver>(
        io.executor(), dns::UnboundOptions{.servers = cfg.delivery.dns_servers,
                                           .trust_anchor = cfg.delivery.dnssec_trust_anchor});
    client_tls = std::make_unique<ssl::context>(net::make_client_tls_context({.ca_file = cfg.delivery.ca_file}));
    if (cfg.delivery.enabled) {
      if (cfg.delivery.dkim_sign) signer = std::make_unique<mail::queue::DkimSigner>(*store);
      mail::queue::MessageSigner sign;
      mail::queue::MessageSealer seal;
      if (signer) sign = [s = signer.get()](std::string_view m) { return (*s)(m); };
      if (signer && cfg.mail_auth.arc_seal) {
        auto id = cfg.mail_auth.authserv_id.empty() ? cfg.server.hostname : cfg.mail_auth.authserv_id;
        seal = [s = signer.get(), id](std::string_view m, std::string_view d) { return s->seal(m, d, id); };
      }
      outbound = std::make_unique<mail::queue::Worker>(io.executor(), *store, *resolver, *client_tls,
                                                       worker_options(cfg), std::move(sign), std::move(seal));
    }
  } catch (const std::exception& e) {
    log::error("serve.failed", "reason", e.what());
    return 1;
  }
  // Both pools are joined before the store closes: nothing running on them may outlive it.
  auto blocking = std::make_unique<runtime::BlockingPool>();
  auto store_blocking = std::make_unique<runtime::BlockingPool>(runtime::BlockingPoolOptions{k_store_pool_threads});
  auth::ThrottleOptions throttle_options;
  throttle_options.ip_block_failures = cfg.auth.max_failures_per_ip;
  throttle_options.account_lock_failures = cfg.auth.max_failures_per_account;
  throttle_options.window = cfg.auth.failure_window;
  throttle_options.ip_block_duration = cfg.auth.block_duration;
  throttle_options.account_lock_duration = cfg.auth.block_duration;
  throttle_options.exempt = cfg.auth.exempt;
  auth::Throttle throttle(throttle_options);
  storage::StoreCredentials credentials(*store);
  auth::Authenticator authenticator(throttle, credentials, registry);
  MaildropLocks maildrop_locks;
  Services services{cfg, *store, authenticator, *blocking, *store_blocking, registry, *tls,
                    std::make_shared<http::Router>(), maildrop_locks, search.get()};
  services.resolver = resolver.get();
  if (outbound) services.outbound_queued = [w = outbound.get()] { w->wake(); };
  add_http_routes(services);

  net::ConnectionIds ids;
  // One gate for every listener: the limits count connections across all protocols.
  net::ConnectionGate gate(cfg.limits.max_connections, cfg.limits.max_connections_per_ip);
  net::ListenerLimits limits;
  std::vector<std::unique_ptr<net::Listener>> listeners;
  try {
    for (config::Protocol p : config::all_protocols) {
      const auto& endpoints = cfg.listen.of(p);
      if (endpoints.empty()) continue;
      auto module = module_for(p);
      if (!module) {
        for (const auto& ep : endpoints) {
          log::warn("listener.not_served", "proto", config::protocol_name(p), "addr", ep.to_string(), "reason",
                    "protocol not built yet");
        }
        continue;
      }
      auto handler = module->make_handler(services);
      for (const auto& ep : endpoints) {
        net::ListenerConfig lc{ep.to_string(), std::string(config::protocol_name(p)), module->tls, tls.get(), limits, &ids, &gate};
        lc.connection_executor = [&io] { return io.connection_executor(); };
        listeners.push_back(std::make_unique<net::Listener>(io.executor(), lc, handler, registry));
      }
    }
    if (identity) drop_privileges(*identity);
    search->start();
    imip = std::make_unique<ImipWatcher>(*store, cfg.server.data_dir / "imip.cursor");
    imip->start();
    if (outbound) outbound->start();
  } catch (const std::exception& e) {
    log::error("serve.failed", "reason", e.what());
    return 1;
  }
  for (auto& l : listeners) l->start();

  asio::steady_timer gc_timer(io.context());
  schedule_gc(gc_timer, *store, *blocking);
  asio::steady_timer drain_timer(io.context());
  auto live_sessions = [&] {
    std::size_t n = 0;
    for (auto& l : listeners) n += l->live_sessions();
    return n;
  };
  // Polls until every session has ended or the grace is over, then stops the runtime.
  std::function<void(std::chrono::steady_clock::time_point)> drain = [&](std::chrono::steady_clock::time_point deadline) {
    if (live_sessions() == 0 || std::chrono::steady_clock::now() >= deadline) {
      if (auto left = live_sessions()) {
        log::warn("serve.closing_sessions", "sessions", left);
        for (auto& l : listeners) l->close_sessions();
      }
      io.stop(runtime::StopMode::immediate);
      return;
    }
    drain_timer.expires_after(25ms);
    drain_timer.async_wait([&, deadline](boost::system::error_code) { drain(deadline); });
  };

  io.on_shutdown_signal([&](int signal) {
    log::info("serve.stopping", "signal", signal, "sessions", live_sessions());
    gc_timer.cancel();
    if (outbound) outbound->stop();
    for (auto& l : listeners) {
      l->stop();
      l->interrupt_sessions();
    }
    drain(std::chrono::steady_clock::now() + k_drain_grace);
  });

  log::info("serve.ready", "listeners", listeners.size());
  io.run();
  listeners.clear();
  outbound.reset();
  signer.reset();
  resolver.reset();
  store_blocking.reset();
  blocking.reset();
  imip.reset();
  search.reset();
  // Every job already queued is committed (or failed) before the store closes.
  store.reset();
  log::info("serve.stopped");
  return 0;
}

}  // namespace atrium::server
