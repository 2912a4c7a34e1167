// The corpus replay every fuzz target shares: each checked-in input of a corpus directory goes
// through the target's entry point in every test run, under every compiler (libFuzzer itself
// needs clang), so a corpus never rots and a fixed crash stays fixed.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

namespace atrium::fuzz {

using Entry = int (*)(const std::uint8_t*, std::size_t);

// Runs every regular file of `dir` (in name order) through `entry`, which must return 0, and
// expects at least `minimum` files (a corpus that vanished is a failure, not a pass).
inline void replay_corpus(const std::filesystem::path& dir, Entry entry, std::size_t minimum) {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.is_regular_file()) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  EXPECT_GE(files.size(), minimum) << dir;
  for (const auto& p : files) {
    std::ifstream in(p, std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    SCOPED_TRACE(p.string());
    EXPECT_EQ(entry(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()), 0);
  }
}

}  // namespace atrium::fuzz
