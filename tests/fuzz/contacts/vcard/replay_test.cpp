// Replays every checked-in corpus file through the fuzz entry point, so the corpus runs in every
// test run and under every compiler (libFuzzer itself needs clang).
#include "tests/fuzz/contacts/vcard/fuzz_entries.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace atrium::contacts::fuzz {
namespace {

namespace fs = std::filesystem;

TEST(ContactsVcardFuzzReplay, ImportCorpus) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(fs::path(ATRIUM_CONTACTS_FUZZ_DIR) / "corpus")) {
    if (e.is_regular_file()) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  EXPECT_GE(files.size(), 20u);
  for (const fs::path& p : files) {
    std::ifstream in(p, std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    SCOPED_TRACE(p.string());
    EXPECT_EQ(import_one_input(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()), 0);
  }
}

TEST(ContactsVcardFuzzReplay, DegenerateInputs) {
  const std::uint8_t byte = 0xFF;
  EXPECT_EQ(import_one_input(nullptr, 0), 0);
  EXPECT_EQ(import_one_input(&byte, 1), 0);
}

}  // namespace
}  // namespace atrium::contacts::fuzz
