// IoRuntime (threads, stop modes, the shutdown signal) and run_blocking (result, exceptions,
// resuming on the caller's strand).
#include "core/runtime/blocking_pool.hpp"
#include "core/runtime/io_runtime.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_future.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

namespace atrium::runtime {
namespace {

using namespace std::chrono_literals;

TEST(IoRuntime, RunsOnTheRequestedThreadsUntilStopped) {
  IoRuntime rt({.threads = 3});
  EXPECT_EQ(rt.threads(), 3u);
  std::mutex m;
  std::set<std::thread::id> seen;
  std::atomic<int> done{0};
  for (int i = 0; i < 64; ++i) {
    asio::post(rt.connection_executor(), [&] {
      std::this_thread::sleep_for(2ms);
      std::lock_guard lock(m);
      seen.insert(std::this_thread::get_id());
      if (++done == 64) rt.stop();
    });
  }
  rt.run();  // returns only because of stop(), not for lack of work
  EXPECT_EQ(done.load(), 64);
  EXPECT_GE(seen.size(), 2u);
  EXPECT_LE(seen.size(), 3u);
}

TEST(IoRuntime, EachContextRunsOnOneThreadAndConnectionsTakeThemInTurn) {
  IoRuntime rt({.threads = 3});
  std::mutex m;
  std::map<int, std::set<std::thread::id>> threads_of;  // context (in turn) -> threads it ran on
  std::atomic<int> done{0};
  for (int i = 0; i < 60; ++i) {
    asio::post(rt.connection_executor(), [&, i] {
      std::this_thread::sleep_for(1ms);
      std::lock_guard lock(m);
      threads_of[i % 3].insert(std::this_thread::get_id());
      if (++done == 60) rt.stop();
    });
  }
  rt.run();
  ASSERT_EQ(threads_of.size(), 3u);
  std::set<std::thread::id> all;
  for (const auto& [context, threads] : threads_of) {
    EXPECT_EQ(threads.size(), 1u) << "context " << context;
    all.insert(threads.begin(), threads.end());
  }
  EXPECT_EQ(all.size(), 3u);
}

TEST(IoRuntime, DefaultsToOneThreadPerCore) {
  IoRuntime rt;
  EXPECT_EQ(rt.threads(), std::max(1u, std::thread::hardware_concurrency()));
}

TEST(IoRuntime, DrainReturnsWhenTheWorkIsDone) {
  IoRuntime rt({.threads = 2});
  rt.on_shutdown_signal([](int) {});
  std::atomic<bool> finished{false};
  asio::co_spawn(rt.context(), [&]() -> asio::awaitable<void> {
    asio::steady_timer t(co_await asio::this_coro::executor);
    rt.stop(StopMode::drain);  // the timer below is still work: run() must wait for it
    t.expires_after(100ms);
    co_await t.async_wait(asio::use_awaitable);
    finished = true;
  }, asio::detached);
  rt.run();
  EXPECT_TRUE(finished.load());
}

TEST(IoRuntime, ShutdownSignalRunsTheCallbackOnceAndASecondSignalForcesStop) {
  IoRuntime rt({.threads = 2});
  std::atomic<int> calls{0};
  std::atomic<int> signo{0};
  rt.on_shutdown_signal([&](int s) {
    ++calls;
    signo = s;
    // A graceful shutdown that never finishes: only the second signal ends run().
    std::raise(SIGINT);
  });
  asio::post(rt.context(), [] { std::raise(SIGTERM); });
  rt.run();
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(signo.load(), SIGTERM);
}

TEST(IoRuntime, HandlerExceptionDoesNotStopTheRuntime) {
  IoRuntime rt({.threads = 1});
  std::atomic<bool> after{false};
  asio::post(rt.context(), [] { throw std::runtime_error("bug"); });
  asio::post(rt.context(), [&] {
    after = true;
    rt.stop();
  });
  rt.run();
  EXPECT_TRUE(after.load());
}

TEST(RunBlocking, ReturnsTheResultAndResumesOnTheCallersStrand) {
  asio::io_context io;
  BlockingPool pool({.threads = 2});
  auto strand = asio::make_strand(io);
  auto fut = asio::co_spawn(strand, [&]() -> asio::awaitable<bool> {
    const auto io_thread = std::this_thread::get_id();
    auto [value, worker] = co_await run_blocking(pool, [] {
      std::this_thread::sleep_for(20ms);  // a blocking call, e.g. Argon2
      return std::pair{42, std::this_thread::get_id()};
    });
    EXPECT_EQ(value, 42);
    EXPECT_NE(worker, io_thread);
    co_return strand.running_in_this_thread();
  }, asio::use_future);
  io.run();
  EXPECT_TRUE(fut.get());
}

TEST(RunBlocking, PropagatesExceptions) {
  asio::io_context io;
  BlockingPool pool({.threads = 1});
  auto fut = asio::co_spawn(io, [&]() -> asio::awaitable<std::string> {
    try {
      co_await run_blocking(pool, []() -> int { throw std::runtime_error("disk full"); });
    } catch (const std::runtime_error& e) {
      co_return e.what();
    }
    co_return "no exception";
  }, asio::use_future);
  io.run();
  EXPECT_EQ(fut.get(), "disk full");
}

TEST(RunBlocking, SupportsVoidAndMoveOnlyResults) {
  asio::io_context io;
  BlockingPool pool;
  EXPECT_GE(pool.threads(), 2u);
  std::atomic<bool> ran{false};
  auto fut = asio::co_spawn(io, [&]() -> asio::awaitable<int> {
    co_await run_blocking(pool, [&] { ran = true; });
    auto p = co_await run_blocking(pool, [] { return std::make_unique<int>(7); });
    co_return *p;
  }, asio::use_future);
  io.run();
  EXPECT_EQ(fut.get(), 7);
  EXPECT_TRUE(ran.load());
}

TEST(RunBlocking, KeepsTheIoContextAliveWhileTheFunctionRuns) {
  asio::io_context io;
  BlockingPool pool({.threads = 1});
  std::atomic<bool> resumed{false};
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    co_await run_blocking(pool, [] { std::this_thread::sleep_for(100ms); });
    resumed = true;
  }, asio::detached);
  io.run();  // would return early if nothing counted the pending blocking call as work
  EXPECT_TRUE(resumed.load());
}

}  // namespace
}  // namespace atrium::runtime
