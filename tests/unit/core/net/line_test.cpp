// read_line / read_exact / write_all over a real loopback connection: limits, timeouts,
// end of stream, interrupts, and that a read timeout leaves the stream writable.
#include "core/net/line.hpp"
#include "tests/unit/core/net/net_test_support.hpp"

#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/write.hpp>

#include <gtest/gtest.h>

namespace atrium::net {
namespace {

using namespace std::chrono_literals;
using test::run;

constexpr auto long_wait = 5s;

asio::awaitable<void> send(tcp::socket& s, std::string_view data) {
  co_await asio::async_write(s, asio::buffer(data), asio::use_awaitable);
}

TEST(ReadLine, ReturnsLinesWithoutLineEndingAndKeepsPipelinedBytes) {
  asio::io_context io;
  run(io, []() -> asio::awaitable<void> {
    auto [client, server] = co_await test::connected_pair();
    Stream stream(std::move(server));
    Buffer buf;
    co_await send(client, "A1 NOOP\r\nA2 LOGOUT\r\nA3 partial");
    auto r1 = co_await read_line(stream, buf, 100, long_wait);
    EXPECT_TRUE(r1.ok());
    EXPECT_EQ(r1.data, "A1 NOOP");
    EXPECT_FALSE(r1.bare_lf);
    auto r2 = co_await read_line(stream, buf, 100, long_wait);
    EXPECT_EQ(r2.data, "A2 LOGOUT");
    EXPECT_EQ(buf.size(), std::string_view("A3 partial").size());
    co_await send(client, " line\r\n");
    auto r3 = co_await read_line(stream, buf, 100, long_wait);
    EXPECT_EQ(r3.data, "A3 partial line");
    EXPECT_EQ(buf.size(), 0u);
  }());
}

TEST(ReadLine, FlagsBareLineFeed) {
  asio::io_context io;
  run(io, []() -> asio::awaitable<void> {
    auto [client, server] = co_await test::connected_pair();
    Stream stream(std::move(server));
    Buffer buf;
    co_await send(client, "bare\n\r\n");
    auto r = co_await read_line(stream, buf, 100, long_wait);
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r.data, "bare");
    EXPECT_TRUE(r.bare_lf);
    auto empty = co_await read_line(stream, buf, 100, long_wait);
    EXPECT_TRUE(empty.ok());
    EXPECT_EQ(empty.data, "");
    EXPECT_FALSE(empty.bare_lf);
  }());
}

TEST(ReadLine, AcceptsExactlyMaxLenAndRejectsOneMoreButStaysInStep) {
  asio::io_context io;
  run(io, []() -> asio::awaitable<void> {
    auto [client, server] = co_await test::connected_pair();
    Stream stream(std::move(server));
    Buffer buf;
    co_await send(client, std::string(10, 'a') + "\r\n" + std::string(11, 'b') + "\r\nnext\r\n");
    auto ok = co_await read_line(stream, buf, 10, long_wait);
    EXPECT_TRUE(ok.ok());
    EXPECT_EQ(ok.data, std::string(10, 'a'));
    auto too_long = co_await read_line(stream, buf, 10, long_wait);
    EXPECT_EQ(too_long.error, ReadError::too_long);
    auto next = co_await read_line(stream, buf, 10, long_wait);
    EXPECT_EQ(next.data, "next");
  }());
}

TEST(ReadLine, GivesUpOnAnEndlessLineWithoutWaitingForItsEnd) {
  asio::io_context io;
  run(io, []() -> asio::awaitable<void> {
    auto [client, server] = co_await test::connected_pair();
    Stream stream(std::move(server));
    Buffer buf;
    co_await send(client, std::string(5000, 'x'));  // no line ending, and none will come
    auto r = co_await read_line(stream, buf, 1000, long_wait);
    EXPECT_EQ(r.error, ReadError::too_long);
    EXPECT_LT(buf.size(), 5000u);  // the oversized start was dropped
  }());
}

TEST(ReadLine, TimesOutAndTheStreamCanStillSayGoodbye) {
  asio::io_context io;
  run(io, []() -> asio::awaitable<void> {
    auto [client, server] = co_await test::connected_pair();
    Stream stream(std::move(server));
    Buffer buf;
    co_await send(client, "no newline yet");
    const auto t0 = std::chrono::steady_clock::now();
    auto r = co_await read_line(stream, buf, 100, 150ms);
    const auto took = std::chrono::steady_clock::now() - t0;
    EXPECT_EQ(r.error, ReadError::timeout);
    EXPECT_GE(took, 140ms);
    EXPECT_LT(took, 3s);
    auto w = co_await write_all(stream, "* BYE idle too long\r\n", long_wait);
    EXPECT_TRUE(w.ok()) << w.cause.message();
    std::string got(21, '\0');
    co_await asio::async_read(client, asio::buffer(got), asio::use_awaitable);
    EXPECT_EQ(got, "* BYE idle too long\r\n");
    // A later read fails at once instead of waiting for another timeout.
    auto again = co_await read_line(stream, buf, 100, long_wait);
    EXPECT_FALSE(again.ok());
  }());
}

// Each read's deadline counts from that read: guards that follow each other within one timeout
// never cut the stream, however long they last together, and a short guard after a long one
// fires after its own timeout (whatever timer the stream keeps for the scope).
TEST(ReadLine, SuccessiveDeadlinesEachHoldTheirOwnTimeout) {
  asio::io_context io;
  run(io, []() -> asio::awaitable<void> {
    auto [client, server] = co_await test::connected_pair();
    Stream stream(std::move(server));
    Buffer buf;
    asio::steady_timer pause(co_await asio::this_coro::executor);
    // Six reads of 200 ms each, one line every 60 ms: 360 ms in all, longer than one timeout.
    for (int i = 0; i < 6; ++i) {
      pause.expires_after(60ms);
      co_await pause.async_wait(asio::use_awaitable);
      co_await send(client, "tick\r\n");
      auto r = co_await read_line(stream, buf, 100, 200ms);
      EXPECT_TRUE(r.ok()) << "read " << i;
    }
    // Idle past the last wait (it ends without a guard), then a long guard, which starts a wait
    // of its own, then a short one: the short one fires after its own timeout.
    pause.expires_after(300ms);
    co_await pause.async_wait(asio::use_awaitable);
    co_await send(client, "one more\r\n");
    auto r = co_await read_line(stream, buf, 100, long_wait);
    EXPECT_TRUE(r.ok());
    const auto t0 = std::chrono::steady_clock::now();
    auto late = co_await read_line(stream, buf, 100, 150ms);
    const auto took = std::chrono::steady_clock::now() - t0;
    EXPECT_EQ(late.error, ReadError::timeout);
    EXPECT_GE(took, 140ms);
    EXPECT_LT(took, 2s);
  }());
}

TEST(ReadLine, ReportsEofWhenThePeerClosesMidLine) {
  asio::io_context io;
  run(io, []() -> asio::awaitable<void> {
    auto [client, server] = co_await test::connected_pair();
    Stream stream(std::move(server));
    Buffer buf;
    co_await send(client, "half a li");
    client.close();
    auto r = co_await read_line(stream, buf, 100, long_wait);
    EXPECT_EQ(r.error, ReadError::eof);
  }());
}

TEST(ReadLine, InterruptEndsAPendingReadWithCancelled) {
  asio::io_context io;
  run(io, []() -> asio::awaitable<void> {
    auto [client, server] = co_await test::connected_pair();
    Stream stream(std::move(server));
    Buffer buf;
    asio::steady_timer t(co_await asio::this_coro::executor);
    t.expires_after(50ms);
    t.async_wait([h = stream.handle()](const error_code&) { h.interrupt(); });
    auto r = co_await read_line(stream, buf, 100, long_wait);
    EXPECT_EQ(r.error, ReadError::cancelled);
    EXPECT_TRUE(stream.interrupted());
    auto w = co_await write_all(stream, "* BYE shutting down\r\n", long_wait);
    EXPECT_TRUE(w.ok());
  }());
}

TEST(ReadExact, TakesBufferedBytesFirstThenReadsTheRest) {
  asio::io_context io;
  run(io, []() -> asio::awaitable<void> {
    auto [client, server] = co_await test::connected_pair();
    Stream stream(std::move(server));
    Buffer buf;
    co_await send(client, "A1 APPEND INBOX {10}\r\n0123");
    auto cmd = co_await read_line(stream, buf, 100, long_wait);
    EXPECT_EQ(cmd.data, "A1 APPEND INBOX {10}");
    co_await send(client, "456789)\r\n");
    auto lit = co_await read_exact(stream, buf, 10, long_wait);
    EXPECT_TRUE(lit.ok());
    EXPECT_EQ(lit.data, "0123456789");
    auto rest = co_await read_line(stream, buf, 100, long_wait);
    EXPECT_EQ(rest.data, ")");
  }());
}

TEST(ReadExact, TimesOutWhenDataStops) {
  asio::io_context io;
  run(io, []() -> asio::awaitable<void> {
    auto [client, server] = co_await test::connected_pair();
    Stream stream(std::move(server));
    Buffer buf;
    co_await send(client, "abc");
    auto r = co_await read_exact(stream, buf, 10, 100ms);
    EXPECT_EQ(r.error, ReadError::timeout);
  }());
}

TEST(WriteAll, TimesOutWhenThePeerStopsReading) {
  asio::io_context io;
  run(io, []() -> asio::awaitable<void> {
    auto [client, server] = co_await test::connected_pair();
    client.set_option(asio::socket_base::receive_buffer_size(4096));
    server.set_option(asio::socket_base::send_buffer_size(4096));
    Stream stream(std::move(server));
    const std::string big(32 << 20, 'z');  // far more than the socket buffers hold
    const auto t0 = std::chrono::steady_clock::now();
    auto r = co_await write_all(stream, big, 200ms);
    EXPECT_EQ(r.error, WriteError::timeout);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  }());
}

TEST(WriteAll, ReportsIoErrorWhenThePeerIsGone) {
  asio::io_context io;
  run(io, []() -> asio::awaitable<void> {
    auto [client, server] = co_await test::connected_pair();
    Stream stream(std::move(server));
    client.set_option(asio::socket_base::linger(true, 0));  // close with RST
    client.close();
    const std::string chunk(1 << 20, 'z');
    WriteResult r;
    for (int i = 0; i < 20 && r.ok(); ++i) r = co_await write_all(stream, chunk, long_wait);
    EXPECT_EQ(r.error, WriteError::io_error);
  }());
}

}  // namespace
}  // namespace atrium::net
