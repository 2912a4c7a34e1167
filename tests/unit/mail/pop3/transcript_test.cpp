// Golden transcripts: every transcripts/*.in must produce exactly its .ref. Set
// ATRIUM_UPDATE_GOLDEN=1 to rewrite the .ref files (then review the diff before committing).
#include "tests/unit/mail/pop3/transcript.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace atrium::pop3::testing {
namespace {

namespace fs = std::filesystem;

const fs::path transcripts_dir{ATRIUM_POP3_TRANSCRIPTS_DIR};

std::vector<std::string> transcript_names() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(transcripts_dir)) {
    if (entry.path().extension() == ".in") names.push_back(entry.path().stem().string());
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

class Pop3Transcript : public ::testing::TestWithParam<std::string> {};
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Pop3Transcript);

TEST_P(Pop3Transcript, MatchesGolden) {
  const fs::path in = transcripts_dir / (GetParam() + ".in");
  const fs::path ref = transcripts_dir / (GetParam() + ".ref");
  const std::string actual = run_transcript(read_file(in));
  if (update_golden()) {
    std::ofstream(ref, std::ios::binary) << actual;
    GTEST_SKIP() << "rewrote " << ref;
  }
  ASSERT_TRUE(fs::exists(ref)) << ref << " missing; run with ATRIUM_UPDATE_GOLDEN=1 and review it";
  EXPECT_EQ(actual, read_file(ref)) << "transcript " << in << " no longer matches " << ref;
}

INSTANTIATE_TEST_SUITE_P(Golden, Pop3Transcript, ::testing::ValuesIn(transcript_names()),
                         [](const auto& info) { return info.param; });

TEST(Pop3Transcript, DirectoryIsNotEmpty) { EXPECT_GE(transcript_names().size(), 20u); }

TEST(Pop3TranscriptRunner, RejectsMalformedScripts) {
  EXPECT_THROW(run_transcript("option mode=smtp\n"), std::runtime_error);
  EXPECT_THROW(run_transcript("frobnicate\n"), std::runtime_error);
  EXPECT_THROW(run_transcript("C: CAPA\noption cleartext=yes\n"), std::runtime_error);
  EXPECT_THROW(run_transcript("backend login alice\n"), std::runtime_error);
}

}  // namespace
}  // namespace atrium::pop3::testing
