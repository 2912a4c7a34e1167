// The server's configuration: one TOML file (atrium.toml) read into plain structs, validated as a
// whole so a bad key or value is reported by file, key and reason before anything starts.
#pragma once

#include "core/config/values.hpp"

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace atrium::config {

// A file that cannot be read, parsed or validated. what() is one line fit for an administrator:
// `atrium.toml: listen.imap: "127.0.0.1:99999": port out of range (1-65535)`.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Every protocol a listener can serve; the [listen] keys are their names.
enum class Protocol {
  smtp, submission, submissions, lmtp, imap, imaps, pop3, pop3s, http, https, managesieve,
};
inline constexpr std::array<Protocol, 11> all_protocols{
    Protocol::smtp, Protocol::submission, Protocol::submissions, Protocol::lmtp, Protocol::imap, Protocol::imaps,
    Protocol::pop3, Protocol::pop3s, Protocol::http, Protocol::https, Protocol::managesieve,
};
// "smtp", "submission", ...: the [listen] key of `p`.
std::string_view protocol_name(Protocol p);

// Mirrors core/log's levels; config does not depend on the logging library.
enum class LogLevel { debug, info, warn, error };
std::string_view log_level_name(LogLevel level);

struct ServerConfig {
  // Our name in SMTP greetings, HELO, Received headers and the self-signed certificate. Lowercase.
  std::string hostname = "localhost";
  // Store location. Absolute after load_config / dev_defaults.
  std::filesystem::path data_dir = "data";
  // When set, `serve` binds its listeners as root and then switches to this account.
  std::optional<std::string> user;
  LogLevel log_level = LogLevel::info;
};

// PEM files; absolute after load_config. Without [tls] the server makes a self-signed certificate
// in data_dir.
struct TlsConfig {
  std::filesystem::path cert;
  std::filesystem::path key;
};

// What each protocol listens on; an empty list means the protocol is not served.
struct ListenConfig {
  std::vector<Endpoint> smtp, submission, submissions, lmtp, imap, imaps, pop3, pop3s, http, https, managesieve;

  // The endpoints of `p`.
  std::vector<Endpoint>& of(Protocol p);
  const std::vector<Endpoint>& of(Protocol p) const;
};

// Resource bounds. Idle timeouts are per protocol family because the RFCs differ:
// SMTP, submission and LMTP 5 min (RFC 5321 4.5.3.2.7); IMAP and ManageSieve 30 min (RFC 9051 5.4,
// which also covers IDLE); POP3 10 min (RFC 1939 3); HTTP between keep-alive requests 2 min
// (long polls such as ActiveSync Ping are bounded by their own protocol limits).
struct LimitsConfig {
  std::size_t max_connections = 10'000;     // all protocols together
  std::size_t max_connections_per_ip = 50;  // per client address, all protocols together
  std::chrono::seconds smtp_idle_timeout{300};
  std::chrono::seconds imap_idle_timeout{1800};
  std::chrono::seconds pop3_idle_timeout{600};
  std::chrono::seconds http_idle_timeout{120};
  std::uint64_t max_message_size = std::uint64_t{50} << 20;  // SMTP SIZE, IMAP APPEND, DAV/EAS uploads of mail
  std::uint64_t max_http_body = std::uint64_t{64} << 20;     // any HTTP request body
};

// Brute-force protection (see core/auth/throttle.hpp for the policy); defaults equal
// auth::ThrottleOptions' and a unit test keeps them equal.
// When IMAP and POP3 accept a password over a connection without TLS (LOGIN, USER/PASS,
// AUTHENTICATE PLAIN/LOGIN). SMTP submission always requires TLS before AUTH.
enum class CleartextLogin {
  never,     // only over TLS (STARTTLS/STLS or implicit TLS)
  loopback,  // also from 127.0.0.0/8 and ::1 (a local proxy, tests, development)
  always,    // anywhere: only for networks where the wire is trusted
};
std::string_view cleartext_login_name(CleartextLogin c);

struct AuthConfig {
  std::size_t max_failures_per_ip = 20;       // failures in the window that block the address
  std::size_t max_failures_per_account = 10;  // failures in the window that lock the account
  std::chrono::seconds failure_window{900};
  std::chrono::seconds block_duration{900};   // both the address block and the account lock
  std::vector<std::string> exempt;            // IPs / CIDR networks never throttled
  CleartextLogin cleartext_login = CleartextLogin::loopback;
};

struct SearchConfig {
  // Index the text of PDF and office attachments with Debian's decoders (pdftotext, docx2txt,
  // odt2txt, catdoc, xls2csv) where installed, run as limited child processes.
  bool decode_attachments = true;
  // How long an IMAP SEARCH waits for the index to catch up before reading the messages.
  std::chrono::milliseconds wait{2000};
};

// TLS towards remote MXes: `opportunistic` uses STARTTLS when offered and falls back to clear
// text if the handshake fails (RFC 3207 practice); `required` refuses to send without a verified
// certificate. MTA-STS and DANE raise a domain to verified TLS on their own.
enum class OutboundTls { opportunistic, required };
std::string_view outbound_tls_name(OutboundTls t);

// [delivery]: the outbound queue worker (mail/queue).
struct DeliveryConfig {
  bool enabled = true;                        // run the worker (admin tools never run it)
  // DNS servers, "ADDR" or "ADDR@PORT"; empty: /etc/resolv.conf. With servers set, the
  // RFC 6761 names (test., example., invalid.) are looked up there instead of refused.
  std::vector<std::string> dns_servers;
  std::filesystem::path dnssec_trust_anchor;  // e.g. /usr/share/dns/root.key; empty: no DANE
  std::optional<Endpoint> relay;              // smarthost: every message goes there
  std::string relay_user;
  std::filesystem::path relay_password_file;  // the smarthost password, first line of this file
  std::uint16_t remote_port = 25;             // port of remote MXes
  std::string helo_name;                      // EHLO name; empty: server.hostname
  // Waits between attempts; the last repeats until `expire_after`.
  std::vector<std::chrono::seconds> retry_schedule = {
      std::chrono::minutes(1), std::chrono::minutes(5), std::chrono::minutes(15), std::chrono::minutes(30),
      std::chrono::hours(1),   std::chrono::hours(2),   std::chrono::hours(4)};
  std::chrono::seconds expire_after = std::chrono::hours(24 * 5);
  std::chrono::seconds delay_notice_after = std::chrono::hours(4);  // 0: never send delay DSNs
  std::size_t max_connections = 100;         // outbound SMTP connections in all
  std::size_t max_connections_per_domain = 20;
  OutboundTls tls = OutboundTls::opportunistic;
  bool mta_sts = true;                       // honour RFC 8461 policies
  std::uint16_t mta_sts_port = 443;          // HTTPS port of mta-sts.<domain> (tests change it)
  bool dane = true;                          // honour RFC 7672 TLSA records (needs a trust anchor)
  std::filesystem::path ca_file;             // extra trusted CAs (PEM) for verified TLS; empty: system store
  std::chrono::seconds connect_timeout{30};
  // Waits for each reply of a remote server (RFC 5321 §4.5.3.2: 5 min) and for the reply after
  // the message data (10 min).
  std::chrono::seconds command_timeout{300};
  std::chrono::seconds data_timeout{600};
  bool dkim_sign = true;                     // sign with the sender domain's key when it has one
};

// [mail_auth]: checks of mail arriving on the MX (mail/auth).
struct MailAuthConfig {
  bool verify = true;         // SPF, DKIM, DMARC, ARC; results in Authentication-Results
  bool dmarc_enforce = true;  // p=reject refuses (550 5.7.1), p=quarantine files into Junk
  std::string authserv_id;    // Authentication-Results id; empty: server.hostname
  bool arc_seal = true;       // seal forwarded mail (a domain DKIM key signs the ARC set)
};

struct Config {
  std::filesystem::path source;  // the file this came from; empty for dev_defaults()
  ServerConfig server;
  std::optional<TlsConfig> tls;
  ListenConfig listen;
  LimitsConfig limits;
  AuthConfig auth;
  SearchConfig search;
  DeliveryConfig delivery;
  MailAuthConfig mail_auth;
};

// Development defaults: hostname "localhost", data_dir ./data (made absolute against the current
// directory), every protocol on 127.0.0.1 at an unprivileged port (smtp 2525, submission 2587,
// submissions 2465, lmtp 2424, imap 2143, imaps 2993, pop3 2110, pop3s 2995, http 8080,
// https 8443, managesieve 4190), no [tls] (self-signed), other limits at their defaults.
Config dev_defaults();

// Reads and validates `path`. Keys left out take the defaults above; a [listen] protocol left
// out is not served. Relative paths (data_dir, tls.cert, tls.key) are resolved against the
// directory holding the file, so the result holds absolute paths. Unknown keys at any level,
// wrong types and bad values throw ConfigError naming `path` as given, the dotted key and the
// reason. Touches no file but `path` (see validate_files).
Config load_config(const std::filesystem::path& path);

// Parses TOML text as if read from `name` (used in error messages and as the base for relative
// paths: its parent directory). load_config reads the file and calls this. Throws ConfigError.
Config parse_config(std::string_view toml_text, const std::filesystem::path& name);

// Checks what parsing cannot: the TLS certificate and key exist and are readable regular files.
// Throws ConfigError naming the key. Call before serving and in `config check`.
void validate_files(const Config& config);

// Which file to use: `option` (-c) when given, else `env` ($ATRIUM_CONFIG) when non-empty, else
// ./atrium.toml if that file exists, else nullopt (callers fall back to dev_defaults where
// allowed). An explicitly named file is returned even if it does not exist, so that loading it
// reports the error rather than silently using defaults.
std::optional<std::filesystem::path> find_config_file(const std::optional<std::filesystem::path>& option,
                                                      const char* env);

}  // namespace atrium::config
