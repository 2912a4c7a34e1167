// IoRuntime: one io_context per I/O thread, plus the SIGTERM/SIGINT hook that starts a graceful
// shutdown. Connections are spread over the contexts (connection_executor()) and each stays on its
// thread: no lock of a shared scheduler, no handing of handlers between I/O threads. The first
// context (context(), executor()) also carries the process-wide work: timers, the resolver, the
// outbound worker, the signal hook.
#pragma once

#include "core/runtime/asio.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace atrium::runtime {

struct IoRuntimeOptions {
  // I/O threads, each with an io_context of its own; 0 means std::thread::hardware_concurrency()
  // (at least 1).
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

  // The first context: process-wide services and timers.
  asio::io_context& context() noexcept { return *contexts_.front(); }
  asio::any_io_executor executor() noexcept { return contexts_.front()->get_executor(); }
  // The context of the next connection, in turn. Thread-safe. Each context is run by one thread,
  // so a connection needs no strand on it.
  asio::any_io_executor connection_executor() noexcept;
  unsigned threads() const noexcept { return threads_; }

  // Installs a SIGTERM/SIGINT handler. On the first signal `callback(signal_number)` runs once, on
  // an I/O thread; it should stop listeners, interrupt sessions and finally call stop(). A second
  // signal stops the runtime immediately, for an operator whose graceful shutdown is stuck.
  // Call once, before run().
  void on_shutdown_signal(std::function<void(int)> callback);

  // Runs the first context on the calling thread and each other on a thread of its own; blocks
  // until stop() (or, in drain mode, until every context's work ran out), then joins them. An
  // exception escaping a handler is logged and the thread keeps running: one bad handler must not
  // take the server down. Call at most once.
  void run();

  // Thread-safe; may be called from a handler. See StopMode.
  void stop(StopMode mode = StopMode::immediate);

 private:
  void wait_for_signal();
  void run_thread(asio::io_context& io) noexcept;

  unsigned threads_;
  // Declared before everything that refers to them (the work guards, the signal set's strand):
  // members are destroyed in reverse order, so the contexts outlive those.
  std::vector<std::unique_ptr<asio::io_context>> contexts_;
  std::atomic<unsigned> next_{0};
  std::mutex mutex_;  // guards work_
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::unique_ptr<asio::signal_set> signals_;  // used only on I/O threads after run() starts
  std::function<void(int)> on_signal_;
  bool signalled_ = false;  // touched only by the signal handler, which never runs concurrently
};

}  // namespace atrium::runtime
