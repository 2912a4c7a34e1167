// Replays every checked-in corpus file through the fuzz entry points, so the corpora run in every
// test run and under every compiler (libFuzzer itself needs clang).
#include "tests/fuzz/mail/pop3/fuzz_entries.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace atrium::pop3::fuzz {
namespace {

namespace fs = std::filesystem;

using Entry = int (*)(const std::uint8_t*, std::size_t);

std::vector<fs::path> corpus(std::string_view name) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(fs::path(ATRIUM_POP3_FUZZ_DIR) / name)) {
    if (e.is_regular_file()) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

void replay(std::string_view name, Entry entry, std::size_t minimum) {
  const auto files = corpus(name);
  EXPECT_GE(files.size(), minimum) << name;
  for (const fs::path& p : files) {
    std::ifstream in(p, std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    SCOPED_TRACE(p.string());
    EXPECT_EQ(entry(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()), 0);
  }
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
