// `atrium config check` and `atrium version`.
#include "clients/commands.hpp"

#include <iostream>

namespace atrium::clients {

void add_config_commands(CLI::App& app, CliContext& ctx) {
  auto* config = app.add_subcommand("config", "Inspect the configuration");
  config->require_subcommand(1);
  auto* check = config->add_subcommand(
      "check", "Load and validate the configuration file, including the TLS files it names; prints ok: <path>");
  check->callback([&ctx] {
    // Checking the built-in defaults would prove nothing; say there is no file instead.
    auto file = ctx.config_file();
    if (!file) throw CliError("no configuration file to check: pass -c FILE, set ATRIUM_CONFIG, or create ./atrium.toml");
    auto loaded = ctx.load();
    config::validate_files(loaded.config);
    std::cout << "ok: " << file->string() << '\n';
  });

  auto* version = app.add_subcommand("version", "Print the version");
  version->callback([] { std::cout << "atrium " << ATRIUM_VERSION << '\n'; });
}

}  // namespace atrium::clients
