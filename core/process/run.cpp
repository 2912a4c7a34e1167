#include "core/process/run.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

namespace atrium::process {
namespace {

// Child side, after fork: only async-signal-safe calls until exec.
[[noreturn]] void exec_child(const std::vector<char*>& args, int out_fd, const Limits& limits) {
  int null_fd = ::open("/dev/null", O_RDWR);
  if (null_fd < 0) ::_exit(127);
  ::dup2(null_fd, 0);
  ::dup2(out_fd, 1);
  ::dup2(null_fd, 2);
  // Every other descriptor closes (close_range: Linux 5.9, glibc 2.34).
  ::close_range(3, ~0u, 0);
  struct rlimit cpu {limits.cpu_seconds, limits.cpu_seconds + 1};
  ::setrlimit(RLIMIT_CPU, &cpu);
  struct rlimit as {limits.address_space, limits.address_space};
  ::setrlimit(RLIMIT_AS, &as);
  struct rlimit core {0, 0};
  ::setrlimit(RLIMIT_CORE, &core);
  ::setpgid(0, 0);
  ::execv(args[0], args.data());
  ::_exit(127);
}

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
  // Everything the child needs is prepared here: after fork it may only make system calls.
  std::vector<char*> args;
  args.push_back(program->data());
  for (std::size_t i = 1; i < argv.size(); ++i) args.push_back(const_cast<char*>(argv[i].c_str()));
  args.push_back(nullptr);
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return std::nullopt;
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    return std::nullopt;
  }
  if (pid == 0) exec_child(args, pipe_fds[1], limits);
  ::close(pipe_fds[1]);

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
