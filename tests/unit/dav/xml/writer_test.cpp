// XmlWriter golden outputs: prefixes, escaping, sanitising, raw fragments.
#include "dav/xml/writer.hpp"

#include "dav/xml/document.hpp"

#include "tests/unit/dav/xml/test_support.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace atrium::dav::xml {
namespace {

const char* const decl = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";

TEST(XmlWriter, DeclaresEveryNamespaceOnceOnTheRoot) {
  XmlWriter w;
  w.open(dav_name("multistatus"));
  w.open(dav_name("response"));
  w.leaf(dav_name("href"), "/a");
  w.open({"urn:x", "foo"});
  w.attribute("k", "v\"<&\n");
  w.text("a<&>]]>");
  w.close();
  w.leaf(caldav_name("calendar-data"), "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n");
  w.leaf({"urn:y", "bar"});
  w.leaf({"urn:x", "again"});
  w.leaf({std::string(ns::carddav), "address-data"});
  w.leaf({std::string(ns::calendarserver), "getctag"}, "1");
  w.leaf({std::string(ns::apple_ical), "calendar-color"}, "#FF0000");
  w.leaf({"", "plain"});
  w.close();
  w.close();
  EXPECT_EQ(std::move(w).finish(),
            std::string(decl) +
                R"(<D:multistatus xmlns:D="DAV:" xmlns:x0="urn:x" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:x1="urn:y" )"
                R"(xmlns:CR="urn:ietf:params:xml:ns:carddav" xmlns:CS="http://calendarserver.org/ns/" xmlns:ICAL="http://apple.com/ns/ical/">)"
                R"(<D:response><D:href>/a</D:href><x0:foo k="v&quot;&lt;&amp;&#10;">a&lt;&amp;&gt;]]&gt;</x0:foo>)"
                "<C:calendar-data>BEGIN:VCALENDAR&#13;\nEND:VCALENDAR&#13;\n</C:calendar-data>"
                R"(<x1:bar/><x0:again/><CR:address-data/><CS:getctag>1</CS:getctag><ICAL:calendar-color>#FF0000</ICAL:calendar-color><plain/>)"
                R"(</D:response></D:multistatus>)");
}

TEST(XmlWriter, RootAttributesFollowTheDeclarations) {
  XmlWriter w;
  w.open(dav_name("error"));
  w.attribute("a", "1");
  w.close();
  EXPECT_EQ(std::move(w).finish(), std::string(decl) + R"(<D:error xmlns:D="DAV:" a="1"/>)");
}

TEST(XmlWriter, SanitisesWhatXmlCannotCarry) {
  EXPECT_EQ(sanitise_xml_text("ok\tline\n"), "ok\tline\n");
  EXPECT_EQ(sanitise_xml_text(std::string("a\0b", 3)), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(sanitise_xml_text("\x01\x1F"), "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(sanitise_xml_text("\xC3\xA9\xFF"), "\xC3\xA9\xEF\xBF\xBD");
  EXPECT_EQ(sanitise_xml_text("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a surrogate
  EXPECT_EQ(sanitise_xml_text("\xEF\xBF\xBF"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // U+FFFF
  EXPECT_EQ(sanitise_xml_text("\xF0\x9F\x98\x80"), "\xF0\x9F\x98\x80");
}

// Text and attribute values are written in one pass; it must agree with sanitising and then
// escaping, on every kind of byte.
TEST(XmlWriter, OnePassEscapingAgreesWithSanitiseThenEscape) {
  std::mt19937 rng(42);
  std::vector<std::string> inputs = {"", "plain", "a&b<c>d\"e'f", "\r\n\t", "caf\xC3\xA9 \xF0\x9F\x98\x80",
                                     std::string("\0\x01\x7F\x80\xFF", 5), "\xE2\x82", "\xED\xA0\x80x"};
  const std::string alphabet = std::string("aZ &<>\"\r\n\t\x01\x7F\x80\xBF\xC3\xA9\xE2\x82\xAC\xED\xF0\x9F\xFF", 23) + '\0';
  for (int n = 0; n < 2000; ++n) {
    std::string s;
    for (std::size_t len = rng() % 40; len > 0; --len) s += alphabet[rng() % alphabet.size()];
    inputs.push_back(s);
  }
  for (const std::string& in : inputs) {
    XmlWriter w;
    w.open(dav_name("x"));
    w.attribute("a", in);
    w.text(in);
    w.close();
    const std::string expected = std::string(decl) + R"(<D:x xmlns:D="DAV:" a=")" +
                                 escape_attribute(sanitise_xml_text(in)) + "\">" + escape_text(sanitise_xml_text(in)) +
                                 "</D:x>";
    std::string got = std::move(w).finish();
    if (in.empty()) continue;  // empty text leaves the element empty: <D:x a=""/>
    EXPECT_EQ(got, expected);
  }
}

TEST(XmlWriter, OutputAlwaysReparses) {
  XmlWriter w;
  w.open(dav_name("multistatus"));
  w.leaf({"urn:weird\"ns<&>", "x"}, std::string("bad\x01\xFF<text>&", 12));
  w.open({"urn:x", "y"});
  w.attribute("a", std::string("\0\"'", 3));
  w.close();
  w.close();
  const std::string out = std::move(w).finish();
  auto parsed = parse_document(out);
  const Element* root = testing::unwrap<Element>(parsed);
  ASSERT_NE(root, nullptr) << out;
  ASSERT_EQ(root->children.size(), 2u);
  EXPECT_EQ(root->children[0].name, (QName{"urn:weird\"ns<&>", "x"}));
  EXPECT_EQ(root->children[0].text(), "bad\xEF\xBF\xBD\xEF\xBF\xBD<text>&");
}

TEST(XmlWriter, RawFragmentsKeepTheirNamespaces) {
  auto doc = parse_document(R"(<Z:Authors xmlns:Z="urn:z"><Z:Author>Jim</Z:Author></Z:Authors>)");
  const Element* e = testing::unwrap<Element>(doc);
  ASSERT_NE(e, nullptr);
  XmlWriter w;
  w.open(dav_name("prop"));
  w.raw(serialise_fragment(*e));
  w.close();
  const std::string out = std::move(w).finish();
  EXPECT_EQ(out, std::string(decl) + R"(<D:prop xmlns:D="DAV:"><Authors xmlns="urn:z"><Author>Jim</Author></Authors></D:prop>)");
  auto again = parse_document(out);
  const Element* root = testing::unwrap<Element>(again);
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(root->children.at(0).name, (QName{"urn:z", "Authors"}));
  EXPECT_EQ(root->children.at(0).children.at(0).name, (QName{"urn:z", "Author"}));
}

}  // namespace
}  // namespace atrium::dav::xml
