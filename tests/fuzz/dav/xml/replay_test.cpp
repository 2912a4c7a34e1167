// Replays every checked-in corpus file through the fuzz entry points, so the corpora run in every
// test run and under every compiler (libFuzzer itself needs clang).
#include "tests/fuzz/dav/xml/fuzz_entries.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace atrium::dav::xml::fuzz {
namespace {

namespace fs = std::filesystem;

using Entry = int (*)(const std::uint8_t*, std::size_t);

std::vector<fs::path> corpus(std::string_view name) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(fs::path(ATRIUM_DAV_XML_FUZZ_DIR) / name)) {
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
