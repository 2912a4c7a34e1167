// matches(): addressbook-query filters, table-driven over one card per version.
#include "contacts/query.hpp"

#include "tests/unit/contacts/test_support.hpp"

#include <gtest/gtest.h>

namespace atrium::contacts {
namespace {

using testing::parse_ok;
using testing::vcard;

const Card& card() {
  static const Card c = parse_ok(vcard("3.0", {
      "UID:7F2C1A4E",
      "FN:Jürgen Müller",
      "N:Müller;Jürgen;Karl,Heinz;Dr.;",
      "NICKNAME:Jü,Jay",
      "ORG:Contoso\\, Ltd.;Sales",
      "item1.EMAIL;TYPE=INTERNET,WORK;TYPE=pref:Juergen.Mueller@Contoso.example",
      "item1.X-ABLabel:_$!<Work>!$_",
      "EMAIL;TYPE=INTERNET;TYPE=HOME:jm@home.example",
      "TEL;TYPE=CELL:+49 171 7654321",
      "TEL;VALUE=uri;TYPE=\"voice,work\":tel:+49-30-1234567",
      "ADR;TYPE=WORK:;;Hauptstraße 5\\, Hinterhaus,2. OG;Berlin;;10115;Deutschland",
      "CATEGORIES:Kunden,VIP",
      "NOTE:Line one\\nLine two",
  }));
  return c;
}

TextMatch tm(std::string text, MatchType match = MatchType::contains, bool negate = false,
             Collation collation = Collation::unicode_casemap) {
  return TextMatch{.text = std::move(text), .collation = collation, .match = match, .negate = negate};
}

PropFilter text_filter(std::string name, TextMatch m) { return PropFilter{.name = std::move(name), .texts = {std::move(m)}}; }

struct Case {
  const char* what;
  Filter filter;
  bool expected;
};

TEST(ContactsQuery, Table) {
  constexpr MatchType contains = MatchType::contains;
  constexpr MatchType equals = MatchType::equals;
  constexpr MatchType starts_with = MatchType::starts_with;
  constexpr MatchType ends_with = MatchType::ends_with;
  const Case cases[] = {
      {"no prop-filter matches everything", Filter{}, true},
      {"allof with no prop-filter", Filter{.test = FilterTest::allof}, true},
      {"defined", Filter{.props = {PropFilter{.name = "EMAIL"}}}, true},
      {"not defined: absent", Filter{.props = {PropFilter{.name = "PHOTO", .is_not_defined = true}}}, true},
      {"not defined: present", Filter{.props = {PropFilter{.name = "EMAIL", .is_not_defined = true}}}, false},
      {"undefined property", Filter{.props = {PropFilter{.name = "PHOTO"}}}, false},
      {"FN contains, unicode casemap", Filter{.props = {text_filter("FN", tm("MÜLLER"))}}, true},
      {"FN contains, ascii casemap misses Ü", Filter{.props = {text_filter("FN", tm("MÜLLER", contains, false, Collation::ascii_casemap))}}, false},
      {"FN contains, octet is exact", Filter{.props = {text_filter("FN", tm("müller", contains, false, Collation::octet))}}, false},
      {"FN equals", Filter{.props = {text_filter("FN", tm("jürgen müller", equals))}}, true},
      {"FN equals a part", Filter{.props = {text_filter("FN", tm("jürgen", equals))}}, false},
      {"FN starts-with", Filter{.props = {text_filter("FN", tm("JÜR", starts_with))}}, true},
      {"FN ends-with", Filter{.props = {text_filter("FN", tm("ller", ends_with))}}, true},
      {"EMAIL is case-folded", Filter{.props = {text_filter("EMAIL", tm("juergen.mueller@contoso", starts_with))}}, true},
      {"second EMAIL matches", Filter{.props = {text_filter("EMAIL", tm("home.example", ends_with))}}, true},
      {"N whole value", Filter{.props = {text_filter("N", tm("müller;jürgen", starts_with))}}, true},
      {"N given name starts-with", Filter{.props = {text_filter("N", tm("jür", starts_with))}}, true},
      {"N family equals", Filter{.props = {text_filter("N", tm("Müller", equals))}}, true},
      {"N additional names are split", Filter{.props = {text_filter("N", tm("heinz", equals))}}, true},
      {"N does not match across parts", Filter{.props = {text_filter("N", tm("jürgen müller"))}}, false},
      {"ADR unescaped street", Filter{.props = {text_filter("ADR", tm("hauptstrasse 5, hinterhaus", equals))}}, true},
      {"ADR street line", Filter{.props = {text_filter("ADR", tm("2. og", equals))}}, true},
      {"ORG escaped comma", Filter{.props = {text_filter("ORG", tm("contoso, ltd.", equals))}}, true},
      {"NICKNAME list item", Filter{.props = {text_filter("NICKNAME", tm("jay", equals))}}, true},
      {"CATEGORIES list item", Filter{.props = {text_filter("CATEGORIES", tm("vip", equals))}}, true},
      {"NOTE unescaped newline", Filter{.props = {text_filter("NOTE", tm("one\nline", contains))}}, true},
      {"NOTE is not a list", Filter{.props = {text_filter("NOTE", tm("line one", equals))}}, false},
      {"TEL text", Filter{.props = {text_filter("TEL", tm("7654321", ends_with))}}, true},
      {"TEL uri without scheme", Filter{.props = {text_filter("TEL", tm("+49-30", starts_with))}}, true},
      {"UID equals", Filter{.props = {text_filter("UID", tm("7f2c1a4e", equals))}}, true},
      {"negate: no EMAIL contains it", Filter{.props = {text_filter("EMAIL", tm("nowhere", contains, true))}}, true},
      {"negate: some EMAIL lacks it", Filter{.props = {text_filter("EMAIL", tm("contoso", contains, true))}}, true},
      {"negate: every EMAIL has it", Filter{.props = {text_filter("EMAIL", tm("@", contains, true))}}, false},
      {"negate on a part-matched N", Filter{.props = {text_filter("N", tm("jürgen", equals, true))}}, false},
      {"group in the name", Filter{.props = {PropFilter{.name = "ITEM1.EMAIL", .texts = {tm("contoso")}}}}, true},
      {"group in the name, other property", Filter{.props = {PropFilter{.name = "ITEM1.EMAIL", .texts = {tm("home")}}}}, false},
      {"group not present", Filter{.props = {PropFilter{.name = "ITEM9.EMAIL"}}}, false},
      {"param defined", Filter{.props = {PropFilter{.name = "TEL", .params = {ParamFilter{.name = "VALUE"}}}}}, true},
      {"param not defined on one TEL", Filter{.props = {PropFilter{.name = "TEL", .params = {ParamFilter{.name = "VALUE", .is_not_defined = true}}}}}, true},
      {"param not defined on any", Filter{.props = {PropFilter{.name = "EMAIL", .params = {ParamFilter{.name = "PREF", .is_not_defined = true}}}}}, true},
      {"param text: quoted list value", Filter{.props = {PropFilter{.name = "TEL", .params = {ParamFilter{.name = "TYPE", .text = tm("voice", equals)}}}}}, true},
      {"param text: repeated TYPE", Filter{.props = {PropFilter{.name = "EMAIL", .params = {ParamFilter{.name = "TYPE", .text = tm("PREF", equals)}}}}}, true},
      {"param text: absent value", Filter{.props = {PropFilter{.name = "EMAIL", .params = {ParamFilter{.name = "TYPE", .text = tm("fax", equals)}}}}}, false},
      {"param text negated: no home TYPE on one EMAIL", Filter{.props = {PropFilter{.name = "EMAIL", .params = {ParamFilter{.name = "TYPE", .text = tm("home", equals, true)}}}}}, true},
      {"param text negated on every TEL", Filter{.props = {PropFilter{.name = "TEL", .params = {ParamFilter{.name = "TYPE", .text = tm("e", contains, true)}}}}}, false},
      // The tests of a prop-filter must hold for one and the same property.
      {"allof in one property", Filter{.props = {PropFilter{.name = "EMAIL", .test = FilterTest::allof, .texts = {tm("contoso")},
                                                           .params = {ParamFilter{.name = "TYPE", .text = tm("work", equals)}}}}}, true},
      {"allof split across properties", Filter{.props = {PropFilter{.name = "EMAIL", .test = FilterTest::allof, .texts = {tm("home.example")},
                                                                  .params = {ParamFilter{.name = "TYPE", .text = tm("work", equals)}}}}}, false},
      {"anyof in one property", Filter{.props = {PropFilter{.name = "EMAIL", .texts = {tm("nowhere"), tm("home.example")}}}}, true},
      {"two text-matches allof", Filter{.props = {PropFilter{.name = "FN", .test = FilterTest::allof, .texts = {tm("jürgen"), tm("nobody")}}}}, false},
      {"filter anyof", Filter{.props = {text_filter("FN", tm("nobody")), text_filter("EMAIL", tm("contoso"))}}, true},
      {"filter allof, one fails", Filter{.test = FilterTest::allof, .props = {text_filter("FN", tm("nobody")), text_filter("EMAIL", tm("contoso"))}}, false},
      {"filter allof, all pass", Filter{.test = FilterTest::allof, .props = {text_filter("FN", tm("jürgen")), text_filter("EMAIL", tm("contoso"))}}, true},
      {"filter anyof, none pass", Filter{.props = {text_filter("FN", tm("nobody")), PropFilter{.name = "PHOTO"}}}, false},
      {"lower-case names", Filter{.props = {PropFilter{.name = "email", .params = {ParamFilter{.name = "type", .text = tm("home", equals)}}}}}, true},
      {"empty text matches any value", Filter{.props = {text_filter("NOTE", tm(""))}}, true},
  };
  for (const Case& c : cases) EXPECT_EQ(matches(card(), c.filter), c.expected) << c.what;
}

TEST(ContactsQuery, Version4Cards) {
  const Card c = parse_ok(vcard("4.0", {"UID:urn:uuid:1", "FN:Zoë", "KIND:group", "MEMBER:urn:uuid:2",
                                        "EMAIL;TYPE=work;PREF=1:zoe@work.example"}));
  EXPECT_TRUE(matches(c, Filter{.props = {text_filter("KIND", tm("group", MatchType::equals))}}));
  EXPECT_TRUE(matches(c, Filter{.props = {text_filter("MEMBER", tm("urn:uuid:2", MatchType::equals))}}));
  EXPECT_TRUE(matches(c, Filter{.props = {text_filter("FN", tm("ZOË", MatchType::equals))}}));
  EXPECT_TRUE(matches(c, Filter{.props = {PropFilter{.name = "EMAIL", .params = {ParamFilter{.name = "PREF", .text = tm("1", MatchType::equals)}}}}}));
}

TEST(ContactsQuery, DefaultCollationIsUnicodeCasemap) {
  const TextMatch m{.text = "x"};
  EXPECT_EQ(m.collation, Collation::unicode_casemap);
  EXPECT_EQ(m.match, MatchType::contains);
  EXPECT_FALSE(m.negate);
}

}  // namespace
}  // namespace atrium::contacts
