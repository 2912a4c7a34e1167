// Running a helper program as a filter (document-to-text decoders for the search index): no
// shell, no inherited descriptors, stdin from /dev/null, stdout captured up to a limit, stderr
// discarded, CPU, memory and wall-clock limits. Blocking: call off the I/O threads.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace atrium::process {

struct Limits {
  std::chrono::milliseconds wall{10000};  // killed (SIGKILL) after this
  unsigned cpu_seconds = 10;               // RLIMIT_CPU
  std::size_t address_space = 1u << 30;    // RLIMIT_AS, bytes
  std::size_t max_output = 1u << 20;       // stdout kept; the rest is read and dropped
};

struct Result {
  int exit_code = -1;        // -1 when killed by a signal or not started
  bool timed_out = false;
  bool truncated = false;    // output passed max_output
  std::string output;
};

// Runs argv[0] (looked up in PATH when it has no '/') with argv. nullopt when it could not be
// started (not installed).
std::optional<Result> run(const std::vector<std::string>& argv, const Limits& limits = {});

}  // namespace atrium::process
