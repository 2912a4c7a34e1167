// The table of protocol modules and the HTTP routes.
#include "server/modules.hpp"

#include "core/http/builtin.hpp"
#include "core/http/server.hpp"

namespace atrium::server {
namespace {

net::ConnectionHandler http_handler(Services& s) {
  http::ServerOptions options;
  options.idle_timeout = s.config.limits.http_idle_timeout;
  options.max_body_bytes = s.config.limits.max_http_body;
  return http::connection_handler(std::make_shared<const http::Server>(s.router, options, s.metrics));
}

}  // namespace

std::optional<ProtocolModule> module_for(config::Protocol p) {
  switch (p) {
    case config::Protocol::http:
      return ProtocolModule{p, net::TlsMode::none, http_handler};
    case config::Protocol::https:
      return ProtocolModule{p, net::TlsMode::implicit, http_handler};
    default:
      return std::nullopt;
  }
}

void add_http_routes(Services& services) { http::add_builtin_routes(*services.router, services.metrics); }

}  // namespace atrium::server
