// Collations: the case folds and every match type.
#include "calendar/collation.hpp"

#include <gtest/gtest.h>

namespace atrium::calendar {
namespace {

TEST(Collation, UnicodeFold) {
  struct Case {
    const char* in;
    const char* out;
  };
  const Case cases[] = {
      {"Hello", "hello"},
      {"\xC3\x84\xC3\x96\xC3\x9C", "\xC3\xA4\xC3\xB6\xC3\xBC"},             // ÄÖÜ -> äöü
      {"Stra\xC3\x9F" "e", "strasse"},                                     // ß -> ss
      {"\xC5\x81\xC3\xB3" "d\xC5\xBA", "\xC5\x82\xC3\xB3" "d\xC5\xBA"},    // Łódź -> łódź
      {"\xCE\xA3\xCE\x99\xCE\xA3", "\xCF\x83\xCE\xB9\xCF\x83"},             // ΣΙΣ -> σισ
      {"\xCF\x82", "\xCF\x83"},                                            // final sigma
      {"\xD0\x9F\xD0\xA0\xD0\x98\xD0\x92\xD0\x95\xD0\xA2", "\xD0\xBF\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82"},  // ПРИВЕТ
      {"\xD0\x81", "\xD1\x91"},                                            // Ё -> ё
      {"\xE6\x97\xA5\xE6\x9C\xAC", "\xE6\x97\xA5\xE6\x9C\xAC"},             // CJK unchanged
      {"bad\xFF\xC3", "bad\xFF\xC3"},                                      // invalid bytes pass
  };
  for (const Case& c : cases) EXPECT_EQ(unicode_fold(c.in), c.out) << c.in;
  EXPECT_EQ(ascii_fold("\xC3\x84" "Bc"), "\xC3\x84" "bc");
}

TEST(Collation, TextMatchTable) {
  struct Case {
    TextMatch match;
    const char* value;
    bool result;
  };
  const Case cases[] = {
      {{.text = "sync"}, "Team Sync", true},
      {{.text = "SYNC", .collation = Collation::octet}, "Team Sync", false},
      {{.text = "Sync", .collation = Collation::octet}, "Team Sync", true},
      {{.text = "sync", .negate = true}, "Team Sync", false},
      {{.text = "lunch", .negate = true}, "Team Sync", true},
      {{.text = "team sync", .match = MatchType::equals}, "Team Sync", true},
      {{.text = "team", .match = MatchType::equals}, "Team Sync", false},
      {{.text = "TEAM", .match = MatchType::starts_with}, "Team Sync", true},
      {{.text = "sync", .match = MatchType::starts_with}, "Team Sync", false},
      {{.text = "SYNC", .match = MatchType::ends_with}, "Team Sync", true},
      {{.text = "a longer needle", .match = MatchType::ends_with}, "short", false},
      {{.text = "F\xC3\x9CR", .collation = Collation::unicode_casemap}, "Blumen f\xC3\xBCr Oma", true},
      {{.text = "F\xC3\x9CR", .collation = Collation::ascii_casemap}, "Blumen f\xC3\xBCr Oma", false},
      {{.text = "STRASSE", .collation = Collation::unicode_casemap}, "Hauptstra\xC3\x9F" "e", true},
      {{.text = ""}, "anything", true},
  };
  for (const Case& c : cases) EXPECT_EQ(text_matches(c.match, c.value), c.result) << c.match.text << " / " << c.value;
}

}  // namespace
}  // namespace atrium::calendar
