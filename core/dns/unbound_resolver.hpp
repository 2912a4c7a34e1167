// UnboundResolver: the server's resolver, libunbound in asynchronous mode. Queries are started on
// a strand; libunbound's worker thread answers through a file descriptor that the strand waits on
// with Asio, so no I/O thread ever blocks on DNS.
#pragma once

#include "core/dns/resolver.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace atrium::dns {

struct UnboundOptions {
  // Upstream servers ("127.0.0.1", "127.0.0.1@5353", "::1"): queries are forwarded to them, and
  // loopback upstreams are allowed. Empty: the system's /etc/resolv.conf servers, or full
  // recursion from the root when that names none.
  std::vector<std::string> servers;
  // DNSSEC trust anchor file (e.g. /usr/share/dns/root.key). Empty: no validation, every answer
  // is insecure (so DANE is never used).
  std::filesystem::path trust_anchor;
  // Zones served by the upstreams although RFC 6761 reserves them ("test", "example") or they
  // are loopback reverse zones: libunbound otherwise answers them itself (NXDOMAIN, or only
  // "localhost"). Applied only when `servers` is set.
  std::vector<std::string> unblock_zones = {"test", "example", "invalid", "localhost", "127.in-addr.arpa",
                                            "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa"};
};

class UnboundResolver final : public Resolver {
 public:
  // Throws std::runtime_error naming libunbound's reason when the context cannot be set up.
  UnboundResolver(asio::any_io_executor executor, const UnboundOptions& options);
  ~UnboundResolver() override;
  UnboundResolver(const UnboundResolver&) = delete;
  UnboundResolver& operator=(const UnboundResolver&) = delete;

  asio::awaitable<Answer<MxRecord>> mx(std::string name) override;
  asio::awaitable<Answer<std::string>> a(std::string name) override;
  asio::awaitable<Answer<std::string>> aaaa(std::string name) override;
  asio::awaitable<Answer<std::string>> txt(std::string name) override;
  asio::awaitable<Answer<std::string>> ptr(std::string address) override;
  asio::awaitable<Answer<TlsaRecord>> tlsa(std::string name) override;

  struct Raw;  // one completed query: status, DNSSEC flags, rdata of each answer record

 private:
  asio::awaitable<Raw> query(std::string name, int type);
  struct Impl;
  struct Initiate;
  std::shared_ptr<Impl> impl_;
};

}  // namespace atrium::dns
