// Parsers for sizes, host names, endpoints and networks (see values.hpp for the grammar).
#include "core/config/values.hpp"

#include "core/text/ascii.hpp"

#include <arpa/inet.h>

#include <fmt/format.h>

#include <array>
#include <charconv>

namespace atrium::config {
namespace {

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool fail(std::string& why, std::string text) {
  why = std::move(text);
  return false;
}

struct Suffix {
  std::string_view short_name;
  std::string_view long_name;
  unsigned shift;
};
constexpr std::array<Suffix, 4> k_suffixes{{{"K", "KiB", 10}, {"M", "MiB", 20}, {"G", "GiB", 30}, {"T", "TiB", 40}}};

bool is_ipv4(std::string_view s) {
  std::array<unsigned char, 4> buf{};
  return ::inet_pton(AF_INET, std::string(s).c_str(), buf.data()) == 1;
}

bool is_ipv6(std::string_view s) {
  std::array<unsigned char, 16> buf{};
  return ::inet_pton(AF_INET6, std::string(s).c_str(), buf.data()) == 1;
}

}  // namespace

std::optional<std::uint64_t> parse_size(std::string_view text, std::string& why) {
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0) {
    why = "expected a number of bytes, optionally with a K, M, G or T suffix (e.g. 50M)";
    return std::nullopt;
  }
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + digits, value);
  if (ec != std::errc()) {
    why = "size too large";
    return std::nullopt;
  }
  (void)end;
  std::string_view suffix = text.substr(digits);
  if (suffix.empty()) return value;
  for (const auto& s : k_suffixes) {
    if (text::iequals(suffix, s.short_name) || text::iequals(suffix, s.long_name)) {
      if (value > (UINT64_MAX >> s.shift)) {
        why = "size too large";
        return std::nullopt;
      }
      return value << s.shift;
    }
  }
  why = fmt::format("unknown size suffix \"{}\" (use K, M, G or T, binary multiples)", suffix);
  return std::nullopt;
}

std::string format_size(std::uint64_t bytes) {
  if (bytes == 0) return "0";
  for (auto it = k_suffixes.rbegin(); it != k_suffixes.rend(); ++it) {
    std::uint64_t unit = std::uint64_t{1} << it->shift;
    if (bytes % unit == 0) return fmt::format("{}{}", bytes / unit, it->short_name);
  }
  return fmt::format("{}", bytes);
}

bool valid_hostname(std::string_view name, std::string& why) {
  if (name.empty()) return fail(why, "empty host name");
  if (name.size() > 253) return fail(why, "host name longer than 253 characters");
  if (name.back() == '.') return fail(why, "host name must not end with '.'");
  std::string_view last_label;
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t dot = name.find('.', start);
    if (dot == std::string_view::npos) dot = name.size();
    std::string_view label = name.substr(start, dot - start);
    if (label.empty()) return fail(why, "empty label in host name");
    if (label.size() > 63) return fail(why, "label longer than 63 characters in host name");
    if (label.front() == '-' || label.back() == '-') return fail(why, "label starts or ends with '-' in host name");
    for (char c : label) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
      if (!ok) return fail(why, fmt::format("character '{}' not allowed in host name", c));
    }
    last_label = label;
    start = dot + 1;
  }
  if (all_digits(last_label)) return fail(why, "not a host name (numeric last label)");
  return true;
}

std::string Endpoint::to_string() const {
  if (kind == HostKind::ipv6) return fmt::format("[{}]:{}", host, port);
  return fmt::format("{}:{}", host, port);
}

std::optional<Endpoint> parse_endpoint(std::string_view text, std::string& why) {
  Endpoint ep;
  std::string_view rest;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos) {
      why = "missing ']' after IPv6 address";
      return std::nullopt;
    }
    std::string_view inner = text.substr(1, close - 1);
    if (!is_ipv6(inner)) {
      why = "invalid IPv6 address";
      return std::nullopt;
    }
    ep.host = std::string(inner);
    ep.kind = HostKind::ipv6;
    rest = text.substr(close + 1);
    if (rest.empty() || rest.front() != ':') {
      why = "missing port (expected [address]:port)";
      return std::nullopt;
    }
    rest.remove_prefix(1);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      why = "missing port (expected host:port)";
      return std::nullopt;
    }
    std::string_view host = text.substr(0, colon);
    rest = text.substr(colon + 1);
    if (host == "*") {
      why = "\"*\" is not an address; use 0.0.0.0 for every IPv4 address or [::] for every address";
      return std::nullopt;
    }
    if (host.empty()) {
      why = "missing host; use 0.0.0.0 for every IPv4 address or [::] for every address";
      return std::nullopt;
    }
    if (host.find(':') != std::string_view::npos) {
      why = "an IPv6 address must be in brackets, e.g. [::1]:143";
      return std::nullopt;
    }
    bool dotted_numbers = host.find_first_not_of("0123456789.") == std::string_view::npos;
    if (dotted_numbers) {
      if (!is_ipv4(host)) {
        why = "invalid IPv4 address";
        return std::nullopt;
      }
      ep.kind = HostKind::ipv4;
    } else {
      std::string name_why;
      if (!valid_hostname(host, name_why)) {
        why = name_why;
        return std::nullopt;
      }
      ep.kind = HostKind::name;
    }
    ep.host.reserve(host.size());
    for (char c : host) ep.host += text::ascii_lower(c);
  }
  if (rest.empty()) {
    why = "missing port";
    return std::nullopt;
  }
  if (!all_digits(rest)) {
    why = "port is not a number";
    return std::nullopt;
  }
  unsigned long port = 0;
  auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), port);
  (void)end;
  if (ec != std::errc() || port < 1 || port > 65535) {
    why = "port out of range (1-65535)";
    return std::nullopt;
  }
  ep.port = static_cast<std::uint16_t>(port);
  return ep;
}

bool valid_network(std::string_view text, std::string& why) {
  auto slash = text.find('/');
  std::string_view addr = text.substr(0, slash);
  unsigned max_prefix = 0;
  if (is_ipv4(addr)) {
    max_prefix = 32;
  } else if (is_ipv6(addr)) {
    max_prefix = 128;
  } else {
    return fail(why, "not an IP address or network (e.g. 10.0.0.0/8, 2001:db8::/32)");
  }
  if (slash == std::string_view::npos) return true;
  std::string_view prefix = text.substr(slash + 1);
  unsigned bits = 0;
  auto [end, ec] = std::from_chars(prefix.data(), prefix.data() + prefix.size(), bits);
  if (!all_digits(prefix) || ec != std::errc() || end != prefix.data() + prefix.size() || bits > max_prefix) {
    return fail(why, fmt::format("prefix length must be 0-{}", max_prefix));
  }
  return true;
}

}  // namespace atrium::config
