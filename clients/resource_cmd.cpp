// `atrium resource ...`: rooms and equipment that can be booked through calendar invitations.
#include "clients/commands.hpp"

#include "storage/directory.hpp"

#include <iostream>

namespace atrium::clients {
namespace {

namespace dir = storage::directory;
using storage::PrincipalKind;
using storage::ResourceKind;

struct ResourceArgs {
  std::string email;
  std::string name;
  std::string kind = "room";
};

}  // namespace

void add_resource_commands(CLI::App& app, CliContext& ctx) {
  auto* resource = app.add_subcommand("resource", "Manage bookable resources (rooms, equipment)");
  resource->require_subcommand(1);
  auto args = std::make_shared<ResourceArgs>();

  auto* add = resource->add_subcommand("add", "Create a resource");
  add->add_option("EMAIL", args->email, "The resource's address, in a local domain")->required();
  add->add_option("--name", args->name, "Display name, e.g. \"Board room\"")->required();
  add->add_option("--kind", args->kind, "room (default) or equipment")->check(CLI::IsMember({"room", "equipment"}));
  add->callback([&ctx, args] {
    auto kind = args->kind == "equipment" ? ResourceKind::equipment : ResourceKind::room;
    dir::NewResource nr{args->email, args->name, kind};
    ctx.open_store()->write([&](storage::WriteTxn& t) { dir::add_resource(t, nr); });
  });

  auto* del = resource->add_subcommand("del", "Delete a resource and its calendar");
  del->add_option("EMAIL", args->email, "The resource's address")->required();
  del->callback([&ctx, args] {
    ctx.open_store()->write(
        [&](storage::WriteTxn& t) { delete_principal_of_kind(t, args->email, PrincipalKind::resource); });
  });

  auto* list = resource->add_subcommand("list", "List resources: EMAIL<TAB>KIND<TAB>NAME");
  list->callback([&ctx] {
    auto all = ctx.open_store()->read([](storage::ReadTxn& t) { return dir::list_principals(t, PrincipalKind::resource); });
    for (const auto& r : all) {
      std::cout << r.email << '\t' << resource_kind_name(r.resource_kind.value_or(ResourceKind::room)) << '\t'
                << r.display_name << '\n';
    }
  });
}

}  // namespace atrium::clients
