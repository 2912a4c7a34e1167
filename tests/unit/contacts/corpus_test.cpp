// The client-shaped corpus (corpus/*.vcf): each file parses to the expected UID, version, FN,
// e-mail addresses and kind, survives a write/parse round trip, converts to the other version and
// back without losing what clients use, and converts to exactly its golden files
// (golden/<name>.v3.vcf and .v4.vcf). Set ATRIUM_UPDATE_GOLDEN=1 to rewrite the golden files, then
// review the diff before committing.
#include "contacts/convert.hpp"
#include "contacts/parse.hpp"
#include "contacts/serialise.hpp"

#include "tests/unit/contacts/test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

namespace atrium::contacts {
namespace {

namespace fs = std::filesystem;

struct Expect {
  const char* uid;
  Version version;
  const char* fn;
  std::vector<std::string> emails;
  Kind kind;
  std::size_t properties;
  std::size_t tels;
};

const std::map<std::string, Expect>& expectations() {
  static const std::map<std::string, Expect> table = {
      {"apple_contact.vcf",
       {"7F2C1A4E-3B5D-4E6F-9A1B-2C3D4E5F6A7B", Version::v3_0, "Mr. Johnny Q. Appleseed Jr.",
        {"johnny.appleseed@icloud.com", "jappleseed@apple.example"}, Kind::individual, 24, 2}},
      {"apple_group.vcf",
       {"C1D2E3F4-A5B6-4C7D-8E9F-0A1B2C3D4E5F", Version::v3_0, "Book Club", {}, Kind::group, 9, 0}},
      {"google_contact.vcf",
       {"3c1f0a2b8d9e4f56", Version::v3_0, "\xD0\x95\xD0\xBB\xD0\xB5\xD0\xBD\xD0\xB0 \xD0\x9F\xD0\xB5\xD1\x82\xD1\x80\xD0\xBE\xD0\xB2\xD0\xB0",
        {"elena.petrova@example.com", "elena.p@example.org"}, Kind::individual, 14, 1}},
      {"davx5_contact.vcf",
       {"urn:uuid:5e9a6c1e-2f3b-4c5d-8e7f-9a0b1c2d3e4f", Version::v4_0, "Zo\xC3\xAB \xC3\x85ngstr\xC3\xB6m",
        {"zoe@work.example", "zoe@home.example"}, Kind::individual, 23, 2}},
      {"nextcloud_group.vcf",
       {"1b4f6a10-8c2d-4e3f-9a5b-6c7d8e9f0a1b", Version::v4_0, "Climbing", {}, Kind::group, 7, 0}},
      {"thunderbird_contact.vcf",
       {"a6e2b9c4-1f3d-4e5a-8b7c-0d9e8f7a6b5c", Version::v4_0, "Jane Doe", {"jane.doe@example.net", "jd@example.org"},
        Kind::individual, 11, 1}},
      {"outlook_21.vcf",
       {"040000008200E00074C5B7101A82E00800000000A1B2C3D4", Version::v2_1, "J\xC3\xBCrgen M\xC3\xBCller",
        {"juergen.mueller@contoso.example"}, Kind::individual, 17, 3}},
  };
  return table;
}

std::vector<std::string> corpus_files() {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(ATRIUM_CONTACTS_CORPUS_DIR)) {
    if (e.path().extension() == ".vcf") names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

bool update_golden() {
  const char* v = std::getenv("ATRIUM_UPDATE_GOLDEN");
  return v != nullptr && std::string_view(v) == "1";
}

Card corpus_card(const std::string& name) { return testing::parse_ok(testing::read_corpus(name)); }

class Corpus : public ::testing::TestWithParam<std::string> {};

TEST_P(Corpus, ParsesToExpectedShape) {
  const std::string& name = GetParam();
  auto it = expectations().find(name);
  ASSERT_NE(it, expectations().end()) << "add " << name << " to the expectation table";
  const Expect& want = it->second;
  const Card c = corpus_card(name);
  EXPECT_EQ(c.uid(), want.uid);
  EXPECT_EQ(c.version, want.version);
  EXPECT_EQ(c.fn(), want.fn);
  EXPECT_EQ(c.emails(), want.emails);
  EXPECT_EQ(c.kind(), want.kind);
  EXPECT_EQ(c.properties.size(), want.properties);
  EXPECT_EQ(c.tels().size(), want.tels);
}

TEST_P(Corpus, RoundTrips) {
  const Card c = corpus_card(GetParam());
  const std::string text = to_vcard(c);
  Card again = testing::parse_ok(text);
  EXPECT_EQ(to_vcard(again), text);
  if (c.version == Version::v2_1) again.version = Version::v2_1;  // written as 3.0
  EXPECT_EQ(again, c);
}

// N's components without the empty ones at the end, which 4.0 writes and 3.0 may leave out.
std::vector<std::string> n_components(const Card& card) {
  auto n = card.n();
  while (!n.empty() && n.back().empty()) n.pop_back();
  return n;
}

TEST_P(Corpus, ConvertsBothWays) {
  const Card c = corpus_card(GetParam());
  const Version other = c.version == Version::v4_0 ? Version::v3_0 : Version::v4_0;
  const Card there = convert(c, other);
  const Card parsed = testing::parse_ok(to_vcard(there));  // the converted card is itself valid
  const Card back = convert(parsed, c.version);
  for (const Card* x : {&there, &parsed, &back}) {
    EXPECT_EQ(x->uid(), c.uid());
    EXPECT_EQ(x->emails(), c.emails());
    EXPECT_EQ(x->tels(), c.tels());
    EXPECT_EQ(x->kind(), c.kind());
    EXPECT_EQ(x->members(), c.members());
    if (c.find("N")) {  // 3.0 output adds an N to cards without one
      EXPECT_EQ(n_components(*x), n_components(c));
    }
  }
  EXPECT_EQ(back.fn(), c.fn());
}

TEST_P(Corpus, MatchesGoldenConversions) {
  const std::string& name = GetParam();
  const Card c = corpus_card(name);
  const std::string stem = name.substr(0, name.size() - 4);
  for (const auto& [version, suffix] : {std::pair{Version::v3_0, ".v3.vcf"}, std::pair{Version::v4_0, ".v4.vcf"}}) {
    const fs::path golden = fs::path(ATRIUM_CONTACTS_GOLDEN_DIR) / (stem + suffix);
    const std::string actual = to_vcard(convert(c, version));
    if (update_golden()) {
      std::ofstream(golden, std::ios::binary) << actual;
      continue;
    }
    ASSERT_TRUE(fs::exists(golden)) << golden << " missing; run with ATRIUM_UPDATE_GOLDEN=1 and review it";
    EXPECT_EQ(actual, testing::read_file(golden.string())) << name << " no longer converts to " << golden;
  }
}

INSTANTIATE_TEST_SUITE_P(Files, Corpus, ::testing::ValuesIn(corpus_files()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string n = info.param.substr(0, info.param.size() - 4);
                           std::replace_if(n.begin(), n.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
                           return n;
                         });

TEST(ContactsCorpus, HasEveryClient) { EXPECT_EQ(corpus_files().size(), expectations().size()); }

}  // namespace
}  // namespace atrium::contacts
