// Value syntaxes shared by the config file and the admin CLI: byte sizes, host names, listen
// endpoints ("host:port") and networks ("10.0.0.0/8"). Pure functions, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace atrium::config {

// A byte count: "1048576", or a whole number with a binary suffix K, M, G or T (also KiB, MiB,
// GiB, TiB; case-insensitive): "50M" = 50 * 2^20. Decimal suffixes ("MB") are refused because
// readers disagree on what they mean. Returns nullopt with `why` set for anything else,
// including overflow past 2^64 - 1.
std::optional<std::uint64_t> parse_size(std::string_view text, std::string& why);

// The shortest form parse_size reads back to `bytes` exactly: "50M" for 52428800, "1500" for
// 1500, "0" for 0.
std::string format_size(std::uint64_t bytes);

// True iff `name` is a DNS host name: LDH labels of 1..63 octets (no leading or trailing '-'),
// 253 octets in all, no trailing dot, and a last label that is not all digits (so an IPv4
// address is not taken for a name). A single label ("localhost") is accepted. Sets `why` when
// false. Case is not checked; callers that keep the name lowercase it.
bool valid_hostname(std::string_view name, std::string& why);

enum class HostKind { ipv4, ipv6, name };

// Where a listener binds: an IPv4 address, an IPv6 address (kept without brackets) or a host
// name resolved when binding.
struct Endpoint {
  std::string host;
  std::uint16_t port = 0;
  HostKind kind = HostKind::ipv4;

  // "127.0.0.1:143", "[::1]:143", "mail.example.com:25": the form parse_endpoint reads.
  std::string to_string() const;
  bool operator==(const Endpoint&) const = default;
};

// Parses "host:port": a dotted-quad IPv4 address, a bracketed IPv6 address, or a host name,
// then a port 1..65535. "*" and an empty host are refused with a hint to write 0.0.0.0 or [::].
// Returns nullopt with `why` set (without the text itself) on error.
std::optional<Endpoint> parse_endpoint(std::string_view text, std::string& why);

// True iff `text` is an IP address ("192.0.2.1", "2001:db8::1") or a network in CIDR notation
// ("10.0.0.0/8", "2001:db8::/32") with a prefix length valid for its family. Sets `why` when false.
bool valid_network(std::string_view text, std::string& why);

}  // namespace atrium::config
