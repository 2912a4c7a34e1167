// Safe parsing: namespaces, limits, DTD refusal, UTF-8, and fragment serialisation.
#include "dav/xml/document.hpp"

#include "tests/unit/dav/xml/test_support.hpp"

#include <gtest/gtest.h>

#include <string>

namespace atrium::dav::xml {
namespace {

using testing::error_kind;
using testing::unwrap;

TEST(DavDocument, ResolvesPrefixesAndDefaultNamespaces) {
  auto r = parse_document(R"(<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:" xmlns="urn:x"><D:prop><a/><b xmlns=""/><c:c xmlns:c="urn:c"/><D:x xmlns:D="urn:redefined"/></D:prop></D:propfind>)");
  const Element* root = unwrap<Element>(r);
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(root->name, (QName{"DAV:", "propfind"}));
  const Element* prop = root->child("DAV:", "prop");
  ASSERT_NE(prop, nullptr);
  ASSERT_EQ(prop->children.size(), 4u);
  EXPECT_EQ(prop->children[0].name, (QName{"urn:x", "a"}));
  EXPECT_EQ(prop->children[1].name, (QName{"", "b"}));
  EXPECT_EQ(prop->children[2].name, (QName{"urn:c", "c"}));
  EXPECT_EQ(prop->children[3].name, (QName{"urn:redefined", "x"}));
}

TEST(DavDocument, AttributesAndTextRuns) {
  auto r = parse_document(R"(<a xmlns="urn:a" xmlns:p="urn:p" x="1" p:y="2" xml:lang="en">one<b/>two<![CDATA[<3>]]>&amp;&#x41;</a>)");
  const Element* a = unwrap<Element>(r);
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(a->attributes.size(), 3u);
  EXPECT_EQ(a->attributes[0].name, (QName{"", "x"}));  // unprefixed attributes are in no namespace
  EXPECT_EQ(a->attributes[1].name, (QName{"urn:p", "y"}));
  EXPECT_EQ(a->attributes[2].name, (QName{std::string(ns::xml), "lang"}));
  ASSERT_NE(a->attribute("x"), nullptr);
  EXPECT_EQ(*a->attribute("x"), "1");
  EXPECT_EQ(a->attribute("y"), nullptr);
  ASSERT_EQ(a->text_runs.size(), 2u);
  EXPECT_EQ(a->text_runs[0], "one");
  EXPECT_EQ(a->text_runs[1], "two<3>&A");
  EXPECT_EQ(a->text(), "onetwo<3>&A");
}

TEST(DavDocument, KeepsWhitespaceAndTrims) {
  auto r = parse_document("<a xmlns='urn:a'>\n  text \t\n</a>");
  const Element* a = unwrap<Element>(r);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->text(), "\n  text \t\n");
  EXPECT_EQ(a->trimmed_text(), "text");
}

TEST(DavDocument, TextContentIsDeep) {
  auto r = parse_document("<a xmlns='urn:a'>1<b>2<c>3</c>4</b>5</a>");
  const Element* a = unwrap<Element>(r);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->text_content(), "12345");
}

TEST(DavDocument, Utf16WithBomIsConverted) {
  const std::u16string text = u"\uFEFF<a xmlns=\"urn:a\">\u00e9</a>";
  std::string bytes;
  for (char16_t c : text) {
    bytes += static_cast<char>(c & 0xFF);
    bytes += static_cast<char>(c >> 8);
  }
  auto r = parse_document(bytes);
  const Element* a = unwrap<Element>(r);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->text(), "\xC3\xA9");
}

struct Bad {
  const char* name;
  std::string body;
  ErrorKind kind;
};

class DavDocumentBad : public ::testing::TestWithParam<Bad> {};

TEST_P(DavDocumentBad, IsRefused) {
  auto r = parse_document(GetParam().body, ParseLimits{.max_bytes = 4096, .max_depth = 8});
  EXPECT_EQ(error_kind(r), GetParam().kind) << GetParam().body;
}

std::string nested(int depth) {
  std::string s;
  for (int i = 0; i < depth; ++i) s += "<a xmlns='urn:a'>";
  for (int i = 0; i < depth; ++i) s += "</a>";
  return s;
}

INSTANTIATE_TEST_SUITE_P(
    All, DavDocumentBad,
    ::testing::Values(
        Bad{"empty", "", ErrorKind::malformed}, Bad{"blank", "  \n", ErrorKind::malformed},
        Bad{"unclosed", "<a xmlns='urn:a'>", ErrorKind::malformed},
        Bad{"mismatched", "<a xmlns='urn:a'></b>", ErrorKind::malformed},
        Bad{"two_roots", "<a/><b/>", ErrorKind::malformed},
        Bad{"text_after_root", "<a/>junk", ErrorKind::malformed},
        Bad{"unbound_prefix", "<D:propfind/>", ErrorKind::malformed},
        Bad{"unbound_attribute_prefix", "<a q:x='1'/>", ErrorKind::malformed},
        Bad{"empty_prefix_binding", "<p:a xmlns:p=''/>", ErrorKind::malformed},
        Bad{"two_colons", "<p:a:b xmlns:p='urn:p'/>", ErrorKind::malformed},
        Bad{"local_name_starts_with_dash", "<D:-x xmlns:D='DAV:'/>", ErrorKind::malformed},
        Bad{"local_name_starts_with_digit", "<D:1x xmlns:D='DAV:'/>", ErrorKind::malformed},
        Bad{"bare_ampersand", "<a>fish & chips</a>", ErrorKind::malformed},
        Bad{"markup_declaration", "<!ELEMENT a ANY><a/>", ErrorKind::doctype},
        Bad{"duplicate_expanded_attribute", "<a xmlns:p='urn:x' xmlns:q='urn:x' p:x='1' q:x='2'/>",
            ErrorKind::malformed},
        Bad{"invalid_utf8", "<a>\xC3\x28</a>", ErrorKind::malformed},
        Bad{"overlong_utf8", "<a>\xC0\xAF</a>", ErrorKind::malformed},
        Bad{"nul_byte", std::string("<a>\0</a>", 8), ErrorKind::malformed},
        Bad{"control_char", "<a>\x01</a>", ErrorKind::malformed},
        Bad{"control_char_reference", "<a>&#1;</a>", ErrorKind::malformed},
        Bad{"undefined_entity", "<a>&foo;</a>", ErrorKind::malformed},
        Bad{"doctype", "<!DOCTYPE a><a/>", ErrorKind::doctype},
        Bad{"internal_entity",
            "<?xml version='1.0'?><!DOCTYPE d [<!ENTITY x 'xxxxxxxx'>]><D:propfind xmlns:D='DAV:'>&x;</D:propfind>",
            ErrorKind::doctype},
        Bad{"billion_laughs",
            "<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]><lolz>&lol2;</lolz>",
            ErrorKind::doctype},
        Bad{"external_entity",
            "<!DOCTYPE foo [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><foo>&xxe;</foo>", ErrorKind::doctype},
        Bad{"too_deep", nested(9), ErrorKind::too_deep},
        Bad{"too_large", "<a>" + std::string(5000, 'x') + "</a>", ErrorKind::too_large}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(DavDocument, DoctypeTextInCdataOrCommentsIsJustText) {
  auto r = parse_document("<a xmlns='urn:a'><!-- <!DOCTYPE x> & --><![CDATA[<!DOCTYPE x> & ]]></a>");
  const Element* a = unwrap<Element>(r);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->text(), "<!DOCTYPE x> & ");
}

TEST(DavDocument, DepthLimitIsInclusive) {
  const ParseLimits limits{.max_bytes = 4096, .max_depth = 8};
  EXPECT_EQ(error_kind(parse_document(nested(8), limits)), std::nullopt);
  EXPECT_EQ(error_kind(parse_document(nested(9), limits)), ErrorKind::too_deep);
}

TEST(DavDocument, VeryDeepInputDoesNotOverflowTheStack) {
  std::string s;
  for (int i = 0; i < 200000; ++i) s += "<a>";
  const ParseLimits big{.max_bytes = 1 << 21, .max_elements = 1000000};
  EXPECT_EQ(error_kind(parse_document(s, big)), ErrorKind::malformed);
  for (int i = 0; i < 200000; ++i) s += "</a>";
  EXPECT_EQ(error_kind(parse_document(s, big)), ErrorKind::too_deep);
  EXPECT_EQ(error_kind(parse_document(s, ParseLimits{.max_bytes = 1 << 21})), ErrorKind::too_large);
}

TEST(DavDocument, ElementLimit) {
  std::string body = "<a xmlns='urn:a'>";
  for (int i = 0; i < 9; ++i) body += "<b/>";
  body += "<!-- <c/> --><![CDATA[<d/>]]></a>";
  EXPECT_EQ(error_kind(parse_document(body, ParseLimits{.max_elements = 10})), std::nullopt);
  EXPECT_EQ(error_kind(parse_document(body, ParseLimits{.max_elements = 9})), ErrorKind::too_large);
  EXPECT_EQ(error_kind(parse_document("<a/><![CDATA[ ]]>")), ErrorKind::malformed);
}

TEST(DavDocument, SizeLimitIsInclusive) {
  const std::string body = "<a/>";
  EXPECT_EQ(error_kind(parse_document(body, ParseLimits{.max_bytes = 4})), std::nullopt);
  EXPECT_EQ(error_kind(parse_document(body, ParseLimits{.max_bytes = 3})), ErrorKind::too_large);
}

TEST(DavFragment, DeclaresDefaultNamespaces) {
  auto r = parse_document(
      R"(<Z:Authors xmlns:Z="http://ns.example.com/z/" xmlns:Y="urn:y"><Z:Author>Jim &amp; Roy</Z:Author><Y:note Y:kind="a&quot;b" plain="1"/><none xmlns=""/></Z:Authors>)");
  const Element* e = unwrap<Element>(r);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(serialise_fragment(*e),
            R"(<Authors xmlns="http://ns.example.com/z/"><Author>Jim &amp; Roy</Author>)"
            R"(<note xmlns="urn:y" xmlns:a0="urn:y" a0:kind="a&quot;b" plain="1"/><none xmlns=""/></Authors>)");
}

TEST(DavFragment, RoundTripsThroughTheParser) {
  const char* bodies[] = {
      R"(<a:x xmlns:a="urn:a" xml:lang="fr">t&lt;1<b:y xmlns:b="urn:b">  </b:y>tail<a:z/></a:x>)",
      "<x xmlns='urn:a'>line1\r\nline2\rline3</x>",
      "<p xmlns='http://apple.com/ns/ical/' symbolic-color='custom'>#FF2968FF</p>",
  };
  for (const char* body : bodies) {
    auto first = parse_document(body);
    const Element* a = unwrap<Element>(first);
    ASSERT_NE(a, nullptr);
    const std::string once = serialise_fragment(*a);
    auto second = parse_document(once);
    const Element* b = unwrap<Element>(second);
    ASSERT_NE(b, nullptr) << once;
    EXPECT_EQ(serialise_fragment(*b), once);
    EXPECT_EQ(b->name, a->name);
    EXPECT_EQ(b->text_content(), a->text_content());
  }
}

TEST(DavEscape, TextAndAttributes) {
  EXPECT_EQ(escape_text("a<b>&c\"d'\r\n"), "a&lt;b&gt;&amp;c\"d'&#13;\n");
  EXPECT_EQ(escape_attribute("a<b>&c\"d\t\n"), "a&lt;b&gt;&amp;c&quot;d&#9;&#10;");
}

}  // namespace
}  // namespace atrium::dav::xml
