// `atrium domain add|del|list`: the mail domains this server is final destination for.
#include "clients/commands.hpp"

#include "storage/directory.hpp"

#include <iostream>

namespace atrium::clients {

namespace dir = storage::directory;

void add_domain_commands(CLI::App& app, CliContext& ctx) {
  auto* domain = app.add_subcommand("domain", "Manage local mail domains");
  domain->require_subcommand(1);

  auto name = std::make_shared<std::string>();
  auto* add = domain->add_subcommand("add", "Add a local domain");
  add->add_option("DOMAIN", *name, "Domain name, e.g. example.com")->required();
  add->callback([&ctx, name] { ctx.open_store()->write([&](storage::WriteTxn& t) { dir::add_domain(t, *name); }); });

  auto* del = domain->add_subcommand("del", "Delete a domain that has no accounts or aliases left");
  del->add_option("DOMAIN", *name, "Domain name")->required();
  del->callback([&ctx, name] { ctx.open_store()->write([&](storage::WriteTxn& t) { dir::del_domain(t, *name); }); });

  auto* list = domain->add_subcommand("list", "List local domains, one per line");
  list->callback([&ctx] {
    auto domains = ctx.open_store()->read([](storage::ReadTxn& t) { return dir::list_domains(t); });
    for (const auto& d : domains) std::cout << d.name << '\n';
  });
}

}  // namespace atrium::clients
