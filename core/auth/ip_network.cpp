// Address parsing with inet_pton/inet_ntop; prefix arithmetic on the 16-byte form.
#include "core/auth/ip_network.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace atrium::auth {
namespace {

constexpr std::array<std::uint8_t, 12> v4_mapped_prefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
constexpr unsigned v4_offset_bits = 96;

IpAddress masked(const IpAddress& a, unsigned prefix_bits) {
  IpAddress out;
  for (unsigned i = 0; i < 16; ++i) {
    unsigned start = i * 8;
    if (start + 8 <= prefix_bits) {
      out.bytes[i] = a.bytes[i];
    } else if (start < prefix_bits) {
      auto keep = static_cast<std::uint8_t>(0xFF << (8 - (prefix_bits - start)));
      out.bytes[i] = a.bytes[i] & keep;
    }
  }
  return out;
}

}  // namespace

bool IpAddress::is_v4() const { return std::memcmp(bytes.data(), v4_mapped_prefix.data(), 12) == 0; }

std::optional<IpAddress> parse_ip_address(std::string_view text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
  if (auto pct = text.find('%'); pct != std::string_view::npos) text = text.substr(0, pct);
  if (text.empty() || text.size() > INET6_ADDRSTRLEN) return std::nullopt;
  std::string z(text);  // inet_pton wants a C string
  IpAddress out;
  in_addr v4{};
  if (inet_pton(AF_INET, z.c_str(), &v4) == 1) {
    std::memcpy(out.bytes.data(), v4_mapped_prefix.data(), 12);
    std::memcpy(out.bytes.data() + 12, &v4.s_addr, 4);
    return out;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, z.c_str(), &v6) == 1) {
    std::memcpy(out.bytes.data(), v6.s6_addr, 16);
    return out;
  }
  return std::nullopt;
}

std::string to_string(const IpAddress& address) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (address.is_v4()) {
    inet_ntop(AF_INET, address.bytes.data() + 12, buf, sizeof buf);
  } else {
    inet_ntop(AF_INET6, address.bytes.data(), buf, sizeof buf);
  }
  return buf;
}

bool IpNetwork::contains(const IpAddress& address) const { return masked(address, prefix_bits) == base; }

IpNetwork network_of(const IpAddress& address, unsigned prefix_bits) {
  if (prefix_bits > 128) prefix_bits = 128;
  return IpNetwork{masked(address, prefix_bits), prefix_bits};
}

std::optional<IpNetwork> parse_ip_network(std::string_view cidr) {
  std::string_view addr_text = cidr;
  std::optional<unsigned> prefix;
  if (auto slash = cidr.find('/'); slash != std::string_view::npos) {
    addr_text = cidr.substr(0, slash);
    std::string_view p = cidr.substr(slash + 1);
    unsigned value = 0;
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
    if (p.empty() || ec != std::errc{} || end != p.data() + p.size()) return std::nullopt;
    prefix = value;
  }
  auto addr = parse_ip_address(addr_text);
  if (!addr) return std::nullopt;
  unsigned bits = 128;
  if (addr->is_v4() && addr_text.find(':') == std::string_view::npos) {
    if (prefix && *prefix > 32) return std::nullopt;
    if (prefix) bits = v4_offset_bits + *prefix;
  } else {
    if (prefix && *prefix > 128) return std::nullopt;
    if (prefix) bits = *prefix;
  }
  return network_of(*addr, bits);
}

}  // namespace atrium::auth
