// IP address parsing, prefix matching and the macro text forms for SPF.
#include "mail/auth/spf/address.hpp"

#include <boost/asio/ip/address_v6.hpp>

#include <algorithm>

namespace atrium::mail::auth::spf {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

}  // namespace

std::optional<IpAddress> parse_ip4(std::string_view text) {
  IpAddress out;
  std::size_t pos = 0;
  for (int octet = 0; octet < 4; ++octet) {
    if (octet > 0) {
      if (pos >= text.size() || text[pos] != '.') return std::nullopt;
      ++pos;
    }
    const std::size_t start = pos;
    unsigned value = 0;
    while (pos < text.size() && is_digit(text[pos]) && pos - start < 3) {
      value = value * 10 + static_cast<unsigned>(text[pos] - '0');
      ++pos;
    }
    const std::size_t len = pos - start;
    if (len == 0 || value > 255 || (len > 1 && text[start] == '0')) return std::nullopt;
    out.bytes[static_cast<std::size_t>(octet)] = static_cast<std::uint8_t>(value);
  }
  if (pos != text.size()) return std::nullopt;
  return out;
}

std::optional<IpAddress> parse_ip6(std::string_view text) {
  // inet_pton would also take a zone index ("%eth0") through Asio; the grammar has none.
  if (text.empty() || text.size() > 45) return std::nullopt;
  if (!std::all_of(text.begin(), text.end(), [](char c) { return is_hex(c) || c == ':' || c == '.'; })) {
    return std::nullopt;
  }
  boost::system::error_code ec;
  const auto v6 = boost::asio::ip::make_address_v6(std::string(text), ec);
  if (ec) return std::nullopt;
  IpAddress out;
  out.family = IpAddress::Family::v6;
  out.bytes = v6.to_bytes();
  return out;
}

std::optional<IpAddress> parse_address(std::string_view text) {
  if (auto v4 = parse_ip4(text)) return v4;
  auto v6 = parse_ip6(text);
  if (!v6) return std::nullopt;
  const auto& b = v6->bytes;
  const bool mapped = std::all_of(b.begin(), b.begin() + 10, [](std::uint8_t x) { return x == 0; }) &&
                      b[10] == 0xFF && b[11] == 0xFF;
  if (!mapped) return v6;
  IpAddress v4;
  std::copy(b.begin() + 12, b.end(), v4.bytes.begin());
  return v4;
}

bool in_network(const IpAddress& ip, const IpAddress& network, int prefix) noexcept {
  if (ip.family != network.family) return false;
  prefix = std::clamp(prefix, 0, ip.bits());
  const auto whole = static_cast<std::size_t>(prefix / 8);
  for (std::size_t i = 0; i < whole; ++i) {
    if (ip.bytes[i] != network.bytes[i]) return false;
  }
  const int rest = prefix % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xFF << (8 - rest));
  return (ip.bytes[whole] & mask) == (network.bytes[whole] & mask);
}

std::string to_string(const IpAddress& ip) {
  if (ip.is_v4()) {
    std::string out;
    for (std::size_t i = 0; i < 4; ++i) {
      if (i > 0) out += '.';
      out += std::to_string(ip.bytes[i]);
    }
    return out;
  }
  return boost::asio::ip::address_v6(ip.bytes).to_string();
}

std::string dotted_form(const IpAddress& ip) {
  if (ip.is_v4()) return to_string(ip);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(63);
  for (std::uint8_t byte : ip.bytes) {
    if (!out.empty()) out += '.';
    out += hex[byte >> 4];
    out += '.';
    out += hex[byte & 0xF];
  }
  return out;
}

}  // namespace atrium::mail::auth::spf
