// `atrium user ...`: accounts that log in, their passwords, quotas and app passwords.
// Passwords are hashed here, before the store sees them; neither they nor their hashes are
// ever printed, except a newly generated app password, shown once.
#include "clients/commands.hpp"

#include "core/auth/password.hpp"
#include "core/config/values.hpp"
#include "storage/address.hpp"
#include "storage/directory.hpp"
#include "storage/profile.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iostream>

namespace atrium::clients {
namespace {

namespace dir = storage::directory;
using storage::Errc;
using storage::PrincipalKind;
using storage::StoreError;

// The password options shared by `user add` and `user passwd`: exactly one must be given.
struct PasswordArgs {
  std::string password;
  bool from_stdin = false;

  void add_to(CLI::App* cmd) {
    auto* group = cmd->add_option_group("password", "Exactly one of:");
    group->add_option("--password", password,
                      "The password (visible to other local users in the process list; prefer --password-stdin)");
    group->add_flag("--password-stdin", from_stdin, "Read the password from the first line of standard input");
    group->require_option(1);
  }
  // The password given, checked against the policy. Throws CliError.
  std::string take() const {
    std::string pw = from_stdin ? read_secret_line() : password;
    check_new_password(pw);
    return pw;
  }
};

struct UserArgs {
  std::string email;
  std::string name;
  std::string quota;
  std::string label;
  PasswordArgs password;
  // Directory profile fields (the global address list shows them); nullopt: not given.
  std::optional<std::string> phone, mobile, title, department;
};

void add_profile_options(CLI::App* cmd, UserArgs& args) {
  cmd->add_option("--phone", args.phone, "Work phone number, for the global address list");
  cmd->add_option("--mobile", args.mobile, "Mobile phone number");
  cmd->add_option("--title", args.title, "Job title");
  cmd->add_option("--department", args.department, "Department");
}

// Stores the profile options that were given ("" clears a field).
void apply_profile(storage::WriteTxn& t, storage::PrincipalId id, const UserArgs& args) {
  const std::pair<const char*, const std::optional<std::string>*> fields[] = {
      {"phone", &args.phone}, {"mobile", &args.mobile}, {"title", &args.title}, {"department", &args.department}};
  for (const auto& [name, value] : fields) {
    if (*value) storage::profile::set_field(t, id, name, **value);
  }
}

std::string format_used(std::int64_t bytes) {
  return config::format_size(static_cast<std::uint64_t>(std::max<std::int64_t>(bytes, 0)));
}

void print_show(const storage::Principal& p, const std::vector<storage::Principal>& members,
                const std::vector<storage::AppPassword>& app_passwords, const storage::profile::Profile& profile) {
  std::cout << "email: " << p.email << '\n';
  std::cout << "kind: " << kind_name(p.kind) << '\n';
  std::cout << "name: " << p.display_name << '\n';
  if (p.resource_kind) std::cout << "resource_kind: " << resource_kind_name(*p.resource_kind) << '\n';
  if (p.kind == PrincipalKind::user) {
    std::cout << "password: " << (p.has_password ? "set" : "none") << '\n';
    std::cout << "quota: " << format_quota(p.quota_bytes) << '\n';
    std::cout << "used: " << format_used(p.used_bytes) << '\n';
  }
  std::cout << "created: " << format_time(p.created_at) << '\n';
  if (!profile.phone.empty()) std::cout << "phone: " << profile.phone << '\n';
  if (!profile.mobile.empty()) std::cout << "mobile: " << profile.mobile << '\n';
  if (!profile.title.empty()) std::cout << "title: " << profile.title << '\n';
  if (!profile.department.empty()) std::cout << "department: " << profile.department << '\n';
  for (const auto& m : members) std::cout << "member: " << m.email << '\n';
  for (const auto& a : app_passwords) {
    std::cout << "app_password: " << a.label << " (created " << format_time(a.created_at) << ", last used "
              << (a.last_used_at ? format_time(*a.last_used_at) : std::string("never")) << ")\n";
  }
}

}  // namespace

void add_user_commands(CLI::App& app, CliContext& ctx) {
  auto* user = app.add_subcommand("user", "Manage user accounts");
  user->require_subcommand(1);
  auto args = std::make_shared<UserArgs>();

  auto* add = user->add_subcommand("add", "Create a user with the default mailboxes");
  add->add_option("EMAIL", args->email, "The user's address (and login), in a local domain")->required();
  args->password.add_to(add);
  add->add_option("--name", args->name, "Display name");
  add->add_option("--quota", args->quota, "Storage quota: bytes or K/M/G/T (binary); 0 or absent = unlimited");
  add_profile_options(add, *args);
  add->callback([&ctx, args] {
    std::int64_t quota = args->quota.empty() ? 0 : parse_quota(args->quota);
    dir::NewUser nu{args->email, auth::hash_password(args->password.take()), args->name, quota};
    ctx.open_store()->write([&](storage::WriteTxn& t) { apply_profile(t, dir::add_user(t, nu), *args); });
  });

  auto* set = user->add_subcommand("set", "Change a user's directory profile (\"\" clears a field)");
  set->add_option("EMAIL", args->email, "The user's address")->required();
  add_profile_options(set, *args);
  set->callback([&ctx, args] {
    ctx.open_store()->write([&](storage::WriteTxn& t) {
      std::string why;
      auto email = storage::normalise_address(args->email, &why);
      if (!email) throw StoreError(Errc::invalid, fmt::format("invalid address \"{}\": {}", args->email, why));
      auto p = dir::find_principal(t, *email);
      if (!p || p->kind != PrincipalKind::user) throw StoreError(Errc::not_found, fmt::format("no user {}", *email));
      apply_profile(t, p->id, *args);
    });
  });

  auto* del = user->add_subcommand("del", "Delete a user with all their mail, calendars and contacts");
  del->add_option("EMAIL", args->email, "The user's address")->required();
  del->callback([&ctx, args] {
    ctx.open_store()->write(
        [&](storage::WriteTxn& t) { delete_principal_of_kind(t, args->email, PrincipalKind::user); });
  });

  auto* show = user->add_subcommand("show", "Show an account as key: value lines");
  show->add_option("EMAIL", args->email, "The address of a user, group or resource")->required();
  show->callback([&ctx, args] {
    ctx.open_store()->read([&](storage::ReadTxn& t) {
      std::string why;
      auto email = storage::normalise_address(args->email, &why);
      if (!email) throw StoreError(Errc::invalid, fmt::format("invalid address \"{}\": {}", args->email, why));
      auto p = dir::find_principal(t, *email);
      if (!p) throw StoreError(Errc::not_found, fmt::format("{} does not exist", *email));
      std::vector<storage::Principal> members;
      if (p->kind == PrincipalKind::group) members = dir::group_members(t, p->id);
      std::vector<storage::AppPassword> app_passwords;
      if (p->kind == PrincipalKind::user) app_passwords = dir::list_app_passwords(t, p->id);
      print_show(*p, members, app_passwords, storage::profile::get(t, p->id));
    });
  });

  auto* list = user->add_subcommand("list", "List users: EMAIL<TAB>NAME<TAB>QUOTA<TAB>USED");
  list->callback([&ctx] {
    auto users = ctx.open_store()->read([](storage::ReadTxn& t) { return dir::list_principals(t, PrincipalKind::user); });
    for (const auto& u : users) {
      std::cout << u.email << '\t' << u.display_name << '\t' << format_quota(u.quota_bytes) << '\t'
                << format_used(u.used_bytes) << '\n';
    }
  });

  auto* passwd = user->add_subcommand("passwd", "Set a user's password (app passwords stay valid)");
  passwd->add_option("EMAIL", args->email, "The user's address")->required();
  args->password.add_to(passwd);
  passwd->callback([&ctx, args] {
    std::string hash = auth::hash_password(args->password.take());
    ctx.open_store()->write([&](storage::WriteTxn& t) { dir::set_password_hash(t, args->email, hash); });
  });

  auto* app_pw = user->add_subcommand("app-password", "Manage a user's app passwords (one per device or client)");
  app_pw->require_subcommand(1);
  auto* ap_add = app_pw->add_subcommand(
      "add", "Generate an app password and print it alone on stdout; it is shown only this once");
  ap_add->add_option("EMAIL", args->email, "The user's address")->required();
  ap_add->add_option("--label", args->label, "What it is for, e.g. \"phone\"; unique per user")->required();
  ap_add->callback([&ctx, args] {
    std::string token = auth::generate_app_password();
    std::string hash = auth::hash_app_password(token);
    ctx.open_store()->write([&](storage::WriteTxn& t) { dir::add_app_password(t, args->email, args->label, hash); });
    std::cout << token << '\n';
  });
  auto* ap_del = app_pw->add_subcommand("del", "Revoke an app password");
  ap_del->add_option("EMAIL", args->email, "The user's address")->required();
  ap_del->add_option("--label", args->label, "The label given when it was added")->required();
  ap_del->callback([&ctx, args] {
    ctx.open_store()->write([&](storage::WriteTxn& t) { dir::del_app_password(t, args->email, args->label); });
  });
}

}  // namespace atrium::clients
