// Replays every checked-in corpus file through the fuzz entry points, so the corpora run in every
// test run and under every compiler (libFuzzer itself needs clang).
#include "tests/fuzz/mail/imap/fuzz_entries.hpp"

#include "tests/fuzz/replay.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace atrium::imap::fuzz {
namespace {

void replay(std::string_view name, atrium::fuzz::Entry entry, std::size_t minimum) {
  atrium::fuzz::replay_corpus(std::filesystem::path(ATRIUM_IMAP_FUZZ_DIR) / name, entry, minimum);
}

TEST(ImapFuzzReplay, ParserCorpus) { replay("corpus_parser", parser_one_input, 100); }
TEST(ImapFuzzReplay, FramerCorpus) { replay("corpus_framer", framer_one_input, 10); }
TEST(ImapFuzzReplay, NamesCorpus) { replay("corpus_names", names_one_input, 20); }

// Inputs no corpus file may cover: empty and one-byte inputs.
TEST(ImapFuzzReplay, DegenerateInputs) {
  const std::uint8_t byte = 0xFF;
  for (atrium::fuzz::Entry e : {parser_one_input, framer_one_input, names_one_input}) {
    EXPECT_EQ(e(nullptr, 0), 0);
    EXPECT_EQ(e(&byte, 1), 0);
  }
}

}  // namespace
}  // namespace atrium::imap::fuzz
