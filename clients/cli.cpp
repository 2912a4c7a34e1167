// The `atrium` command: global options, the subcommand table, and the one place that turns
// errors into exit codes and messages.
#include "clients/cli.hpp"

#include "clients/commands.hpp"

#include <iostream>
#include <string>
#include <vector>

namespace atrium::clients {
namespace {

// The chain of subcommands recognised, from `app` down ("atrium", "user", "add").
std::vector<const CLI::App*> command_chain(const CLI::App& app) {
  std::vector<const CLI::App*> chain{&app};
  for (auto subs = app.get_subcommands(); !subs.empty(); subs = subs.front()->get_subcommands()) {
    chain.push_back(subs.front());
  }
  return chain;
}

// One line for a usage error, pointing at the --help of the deepest command recognised.
std::string usage_message(const CLI::App& app, const CLI::ParseError& e) {
  auto chain = command_chain(app);
  std::string path;
  for (const auto* cmd : chain) path += (path.empty() ? "" : " ") + cmd->get_name();
  std::string what = e.what();
  // CLI11 reports `atrium bogus` as a missing subcommand; the word it did not know is the news.
  if (dynamic_cast<const CLI::RequiredError*>(&e)) {
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
      auto left = (*it)->remaining();
      if (left.empty()) continue;
      what = left.front().starts_with("-") ? "unknown option " + left.front() : "unknown command " + left.front();
      break;
    }
  }
  return "atrium: usage error: " + what + " (see '" + path + " --help')";
}

}  // namespace

int run_cli(int argc, char** argv, const ServeFn& serve_fn) {
  CliContext ctx(serve_fn);
  CLI::App app("Atrium: mail, calendar and contacts server, and its administration", "atrium");
  app.require_subcommand(1);
  // -c may also follow the subcommand: `atrium user list -c /etc/atrium/atrium.toml`.
  app.fallthrough();
  app.add_option("-c,--config", ctx.config_option(), "Configuration file")->type_name("FILE");
  app.set_version_flag("--version", std::string("atrium ") + ATRIUM_VERSION);

  add_serve_command(app, ctx);
  add_domain_commands(app, ctx);
  add_user_commands(app, ctx);
  add_alias_commands(app, ctx);
  add_group_commands(app, ctx);
  add_resource_commands(app, ctx);
  add_queue_commands(app, ctx);
  add_dkim_commands(app, ctx);
  add_config_commands(app, ctx);
  // Set after the subcommands so only the top-level help carries it.
  app.footer(
      "The configuration file is -c FILE, else $ATRIUM_CONFIG, else ./atrium.toml; without one, admin commands\n"
      "use development defaults (./data). Admin commands are safe while the server runs on the same data;\n"
      "run as root on a data_dir owned by another account, they act as that account.");

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help, --help-all, --version
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << usage_message(app, e) << '\n';
    return 2;
  } catch (const std::exception& e) {
    // StoreError, ConfigError and CliError messages are written for the administrator.
    std::cerr << "atrium: error: " << e.what() << '\n';
    return 1;
  }
  return ctx.exit_code();
}

}  // namespace atrium::clients
