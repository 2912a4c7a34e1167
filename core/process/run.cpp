#include "core/process/run.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

extern char** environ;

namespace atrium::process {
namespace {

// argv[0] as an executable path: as given when it has a '/', else the first match in PATH.
std::optional<std::string> resolve(const std::string& program) {
  if (program.find('/') != std::string::npos) return program;
  const char* path = ::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    auto end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string candidate = dirs.substr(start, end - start);
    if (candidate.empty()) candidate = ".";
    candidate += "/" + program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return std::nullopt;
}

}  // namespace

std::optional<Result> run(const std::vector<std::string>& argv, const Limits& limits) {
  if (argv.empty()) return std::nullopt;
  auto program = resolve(argv[0]);
  if (!program) return std::nullopt;
  // The limits must hold from the program's first instruction (a shell script could otherwise
  // start a pipeline before they apply), and posix_spawn cannot set them in the child: util-linux's
  // prlimit (Essential on Debian) sets them and then executes the program in the same process.
  static const std::optional<std::string> limiter = resolve("prlimit");
  std::vector<std::string> words;
  if (limiter) {
    words = {*limiter, "--cpu=" + std::to_string(limits.cpu_seconds) + ":" + std::to_string(limits.cpu_seconds + 1),
             "--as=" + std::to_string(limits.address_space) + ":" + std::to_string(limits.address_space),
             "--core=0:0", "--"};
  }
  words.push_back(*program);
  words.insert(words.end(), argv.begin() + 1, argv.end());
  std::vector<char*> args;
  for (auto& w : words) args.push_back(w.data());
  args.push_back(nullptr);
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return std::nullopt;
  // posix_spawn, not fork: the server's address space is large, and fork copies its page tables
  // (and makes every thread pay for copy-on-write faults) for each decoder run. The child gets
  // /dev/null as stdin and stderr, the pipe as stdout, no other descriptor, default signal
  // handling, and a process group of its own (so a timeout kills what it started too).
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  ::posix_spawn_file_actions_init(&actions);
  ::posix_spawnattr_init(&attr);
  ::posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  ::posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
  ::posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  ::posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  ::posix_spawnattr_setsigmask(&attr, &none);
  ::posix_spawnattr_setsigdefault(&attr, &all);
  ::posix_spawnattr_setpgroup(&attr, 0);
  ::posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, args[0], &actions, &attr, args.data(), environ);
  ::posix_spawn_file_actions_destroy(&actions);
  ::posix_spawnattr_destroy(&attr);
  ::close(pipe_fds[1]);
  if (rc != 0) {
    ::close(pipe_fds[0]);
    return std::nullopt;  // not installed, not executable
  }
  if (!limiter) {
    // Without prlimit (not a Debian system): from here on, the program having just started.
    struct rlimit cpu {limits.cpu_seconds, limits.cpu_seconds + 1};
    ::prlimit(pid, RLIMIT_CPU, &cpu, nullptr);
    struct rlimit as {limits.address_space, limits.address_space};
    ::prlimit(pid, RLIMIT_AS, &as, nullptr);
    struct rlimit core {0, 0};
    ::prlimit(pid, RLIMIT_CORE, &core, nullptr);
  }

  Result r;
  auto deadline = std::chrono::steady_clock::now() + limits.wall;
  char buf[65536];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      r.timed_out = true;
      break;
    }
    struct pollfd p {pipe_fds[0], POLLIN, 0};
    int n = ::poll(&p, 1, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) continue;  // the deadline check above ends it
    ssize_t got = ::read(pipe_fds[0], buf, sizeof buf);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    std::size_t room = limits.max_output - std::min(limits.max_output, r.output.size());
    if (static_cast<std::size_t>(got) > room) r.truncated = true;
    r.output.append(buf, std::min(room, static_cast<std::size_t>(got)));
  }
  ::close(pipe_fds[0]);
  if (r.timed_out) ::kill(-pid, SIGKILL), ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (r.exit_code == 127 && r.output.empty()) return std::nullopt;  // exec failed: not installed
  return r;
}

}  // namespace atrium::process
