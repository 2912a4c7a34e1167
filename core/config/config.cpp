// Reads atrium.toml into Config: every table is checked for unknown keys before its values are
// read, so a typo is reported as such instead of being silently ignored.
#include "core/config/config.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <initializer_list>
#include <map>
#include <utility>

namespace atrium::config {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t k_max_file_size = 1 << 20;
constexpr std::int64_t k_max_seconds_in_day = 86'400;
constexpr std::int64_t k_max_seconds_in_week = 7 * k_max_seconds_in_day;
constexpr std::int64_t k_max_count = 1'000'000;
constexpr std::uint64_t k_min_body = std::uint64_t{1} << 10;
constexpr std::uint64_t k_max_body = std::uint64_t{4} << 30;

std::string_view type_name(toml::node_type t) {
  switch (t) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    case toml::node_type::none: break;
  }
  return "nothing";
}

std::string join_key(std::string_view prefix, std::string_view key) {
  return prefix.empty() ? std::string(key) : fmt::format("{}.{}", prefix, key);
}

// Walks one document, remembering the file name for messages and the directory for relative paths.
class Reader {
 public:
  explicit Reader(const fs::path& name) : file_(name.string()), base_(fs::absolute(name).parent_path()) {}

  [[noreturn]] void fail(std::string_view key, std::string_view reason) const {
    throw ConfigError(fmt::format("{}: {}: {}", file_, key, reason));
  }
  [[noreturn]] void fail_string(std::string_view key, std::string_view value, std::string_view reason) const {
    throw ConfigError(fmt::format("{}: {}: \"{}\": {}", file_, key, value, reason));
  }
  [[noreturn]] void fail_integer(std::string_view key, std::int64_t value, std::string_view reason) const {
    throw ConfigError(fmt::format("{}: {}: {}: {}", file_, key, value, reason));
  }

  // Refuses any key of `table` not in `known`.
  void only_keys(const toml::table& table, std::string_view prefix, std::initializer_list<std::string_view> known) const {
    for (const auto& [key, node] : table) {
      bool ok = false;
      for (auto k : known) ok = ok || key.str() == k;
      if (!ok) fail(join_key(prefix, key.str()), "unknown key");
    }
  }

  const toml::table* table(const toml::table& parent, std::string_view prefix, std::string_view key) const {
    const toml::node* n = parent.get(key);
    if (!n) return nullptr;
    if (!n->is_table()) expected(join_key(prefix, key), "a table", *n);
    return n->as_table();
  }

  std::optional<std::string> string(const toml::table& t, std::string_view prefix, std::string_view key) const {
    const toml::node* n = t.get(key);
    if (!n) return std::nullopt;
    if (!n->is_string()) expected(join_key(prefix, key), "a string", *n);
    return n->as_string()->get();
  }

  std::optional<bool> boolean(const toml::table& t, std::string_view prefix, std::string_view key) const {
    const toml::node* n = t.get(key);
    if (!n) return std::nullopt;
    if (!n->is_boolean()) expected(join_key(prefix, key), "a boolean", *n);
    return n->as_boolean()->get();
  }

  std::optional<std::int64_t> integer(const toml::table& t, std::string_view prefix, std::string_view key,
                                      std::int64_t min, std::int64_t max) const {
    const toml::node* n = t.get(key);
    if (!n) return std::nullopt;
    if (!n->is_integer()) expected(join_key(prefix, key), "an integer", *n);
    std::int64_t v = n->as_integer()->get();
    if (v < min || v > max) fail_integer(join_key(prefix, key), v, fmt::format("must be between {} and {}", min, max));
    return v;
  }

  // An integer number of bytes or a size string ("50M").
  std::optional<std::uint64_t> size(const toml::table& t, std::string_view prefix, std::string_view key,
                                    std::uint64_t min, std::uint64_t max) const {
    const toml::node* n = t.get(key);
    if (!n) return std::nullopt;
    std::string full = join_key(prefix, key);
    std::string range = fmt::format("must be between {} and {}", format_size(min), format_size(max));
    if (n->is_integer()) {
      std::int64_t v = n->as_integer()->get();
      if (v < 0 || static_cast<std::uint64_t>(v) < min || static_cast<std::uint64_t>(v) > max) fail_integer(full, v, range);
      return static_cast<std::uint64_t>(v);
    }
    if (!n->is_string()) expected(full, "an integer or a size string such as \"50M\"", *n);
    const std::string& text = n->as_string()->get();
    std::string why;
    auto v = parse_size(text, why);
    if (!v) fail_string(full, text, why);
    if (*v < min || *v > max) fail_string(full, text, range);
    return v;
  }

  std::optional<std::chrono::seconds> seconds(const toml::table& t, std::string_view prefix, std::string_view key,
                                              std::int64_t max) const {
    auto v = integer(t, prefix, key, 1, max);
    if (!v) return std::nullopt;
    return std::chrono::seconds(*v);
  }

  // A string or an array of strings; `what` names the accepted form for messages.
  std::optional<std::vector<std::string>> strings(const toml::table& t, std::string_view prefix, std::string_view key,
                                                  std::string_view what) const {
    const toml::node* n = t.get(key);
    if (!n) return std::nullopt;
    std::string full = join_key(prefix, key);
    std::vector<std::string> out;
    if (n->is_string()) {
      out.push_back(n->as_string()->get());
      return out;
    }
    if (!n->is_array()) expected(full, what, *n);
    const toml::array& arr = *n->as_array();
    for (std::size_t i = 0; i < arr.size(); ++i) {
      if (!arr[i].is_string()) expected(fmt::format("{}[{}]", full, i), "a string", arr[i]);
      out.push_back(arr[i].as_string()->get());
    }
    return out;
  }

  // A path relative to the config file's directory, made absolute.
  std::optional<fs::path> path(const toml::table& t, std::string_view prefix, std::string_view key) const {
    auto s = string(t, prefix, key);
    if (!s) return std::nullopt;
    if (s->empty()) fail(join_key(prefix, key), "must not be empty");
    return (base_ / fs::path(*s)).lexically_normal();
  }

  const std::string& file() const { return file_; }

 private:
  [[noreturn]] void expected(std::string_view key, std::string_view what, const toml::node& got) const {
    fail(key, fmt::format("expected {}, got {}", what, type_name(got.type())));
  }

  std::string file_;
  fs::path base_;
};

bool valid_user_name(std::string_view name) {
  if (name.empty() || name.size() > 32 || name.front() == '-') return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
              c == '.';
    if (!ok) return false;
  }
  return true;
}

std::string lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

void read_server(const Reader& r, const toml::table& t, ServerConfig& out) {
  constexpr std::string_view p = "server";
  r.only_keys(t, p, {"hostname", "data_dir", "user", "log_level"});
  if (auto v = r.string(t, p, "hostname")) {
    std::string why;
    if (!valid_hostname(*v, why)) r.fail_string("server.hostname", *v, why);
    out.hostname = lower(*v);
  }
  if (auto v = r.path(t, p, "data_dir")) out.data_dir = *v;
  if (auto v = r.string(t, p, "user")) {
    if (!valid_user_name(*v)) {
      r.fail_string("server.user", *v, "not a valid user name (letters, digits, '.', '_', '-'; at most 32)");
    }
    out.user = *v;
  }
  if (auto v = r.string(t, p, "log_level")) {
    bool found = false;
    for (auto level : {LogLevel::debug, LogLevel::info, LogLevel::warn, LogLevel::error}) {
      if (*v == log_level_name(level)) {
        out.log_level = level;
        found = true;
      }
    }
    if (!found) r.fail_string("server.log_level", *v, "expected one of debug, info, warn, error");
  }
}

std::optional<TlsConfig> read_tls(const Reader& r, const toml::table& t) {
  constexpr std::string_view p = "tls";
  r.only_keys(t, p, {"cert", "key"});
  auto cert = r.path(t, p, "cert");
  auto key = r.path(t, p, "key");
  if (!cert && !key) return std::nullopt;
  if (!cert) r.fail("tls", "cert and key must be given together (tls.cert is missing)");
  if (!key) r.fail("tls", "cert and key must be given together (tls.key is missing)");
  return TlsConfig{*cert, *key};
}

void read_listen(const Reader& r, const toml::table& t, ListenConfig& out) {
  constexpr std::string_view p = "listen";
  r.only_keys(t, p, {"smtp", "submission", "submissions", "lmtp", "imap", "imaps", "pop3", "pop3s", "http", "https",
                     "managesieve"});
  // Two protocols on one socket address can never both bind; say which key already has it.
  std::map<std::string, Protocol> seen;
  for (Protocol proto : all_protocols) {
    std::string key = join_key(p, protocol_name(proto));
    auto texts = r.strings(t, p, protocol_name(proto), "a \"host:port\" string or an array of them");
    if (!texts) continue;
    auto& endpoints = out.of(proto);
    for (const auto& text : *texts) {
      std::string why;
      auto ep = parse_endpoint(text, why);
      if (!ep) r.fail_string(key, text, why);
      auto [it, fresh] = seen.emplace(ep->to_string(), proto);
      if (!fresh) {
        r.fail_string(key, text, fmt::format("already used by listen.{}", protocol_name(it->second)));
      }
      endpoints.push_back(*ep);
    }
  }
}

void read_limits(const Reader& r, const toml::table& t, LimitsConfig& out) {
  constexpr std::string_view p = "limits";
  r.only_keys(t, p, {"max_connections", "max_connections_per_ip", "smtp_idle_timeout_seconds",
                     "imap_idle_timeout_seconds", "pop3_idle_timeout_seconds", "http_idle_timeout_seconds",
                     "max_message_size", "max_http_body"});
  if (auto v = r.integer(t, p, "max_connections", 1, k_max_count)) out.max_connections = static_cast<std::size_t>(*v);
  if (auto v = r.integer(t, p, "max_connections_per_ip", 1, k_max_count)) {
    out.max_connections_per_ip = static_cast<std::size_t>(*v);
  }
  if (out.max_connections_per_ip > out.max_connections) {
    r.fail_integer("limits.max_connections_per_ip", static_cast<std::int64_t>(out.max_connections_per_ip),
                   fmt::format("must not exceed limits.max_connections ({})", out.max_connections));
  }
  if (auto v = r.seconds(t, p, "smtp_idle_timeout_seconds", k_max_seconds_in_day)) out.smtp_idle_timeout = *v;
  if (auto v = r.seconds(t, p, "imap_idle_timeout_seconds", k_max_seconds_in_day)) out.imap_idle_timeout = *v;
  if (auto v = r.seconds(t, p, "pop3_idle_timeout_seconds", k_max_seconds_in_day)) out.pop3_idle_timeout = *v;
  if (auto v = r.seconds(t, p, "http_idle_timeout_seconds", k_max_seconds_in_day)) out.http_idle_timeout = *v;
  if (auto v = r.size(t, p, "max_message_size", k_min_body, k_max_body)) out.max_message_size = *v;
  if (auto v = r.size(t, p, "max_http_body", k_min_body, k_max_body)) out.max_http_body = *v;
}

void read_auth(const Reader& r, const toml::table& t, AuthConfig& out) {
  constexpr std::string_view p = "auth";
  r.only_keys(t, p, {"max_failures_per_ip", "max_failures_per_account", "failure_window_seconds", "block_seconds",
                     "exempt", "cleartext_login"});
  if (auto v = r.integer(t, p, "max_failures_per_ip", 1, k_max_count)) out.max_failures_per_ip = static_cast<std::size_t>(*v);
  if (auto v = r.integer(t, p, "max_failures_per_account", 1, k_max_count)) {
    out.max_failures_per_account = static_cast<std::size_t>(*v);
  }
  if (auto v = r.seconds(t, p, "failure_window_seconds", k_max_seconds_in_week)) out.failure_window = *v;
  if (auto v = r.seconds(t, p, "block_seconds", k_max_seconds_in_week)) out.block_duration = *v;
  if (auto v = r.strings(t, p, "exempt", "an array of IP addresses or networks")) {
    for (const auto& net : *v) {
      std::string why;
      if (!valid_network(net, why)) r.fail_string("auth.exempt", net, why);
    }
    out.exempt = *v;
  }
  if (auto v = r.string(t, p, "cleartext_login")) {
    bool found = false;
    for (auto c : {CleartextLogin::never, CleartextLogin::loopback, CleartextLogin::always}) {
      if (*v == cleartext_login_name(c)) {
        out.cleartext_login = c;
        found = true;
      }
    }
    if (!found) r.fail_string("auth.cleartext_login", *v, "expected one of never, loopback, always");
  }
}

void read_search(const Reader& r, const toml::table& t, SearchConfig& out) {
  constexpr std::string_view p = "search";
  r.only_keys(t, p, {"decode_attachments", "wait_ms"});
  if (auto v = r.boolean(t, p, "decode_attachments")) out.decode_attachments = *v;
  if (auto v = r.integer(t, p, "wait_ms", 0, 60000)) out.wait = std::chrono::milliseconds(*v);
}

// "90s", "5m", "1h", "5d" (a bare number is seconds).
std::optional<std::chrono::seconds> parse_duration(std::string_view text, std::string& why) {
  std::size_t i = 0;
  std::int64_t n = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    n = n * 10 + (text[i] - '0');
    if (n > 100'000'000) {
      why = "too large";
      return std::nullopt;
    }
    ++i;
  }
  if (i == 0) {
    why = "expected a number followed by s, m, h or d";
    return std::nullopt;
  }
  std::int64_t unit = 1;
  if (i < text.size()) {
    switch (text[i]) {
      case 's': unit = 1; break;
      case 'm': unit = 60; break;
      case 'h': unit = 3600; break;
      case 'd': unit = 86400; break;
      default: why = "unknown unit (use s, m, h or d)"; return std::nullopt;
    }
    ++i;
  }
  if (i != text.size()) {
    why = "expected a number followed by s, m, h or d";
    return std::nullopt;
  }
  return std::chrono::seconds(n * unit);
}

void read_delivery(const Reader& r, const toml::table& t, DeliveryConfig& out) {
  constexpr std::string_view p = "delivery";
  r.only_keys(t, p, {"enabled", "dns_servers", "dnssec_trust_anchor", "relay", "relay_user", "relay_password_file",
                     "remote_port", "helo_name", "retry_schedule", "expire_after", "delay_notice_after",
                     "max_connections", "max_connections_per_domain", "tls", "mta_sts", "mta_sts_port", "dane", "ca_file",
                     "connect_timeout_seconds", "command_timeout_seconds", "data_timeout_seconds",
                     "dkim_sign"});
  if (auto v = r.boolean(t, p, "enabled")) out.enabled = *v;
  if (auto v = r.strings(t, p, "dns_servers", "an array of \"ADDR\" or \"ADDR@PORT\" strings")) {
    for (const auto& s : *v) {
      auto at = s.find('@');
      std::string why;
      auto host = s.substr(0, at);
      if (!valid_network(host, why) || host.find('/') != std::string::npos) {
        r.fail_string("delivery.dns_servers", s, "not an IP address");
      }
      if (at != std::string::npos) {
        auto port = s.substr(at + 1);
        bool digits = !port.empty() && port.size() <= 5 &&
                      std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; });
        if (!digits || std::stoi(port) == 0 || std::stoi(port) > 65535) {
          r.fail_string("delivery.dns_servers", s, "bad port after '@'");
        }
      }
    }
    out.dns_servers = *v;
  }
  if (auto v = r.path(t, p, "dnssec_trust_anchor")) out.dnssec_trust_anchor = *v;
  if (auto v = r.string(t, p, "relay")) {
    std::string why;
    auto ep = parse_endpoint(*v, why);
    if (!ep) r.fail_string("delivery.relay", *v, why);
    out.relay = *ep;
  }
  if (auto v = r.string(t, p, "relay_user")) out.relay_user = *v;
  if (auto v = r.path(t, p, "relay_password_file")) out.relay_password_file = *v;
  if (auto v = r.integer(t, p, "remote_port", 1, 65535)) out.remote_port = static_cast<std::uint16_t>(*v);
  if (auto v = r.string(t, p, "helo_name")) {
    std::string why;
    if (!valid_hostname(*v, why)) r.fail_string("delivery.helo_name", *v, why);
    out.helo_name = lower(*v);
  }
  auto duration = [&](std::string_view key, const std::string& text, bool allow_zero) {
    std::string why;
    auto d = parse_duration(text, why);
    std::string full = join_key(p, key);
    if (!d) r.fail_string(full, text, why);
    if (!allow_zero && d->count() == 0) r.fail_string(full, text, "must not be zero");
    return *d;
  };
  if (auto v = r.strings(t, p, "retry_schedule", "an array of durations such as \"5m\"")) {
    if (v->empty()) r.fail("delivery.retry_schedule", "must name at least one interval");
    out.retry_schedule.clear();
    for (const auto& s : *v) out.retry_schedule.push_back(duration("retry_schedule", s, false));
  }
  if (auto v = r.string(t, p, "expire_after")) out.expire_after = duration("expire_after", *v, false);
  if (auto v = r.string(t, p, "delay_notice_after")) out.delay_notice_after = duration("delay_notice_after", *v, true);
  if (auto v = r.integer(t, p, "max_connections", 1, 10'000)) out.max_connections = static_cast<std::size_t>(*v);
  if (auto v = r.integer(t, p, "max_connections_per_domain", 1, 10'000)) {
    out.max_connections_per_domain = static_cast<std::size_t>(*v);
  }
  if (auto v = r.string(t, p, "tls")) {
    if (*v == "opportunistic") out.tls = OutboundTls::opportunistic;
    else if (*v == "required") out.tls = OutboundTls::required;
    else r.fail_string("delivery.tls", *v, "expected opportunistic or required");
  }
  if (auto v = r.boolean(t, p, "mta_sts")) out.mta_sts = *v;
  if (auto v = r.integer(t, p, "mta_sts_port", 1, 65535)) out.mta_sts_port = static_cast<std::uint16_t>(*v);
  if (auto v = r.boolean(t, p, "dane")) out.dane = *v;
  if (auto v = r.path(t, p, "ca_file")) out.ca_file = *v;
  if (auto v = r.seconds(t, p, "connect_timeout_seconds", 600)) out.connect_timeout = *v;
  if (auto v = r.seconds(t, p, "command_timeout_seconds", 3600)) out.command_timeout = *v;
  if (auto v = r.seconds(t, p, "data_timeout_seconds", 3600)) out.data_timeout = *v;
  if (auto v = r.boolean(t, p, "dkim_sign")) out.dkim_sign = *v;
}

void read_mail_auth(const Reader& r, const toml::table& t, MailAuthConfig& out) {
  constexpr std::string_view p = "mail_auth";
  r.only_keys(t, p, {"verify", "dmarc_enforce", "authserv_id", "arc_seal"});
  if (auto v = r.boolean(t, p, "verify")) out.verify = *v;
  if (auto v = r.boolean(t, p, "dmarc_enforce")) out.dmarc_enforce = *v;
  if (auto v = r.string(t, p, "authserv_id")) {
    std::string why;
    if (!valid_hostname(*v, why)) r.fail_string("mail_auth.authserv_id", *v, why);
    out.authserv_id = lower(*v);
  }
  if (auto v = r.boolean(t, p, "arc_seal")) out.arc_seal = *v;
}

// Reads a whole small file; errors name the file and the system's reason.
std::string read_file(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw ConfigError(fmt::format("{}: cannot read: {}", path.string(), std::strerror(errno)));
  std::string out;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    throw ConfigError(fmt::format("{}: cannot read: is a directory", path.string()));
  }
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      throw ConfigError(fmt::format("{}: cannot read: {}", path.string(), std::strerror(err)));
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > k_max_file_size) {
      ::close(fd);
      throw ConfigError(fmt::format("{}: larger than 1 MiB; is this really the config file?", path.string()));
    }
  }
  ::close(fd);
  return out;
}

// Throws unless `path` names a readable regular file.
void check_readable(const std::string& file, std::string_view key, const fs::path& path) {
  std::error_code ec;
  auto st = fs::status(path, ec);
  if (ec || !fs::exists(st)) {
    throw ConfigError(fmt::format("{}: {}: \"{}\": file not found", file, key, path.string()));
  }
  if (!fs::is_regular_file(st)) {
    throw ConfigError(fmt::format("{}: {}: \"{}\": not a regular file", file, key, path.string()));
  }
  if (::access(path.c_str(), R_OK) != 0) {
    throw ConfigError(fmt::format("{}: {}: \"{}\": cannot read: {}", file, key, path.string(), std::strerror(errno)));
  }
}

}  // namespace

std::string_view protocol_name(Protocol p) {
  switch (p) {
    case Protocol::smtp: return "smtp";
    case Protocol::submission: return "submission";
    case Protocol::submissions: return "submissions";
    case Protocol::lmtp: return "lmtp";
    case Protocol::imap: return "imap";
    case Protocol::imaps: return "imaps";
    case Protocol::pop3: return "pop3";
    case Protocol::pop3s: return "pop3s";
    case Protocol::http: return "http";
    case Protocol::https: return "https";
    case Protocol::managesieve: return "managesieve";
  }
  return "unknown";
}

std::string_view outbound_tls_name(OutboundTls t) {
  return t == OutboundTls::required ? "required" : "opportunistic";
}

std::string_view cleartext_login_name(CleartextLogin c) {
  switch (c) {
    case CleartextLogin::never: return "never";
    case CleartextLogin::loopback: return "loopback";
    case CleartextLogin::always: return "always";
  }
  return "loopback";
}

std::string_view log_level_name(LogLevel level) {
  switch (level) {
    case LogLevel::debug: return "debug";
    case LogLevel::info: return "info";
    case LogLevel::warn: return "warn";
    case LogLevel::error: return "error";
  }
  return "info";
}

std::vector<Endpoint>& ListenConfig::of(Protocol p) {
  return const_cast<std::vector<Endpoint>&>(std::as_const(*this).of(p));
}

const std::vector<Endpoint>& ListenConfig::of(Protocol p) const {
  switch (p) {
    case Protocol::smtp: return smtp;
    case Protocol::submission: return submission;
    case Protocol::submissions: return submissions;
    case Protocol::lmtp: return lmtp;
    case Protocol::imap: return imap;
    case Protocol::imaps: return imaps;
    case Protocol::pop3: return pop3;
    case Protocol::pop3s: return pop3s;
    case Protocol::http: return http;
    case Protocol::https: return https;
    case Protocol::managesieve: return managesieve;
  }
  return smtp;  // unreachable: every enumerator is handled above
}

Config dev_defaults() {
  Config c;
  c.server.data_dir = fs::current_path() / "data";
  struct DevPort {
    Protocol proto;
    std::uint16_t port;
  };
  constexpr DevPort ports[] = {
      {Protocol::smtp, 2525}, {Protocol::submission, 2587}, {Protocol::submissions, 2465},
      {Protocol::lmtp, 2424}, {Protocol::imap, 2143},       {Protocol::imaps, 2993},
      {Protocol::pop3, 2110}, {Protocol::pop3s, 2995},      {Protocol::http, 8080},
      {Protocol::https, 8443}, {Protocol::managesieve, 4190},
  };
  for (const auto& dp : ports) c.listen.of(dp.proto).push_back(Endpoint{"127.0.0.1", dp.port, HostKind::ipv4});
  return c;
}

Config parse_config(std::string_view toml_text, const fs::path& name) {
  Reader r(name);
  toml::table doc;
  try {
    doc = toml::parse(toml_text, name.string());
  } catch (const toml::parse_error& e) {
    throw ConfigError(fmt::format("{}:{}:{}: {}", r.file(), e.source().begin.line, e.source().begin.column,
                                  e.description()));
  }
  Config c;
  c.source = name;
  c.server.data_dir = (fs::absolute(name).parent_path() / c.server.data_dir).lexically_normal();
  r.only_keys(doc, "", {"server", "tls", "listen", "limits", "auth", "search", "delivery", "mail_auth"});
  if (auto* t = r.table(doc, "", "server")) read_server(r, *t, c.server);
  if (auto* t = r.table(doc, "", "tls")) c.tls = read_tls(r, *t);
  if (auto* t = r.table(doc, "", "listen")) read_listen(r, *t, c.listen);
  if (auto* t = r.table(doc, "", "limits")) read_limits(r, *t, c.limits);
  if (auto* t = r.table(doc, "", "auth")) read_auth(r, *t, c.auth);
  if (auto* t = r.table(doc, "", "search")) read_search(r, *t, c.search);
  if (auto* t = r.table(doc, "", "delivery")) read_delivery(r, *t, c.delivery);
  if (auto* t = r.table(doc, "", "mail_auth")) read_mail_auth(r, *t, c.mail_auth);
  return c;
}

Config load_config(const fs::path& path) { return parse_config(read_file(path), path); }

void validate_files(const Config& config) {
  if (!config.tls) return;
  std::string file = config.source.empty() ? std::string("defaults") : config.source.string();
  check_readable(file, "tls.cert", config.tls->cert);
  check_readable(file, "tls.key", config.tls->key);
}

std::optional<fs::path> find_config_file(const std::optional<fs::path>& option, const char* env) {
  if (option) return option;
  if (env && *env) return fs::path(env);
  std::error_code ec;
  if (fs::exists("atrium.toml", ec)) return fs::path("atrium.toml");
  return std::nullopt;
}

}  // namespace atrium::config
