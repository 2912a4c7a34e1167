// BlockingPool and run_blocking: where blocking work (Argon2 checks, fsync, libical on big
// inputs) runs so that it never stalls an I/O thread; the awaiting coroutine resumes where it was.
#pragma once

#include "core/runtime/asio.hpp"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

namespace atrium::runtime {

struct BlockingPoolOptions {
  // Worker threads; 0 means max(2, hardware_concurrency()).
  unsigned threads = 0;
};

class BlockingPool {
 public:
  explicit BlockingPool(BlockingPoolOptions options = {});
  // Waits for every queued function to finish (they are finite by contract), then joins.
  ~BlockingPool();
  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;

  asio::thread_pool::executor_type executor() noexcept { return pool_.get_executor(); }
  unsigned threads() const noexcept { return threads_; }

 private:
  unsigned threads_;
  asio::thread_pool pool_;
};

namespace detail {
template <class R>
struct BlockingSlot {
  std::optional<R> value;
  template <class F> void fill(F& f) { value.emplace(f()); }
  R take() { return std::move(*value); }
};
template <>
struct BlockingSlot<void> {
  template <class F> void fill(F& f) { f(); }
  void take() {}
};
}  // namespace detail

// Runs `f()` on `pool` and returns its result to the awaiting coroutine, which resumes on its own
// executor (so a session on a strand stays on its strand). An exception thrown by `f` is rethrown
// in the coroutine. `f` is moved into the coroutine frame and must not touch state owned by the
// I/O threads without its own synchronisation. Not cancellable: once started, `f` runs to the end,
// and while it runs the caller's io_context counts as having work (drain waits for it).
template <class F>
asio::awaitable<std::invoke_result_t<F&>> run_blocking(BlockingPool& pool, F f) {
  using R = std::invoke_result_t<F&>;
  detail::BlockingSlot<R> slot;
  // The frame (and so `f` and `slot`) stays alive until the completion handler runs or is
  // destroyed, and the pool writes `slot` before it hands the handler back, so plain references
  // are safe here.
  co_await asio::async_initiate<const asio::use_awaitable_t<>, void(std::exception_ptr)>(
      [&pool, &f, &slot](auto handler) {
        auto home = asio::prefer(asio::get_associated_executor(handler),
                                 asio::execution::outstanding_work.tracked);
        asio::post(pool.executor(), [&f, &slot, home = std::move(home), handler = std::move(handler)]() mutable {
          std::exception_ptr error;
          try {
            slot.fill(f);
          } catch (...) {
            error = std::current_exception();
          }
          asio::post(home, [handler = std::move(handler), error]() mutable { std::move(handler)(error); });
        });
      },
      asio::use_awaitable);
  co_return slot.take();
}

}  // namespace atrium::runtime
