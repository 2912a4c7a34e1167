// Replays every checked-in corpus file through the fuzz entry points, so the corpora run in every
// test run and under every compiler (libFuzzer itself needs clang).
#include "tests/fuzz/mail/mime/fuzz_entries.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace atrium::mail::mime::fuzz {
namespace {

namespace fs = std::filesystem;

using Entry = int (*)(const std::uint8_t*, std::size_t);

std::vector<fs::path> corpus(std::string_view name) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(fs::path(ATRIUM_MIME_FUZZ_DIR) / name)) {
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

TEST(MimeFuzzReplay, MessageCorpus) { replay("corpus_message", message_one_input, 20); }
TEST(MimeFuzzReplay, HeaderCorpus) { replay("corpus_header", header_one_input, 10); }

TEST(MimeFuzzReplay, DegenerateInputs) {
  const std::uint8_t bytes[] = {0x00, 0xFF, '\n', '-'};
  EXPECT_EQ(message_one_input(nullptr, 0), 0);
  EXPECT_EQ(header_one_input(nullptr, 0), 0);
  for (const std::uint8_t& b : bytes) {
    EXPECT_EQ(message_one_input(&b, 1), 0);
    EXPECT_EQ(header_one_input(&b, 1), 0);
  }
}

// The checker the entries rely on must itself reject what is not IMAP.
TEST(MimeFuzzReplay, ImapListChecker) {
  EXPECT_TRUE(is_imap_list("(\"a\" NIL 12 (\"b\")(\"c\") {3}\r\nx\"y)", false));
  EXPECT_TRUE(is_imap_list("(\"caf\xC3\xA9\")", true));
  EXPECT_FALSE(is_imap_list("(\"caf\xC3\xA9\")", false));
  EXPECT_FALSE(is_imap_list("(\"a\"", false));
  EXPECT_FALSE(is_imap_list("(\"a\") ", false));
  EXPECT_FALSE(is_imap_list("(\"a\"\"b\")", false));
  EXPECT_FALSE(is_imap_list("(\"a\r\nb\")", false));
  EXPECT_FALSE(is_imap_list("({5}\r\nab)", false));
  EXPECT_FALSE(is_imap_list("(ATOM)", false));
  EXPECT_FALSE(is_imap_list("(\"bad \\x escape\")", false));
}

}  // namespace
}  // namespace atrium::mail::mime::fuzz
