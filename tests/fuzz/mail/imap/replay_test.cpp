// Replays every checked-in corpus file through the fuzz entry points, so the corpora run in every
// test run and under every compiler (libFuzzer itself needs clang).
#include "tests/fuzz/mail/imap/fuzz_entries.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace atrium::imap::fuzz {
namespace {

namespace fs = std::filesystem;

using Entry = int (*)(const std::uint8_t*, std::size_t);

std::vector<fs::path> corpus(std::string_view name) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(fs::path(ATRIUM_IMAP_FUZZ_DIR) / name)) {
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

TEST(ImapFuzzReplay, ParserCorpus) { replay("corpus_parser", parser_one_input, 100); }
TEST(ImapFuzzReplay, FramerCorpus) { replay("corpus_framer", framer_one_input, 10); }
TEST(ImapFuzzReplay, NamesCorpus) { replay("corpus_names", names_one_input, 20); }

// Inputs no corpus file may cover: empty and one-byte inputs.
TEST(ImapFuzzReplay, DegenerateInputs) {
  const std::uint8_t byte = 0xFF;
  for (Entry e : {parser_one_input, framer_one_input, names_one_input}) {
    EXPECT_EQ(e(nullptr, 0), 0);
    EXPECT_EQ(e(&byte, 1), 0);
  }
}

}  // namespace
}  // namespace atrium::imap::fuzz
