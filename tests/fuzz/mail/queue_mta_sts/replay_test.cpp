// Replays every checked-in corpus file through the fuzz entry point, so the corpus runs in every
// test run and under every compiler (libFuzzer itself needs clang).
#include "tests/fuzz/mail/queue_mta_sts/fuzz_entries.hpp"

#include "tests/fuzz/replay.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace atrium::mail::queue::fuzz {
namespace {

TEST(MtaStsFuzzReplay, Corpus) {
  atrium::fuzz::replay_corpus(std::filesystem::path(ATRIUM_MTA_STS_FUZZ_DIR) / "corpus", mta_sts_one_input, 20);
}

// Inputs no corpus file may cover: empty, one byte, just over the size cap.
TEST(MtaStsFuzzReplay, DegenerateInputs) {
  const std::uint8_t byte = 0xFF;
  EXPECT_EQ(mta_sts_one_input(nullptr, 0), 0);
  EXPECT_EQ(mta_sts_one_input(&byte, 1), 0);
  std::string big = "version: STSv1\nmode: none\nmax_age: 1\n";
  big.resize(64 * 1024 + 1, 'x');
  EXPECT_EQ(mta_sts_one_input(reinterpret_cast<const std::uint8_t*>(big.data()), big.size()), 0);
}

}  // namespace
}  // namespace atrium::mail::queue::fuzz
