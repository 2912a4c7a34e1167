// `atrium serve [--dev]`: picks the configuration and hands over to the server.
#include "clients/commands.hpp"

#include <memory>

namespace atrium::clients {

void add_serve_command(CLI::App& app, CliContext& ctx) {
  auto* serve = app.add_subcommand("serve", "Run the server in the foreground until SIGTERM or SIGINT");
  auto dev = std::make_shared<bool>(false);
  serve->add_flag("--dev", *dev,
                  "Without a config file, run with development defaults: 127.0.0.1, unprivileged ports, ./data");
  serve->callback([&ctx, dev] {
    // The server must never run on defaults by accident; --dev is the explicit permission.
    if (!*dev && !ctx.config_file()) {
      throw CliError(
          "no configuration file: pass -c FILE (or set ATRIUM_CONFIG), or use 'atrium serve --dev' for "
          "development defaults");
    }
    auto loaded = ctx.load();
    config::validate_files(loaded.config);
    ctx.set_exit_code(ctx.serve()(loaded.config, loaded.origin));
  });
}

}  // namespace atrium::clients
