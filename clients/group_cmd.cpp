// `atrium group ...`: groups are addresses that deliver to their members and principals that
// ACLs can grant to. Members may be users, resources or other groups (no loops).
#include "clients/commands.hpp"

#include "storage/directory.hpp"

#include <iostream>

namespace atrium::clients {
namespace {

namespace dir = storage::directory;
using storage::PrincipalKind;

struct GroupArgs {
  std::string group;
  std::string name;
  std::string member;
  std::vector<std::string> members;
};

}  // namespace

void add_group_commands(CLI::App& app, CliContext& ctx) {
  auto* group = app.add_subcommand("group", "Manage groups");
  group->require_subcommand(1);
  auto args = std::make_shared<GroupArgs>();

  auto* add = group->add_subcommand("add", "Create a group");
  add->add_option("EMAIL", args->group, "The group's address, in a local domain")->required();
  add->add_option("--name", args->name, "Display name");
  // One address per --member, so a following positional is not swallowed.
  add->add_option("--member", args->members, "A member's address (repeat for more)")->allow_extra_args(false);
  add->callback([&ctx, args] {
    dir::NewGroup ng{args->group, args->name, args->members};
    ctx.open_store()->write([&](storage::WriteTxn& t) { dir::add_group(t, ng); });
  });

  auto* del = group->add_subcommand("del", "Delete a group (its members are not touched)");
  del->add_option("EMAIL", args->group, "The group's address")->required();
  del->callback([&ctx, args] {
    ctx.open_store()->write(
        [&](storage::WriteTxn& t) { delete_principal_of_kind(t, args->group, PrincipalKind::group); });
  });

  auto* member = group->add_subcommand("member", "Add or remove group members");
  member->require_subcommand(1);
  auto* m_add = member->add_subcommand("add", "Add a member to a group");
  m_add->add_option("GROUP", args->group, "The group's address")->required();
  m_add->add_option("EMAIL", args->member, "The member's address (user, resource or group)")->required();
  m_add->callback([&ctx, args] {
    ctx.open_store()->write([&](storage::WriteTxn& t) { dir::add_member(t, args->group, args->member); });
  });
  auto* m_del = member->add_subcommand("del", "Remove a member from a group");
  m_del->add_option("GROUP", args->group, "The group's address")->required();
  m_del->add_option("EMAIL", args->member, "The member's address")->required();
  m_del->callback([&ctx, args] {
    ctx.open_store()->write([&](storage::WriteTxn& t) { dir::del_member(t, args->group, args->member); });
  });

  auto* list = group->add_subcommand("list", "List groups: EMAIL<TAB>NAME<TAB>MEMBER,MEMBER...");
  list->callback([&ctx] {
    ctx.open_store()->read([](storage::ReadTxn& t) {
      for (const auto& g : dir::list_principals(t, PrincipalKind::group)) {
        std::cout << g.email << '\t' << g.display_name << '\t';
        auto members = dir::group_members(t, g.id);
        for (std::size_t i = 0; i < members.size(); ++i) std::cout << (i ? "," : "") << members[i].email;
        std::cout << '\n';
      }
    });
  });
}

}  // namespace atrium::clients
