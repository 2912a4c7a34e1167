// IoRuntime: an io_context per I/O thread and the shutdown-signal hook.
#include "core/runtime/io_runtime.hpp"

#include "core/log/log.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include <pthread.h>

#include <csignal>
#include <exception>
#include <thread>
#include <vector>

namespace atrium::runtime {

namespace {
unsigned resolve_threads(unsigned requested) {
  if (requested != 0) return requested;
  unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : hw;
}
}  // namespace

IoRuntime::IoRuntime(IoRuntimeOptions options) : threads_(resolve_threads(options.threads)) {
  for (unsigned i = 0; i < threads_; ++i) {
    // One thread runs each context: the hint lets Asio leave out what only concurrent runs need.
    contexts_.push_back(std::make_unique<asio::io_context>(1));
    work_.emplace_back(contexts_.back()->get_executor());
  }
}

IoRuntime::~IoRuntime() {
  for (auto& io : contexts_) io->stop();
}

asio::any_io_executor IoRuntime::connection_executor() noexcept {
  return contexts_[next_.fetch_add(1, std::memory_order_relaxed) % threads_]->get_executor();
}

void IoRuntime::on_shutdown_signal(std::function<void(int)> callback) {
  on_signal_ = std::move(callback);
  // A strand, because stop() cancels the set from whichever thread calls it.
  signals_ = std::make_unique<asio::signal_set>(asio::make_strand(context()), SIGTERM, SIGINT);
  wait_for_signal();
}

void IoRuntime::wait_for_signal() {
  signals_->async_wait([this](const boost::system::error_code& ec, int signo) {
    if (ec) return;  // cancelled by stop()
    if (signalled_) {
      log::warn("runtime.forced_stop", "signal", signo);
      stop(StopMode::immediate);
      return;
    }
    signalled_ = true;
    log::info("runtime.shutdown_signal", "signal", signo);
    if (on_signal_) on_signal_(signo);
    wait_for_signal();
  });
}

void IoRuntime::run_thread(asio::io_context& io) noexcept {
  for (;;) {
    try {
      io.run();
      return;
    } catch (const std::exception& e) {
      log::error("runtime.handler_exception", "what", e.what());
    } catch (...) {
      log::error("runtime.handler_exception", "what", "non-standard exception");
    }
  }
}

void IoRuntime::run() {
  log::info("runtime.start", "threads", threads_);
  std::vector<std::thread> extra;
  extra.reserve(threads_ - 1);
  for (unsigned i = 1; i < threads_; ++i) {
    extra.emplace_back([this, i] {
      ::pthread_setname_np(::pthread_self(), "atrium-io");  // the main thread keeps the process's name
      run_thread(*contexts_[i]);
    });
  }
  run_thread(*contexts_.front());
  for (auto& t : extra) t.join();
  log::info("runtime.stopped");
}

void IoRuntime::stop(StopMode mode) {
  {
    std::lock_guard lock(mutex_);
    work_.clear();
  }
  if (mode == StopMode::immediate) {
    for (auto& io : contexts_) io->stop();
    return;
  }
  // The signal_set counts as work; it is cancelled on an I/O thread because it is not thread-safe.
  if (signals_) asio::post(signals_->get_executor(), [this] { signals_->cancel(); });
}

}  // namespace atrium::runtime
