// `atrium serve`: wires the store, listeners and protocol modules together and runs until
// SIGTERM/SIGINT.
#pragma once

#include "core/config/config.hpp"

namespace atrium::server {

struct ServeOptions {
  bool dev = false;  // dev defaults were used (no config file); logs say so
};

// Runs the server in the foreground. Returns the process exit code (0 after a graceful
// shutdown, 1 when start-up failed; the reason has been logged).
int serve(const config::Config& config, const ServeOptions& options);

}  // namespace atrium::server
