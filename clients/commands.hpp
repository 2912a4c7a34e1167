// Registration of the `atrium` subcommand groups, one file each. Every function adds its group
// to `app`; the callbacks it installs read their arguments and use `ctx` for config and store.
#pragma once

#include "clients/context.hpp"

#include <CLI/CLI.hpp>

#include <memory>

namespace atrium::clients {

void add_serve_command(CLI::App& app, CliContext& ctx);     // serve_cmd.cpp
void add_domain_commands(CLI::App& app, CliContext& ctx);   // domain_cmd.cpp
void add_user_commands(CLI::App& app, CliContext& ctx);     // user_cmd.cpp
void add_alias_commands(CLI::App& app, CliContext& ctx);    // alias_cmd.cpp
void add_group_commands(CLI::App& app, CliContext& ctx);    // group_cmd.cpp
void add_resource_commands(CLI::App& app, CliContext& ctx); // resource_cmd.cpp
void add_queue_commands(CLI::App& app, CliContext& ctx);    // queue_cmd.cpp
void add_dkim_commands(CLI::App& app, CliContext& ctx);     // dkim_cmd.cpp
void add_config_commands(CLI::App& app, CliContext& ctx);   // config_cmd.cpp: config check, version

}  // namespace atrium::clients
