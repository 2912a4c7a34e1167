// Configuration selection, store opening and small value helpers shared by the admin commands.
#include "clients/context.hpp"

#include "core/auth/password.hpp"
#include "core/config/values.hpp"
#include "core/log/log.hpp"
#include "storage/directory.hpp"

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <iostream>
#include <limits>
#include <vector>

namespace atrium::clients {
namespace {

namespace fs = std::filesystem;

log::Level to_log_level(config::LogLevel level) {
  switch (level) {
    case config::LogLevel::debug: return log::Level::debug;
    case config::LogLevel::info: return log::Level::info;
    case config::LogLevel::warn: return log::Level::warn;
    case config::LogLevel::error: return log::Level::error;
  }
  return log::Level::info;
}

// Run as root on a store the server owns, we would leave root-owned database and blob files the
// server cannot open. Become the owner instead; as anyone else, file permissions decide.
void become_data_dir_owner(const fs::path& data_dir) {
  if (::geteuid() != 0) return;
  struct stat st {};
  if (::stat(data_dir.c_str(), &st) != 0 || st.st_uid == 0) return;
  uid_t uid = st.st_uid;
  gid_t gid = st.st_gid;
  std::vector<char> buf(16384);
  struct passwd pw {};
  struct passwd* found = nullptr;
  if (::getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) == 0 && found) {
    gid = found->pw_gid;
    if (::initgroups(found->pw_name, gid) != 0) {
      throw CliError(fmt::format("cannot take the supplementary groups of {}: {}", found->pw_name, std::strerror(errno)));
    }
  } else if (::setgroups(0, nullptr) != 0) {
    throw CliError(fmt::format("cannot drop supplementary groups: {}", std::strerror(errno)));
  }
  if (::setgid(gid) != 0 || ::setuid(uid) != 0) {
    throw CliError(fmt::format("cannot switch to uid {} (owner of {}): {}", uid, data_dir.string(), std::strerror(errno)));
  }
}

}  // namespace

std::optional<fs::path> CliContext::config_file() const {
  std::optional<fs::path> option;
  if (!config_option_.empty()) option = fs::path(config_option_);
  return config::find_config_file(option, std::getenv("ATRIUM_CONFIG"));
}

LoadedConfig CliContext::load() const {
  LoadedConfig loaded;
  if (auto file = config_file()) {
    loaded.config = config::load_config(*file);
    loaded.origin = ConfigOrigin::file;
  } else {
    loaded.config = config::dev_defaults();
    loaded.origin = ConfigOrigin::dev_defaults;
  }
  log::set_level(to_log_level(loaded.config.server.log_level));
  return loaded;
}

std::unique_ptr<storage::Store> CliContext::open_store() const {
  auto loaded = load();
  const fs::path& data_dir = loaded.config.server.data_dir;
  become_data_dir_owner(data_dir);
  return storage::Store::open(storage::StoreOptions{.data_dir = data_dir});
}

std::string read_secret_line() {
  std::string line;
  std::getline(std::cin, line);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  return line;
}

void check_new_password(std::string_view password) {
  std::string why;
  if (!auth::password_acceptable(password, why)) throw CliError(why);
}

std::int64_t parse_quota(std::string_view text) {
  std::string why;
  auto bytes = config::parse_size(text, why);
  if (!bytes) throw CliError(fmt::format("invalid quota \"{}\": {}", text, why));
  if (*bytes > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    throw CliError(fmt::format("invalid quota \"{}\": too large", text));
  }
  return static_cast<std::int64_t>(*bytes);
}

std::string format_quota(std::int64_t bytes) {
  if (bytes <= 0) return "unlimited";
  return config::format_size(static_cast<std::uint64_t>(bytes));
}

std::string_view kind_name(storage::PrincipalKind kind) {
  switch (kind) {
    case storage::PrincipalKind::user: return "user";
    case storage::PrincipalKind::group: return "group";
    case storage::PrincipalKind::resource: return "resource";
  }
  return "unknown";
}

std::string_view resource_kind_name(storage::ResourceKind kind) {
  return kind == storage::ResourceKind::equipment ? "equipment" : "room";
}

void delete_principal_of_kind(storage::WriteTxn& txn, std::string_view email, storage::PrincipalKind kind) {
  auto p = storage::directory::find_principal(txn, email);
  if (p && p->kind != kind) {
    throw storage::StoreError(storage::Errc::invalid, fmt::format("{} is a {}, not a {}; use 'atrium {} del'", p->email,
                                                                  kind_name(p->kind), kind_name(kind),
                                                                  kind_name(p->kind)));
  }
  storage::directory::del_principal(txn, email);
}

std::string format_time(std::int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace atrium::clients
