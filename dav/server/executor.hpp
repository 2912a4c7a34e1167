// The WebDAV/CalDAV executor: one HTTP request from an authenticated caller in, one response out,
// over the store. Synchronous and socket-free (the HTTP glue runs it on a store-pool thread), so
// it is tested in memory with a real store.
#pragma once

#include "core/http/router.hpp"
#include "storage/store.hpp"
#include "storage/types.hpp"

#include <cstddef>
#include <memory>
#include <string>

namespace atrium::dav {

// Who is asking: the principal a login resolved to.
struct Caller {
  storage::PrincipalId principal = 0;
  std::string email;
};

struct ExecutorOptions {
  std::size_t max_resource_bytes = 10u << 20;  // CALDAV:max-resource-size; larger PUTs get 403/413
  std::size_t max_sync_results = 1000;         // sync-collection answers at most this many, then 507
  std::size_t max_multiget_hrefs = 5000;       // hrefs in one multiget
  std::size_t max_query_objects = 100000;      // objects a calendar-query evaluates before 507
  std::string hostname = "localhost";          // Message-IDs of iMIP mail to external attendees
};

class Executor {
 public:
  Executor(storage::Store& store, ExecutorOptions options = {});
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // Runs one request under the "/dav/" tree. Blocking (store reads and writes, libical): call it
  // from a pool thread. Never throws for anything the client sends; a store failure becomes 503
  // (temporary) or 500.
  http::Response execute(const http::Request& request, const Caller& caller);

  struct State;

 private:
  std::unique_ptr<State> state_;
};

}  // namespace atrium::dav
