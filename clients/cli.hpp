// The `atrium` command line: the admin subcommands, and `serve`, which the composition root
// supplies so that clients/ does not depend on server/.
#pragma once

#include "core/config/config.hpp"

#include <functional>

namespace atrium::clients {

// Where the configuration `serve` receives came from.
enum class ConfigOrigin {
  file,          // a config file (-c, $ATRIUM_CONFIG or ./atrium.toml)
  dev_defaults,  // no file; `serve --dev` allowed config::dev_defaults()
};

// Runs the server in the foreground and returns the process exit code.
using ServeFn = std::function<int(const config::Config& config, ConfigOrigin origin)>;

// Parses argv, runs the command, and returns the process exit code: 0 success; 1 the command
// failed (one line `atrium: error: ...` on stderr, nothing changed); 2 usage error (bad or
// missing arguments, explained on stderr). Help goes to stdout with 0. `serve` returns what
// `serve_fn` returns.
int run_cli(int argc, char** argv, const ServeFn& serve_fn);

}  // namespace atrium::clients
