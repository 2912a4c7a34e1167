// Where mail for a domain goes: MX records in preference order (RFC 5321 §5.1), the implicit MX
// (the domain's own A/AAAA) when there is none, the null MX of RFC 7505, and each host's
// addresses. A smarthost, when configured, replaces all of it.
#pragma once

#include "core/dns/resolver.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace atrium::mail::queue {

struct RouteHost {
  std::string name;                    // the MX host name (the TLS name to verify)
  std::vector<std::string> addresses;  // IPv4 first, then IPv6; at most k_max_addresses
  bool secure = false;                 // its address records were DNSSEC-validated
};

enum class RouteStatus {
  ok,         // hosts is non-empty
  temporary,  // DNS failure: try later (4.4.3)
  permanent,  // no such domain (5.1.2), null MX (5.1.10), no usable host (5.4.4)
};

struct Route {
  RouteStatus status = RouteStatus::temporary;
  std::string status_code;  // RFC 3463 code for a failure
  std::string reason;       // for the DSN and the logs
  std::vector<RouteHost> hosts;
  bool mx_secure = false;   // the MX answer itself was DNSSEC-validated (DANE needs it)
  bool implicit_mx = false;
};

struct RouteLimits {
  std::size_t max_hosts = 10;      // MX hosts tried per attempt
  std::size_t max_addresses = 4;   // addresses per host
};

// Resolves the route for `domain` (lower case, A-label). Never throws for DNS outcomes.
asio::awaitable<Route> route_domain(dns::Resolver& resolver, std::string domain, RouteLimits limits = {});

// The route to a fixed host (a smarthost): its addresses, or the host itself when it is an IP.
asio::awaitable<Route> route_host(dns::Resolver& resolver, std::string host, RouteLimits limits = {});

}  // namespace atrium::mail::queue
