#include "core/log/log.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace atrium::log {
namespace {

struct Capture {
  std::mutex m;
  std::vector<std::string> lines;
  static void sink(std::string_view line, void* ctx) {
    auto* self = static_cast<Capture*>(ctx);
    std::lock_guard lock(self->m);
    self->lines.emplace_back(line);
  }
};

TEST(Log, WritesKeyValuePairsAndQuotesWhenNeeded) {
  Capture cap;
  set_sink(&Capture::sink, &cap);
  info("conn.open", "proto", "imap", "peer", "127.0.0.1:4000", "note", "two words", "n", 42);
  set_sink(nullptr, nullptr);
  ASSERT_EQ(cap.lines.size(), 1u);
  const auto& l = cap.lines[0];
  EXPECT_NE(l.find(" level=info event=conn.open proto=imap peer=127.0.0.1:4000 note=\"two words\" n=42"),
            std::string::npos)
      << l;
  EXPECT_EQ(l.rfind("ts=", 0), 0u);
}

TEST(Log, EscapesControlCharactersSoALineCannotBeForged) {
  std::string out;
  append_value(out, "a\nlevel=error \"x\"\\");
  EXPECT_EQ(out, "\"a\\nlevel=error \\\"x\\\"\\\\\"");
  out.clear();
  append_value(out, "");
  EXPECT_EQ(out, "\"\"");
}

TEST(Log, LevelFilterDropsLowerLevels) {
  Capture cap;
  set_sink(&Capture::sink, &cap);
  set_level(Level::warn);
  info("dropped");
  warn("kept");
  set_level(Level::info);
  set_sink(nullptr, nullptr);
  ASSERT_EQ(cap.lines.size(), 1u);
  EXPECT_NE(cap.lines[0].find("event=kept"), std::string::npos);
  Level l{};
  EXPECT_TRUE(parse_level("debug", l));
  EXPECT_EQ(l, Level::debug);
  EXPECT_FALSE(parse_level("loud", l));
}

// Points the logger at a fresh temporary file; reads back what reached it.
class Output : public ::testing::Test {
 protected:
  void SetUp() override {
    char path[] = "/tmp/atrium-log-test-XXXXXX";
    fd_ = ::mkstemp(path);
    ASSERT_GE(fd_, 0);
    ::unlink(path);
    set_output_fd(fd_);
  }
  void TearDown() override {
    set_output_fd(2);
    ::close(fd_);
  }
  std::string written() const {
    std::string text;
    char buf[65536];
    for (off_t at = 0;;) {
      ssize_t n = ::pread(fd_, buf, sizeof buf, at);
      if (n <= 0) return text;
      text.append(buf, static_cast<std::size_t>(n));
      at += n;
    }
  }
  int fd_ = -1;
};

TEST_F(Output, BufferedLinesAreWrittenWithinTheWindowWithoutAnyCall) {
  info("buffered.line", "n", 1);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (written().find("event=buffered.line n=1\n") == std::string::npos) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the background thread never wrote the line";
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

TEST_F(Output, AWarningIsWrittenAtOnceAfterEverythingBeforeIt) {
  info("first");
  info("second");
  warn("third");
  std::string text = written();  // no waiting: warn returns only once it is written
  auto first = text.find("event=first\n");
  auto second = text.find("event=second\n");
  auto third = text.find("level=warn event=third\n");
  ASSERT_NE(first, std::string::npos) << text;
  ASSERT_NE(second, std::string::npos) << text;
  ASSERT_NE(third, std::string::npos) << text;
  EXPECT_LT(first, second);
  EXPECT_LT(second, third);
}

TEST_F(Output, FlushWritesTheBuffer) {
  info("pending", "k", "v");
  flush();
  EXPECT_NE(written().find("event=pending k=v\n"), std::string::npos);
}

TEST_F(Output, LinesFromManyThreadsStayWholeAndNoneIsLost) {
  constexpr int kThreads = 4, kLines = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t] {
      for (int i = 0; i < kLines; ++i) info("many", "t", t, "i", i, "pad", std::string(40, 'x'));
    });
  }
  for (auto& th : threads) th.join();
  flush();
  std::string text = written();
  std::vector<int> next(kThreads, 0);
  std::size_t lines = 0;
  for (std::size_t at = 0; at < text.size();) {
    auto end = text.find('\n', at);
    ASSERT_NE(end, std::string::npos) << "a line without its end";
    std::string_view line(text.data() + at, end - at);
    at = end + 1;
    auto t = line.find(" t=");
    auto i = line.find(" i=");
    ASSERT_TRUE(line.rfind("ts=", 0) == 0 && t != std::string_view::npos && i != std::string_view::npos) << line;
    int thread = std::atoi(std::string(line.substr(t + 3)).c_str());
    int index = std::atoi(std::string(line.substr(i + 3)).c_str());
    ASSERT_EQ(index, next[thread]) << "lines of one thread out of order or missing";
    ++next[thread];
    ++lines;
  }
  EXPECT_EQ(lines, static_cast<std::size_t>(kThreads * kLines));
}

TEST(OutputAtExit, TheBufferIsWrittenWhenTheProcessExits) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        set_output_fd(2);
        info("last.words", "n", 7);
        std::exit(0);
      },
      ::testing::ExitedWithCode(0), "event=last.words n=7");
}

}  // namespace
}  // namespace atrium::log
