// `atrium alias add|del|list`: addresses that forward to other addresses, local or remote.
#include "clients/commands.hpp"

#include "storage/directory.hpp"

#include <iostream>

namespace atrium::clients {

namespace dir = storage::directory;

void add_alias_commands(CLI::App& app, CliContext& ctx) {
  auto* alias = app.add_subcommand("alias", "Manage aliases");
  alias->require_subcommand(1);

  struct Args {
    std::string address;
    std::vector<std::string> targets;
  };
  auto args = std::make_shared<Args>();

  auto* add = alias->add_subcommand("add", "Add an alias, or add targets to an existing one");
  add->add_option("ADDRESS", args->address, "Alias address in a local domain")->required();
  add->add_option("TARGET", args->targets, "Addresses mail is delivered to (one or more)")->required();
  add->callback([&ctx, args] {
    ctx.open_store()->write([&](storage::WriteTxn& t) { dir::add_alias(t, args->address, args->targets); });
  });

  auto* del = alias->add_subcommand("del", "Delete an alias with all its targets");
  del->add_option("ADDRESS", args->address, "Alias address")->required();
  del->callback([&ctx, args] {
    ctx.open_store()->write([&](storage::WriteTxn& t) { dir::del_alias(t, args->address); });
  });

  auto* list = alias->add_subcommand("list", "List aliases: ADDRESS<TAB>TARGET,TARGET...");
  list->callback([&ctx] {
    auto aliases = ctx.open_store()->read([](storage::ReadTxn& t) { return dir::list_aliases(t); });
    for (const auto& a : aliases) {
      std::cout << a.address << '\t';
      for (std::size_t i = 0; i < a.targets.size(); ++i) std::cout << (i ? "," : "") << a.targets[i];
      std::cout << '\n';
    }
  });
}

}  // namespace atrium::clients
