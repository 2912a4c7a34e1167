// Routes every Atrium HTTP listener can serve: liveness and Prometheus metrics.
#pragma once

#include "core/http/router.hpp"
#include "core/metrics/metrics.hpp"

namespace atrium::http {

// GET/HEAD /healthz: 200 "ok\n" (text/plain) while the process serves requests.
// GET /metrics: `registry` rendered as Prometheus text (text/plain; version=0.0.4).
// `registry` must outlive the router. Operators keep /metrics off public listeners.
void add_builtin_routes(Router& router, metrics::Registry& registry);

}  // namespace atrium::http
