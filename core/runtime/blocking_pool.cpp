// BlockingPool: a fixed asio::thread_pool for blocking calls.
#include "core/runtime/blocking_pool.hpp"

#include <algorithm>
#include <thread>

namespace atrium::runtime {

namespace {
unsigned resolve_threads(unsigned requested) {
  if (requested != 0) return requested;
  return std::max(2u, std::thread::hardware_concurrency());
}
}  // namespace

BlockingPool::BlockingPool(BlockingPoolOptions options)
    : threads_(resolve_threads(options.threads)), pool_(threads_) {}

BlockingPool::~BlockingPool() { pool_.join(); }

}  // namespace atrium::runtime
