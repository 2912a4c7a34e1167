// Golden corpus: every corpus/*.eml must produce exactly its .bodystructure, .body and .envelope.
// Set ATRIUM_UPDATE_GOLDEN=1 to rewrite them (then review the diff against RFC 3501 before
// committing: the files are the reference, not whatever the code prints today).
#include "mail/mime/bodystructure.hpp"
#include "mail/mime/envelope.hpp"
#include "mail/mime/structure.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace atrium::mail::mime {
namespace {

namespace fs = std::filesystem;

const fs::path corpus_dir{ATRIUM_MIME_CORPUS_DIR};

std::vector<std::string> corpus_names() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(corpus_dir)) {
    if (entry.path().extension() == ".eml") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool update_golden() {
  const char* v = std::getenv("ATRIUM_UPDATE_GOLDEN");
  return v != nullptr && std::string_view(v) == "1";
}

// gtest names allow only [A-Za-z0-9_].
std::string test_name(const std::string& stem) {
  std::string out = stem;
  std::replace_if(out.begin(), out.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
  return out;
}

class Corpus : public ::testing::TestWithParam<std::string> {};
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Corpus);

TEST_P(Corpus, MatchesGolden) {
  const std::string message = read_file(corpus_dir / (GetParam() + ".eml"));
  const Message parsed = parse_structure(message);
  const std::pair<std::string, std::string> outputs[] = {
      {".bodystructure", imap_bodystructure(message, parsed)},
      {".body", imap_body(message, parsed)},
      {".envelope", imap_envelope(message, parsed)},
  };
  for (const auto& [ext, actual] : outputs) {
    const fs::path golden = corpus_dir / (GetParam() + ext);
    if (update_golden()) {
      std::ofstream(golden, std::ios::binary) << actual;
      continue;
    }
    ASSERT_TRUE(fs::exists(golden)) << golden << " missing; run with ATRIUM_UPDATE_GOLDEN=1 and review it";
    EXPECT_EQ(actual, read_file(golden)) << GetParam() << ext << " no longer matches";
  }
  if (update_golden()) GTEST_SKIP() << "rewrote the golden files of " << GetParam();
}

INSTANTIATE_TEST_SUITE_P(Mime, Corpus, ::testing::ValuesIn(corpus_names()),
                         [](const auto& info) { return test_name(info.param); });

TEST(CorpusDirectory, HoldsEnoughMessages) { EXPECT_GE(corpus_names().size(), 15u); }

}  // namespace
}  // namespace atrium::mail::mime
