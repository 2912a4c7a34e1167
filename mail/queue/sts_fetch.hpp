// Fetching an MTA-STS policy (RFC 8461 §3.3): HTTPS GET of
// https://mta-sts.<domain>/.well-known/mta-sts.txt with a certificate valid for that name, no
// redirects, a size cap and a timeout. The host's addresses come from the mail resolver, so the
// fetch follows the same DNS as delivery.
#pragma once

#include "core/dns/resolver.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <cstdint>
#include <string>

namespace atrium::mail::queue {

struct StsFetchOptions {
  std::uint16_t port = 443;  // tests serve the policy on an unprivileged port
  std::chrono::seconds timeout{30};
};

struct StsFetchResult {
  bool ok = false;
  std::string body;   // the policy file when ok
  std::string error;  // why not, for the logs
};

// `tls` must verify peers (client context with CA paths loaded); the certificate is checked
// against "mta-sts.<domain>". Never throws for network or HTTP failures.
asio::awaitable<StsFetchResult> fetch_sts_policy(asio::any_io_executor executor, dns::Resolver& resolver,
                                                 ssl::context& tls, std::string domain,
                                                 StsFetchOptions options = {});

}  // namespace atrium::mail::queue
