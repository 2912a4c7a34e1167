// Helper programs as filters: output, exit codes, limits, missing programs.
#include "core/process/run.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

namespace atrium::process {
namespace {

using namespace std::chrono_literals;

TEST(ProcessRun, CapturesStandardOutputAndExitCode) {
  auto r = run({"sh", "-c", "printf 'hello\\nworld'; echo oops >&2"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_EQ(r->output, "hello\nworld") << "stderr is discarded";
  auto f = run({"sh", "-c", "exit 3"});
  ASSERT_TRUE(f);
  EXPECT_EQ(f->exit_code, 3);
}

TEST(ProcessRun, MissingProgramIsNotStarted) {
  EXPECT_FALSE(run({"atrium-no-such-decoder"}));
  EXPECT_FALSE(run({"/nonexistent/bin/tool"}));
  EXPECT_FALSE(run({}));
}

TEST(ProcessRun, WallClockLimitKillsTheWholeGroup) {
  auto start = std::chrono::steady_clock::now();
  // The child's own child keeps the pipe open: killing the group ends both.
  auto r = run({"sh", "-c", "sleep 30 & sleep 30"}, {.wall = 200ms});
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->timed_out);
  EXPECT_EQ(r->exit_code, -1);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
}

TEST(ProcessRun, OutputIsCutAtTheLimitAndTheRestDrained) {
  auto r = run({"sh", "-c", "head -c 100000 /dev/zero"}, {.max_output = 1000});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->output.size(), 1000u);
  EXPECT_TRUE(r->truncated);
  EXPECT_EQ(r->exit_code, 0) << "the writer was not blocked on a full pipe";
}

TEST(ProcessRun, MemoryLimitApplies) {
  // 64 MiB of address space is too little for a 256 MiB allocation.
  auto r = run({"sh", "-c", "head -c 268435456 /dev/zero | tr '\\0' a | sort >/dev/null || exit 9"},
               {.address_space = 64u << 20});
  ASSERT_TRUE(r);
  EXPECT_NE(r->exit_code, 0);
}

TEST(ProcessRun, NoDescriptorLeaksIntoTheChild) {
  int fd = ::open("/dev/null", O_RDONLY);  // not CLOEXEC: close_range must close it
  ASSERT_GE(fd, 3);
  auto r = run({"sh", "-c", "ls /proc/self/fd | wc -l"});
  ::close(fd);
  ASSERT_TRUE(r);
  // 0, 1, 2 and the one ls opens to read the directory.
  EXPECT_LE(std::stoi(r->output), 4);
}

}  // namespace
}  // namespace atrium::process
