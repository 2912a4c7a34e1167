// atrium.toml parsing: every key, the defaults, and the message for each kind of mistake.
#include "core/config/config.hpp"

#include "core/auth/throttle.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <unistd.h>

namespace atrium::config {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

const fs::path k_name = "/etc/atrium/atrium.toml";

Config parse(std::string_view text) { return parse_config(text, k_name); }

// The ConfigError message for `text`, or "" if it parsed.
std::string error_of(std::string_view text) {
  try {
    parse(text);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

// A temporary directory removed at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "atrium-config-XXXXXX").string();
    path = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path); }
  fs::path write(const std::string& name, std::string_view text) const {
    std::ofstream(path / name) << text;
    return path / name;
  }
};

TEST(Config, EmptyFileGivesDefaultsAndServesNothing) {
  Config c = parse("");
  EXPECT_EQ(c.source, k_name);
  EXPECT_EQ(c.server.hostname, "localhost");
  EXPECT_EQ(c.server.data_dir, fs::path("/etc/atrium/data"));
  EXPECT_FALSE(c.server.user);
  EXPECT_EQ(c.server.log_level, LogLevel::info);
  EXPECT_FALSE(c.tls);
  for (Protocol p : all_protocols) EXPECT_TRUE(c.listen.of(p).empty()) << protocol_name(p);
  EXPECT_EQ(c.limits.max_connections, 10000u);
  EXPECT_EQ(c.limits.max_connections_per_ip, 50u);
  EXPECT_EQ(c.limits.smtp_idle_timeout, seconds(300));
  EXPECT_EQ(c.limits.imap_idle_timeout, seconds(1800));
  EXPECT_EQ(c.limits.pop3_idle_timeout, seconds(600));
  EXPECT_EQ(c.limits.http_idle_timeout, seconds(120));
  EXPECT_EQ(c.limits.max_message_size, 50u << 20);
  EXPECT_EQ(c.limits.max_http_body, 64u << 20);
  EXPECT_EQ(c.auth.max_failures_per_ip, 20u);
  EXPECT_EQ(c.auth.max_failures_per_account, 10u);
  EXPECT_EQ(c.auth.failure_window, seconds(900));
  EXPECT_EQ(c.auth.block_duration, seconds(900));
  EXPECT_TRUE(c.auth.exempt.empty());
  EXPECT_EQ(c.auth.cleartext_login, CleartextLogin::loopback);
}

TEST(Config, AuthDefaultsMatchTheThrottle) {
  AuthConfig a;
  auth::ThrottleOptions t;
  EXPECT_EQ(a.max_failures_per_ip, t.ip_block_failures);
  EXPECT_EQ(a.max_failures_per_account, t.account_lock_failures);
  EXPECT_EQ(a.failure_window, t.window);
  EXPECT_EQ(a.block_duration, t.ip_block_duration);
  EXPECT_EQ(a.block_duration, t.account_lock_duration);
}

TEST(Config, ReadsEveryKey) {
  Config c = parse(R"(
[server]
hostname = "Mail.Example.COM"
data_dir = "/var/lib/atrium"
user = "atrium"
log_level = "debug"

[tls]
cert = "certs/fullchain.pem"
key = "/etc/ssl/private/atrium.key"

[listen]
smtp = ["0.0.0.0:25", "[::]:25"]
submission = "0.0.0.0:587"
submissions = "0.0.0.0:465"
lmtp = "127.0.0.1:24"
imap = "[::1]:143"
imaps = "0.0.0.0:993"
pop3 = "0.0.0.0:110"
pop3s = "0.0.0.0:995"
http = "localhost:80"
https = "0.0.0.0:443"
managesieve = "0.0.0.0:4190"

[limits]
max_connections = 500
max_connections_per_ip = 20
smtp_idle_timeout_seconds = 60
imap_idle_timeout_seconds = 3600
pop3_idle_timeout_seconds = 900
http_idle_timeout_seconds = 30
max_message_size = "100M"
max_http_body = 1048576

[auth]
max_failures_per_ip = 5
max_failures_per_account = 3
failure_window_seconds = 60
block_seconds = 120
exempt = ["10.0.0.0/8", "2001:db8::/32", "192.0.2.7"]
cleartext_login = "never"
)");
  EXPECT_EQ(c.server.hostname, "mail.example.com");
  EXPECT_EQ(c.server.data_dir, fs::path("/var/lib/atrium"));
  EXPECT_EQ(c.server.user, "atrium");
  EXPECT_EQ(c.server.log_level, LogLevel::debug);
  ASSERT_TRUE(c.tls);
  EXPECT_EQ(c.tls->cert, fs::path("/etc/atrium/certs/fullchain.pem"));
  EXPECT_EQ(c.tls->key, fs::path("/etc/ssl/private/atrium.key"));
  EXPECT_EQ(c.listen.smtp, (std::vector<Endpoint>{{"0.0.0.0", 25, HostKind::ipv4}, {"::", 25, HostKind::ipv6}}));
  EXPECT_EQ(c.listen.submission, (std::vector<Endpoint>{{"0.0.0.0", 587, HostKind::ipv4}}));
  EXPECT_EQ(c.listen.submissions, (std::vector<Endpoint>{{"0.0.0.0", 465, HostKind::ipv4}}));
  EXPECT_EQ(c.listen.lmtp, (std::vector<Endpoint>{{"127.0.0.1", 24, HostKind::ipv4}}));
  EXPECT_EQ(c.listen.imap, (std::vector<Endpoint>{{"::1", 143, HostKind::ipv6}}));
  EXPECT_EQ(c.listen.imaps, (std::vector<Endpoint>{{"0.0.0.0", 993, HostKind::ipv4}}));
  EXPECT_EQ(c.listen.pop3, (std::vector<Endpoint>{{"0.0.0.0", 110, HostKind::ipv4}}));
  EXPECT_EQ(c.listen.pop3s, (std::vector<Endpoint>{{"0.0.0.0", 995, HostKind::ipv4}}));
  EXPECT_EQ(c.listen.http, (std::vector<Endpoint>{{"localhost", 80, HostKind::name}}));
  EXPECT_EQ(c.listen.https, (std::vector<Endpoint>{{"0.0.0.0", 443, HostKind::ipv4}}));
  EXPECT_EQ(c.listen.managesieve, (std::vector<Endpoint>{{"0.0.0.0", 4190, HostKind::ipv4}}));
  EXPECT_EQ(c.limits.max_connections, 500u);
  EXPECT_EQ(c.limits.max_connections_per_ip, 20u);
  EXPECT_EQ(c.limits.smtp_idle_timeout, seconds(60));
  EXPECT_EQ(c.limits.imap_idle_timeout, seconds(3600));
  EXPECT_EQ(c.limits.pop3_idle_timeout, seconds(900));
  EXPECT_EQ(c.limits.http_idle_timeout, seconds(30));
  EXPECT_EQ(c.limits.max_message_size, 100u << 20);
  EXPECT_EQ(c.limits.max_http_body, 1u << 20);
  EXPECT_EQ(c.auth.max_failures_per_ip, 5u);
  EXPECT_EQ(c.auth.max_failures_per_account, 3u);
  EXPECT_EQ(c.auth.failure_window, seconds(60));
  EXPECT_EQ(c.auth.block_duration, seconds(120));
  EXPECT_EQ(c.auth.exempt, (std::vector<std::string>{"10.0.0.0/8", "2001:db8::/32", "192.0.2.7"}));
  EXPECT_EQ(c.auth.cleartext_login, CleartextLogin::never);
}

TEST(Config, RelativePathsFollowTheFile) {
  Config c = parse_config("[server]\ndata_dir = \"../spool/./atrium\"\n", "/srv/conf/atrium.toml");
  EXPECT_EQ(c.server.data_dir, fs::path("/srv/spool/atrium"));
  Config rel = parse_config("", "atrium.toml");
  EXPECT_EQ(rel.server.data_dir, fs::current_path() / "data");
}

TEST(Config, EmptyListenArrayServesNothingAndEmptyTlsIsAbsent) {
  Config c = parse("[listen]\nimap = []\n[tls]\n");
  EXPECT_TRUE(c.listen.imap.empty());
  EXPECT_FALSE(c.tls);
}

TEST(Config, DevDefaults) {
  Config c = dev_defaults();
  EXPECT_TRUE(c.source.empty());
  EXPECT_EQ(c.server.hostname, "localhost");
  EXPECT_EQ(c.server.data_dir, fs::current_path() / "data");
  EXPECT_FALSE(c.tls);
  const std::pair<Protocol, std::uint16_t> expected[] = {
      {Protocol::smtp, 2525}, {Protocol::submission, 2587}, {Protocol::submissions, 2465},
      {Protocol::lmtp, 2424}, {Protocol::imap, 2143},       {Protocol::imaps, 2993},
      {Protocol::pop3, 2110}, {Protocol::pop3s, 2995},      {Protocol::http, 8080},
      {Protocol::https, 8443}, {Protocol::managesieve, 4190},
  };
  for (auto [proto, port] : expected) {
    EXPECT_EQ(c.listen.of(proto), (std::vector<Endpoint>{{"127.0.0.1", port, HostKind::ipv4}})) << protocol_name(proto);
  }
}

TEST(ConfigErrors, UnknownKeysAtEveryLevel) {
  EXPECT_EQ(error_of("colour = 1"), "/etc/atrium/atrium.toml: colour: unknown key");
  EXPECT_EQ(error_of("[smtp]\nport = 25"), "/etc/atrium/atrium.toml: smtp: unknown key");
  EXPECT_EQ(error_of("[server]\nhostnme = \"x.example\""), "/etc/atrium/atrium.toml: server.hostnme: unknown key");
  EXPECT_EQ(error_of("[tls]\nchain = \"x\""), "/etc/atrium/atrium.toml: tls.chain: unknown key");
  EXPECT_EQ(error_of("[listen]\nimap4 = \"127.0.0.1:143\""), "/etc/atrium/atrium.toml: listen.imap4: unknown key");
  EXPECT_EQ(error_of("[limits]\nidle_timeout_seconds = 5"),
            "/etc/atrium/atrium.toml: limits.idle_timeout_seconds: unknown key");
  EXPECT_EQ(error_of("[auth]\nmax_failures = 5"), "/etc/atrium/atrium.toml: auth.max_failures: unknown key");
  EXPECT_EQ(error_of("[server.extra]\nx = 1"), "/etc/atrium/atrium.toml: server.extra: unknown key");
}

TEST(ConfigErrors, WrongTypes) {
  EXPECT_EQ(error_of("server = 1"), "/etc/atrium/atrium.toml: server: expected a table, got an integer");
  EXPECT_EQ(error_of("[server]\nhostname = 5"),
            "/etc/atrium/atrium.toml: server.hostname: expected a string, got an integer");
  EXPECT_EQ(error_of("[server]\ndata_dir = true"),
            "/etc/atrium/atrium.toml: server.data_dir: expected a string, got a boolean");
  EXPECT_EQ(error_of("[listen]\nimap = 143"),
            "/etc/atrium/atrium.toml: listen.imap: expected a \"host:port\" string or an array of them, got an integer");
  EXPECT_EQ(error_of("[listen]\nimap = [\"127.0.0.1:143\", 143]"),
            "/etc/atrium/atrium.toml: listen.imap[1]: expected a string, got an integer");
  EXPECT_EQ(error_of("[limits]\nmax_connections = \"10\""),
            "/etc/atrium/atrium.toml: limits.max_connections: expected an integer, got a string");
  EXPECT_EQ(error_of("[limits]\nmax_message_size = 1.5"),
            "/etc/atrium/atrium.toml: limits.max_message_size: expected an integer or a size string such as \"50M\", "
            "got a float");
  EXPECT_EQ(error_of("[auth]\ncleartext_login = \"sometimes\""),
            "/etc/atrium/atrium.toml: auth.cleartext_login: \"sometimes\": expected one of never, loopback, always");
  EXPECT_EQ(error_of("[auth]\nexempt = 10"),
            "/etc/atrium/atrium.toml: auth.exempt: expected an array of IP addresses or networks, got an integer");
}

TEST(Config, SearchSection) {
  Config d = parse("");
  EXPECT_TRUE(d.search.decode_attachments);
  EXPECT_EQ(d.search.wait, std::chrono::milliseconds(2000));
  Config c = parse("[search]\ndecode_attachments = false\nwait_ms = 500\n");
  EXPECT_FALSE(c.search.decode_attachments);
  EXPECT_EQ(c.search.wait, std::chrono::milliseconds(500));
  EXPECT_EQ(error_of("[search]\ndecode_attachments = \"no\""),
            "/etc/atrium/atrium.toml: search.decode_attachments: expected a boolean, got a string");
  EXPECT_EQ(error_of("[search]\nwait_ms = 600000"),
            "/etc/atrium/atrium.toml: search.wait_ms: 600000: must be between 0 and 60000");
  EXPECT_EQ(error_of("[search]\nindex = true"), "/etc/atrium/atrium.toml: search.index: unknown key");
}

TEST(ConfigErrors, BadServerValues) {
  EXPECT_EQ(error_of("[server]\nhostname = \"mail_1.example\""),
            "/etc/atrium/atrium.toml: server.hostname: \"mail_1.example\": character '_' not allowed in host name");
  EXPECT_EQ(error_of("[server]\nhostname = \"\""), "/etc/atrium/atrium.toml: server.hostname: \"\": empty host name");
  EXPECT_EQ(error_of("[server]\nhostname = \"192.0.2.1\""),
            "/etc/atrium/atrium.toml: server.hostname: \"192.0.2.1\": not a host name (numeric last label)");
  EXPECT_EQ(error_of("[server]\ndata_dir = \"\""), "/etc/atrium/atrium.toml: server.data_dir: must not be empty");
  EXPECT_EQ(error_of("[server]\nuser = \"-x\""),
            "/etc/atrium/atrium.toml: server.user: \"-x\": not a valid user name (letters, digits, '.', '_', '-'; "
            "at most 32)");
  EXPECT_EQ(error_of("[server]\nlog_level = \"verbose\""),
            "/etc/atrium/atrium.toml: server.log_level: \"verbose\": expected one of debug, info, warn, error");
}

TEST(ConfigErrors, TlsNeedsBothFiles) {
  EXPECT_EQ(error_of("[tls]\ncert = \"a.pem\""),
            "/etc/atrium/atrium.toml: tls: cert and key must be given together (tls.key is missing)");
  EXPECT_EQ(error_of("[tls]\nkey = \"a.key\""),
            "/etc/atrium/atrium.toml: tls: cert and key must be given together (tls.cert is missing)");
  EXPECT_EQ(error_of("[tls]\ncert = \"\"\nkey = \"k\""), "/etc/atrium/atrium.toml: tls.cert: must not be empty");
}

TEST(ConfigErrors, BadListenValues) {
  EXPECT_EQ(error_of("[listen]\nimap = \"127.0.0.1:99999\""),
            "/etc/atrium/atrium.toml: listen.imap: \"127.0.0.1:99999\": port out of range (1-65535)");
  EXPECT_EQ(error_of("[listen]\nsmtp = \"*:25\""),
            "/etc/atrium/atrium.toml: listen.smtp: \"*:25\": \"*\" is not an address; use 0.0.0.0 for every IPv4 "
            "address or [::] for every address");
  EXPECT_EQ(error_of("[listen]\nimaps = [\"0.0.0.0:993\", \"::1:993\"]"),
            "/etc/atrium/atrium.toml: listen.imaps: \"::1:993\": an IPv6 address must be in brackets, e.g. [::1]:143");
  EXPECT_EQ(error_of("[listen]\nimap = \"127.0.0.1:143\"\nimaps = \"127.0.0.1:143\""),
            "/etc/atrium/atrium.toml: listen.imaps: \"127.0.0.1:143\": already used by listen.imap");
  EXPECT_EQ(error_of("[listen]\nimap = [\"127.0.0.1:143\", \"127.0.0.1:143\"]"),
            "/etc/atrium/atrium.toml: listen.imap: \"127.0.0.1:143\": already used by listen.imap");
}

TEST(ConfigErrors, BadLimits) {
  EXPECT_EQ(error_of("[limits]\nmax_connections = 0"),
            "/etc/atrium/atrium.toml: limits.max_connections: 0: must be between 1 and 1000000");
  EXPECT_EQ(error_of("[limits]\nmax_connections = 10\nmax_connections_per_ip = 11"),
            "/etc/atrium/atrium.toml: limits.max_connections_per_ip: 11: must not exceed limits.max_connections (10)");
  EXPECT_EQ(error_of("[limits]\nimap_idle_timeout_seconds = -5"),
            "/etc/atrium/atrium.toml: limits.imap_idle_timeout_seconds: -5: must be between 1 and 86400");
  EXPECT_EQ(error_of("[limits]\nmax_message_size = \"50MB\""),
            "/etc/atrium/atrium.toml: limits.max_message_size: \"50MB\": unknown size suffix \"MB\" (use K, M, G or "
            "T, binary multiples)");
  EXPECT_EQ(error_of("[limits]\nmax_message_size = 100"),
            "/etc/atrium/atrium.toml: limits.max_message_size: 100: must be between 1K and 4G");
  EXPECT_EQ(error_of("[limits]\nmax_http_body = \"5G\""),
            "/etc/atrium/atrium.toml: limits.max_http_body: \"5G\": must be between 1K and 4G");
}

TEST(ConfigErrors, BadAuth) {
  EXPECT_EQ(error_of("[auth]\nmax_failures_per_ip = 0"),
            "/etc/atrium/atrium.toml: auth.max_failures_per_ip: 0: must be between 1 and 1000000");
  EXPECT_EQ(error_of("[auth]\nblock_seconds = 999999999"),
            "/etc/atrium/atrium.toml: auth.block_seconds: 999999999: must be between 1 and 604800");
  EXPECT_EQ(error_of("[auth]\nexempt = [\"10.0.0.0/33\"]"),
            "/etc/atrium/atrium.toml: auth.exempt: \"10.0.0.0/33\": prefix length must be 0-32");
}

TEST(Config, DeliveryAndMailAuthSections) {
  Config d = parse("");
  EXPECT_TRUE(d.delivery.enabled);
  EXPECT_EQ(d.delivery.remote_port, 25);
  EXPECT_EQ(d.delivery.retry_schedule.size(), 7u);
  EXPECT_EQ(d.delivery.expire_after, std::chrono::hours(120));
  EXPECT_TRUE(d.mail_auth.verify);
  EXPECT_TRUE(d.mail_auth.dmarc_enforce);

  Config c = parse(
      "[delivery]\nenabled = false\ndns_servers = [\"127.0.0.1@5353\", \"::1\"]\nrelay = \"smart.example:587\"\n"
      "relay_user = \"u\"\nremote_port = 2525\nhelo_name = \"Out.Example\"\nretry_schedule = [\"30s\", \"2m\", \"1h\"]\n"
      "expire_after = \"2d\"\ndelay_notice_after = \"0s\"\nmax_connections = 7\nmax_connections_per_domain = 3\n"
      "tls = \"required\"\nmta_sts = false\nmta_sts_port = 8443\ndane = false\ncommand_timeout_seconds = 9\n"
      "data_timeout_seconds = 11\ndkim_sign = false\n"
      "[mail_auth]\nverify = false\ndmarc_enforce = false\nauthserv_id = \"MX.Example\"\n");
  EXPECT_FALSE(c.delivery.enabled);
  EXPECT_EQ(c.delivery.dns_servers, (std::vector<std::string>{"127.0.0.1@5353", "::1"}));
  ASSERT_TRUE(c.delivery.relay);
  EXPECT_EQ(c.delivery.relay->port, 587);
  EXPECT_EQ(c.delivery.remote_port, 2525);
  EXPECT_EQ(c.delivery.helo_name, "out.example");
  EXPECT_EQ(c.delivery.retry_schedule,
            (std::vector<std::chrono::seconds>{std::chrono::seconds(30), std::chrono::minutes(2), std::chrono::hours(1)}));
  EXPECT_EQ(c.delivery.expire_after, std::chrono::hours(48));
  EXPECT_EQ(c.delivery.delay_notice_after.count(), 0);
  EXPECT_EQ(c.delivery.max_connections_per_domain, 3u);
  EXPECT_EQ(c.delivery.tls, OutboundTls::required);
  EXPECT_FALSE(c.delivery.mta_sts);
  EXPECT_EQ(c.delivery.mta_sts_port, 8443);
  EXPECT_EQ(c.delivery.command_timeout, std::chrono::seconds(9));
  EXPECT_EQ(c.delivery.data_timeout, std::chrono::seconds(11));
  EXPECT_FALSE(c.mail_auth.verify);
  EXPECT_EQ(c.mail_auth.authserv_id, "mx.example");
}

TEST(ConfigErrors, BadDelivery) {
  EXPECT_EQ(error_of("[delivery]\ndns_servers = [\"resolver\"]"),
            "/etc/atrium/atrium.toml: delivery.dns_servers: \"resolver\": not an IP address");
  EXPECT_EQ(error_of("[delivery]\ndns_servers = [\"127.0.0.1@99999\"]"),
            "/etc/atrium/atrium.toml: delivery.dns_servers: \"127.0.0.1@99999\": bad port after '@'");
  EXPECT_EQ(error_of("[delivery]\nretry_schedule = [\"5 minutes\"]"),
            "/etc/atrium/atrium.toml: delivery.retry_schedule: \"5 minutes\": unknown unit (use s, m, h or d)");
  EXPECT_EQ(error_of("[delivery]\nretry_schedule = [\"0s\"]"),
            "/etc/atrium/atrium.toml: delivery.retry_schedule: \"0s\": must not be zero");
  EXPECT_EQ(error_of("[delivery]\ntls = \"always\""),
            "/etc/atrium/atrium.toml: delivery.tls: \"always\": expected opportunistic or required");
  // A smarthost needs its port, like a listener.
  EXPECT_NE(error_of("[delivery]\nrelay = \"smart.example\"").find("delivery.relay"), std::string::npos);
  EXPECT_EQ(error_of("[mail_auth]\nbogus = 1"), "/etc/atrium/atrium.toml: mail_auth.bogus: unknown key");
}

TEST(ConfigErrors, TomlSyntaxNamesLineAndColumn) {
  std::string e = error_of("[server]\nhostname = \n");
  EXPECT_EQ(e.rfind("/etc/atrium/atrium.toml:2:", 0), 0u) << e;
  e = error_of("[server]\nhostname = \"a.example\"\nhostname = \"b.example\"\n");
  EXPECT_EQ(e.rfind("/etc/atrium/atrium.toml:3:", 0), 0u) << e;
}

TEST(LoadConfig, MissingAndUnreadableFiles) {
  TempDir dir;
  try {
    load_config(dir.path / "nope.toml");
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), (dir.path / "nope.toml").string() + ": cannot read: No such file or directory");
  }
  try {
    load_config(dir.path);
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), dir.path.string() + ": cannot read: is a directory");
  }
}

TEST(LoadConfig, ReadsAFileAndResolvesAgainstItsDirectory) {
  TempDir dir;
  auto file = dir.write("atrium.toml", "[server]\ndata_dir = \"store\"\n");
  Config c = load_config(file);
  EXPECT_EQ(c.source, file);
  EXPECT_EQ(c.server.data_dir, dir.path / "store");
}

TEST(ValidateFiles, ChecksTlsFilesExist) {
  TempDir dir;
  dir.write("cert.pem", "x");
  auto file = dir.write("atrium.toml", "[tls]\ncert = \"cert.pem\"\nkey = \"key.pem\"\n");
  Config c = load_config(file);  // parsing does not look at the files
  try {
    validate_files(c);
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              file.string() + ": tls.key: \"" + (dir.path / "key.pem").string() + "\": file not found");
  }
  dir.write("key.pem", "y");
  EXPECT_NO_THROW(validate_files(c));
  EXPECT_NO_THROW(validate_files(dev_defaults()));

  fs::create_directory(dir.path / "dir.pem");
  Config d = parse_config("[tls]\ncert = \"dir.pem\"\nkey = \"key.pem\"\n", file);
  try {
    validate_files(d);
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("tls.cert: \"" + (dir.path / "dir.pem").string() + "\": not a regular file"),
              std::string::npos);
  }
}

TEST(FindConfigFile, OptionThenEnvironmentThenWorkingDirectory) {
  TempDir dir;
  auto old = fs::current_path();
  fs::current_path(dir.path);
  EXPECT_EQ(find_config_file(fs::path("/x/a.toml"), "/y/b.toml"), fs::path("/x/a.toml"));
  EXPECT_EQ(find_config_file(std::nullopt, "/y/b.toml"), fs::path("/y/b.toml"));
  EXPECT_EQ(find_config_file(std::nullopt, ""), std::nullopt);
  EXPECT_EQ(find_config_file(std::nullopt, nullptr), std::nullopt);
  dir.write("atrium.toml", "");
  EXPECT_EQ(find_config_file(std::nullopt, nullptr), fs::path("atrium.toml"));
  fs::current_path(old);
}

TEST(PackagedConfig, ExampleLoadsAndUsesStandardPorts) {
  Config c = load_config(fs::path(ATRIUM_SOURCE_DIR) / "packaging" / "atrium.toml");
  EXPECT_EQ(c.server.data_dir, fs::path("/var/lib/atrium"));
  EXPECT_FALSE(c.server.user);  // the unit runs as User=atrium with CAP_NET_BIND_SERVICE
  const std::pair<Protocol, std::uint16_t> ports[] = {
      {Protocol::smtp, 25},  {Protocol::submission, 587}, {Protocol::submissions, 465}, {Protocol::lmtp, 24},
      {Protocol::imap, 143}, {Protocol::imaps, 993},      {Protocol::pop3, 110},        {Protocol::pop3s, 995},
      {Protocol::http, 80},  {Protocol::https, 443},      {Protocol::managesieve, 4190},
  };
  for (auto [proto, port] : ports) {
    ASSERT_FALSE(c.listen.of(proto).empty()) << protocol_name(proto);
    for (const auto& ep : c.listen.of(proto)) EXPECT_EQ(ep.port, port) << protocol_name(proto);
  }
  ASSERT_EQ(c.listen.lmtp.size(), 1u);
  EXPECT_EQ(c.listen.lmtp[0].host, "127.0.0.1");
}

}  // namespace
}  // namespace atrium::config
