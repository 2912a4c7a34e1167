// IoRuntime: the process's one io_context, run by a fixed set of threads, plus the SIGTERM/SIGINT
// hook that starts a graceful shutdown. Every connection coroutine runs on this context.
#pragma once

#include "core/runtime/asio.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <functional>
#include <memory>
#include <mutex>
#include <optional>

namespace atrium::runtime {

struct IoRuntimeOptions {
  // Threads that run the io_context; 0 means std::thread::hardware_concurrency() (at least 1).
  unsigned threads = 0;
};

enum class StopMode {
  // Stop at once: handlers still queued are not run (they are destroyed with the context).
  immediate,
  // Let run() return once no work is left (no pending I/O, timers or posted handlers). The
  // signal hook is removed. Use after listeners were stopped and sessions told to finish.
  drain,
};

class IoRuntime {
 public:
  explicit IoRuntime(IoRuntimeOptions options = {});
  // Stops the context if it is still running. Must not be called from one of its threads.
  ~IoRuntime();
  IoRuntime(const IoRuntime&) = delete;
  IoRuntime& operator=(const IoRuntime&) = delete;

  asio::io_context& context() noexcept { return io_; }
  asio::any_io_executor executor() noexcept { return io_.get_executor(); }
  unsigned threads() const noexcept { return threads_; }

  // Installs a SIGTERM/SIGINT handler. On the first signal `callback(signal_number)` runs once, on
  // an I/O thread; it should stop listeners, interrupt sessions and finally call stop(). A second
  // signal stops the runtime immediately, for an operator whose graceful shutdown is stuck.
  // Call once, before run().
  void on_shutdown_signal(std::function<void(int)> callback);

  // Runs the io_context on the calling thread and threads()-1 more; blocks until stop() (or, in
  // drain mode, until the work ran out), then joins the extra threads. An exception escaping a
  // handler is logged and the thread keeps running: one bad handler must not take the server
  // down. Call at most once.
  void run();

  // Thread-safe; may be called from a handler. See StopMode.
  void stop(StopMode mode = StopMode::immediate);

 private:
  void wait_for_signal();
  void run_thread() noexcept;

  asio::io_context io_;
  unsigned threads_;
  std::mutex mutex_;  // guards work_
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::unique_ptr<asio::signal_set> signals_;  // used only on I/O threads after run() starts
  std::function<void(int)> on_signal_;
  bool signalled_ = false;  // touched only by the signal handler, which never runs concurrently
};

}  // namespace atrium::runtime
