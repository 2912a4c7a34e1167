// /healthz and /metrics.
#include "core/http/builtin.hpp"

namespace atrium::http {

void add_builtin_routes(Router& router, metrics::Registry& registry) {
  auto healthz = [](Request&, RequestContext&) -> asio::awaitable<Response> {
    co_return text_response(status::ok, "ok\n", "text/plain");
  };
  router.add(verb::get, "/healthz", healthz);
  router.add(verb::head, "/healthz", healthz);
  router.add(verb::get, "/metrics", [&registry](Request&, RequestContext&) -> asio::awaitable<Response> {
    co_return text_response(status::ok, registry.render(), "text/plain; version=0.0.4");
  });
}

}  // namespace atrium::http
