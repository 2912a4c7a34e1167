// Replays every checked-in corpus file through the fuzz entry points, so the corpora run in every
// test run and under every compiler (libFuzzer itself needs clang).
#include "tests/fuzz/mail/auth_dmarc/fuzz_entries.hpp"

#include "tests/fuzz/replay.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace atrium::mail::auth::fuzz {
namespace {

void replay(std::string_view name, atrium::fuzz::Entry entry, std::size_t minimum) {
  atrium::fuzz::replay_corpus(std::filesystem::path(ATRIUM_DMARC_FUZZ_DIR) / name, entry, minimum);
}

TEST(DmarcFuzzReplay, RecordCorpus) { replay("corpus_record", record_one_input, 20); }
TEST(DmarcFuzzReplay, AuthresCorpus) { replay("corpus_authres", authres_one_input, 20); }

// Inputs no corpus file may cover: empty and one-byte inputs.
TEST(DmarcFuzzReplay, DegenerateInputs) {
  for (int b = 0; b < 256; ++b) {
    const auto byte = static_cast<std::uint8_t>(b);
    EXPECT_EQ(record_one_input(&byte, 1), 0);
    EXPECT_EQ(authres_one_input(&byte, 1), 0);
  }
  EXPECT_EQ(record_one_input(nullptr, 0), 0);
  EXPECT_EQ(authres_one_input(nullptr, 0), 0);
}

}  // namespace
}  // namespace atrium::mail::auth::fuzz
