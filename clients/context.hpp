// What every admin subcommand needs: the selected configuration file, the store it names, and
// the helpers for reading secrets and printing values, so command files hold only their logic.
#pragma once

#include "clients/cli.hpp"
#include "core/config/config.hpp"
#include "storage/store.hpp"
#include "storage/types.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace atrium::clients {

// A refusal decided by the CLI itself (bad quota, bad password...). Its message is printed as
// `atrium: error: <what>` and the exit code is 1.
class CliError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct LoadedConfig {
  config::Config config;
  ConfigOrigin origin = ConfigOrigin::file;
};

// State shared by the subcommands of one invocation. Filled by option parsing, read by callbacks.
class CliContext {
 public:
  explicit CliContext(ServeFn serve) : serve_(std::move(serve)) {}

  // The -c option's storage (CLI11 writes it).
  std::string& config_option() { return config_option_; }

  // The file config::find_config_file picks from -c, $ATRIUM_CONFIG and ./atrium.toml, if any.
  std::optional<std::filesystem::path> config_file() const;

  // Loads config_file(), or takes config::dev_defaults() when there is none, and applies its
  // log level. Throws ConfigError.
  LoadedConfig load() const;

  // Loads the configuration (dev defaults allowed) and opens its store, creating it when
  // missing. When run as root on a data_dir owned by another account (the server's), first
  // switches to that account so files created now stay writable by the server.
  // Throws ConfigError, StoreError, CliError.
  std::unique_ptr<storage::Store> open_store() const;

  const ServeFn& serve() const { return serve_; }
  void set_exit_code(int code) { exit_code_ = code; }
  int exit_code() const { return exit_code_; }

 private:
  std::string config_option_;
  ServeFn serve_;
  int exit_code_ = 0;
};

// Reads one line from stdin (the password for --password-stdin), without its trailing CR/LF.
// Returns "" at end of input.
std::string read_secret_line();

// Throws CliError unless auth::password_acceptable says `password` may be set.
void check_new_password(std::string_view password);

// A quota from the command line: bytes or K/M/G/T (binary). 0 means unlimited. Throws CliError.
std::int64_t parse_quota(std::string_view text);

// "1G", "1500", or "unlimited" for 0: quotas as `user show` and `user list` print them.
std::string format_quota(std::int64_t bytes);

// "user", "group", "resource"; "room", "equipment": as commands and `user show` name them.
std::string_view kind_name(storage::PrincipalKind kind);
std::string_view resource_kind_name(storage::ResourceKind kind);

// Deletes the principal `email` if it is of `kind` (with everything it owns). A principal of
// another kind is refused, naming the command that deletes it: `user del` on a group is more
// likely a slip than intent. Throws StoreError.
void delete_principal_of_kind(storage::WriteTxn& txn, std::string_view email, storage::PrincipalKind kind);

// UTC ISO 8601 ("2026-01-31T12:00:00Z") for a Unix time in seconds.
std::string format_time(std::int64_t unix_seconds);

}  // namespace atrium::clients
