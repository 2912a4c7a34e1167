// IP addresses and CIDR networks as plain values, for throttling keys and exemption lists.
// Kept here rather than in core/net so core/auth stays free of Asio.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace atrium::auth {

// An IPv4 or IPv6 address. IPv4 is held as the IPv4-mapped IPv6 address ::ffff:a.b.c.d, so
// "1.2.3.4" and "::ffff:1.2.3.4" (what a dual-stack socket reports) are the same value.
struct IpAddress {
  std::array<std::uint8_t, 16> bytes{};

  bool is_v4() const;
  friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

// Parses "192.0.2.1", "2001:db8::1", "::ffff:192.0.2.1" or "[2001:db8::1]"; an IPv6 zone
// ("fe80::1%eth0") is ignored. std::nullopt for anything else.
std::optional<IpAddress> parse_ip_address(std::string_view text);

// Dotted quad for IPv4 (also when it came in mapped), RFC 5952 text for IPv6.
std::string to_string(const IpAddress& address);

// A network: the addresses sharing the first `prefix_bits` bits with `base`.
// For IPv4 networks `prefix_bits` counts in the mapped space (96 + the IPv4 prefix length).
struct IpNetwork {
  IpAddress base;            // host bits are zero
  unsigned prefix_bits = 0;  // 0..128

  bool contains(const IpAddress& address) const;
};

// Parses "10.0.0.0/8", "2001:db8::/32", or a bare address (a single host). Host bits set below
// the prefix are cleared ("10.1.2.3/8" is 10.0.0.0/8). std::nullopt for bad addresses or
// prefixes out of range (over 32 for IPv4, over 128 for IPv6).
std::optional<IpNetwork> parse_ip_network(std::string_view cidr);

// The network of `prefix_bits` (in mapped space for IPv4) containing `address`.
IpNetwork network_of(const IpAddress& address, unsigned prefix_bits);

}  // namespace atrium::auth
