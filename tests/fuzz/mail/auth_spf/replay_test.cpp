// Replays every checked-in corpus file through the fuzz entry points, so the corpora run in every
// test run and under every compiler (libFuzzer itself needs clang).
#include "tests/fuzz/mail/auth_spf/fuzz_entries.hpp"

#include "tests/fuzz/replay.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace atrium::mail::auth::spf::fuzz {
namespace {

void replay(std::string_view name, atrium::fuzz::Entry entry, std::size_t minimum) {
  atrium::fuzz::replay_corpus(std::filesystem::path(ATRIUM_SPF_FUZZ_DIR) / name, entry, minimum);
}

TEST(SpfFuzzReplay, RecordCorpus) { replay("corpus_record", record_one_input, 20); }
TEST(SpfFuzzReplay, MacroCorpus) { replay("corpus_macro", macro_one_input, 15); }
TEST(SpfFuzzReplay, CheckCorpus) { replay("corpus_check", check_one_input, 15); }

// Inputs no corpus file may cover: empty and one-byte inputs.
TEST(SpfFuzzReplay, DegenerateInputs) {
  const std::uint8_t byte = 0xFF;
  EXPECT_EQ(record_one_input(nullptr, 0), 0);
  EXPECT_EQ(record_one_input(&byte, 1), 0);
  EXPECT_EQ(macro_one_input(nullptr, 0), 0);
  EXPECT_EQ(macro_one_input(&byte, 1), 0);
  EXPECT_EQ(check_one_input(nullptr, 0), 0);
  EXPECT_EQ(check_one_input(&byte, 1), 0);
}

}  // namespace
}  // namespace atrium::mail::auth::spf::fuzz
