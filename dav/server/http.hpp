// The HTTP side of DAV: RFC 6764 well-known redirects, HTTP Basic authentication (through the
// one Authenticator, with a login cache) and the executor run off the I/O threads.
#pragma once

#include "core/auth/authenticator.hpp"
#include "core/http/router.hpp"
#include "core/runtime/blocking_pool.hpp"
#include "dav/server/executor.hpp"
#include "storage/store.hpp"

namespace atrium::dav {

struct HttpServices {
  storage::Store& store;
  auth::Authenticator& authenticator;
  runtime::BlockingPool& cpu;         // password checks
  runtime::BlockingPool& store_pool;  // the executor (store reads, commits, libical)
  ExecutorOptions options;
};

// Registers /.well-known/caldav, /.well-known/carddav and the /dav/ tree. `services` must outlive
// the router.
void add_routes(http::Router& router, HttpServices services);

}  // namespace atrium::dav
