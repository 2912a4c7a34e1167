// MX resolution for outbound delivery.
#include "mail/queue/router.hpp"

#include <boost/asio/ip/address.hpp>

namespace atrium::mail::queue {
namespace {

Route failure(RouteStatus status, std::string code, std::string reason) {
  Route r;
  r.status = status;
  r.status_code = std::move(code);
  r.reason = std::move(reason);
  return r;
}

struct HostLookup {
  RouteHost host;
  bool temporary = false;  // an address lookup failed temporarily
};

asio::awaitable<HostLookup> addresses_of(dns::Resolver& resolver, std::string name, std::size_t max) {
  HostLookup out;
  out.host.name = name;
  boost::system::error_code ec;
  auto literal = asio::ip::make_address(name, ec);
  if (!ec) {
    out.host.addresses.push_back(literal.to_string());
    co_return out;
  }
  auto v4 = co_await resolver.a(name);
  auto v6 = co_await resolver.aaaa(name);
  for (auto* answer : {&v4, &v6}) {
    if (answer->status == dns::Status::temporary || answer->status == dns::Status::bogus) out.temporary = true;
    for (auto& a : answer->records) {
      if (out.host.addresses.size() < max) out.host.addresses.push_back(a);
    }
  }
  out.host.secure = v4.secure && v6.secure;
  co_return out;
}

}  // namespace

asio::awaitable<Route> route_domain(dns::Resolver& resolver, std::string domain, RouteLimits limits) {
  auto mx = co_await resolver.mx(domain);
  switch (mx.status) {
    case dns::Status::temporary:
      co_return failure(RouteStatus::temporary, "4.4.3", "MX lookup for " + domain + " failed temporarily");
    case dns::Status::bogus:
      co_return failure(RouteStatus::temporary, "4.7.5", "MX answer for " + domain + " failed DNSSEC validation");
    case dns::Status::nxdomain:
      co_return failure(RouteStatus::permanent, "5.1.2", "domain " + domain + " does not exist");
    case dns::Status::no_data:
    case dns::Status::ok:
      break;
  }
  Route route;
  route.mx_secure = mx.secure;
  std::vector<std::string> names;
  if (mx.status == dns::Status::no_data) {
    // RFC 5321 §5.1: no MX records, the domain itself is the implicit MX.
    route.implicit_mx = true;
    names.push_back(domain);
  } else {
    // RFC 7505: a single MX of "." says the domain accepts no mail at all.
    if (mx.records.size() == 1 && mx.records[0].exchange.empty()) {
      co_return failure(RouteStatus::permanent, "5.1.10", "domain " + domain + " accepts no mail (null MX)");
    }
    for (const auto& r : mx.records) {
      if (r.exchange.empty()) continue;  // a "." among real MXes is ignored
      if (names.size() >= limits.max_hosts) break;
      names.push_back(r.exchange);
    }
  }
  bool temporary = false;
  for (const auto& name : names) {
    auto found = co_await addresses_of(resolver, name, limits.max_addresses);
    temporary = temporary || found.temporary;
    if (!found.host.addresses.empty()) route.hosts.push_back(std::move(found.host));
  }
  if (route.hosts.empty()) {
    if (temporary) co_return failure(RouteStatus::temporary, "4.4.3", "address lookup for the MX of " + domain + " failed");
    if (route.implicit_mx) co_return failure(RouteStatus::permanent, "5.1.2", "domain " + domain + " has no MX and no address");
    co_return failure(RouteStatus::permanent, "5.4.4", "no MX host of " + domain + " has an address");
  }
  route.status = RouteStatus::ok;
  co_return route;
}

asio::awaitable<Route> route_host(dns::Resolver& resolver, std::string host, RouteLimits limits) {
  auto found = co_await addresses_of(resolver, host, limits.max_addresses);
  if (found.host.addresses.empty()) {
    if (found.temporary) co_return failure(RouteStatus::temporary, "4.4.3", "address lookup for " + host + " failed");
    co_return failure(RouteStatus::temporary, "4.4.4", "relay host " + host + " has no address");
  }
  Route route;
  route.status = RouteStatus::ok;
  route.hosts.push_back(std::move(found.host));
  co_return route;
}

}  // namespace atrium::mail::queue
