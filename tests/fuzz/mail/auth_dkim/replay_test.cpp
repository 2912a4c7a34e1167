// Replays every checked-in corpus file through the fuzz entry points, so the corpora run in every
// test run and under every compiler (libFuzzer itself needs clang).
#include "tests/fuzz/mail/auth_dkim/fuzz_entries.hpp"

#include "tests/fuzz/replay.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace atrium::mail::auth::dkim::fuzz {
namespace {

void replay(std::string_view name, atrium::fuzz::Entry entry, std::size_t minimum) {
  atrium::fuzz::replay_corpus(std::filesystem::path(ATRIUM_DKIM_FUZZ_DIR) / name, entry, minimum);
}

TEST(DkimFuzzReplay, MessageCorpus) { replay("corpus_message", message_one_input, 10); }
TEST(DkimFuzzReplay, RecordCorpus) { replay("corpus_record", record_one_input, 10); }

// Inputs no corpus file may cover: empty and one-byte inputs.
TEST(DkimFuzzReplay, DegenerateInputs) {
  const std::uint8_t bytes[] = {'\n', '\r', ';', '=', 0xFF};
  EXPECT_EQ(message_one_input(nullptr, 0), 0);
  EXPECT_EQ(record_one_input(nullptr, 0), 0);
  for (const std::uint8_t& b : bytes) {
    EXPECT_EQ(message_one_input(&b, 1), 0);
    EXPECT_EQ(record_one_input(&b, 1), 0);
  }
}

}  // namespace
}  // namespace atrium::mail::auth::dkim::fuzz
