// to_vcard(): folding at 75 octets without splitting UTF-8, parameter quoting and RFC 6868
// escapes, and parse/write round trips.
#include "contacts/serialise.hpp"

#include "tests/unit/contacts/test_support.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace atrium::contacts {
namespace {

using testing::parse_ok;
using testing::vcard;

std::vector<std::string> physical_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find("\r\n", start);
    EXPECT_NE(end, std::string::npos) << "every line ends with CRLF";
    if (end == std::string::npos) break;
    lines.push_back(text.substr(start, end - start));
    start = end + 2;
  }
  return lines;
}

TEST(ContactsSerialise, WritesBeginVersionEnd) {
  const Card c{.version = Version::v4_0, .properties = {Property{.name = "UID", .value = "u"}, Property{.name = "FN", .value = "Ann"}}};
  EXPECT_EQ(to_vcard(c), "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:u\r\nFN:Ann\r\nEND:VCARD\r\n");
  Card v21 = c;
  v21.version = Version::v2_1;
  EXPECT_EQ(to_vcard(v21).substr(0, 25), "BEGIN:VCARD\r\nVERSION:3.0\r");
}

TEST(ContactsSerialise, ParametersAreQuotedAndEscaped) {
  const Property p{.group = "item1",
                   .name = "ADR",
                   .params = {Parameter{"TYPE", {"work", "pref"}},
                              Parameter{"LABEL", {"Main St 1\nSpringfield \"HQ\" ^"}},
                              Parameter{"GEO", {"geo:1,2"}},
                              Parameter{"X-EMPTY", {""}}},
                   .value = ";;Main St 1;Springfield;;;"};
  EXPECT_EQ(content_line(p),
            "item1.ADR;TYPE=work,pref;LABEL=Main St 1^nSpringfield ^'HQ^' ^^;GEO=\"geo:1,2\";X-EMPTY=:;;Main St "
            "1;Springfield;;;");
}

TEST(ContactsSerialise, NothingInjectsALine) {
  const Property p{.group = "a\r\nb", .name = "NO\nTE", .params = {Parameter{"X-\r\nP", {"v"}}}, .value = "one\r\ntwo\nthree\rfour"};
  EXPECT_EQ(content_line(p), "ab.NOTE;X-P=v:one\\ntwo\\nthree\\nfour");
}

TEST(ContactsSerialise, FoldsAt75OctetsWithoutSplittingUtf8) {
  std::string note;
  for (int i = 0; i < 60; ++i) note += "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80" "a";  // 2-, 3-, 4- and 1-byte characters
  const Card c{.version = Version::v4_0,
               .properties = {Property{.name = "UID", .value = "u"}, Property{.name = "FN", .value = "x"},
                              Property{.name = "NOTE", .value = note}}};
  const std::string text = to_vcard(c);
  const std::vector<std::string> lines = physical_lines(text);
  ASSERT_GT(lines.size(), 8u);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    EXPECT_LE(lines[i].size(), 75u) << i;
    const std::string_view body = (i > 0 && lines[i][0] == ' ') ? std::string_view(lines[i]).substr(1) : lines[i];
    ASSERT_FALSE(body.empty());
    EXPECT_NE(static_cast<unsigned char>(body[0]) & 0xC0, 0x80) << "line " << i << " starts inside a character";
  }
  const Card back = parse_ok(text);
  EXPECT_EQ(back.find("NOTE")->value, note);
}

TEST(ContactsSerialise, FoldsLongAsciiExactly) {
  const Card c{.version = Version::v3_0, .properties = {Property{.name = "NOTE", .value = std::string(200, 'x')}}};
  const std::vector<std::string> lines = physical_lines(to_vcard(c));
  ASSERT_EQ(lines.size(), 6u);  // BEGIN, VERSION, 75 + 74 + 56 octets of NOTE, END
  EXPECT_EQ(lines[2], "NOTE:" + std::string(70, 'x'));
  EXPECT_EQ(lines[3], " " + std::string(74, 'x'));
  EXPECT_EQ(lines[4], " " + std::string(56, 'x'));
}

TEST(ContactsSerialise, RoundTripsWhatItParsed) {
  const std::string texts[] = {
      vcard("4.0", {"UID:urn:uuid:1", "FN:Ann \\, Lee", "item1.EMAIL;TYPE=\"work,voice\";PREF=1:a@b",
                    "ADR;LABEL=\"a^nb^'c\";TYPE=home:;;1 Main St\\, Apt 2;Town;;;", "X-A;X-B=a,b,\"c:d\":\\n"}),
      vcard("3.0", {"UID:u", "N:Lee;Ann;;;", "PHOTO;ENCODING=b;TYPE=JPEG:" + std::string(500, 'A'),
                    "NOTE:" + std::string(300, 'n')}),
  };
  for (const std::string& t : texts) {
    const Card first = parse_ok(t);
    const std::string written = to_vcard(first);
    const Card second = parse_ok(written);
    EXPECT_EQ(second, first);
    EXPECT_EQ(to_vcard(second), written);
  }
}

TEST(ContactsSerialise, V21IsWrittenAs30) {
  const Card c = parse_ok(vcard("2.1", {"UID:u", "TEL;CELL;VOICE:+1", "NOTE;QUOTED-PRINTABLE:a=0D=0Ab"}));
  EXPECT_EQ(to_vcard(c), "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:u\r\nTEL;TYPE=CELL;TYPE=VOICE:+1\r\nNOTE:a\\nb\r\nEND:VCARD\r\n");
}

}  // namespace
}  // namespace atrium::contacts
