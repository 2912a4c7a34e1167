// The protocol modules `serve` knows: each turns the shared services into a connection handler
// for the listeners of its [listen] keys. New protocols add an entry here; nothing else in the
// composition root changes.
#pragma once

#include "core/auth/authenticator.hpp"
#include "core/config/config.hpp"
#include "core/dns/resolver.hpp"
#include "core/http/router.hpp"
#include "core/metrics/metrics.hpp"
#include "core/net/listener.hpp"
#include "core/runtime/blocking_pool.hpp"
#include "storage/search/index.hpp"
#include "storage/store.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

namespace atrium::server {

class MaildropLocks;  // server/pop3_backend.hpp

// What every protocol module may use. Owned by serve(); outlives every listener and session.
struct Services {
  const config::Config& config;
  storage::Store& store;
  auth::Authenticator& authenticator;
  runtime::BlockingPool& blocking;        // CPU-bound work (Argon2id): threads = cores
  runtime::BlockingPool& store_blocking;  // work that waits on the disk (deliveries): many threads
  metrics::Registry& metrics;
  ssl::context& tls;
  std::shared_ptr<http::Router> router;  // routes are added before the first listener starts
  MaildropLocks& maildrop_locks;         // POP3's per-account lock, shared by pop3 and pop3s
  storage::search::Index* search = nullptr;  // the full-text index (IMAP SEARCH; later EAS, DAV)
  dns::Resolver* resolver = nullptr;          // mail DNS (inbound SPF/DKIM/DMARC checks)
  std::function<void()> outbound_queued;      // tells the delivery worker that mail was queued
};

struct ProtocolModule {
  config::Protocol protocol;
  net::TlsMode tls;
  // Builds the handler once per listener set of this protocol.
  std::function<net::ConnectionHandler(Services&)> make_handler;
};

// The module serving `p`, or nullopt while that protocol is not built yet.
std::optional<ProtocolModule> module_for(config::Protocol p);

// Adds every route the HTTP listeners serve (health, metrics; later DAV, ActiveSync...).
void add_http_routes(Services& services);

}  // namespace atrium::server
