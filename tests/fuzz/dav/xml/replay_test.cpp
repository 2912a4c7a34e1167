// Replays every checked-in corpus file through the fuzz entry points, so the corpora run in every
// test run and under every compiler (libFuzzer itself needs clang).
#include "tests/fuzz/dav/xml/fuzz_entries.hpp"

#include "tests/fuzz/replay.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace atrium::dav::xml::fuzz {
namespace {

void replay(std::string_view name, atrium::fuzz::Entry entry, std::size_t minimum) {
  atrium::fuzz::replay_corpus(std::filesystem::path(ATRIUM_DAV_XML_FUZZ_DIR) / name, entry, minimum);
}

TEST(DavXmlFuzzReplay, RequestCorpus) { replay("corpus_request", request_one_input, 20); }
TEST(DavXmlFuzzReplay, HeadersCorpus) { replay("corpus_headers", headers_one_input, 10); }

TEST(DavXmlFuzzReplay, DegenerateInputs) {
  const std::uint8_t byte = 0xFF;
  EXPECT_EQ(request_one_input(nullptr, 0), 0);
  EXPECT_EQ(request_one_input(&byte, 1), 0);
  EXPECT_EQ(headers_one_input(nullptr, 0), 0);
  EXPECT_EQ(headers_one_input(&byte, 1), 0);
}

}  // namespace
}  // namespace atrium::dav::xml::fuzz
