// Runs check_host / check_helo to completion on a private io_context, for the SPF unit tests.
#pragma once

#include "mail/auth/spf/spf.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

namespace atrium::mail::auth::spf::testing {

inline Result run_check(dns::Resolver& resolver, Request request, Identity identity = Identity::mailfrom,
                        Limits limits = {}) {
  boost::asio::io_context io;
  auto future = boost::asio::co_spawn(io,
                                      identity == Identity::helo ? check_helo(std::move(request), resolver, limits)
                                                                 : check_host(std::move(request), resolver, limits),
                                      boost::asio::use_future);
  io.run();
  return future.get();
}

}  // namespace atrium::mail::auth::spf::testing
