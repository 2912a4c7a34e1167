// Composition root for `atrium serve` (wiring lands with the network runtime).
#include "server/serve.hpp"

#include "core/log/log.hpp"

namespace atrium::server {

int serve(const config::Config&, const ServeOptions&) {
  log::error("serve.unavailable", "reason", "network runtime not built yet");
  return 1;
}

}  // namespace atrium::server
