// Replays every checked-in corpus file through the fuzz entry points, so the corpora run in every
// test run and under every compiler (libFuzzer itself needs clang).
#include "tests/fuzz/mail/pop3/fuzz_entries.hpp"

#include "tests/fuzz/replay.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace atrium::pop3::fuzz {
namespace {

void replay(std::string_view name, atrium::fuzz::Entry entry, std::size_t minimum) {
  atrium::fuzz::replay_corpus(std::filesystem::path(ATRIUM_POP3_FUZZ_DIR) / name, entry, minimum);
}

TEST(Pop3FuzzReplay, ParserCorpus) { replay("corpus_parser", parser_one_input, 20); }
TEST(Pop3FuzzReplay, EncoderCorpus) { replay("corpus_encoder", encoder_one_input, 10); }
TEST(Pop3FuzzReplay, SessionCorpus) { replay("corpus_session", session_one_input, 10); }

// Inputs no corpus file may cover: empty and one-byte inputs.
TEST(Pop3FuzzReplay, DegenerateInputs) {
  const std::uint8_t byte = 0xFF;
  EXPECT_EQ(parser_one_input(nullptr, 0), 0);
  EXPECT_EQ(encoder_one_input(&byte, 1), 0);
  EXPECT_EQ(session_one_input(&byte, 1), 0);
}

}  // namespace
}  // namespace atrium::pop3::fuzz
