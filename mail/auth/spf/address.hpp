// IP addresses as SPF uses them: the strict ip4/ip6 network syntax of RFC 7208 §5.6, prefix
// matching for ip4/ip6/a/mx, and the two text forms macros expand to (%{i} and %{c}, §7.3).
// Pure functions: no I/O, no exceptions.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace atrium::mail::auth::spf {

struct IpAddress {
  enum class Family { v4, v6 };
  Family family = Family::v4;
  std::array<std::uint8_t, 16> bytes{};  // IPv4 uses the first four

  bool is_v4() const noexcept { return family == Family::v4; }
  int bits() const noexcept { return is_v4() ? 32 : 128; }
  friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

// ip4-network of RFC 7208 §5.6: four decimal octets 0-255 without leading zeros. nullopt otherwise.
std::optional<IpAddress> parse_ip4(std::string_view text);

// ip6-network: any RFC 4291 §2.2 text form (including an embedded dotted quad), no zone index.
// A v4-mapped address stays IPv6 here: `ip6:::ffff:0:0/96` is a network, not a client.
std::optional<IpAddress> parse_ip6(std::string_view text);

// A client or DNS answer address in either family. A v4-mapped IPv6 address (::ffff:a.b.c.d) is
// returned as the IPv4 address, as RFC 7208 §5 asks for the client <ip>.
std::optional<IpAddress> parse_address(std::string_view text);

// True when the first `prefix` bits of `ip` and `network` agree and both are of one family.
// `prefix` is clamped to [0, bits()].
bool in_network(const IpAddress& ip, const IpAddress& network, int prefix) noexcept;

// "192.0.2.3" / RFC 5952 text ("2001:db8::cb01"): the %{c} macro.
std::string to_string(const IpAddress& ip);

// The %{i} macro: the dotted quad, or for IPv6 the 32 lower-case nibbles joined by dots.
std::string dotted_form(const IpAddress& ip);

}  // namespace atrium::mail::auth::spf
