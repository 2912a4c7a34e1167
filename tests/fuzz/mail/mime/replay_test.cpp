// Replays every checked-in corpus file through the fuzz entry points, so the corpora run in every
// test run and under every compiler (libFuzzer itself needs clang).
#include "tests/fuzz/mail/mime/fuzz_entries.hpp"

#include "tests/fuzz/replay.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace atrium::mail::mime::fuzz {
namespace {

void replay(std::string_view name, atrium::fuzz::Entry entry, std::size_t minimum) {
  atrium::fuzz::replay_corpus(std::filesystem::path(ATRIUM_MIME_FUZZ_DIR) / name, entry, minimum);
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
