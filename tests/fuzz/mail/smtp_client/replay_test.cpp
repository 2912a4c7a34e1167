// Replays every checked-in corpus file through the fuzz entry point, so the corpus runs in every
// test run and under every compiler (libFuzzer itself needs clang).
#include "tests/fuzz/mail/smtp_client/fuzz_entries.hpp"

#include "tests/fuzz/replay.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace atrium::smtp::client::fuzz {
namespace {

TEST(SmtpClientFuzzReplay, ReplyCorpus) {
  atrium::fuzz::replay_corpus(std::filesystem::path(ATRIUM_SMTP_CLIENT_FUZZ_DIR) / "corpus_reply", reply_one_input, 20);
}

// Inputs no corpus file may cover: empty, one byte, and every limit/cut selector on one input.
TEST(SmtpClientFuzzReplay, DegenerateInputsAndEverySelector) {
  EXPECT_EQ(reply_one_input(nullptr, 0), 0);
  for (int b = 0; b < 256; ++b) {
    std::string input(1, static_cast<char>(b));
    EXPECT_EQ(reply_one_input(reinterpret_cast<const std::uint8_t*>(input.data()), input.size()), 0);
    input += "250-mx.example\r\n250-SIZE 100\r\n250 AUTH PLAIN\r\n550-5.1.1 a\r\n550 5.1.1 b\r\n354 go\n" +
             std::string(600, 'x') + "\r\n250 ok\r\n";
    EXPECT_EQ(reply_one_input(reinterpret_cast<const std::uint8_t*>(input.data()), input.size()), 0);
  }
}

}  // namespace
}  // namespace atrium::smtp::client::fuzz
