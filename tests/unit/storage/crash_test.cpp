// SIGKILL in the middle of a write load: every acknowledged write survives and the store
// reopens consistent.
#include "storage/blobs.hpp"
#include "test_support.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sstream>

namespace atrium::storage {
namespace {

struct Ack {
  ItemId id;
  std::string hash;
};

// Starts the child, reads acknowledgements until `want` arrived, then kills it with SIGKILL.
std::vector<Ack> run_and_kill(const std::filesystem::path& dir, std::size_t want) {
  int pipefd[2];
  if (pipe(pipefd) != 0) throw std::runtime_error("pipe");
  pid_t pid = fork();
  if (pid == 0) {
    dup2(pipefd[1], 1);
    close(pipefd[0]);
    close(pipefd[1]);
    execl(ATRIUM_CRASH_CHILD, ATRIUM_CRASH_CHILD, dir.c_str(), "8", static_cast<char*>(nullptr));
    _exit(127);
  }
  close(pipefd[1]);
  std::vector<Ack> acks;
  std::string buf;
  char chunk[4096];
  while (acks.size() < want) {
    ssize_t n = read(pipefd[0], chunk, sizeof chunk);
    if (n <= 0) break;
    buf.append(chunk, static_cast<std::size_t>(n));
    std::size_t nl;
    while ((nl = buf.find('\n')) != std::string::npos) {
      std::istringstream line(buf.substr(0, nl));
      buf.erase(0, nl + 1);
      std::string word;
      Ack a;
      line >> word >> a.id >> a.hash;
      if (word == "ack") acks.push_back(a);
    }
  }
  kill(pid, SIGKILL);
  // Acknowledgements already in the pipe were acknowledged before the kill: they count too.
  while (true) {
    ssize_t n = read(pipefd[0], chunk, sizeof chunk);
    if (n <= 0) break;
    buf.append(chunk, static_cast<std::size_t>(n));
  }
  std::istringstream rest(buf);
  std::string word;
  Ack a;
  while (rest >> word >> a.id >> a.hash) {
    if (word == "ack") acks.push_back(a);
  }
  close(pipefd[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "child ended on its own: " << status;
  return acks;
}

TEST(StoreCrash, SigkillMidLoadLosesNoAcknowledgedWrite) {
  auto dir = testing::make_temp_dir("crash");
  std::vector<Ack> all;
  for (std::size_t round = 0; round < 3; ++round) {
    auto acks = run_and_kill(dir, 200 + 150 * round);
    ASSERT_GE(acks.size(), 200u) << "child stopped early in round " << round;
    all.insert(all.end(), acks.begin(), acks.end());

    auto store = Store::open({.data_dir = dir});
    auto problems = store->check_consistency();
    EXPECT_TRUE(problems.empty()) << problems.front();
    std::size_t present = 0;
    store->read([&](ReadTxn& t) {
      for (const auto& a : all) {
        auto item = items::get(t, Actor::system(), a.id);
        if (item && item->blob.hash == a.hash && store->blobs().exists(a.hash)) ++present;
      }
      return 0;
    });
    EXPECT_EQ(present, all.size()) << "round " << round;
    // Blobs written for jobs that never committed are orphans; collecting them keeps every
    // acknowledged message readable.
    store->collect_garbage(std::chrono::seconds(-5));
    EXPECT_TRUE(store->check_consistency().empty());
    for (const auto& a : all) EXPECT_TRUE(store->blobs().exists(a.hash));
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace atrium::storage
