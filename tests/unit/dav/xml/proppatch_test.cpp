// PROPPATCH bodies: ordered instructions, dead properties kept as fragments.
#include "dav/xml/proppatch.hpp"

#include "tests/unit/dav/xml/test_support.hpp"

#include <gtest/gtest.h>

namespace atrium::dav::xml {
namespace {

using testing::error_kind;
using testing::unwrap;

TEST(Proppatch, Rfc4918Example) {
  auto r = parse_proppatch(R"(<?xml version="1.0" encoding="utf-8" ?>
<D:propertyupdate xmlns:D="DAV:" xmlns:Z="http://ns.example.com/standards/z39.50/">
  <D:set>
    <D:prop>
      <Z:Authors>
        <Z:Author>Jim Whitehead</Z:Author>
        <Z:Author>Roy Fielding</Z:Author>
      </Z:Authors>
    </D:prop>
  </D:set>
  <D:remove>
    <D:prop><Z:Copyright-Owner/></D:prop>
  </D:remove>
</D:propertyupdate>)");
  const Proppatch* p = unwrap<Proppatch>(r);
  ASSERT_NE(p, nullptr);
  ASSERT_EQ(p->instructions.size(), 2u);
  const std::string z = "http://ns.example.com/standards/z39.50/";
  EXPECT_EQ(p->instructions[0].op, PatchOp::set);
  EXPECT_EQ(p->instructions[0].property.name, (QName{z, "Authors"}));
  EXPECT_EQ(p->instructions[0].property.xml,
            "<Authors xmlns=\"http://ns.example.com/standards/z39.50/\">\n        <Author>Jim Whitehead</Author>\n"
            "        <Author>Roy Fielding</Author>\n      </Authors>");
  EXPECT_EQ(p->instructions[1].op, PatchOp::remove);
  EXPECT_EQ(p->instructions[1].property.name, (QName{z, "Copyright-Owner"}));
  EXPECT_EQ(p->instructions[1].property.xml, "<Copyright-Owner xmlns=\"http://ns.example.com/standards/z39.50/\"/>");
}

TEST(Proppatch, OrderIsKeptAcrossSetAndRemove) {
  auto r = parse_proppatch(R"(<D:propertyupdate xmlns:D="DAV:" xmlns:X="urn:x">
    <D:remove><D:prop><X:a/></D:prop></D:remove>
    <D:set><D:prop><X:a>1</X:a><X:b>2</X:b></D:prop></D:set>
    <D:remove><D:prop><X:b/></D:prop></D:remove>
  </D:propertyupdate>)");
  const Proppatch* p = unwrap<Proppatch>(r);
  ASSERT_NE(p, nullptr);
  ASSERT_EQ(p->instructions.size(), 4u);
  EXPECT_EQ(p->instructions[0].op, PatchOp::remove);
  EXPECT_EQ(p->instructions[1].op, PatchOp::set);
  EXPECT_EQ(p->instructions[1].property.text, "1");
  EXPECT_EQ(p->instructions[2].property.name.local, "b");
  EXPECT_EQ(p->instructions[3].op, PatchOp::remove);
}

TEST(Proppatch, AppleCalendarColorKeepsItsAttribute) {
  auto r = parse_proppatch(
      R"(<?xml version="1.0" encoding="UTF-8"?>
<A:propertyupdate xmlns:A="DAV:"><A:set><A:prop><B:calendar-color xmlns:B="http://apple.com/ns/ical/" symbolic-color="custom">#FF2968FF</B:calendar-color></A:prop></A:set></A:propertyupdate>)");
  const Proppatch* p = unwrap<Proppatch>(r);
  ASSERT_NE(p, nullptr);
  ASSERT_EQ(p->instructions.size(), 1u);
  const PropertyValue& v = p->instructions[0].property;
  EXPECT_EQ(v.name, (QName{"http://apple.com/ns/ical/", "calendar-color"}));
  EXPECT_EQ(v.text, "#FF2968FF");
  EXPECT_EQ(v.xml, R"(<calendar-color xmlns="http://apple.com/ns/ical/" symbolic-color="custom">#FF2968FF</calendar-color>)");
}

TEST(Proppatch, LightningDisplaynameAndColor) {
  auto r = parse_proppatch(R"(<D:propertyupdate xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:A="http://apple.com/ns/ical/">
  <D:set><D:prop><D:displayname>Work &amp; Play</D:displayname></D:prop></D:set>
  <D:set><D:prop><A:calendar-color>#3d8fd2</A:calendar-color></D:prop></D:set>
</D:propertyupdate>)");
  const Proppatch* p = unwrap<Proppatch>(r);
  ASSERT_NE(p, nullptr);
  ASSERT_EQ(p->instructions.size(), 2u);
  EXPECT_EQ(p->instructions[0].property.name, dav_name("displayname"));
  EXPECT_EQ(p->instructions[0].property.text, "Work & Play");
  EXPECT_EQ(p->instructions[0].property.xml, R"(<displayname xmlns="DAV:">Work &amp; Play</displayname>)");
  EXPECT_EQ(p->instructions[1].property.text, "#3d8fd2");
}

TEST(Proppatch, DeadPropertyWithMixedNamespacesRoundTrips) {
  auto r = parse_proppatch(R"(<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop>
    <x:meta xmlns:x="urn:x" xmlns:y="urn:y"><y:item y:id="7">a</y:item><plain xmlns="">b</plain></x:meta>
  </D:prop></D:set></D:propertyupdate>)");
  const Proppatch* p = unwrap<Proppatch>(r);
  ASSERT_NE(p, nullptr);
  ASSERT_EQ(p->instructions.size(), 1u);
  const PropertyValue& v = p->instructions[0].property;
  EXPECT_EQ(v.xml, R"(<meta xmlns="urn:x"><item xmlns="urn:y" xmlns:a0="urn:y" a0:id="7">a</item><plain xmlns="">b</plain></meta>)");
  EXPECT_EQ(v.text, "ab");
  auto again = parse_document(v.xml);
  const Element* e = unwrap<Element>(again);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->children[0].name, (QName{"urn:y", "item"}));
  EXPECT_EQ(e->children[0].attributes[0].name, (QName{"urn:y", "id"}));
  EXPECT_EQ(e->children[1].name, (QName{"", "plain"}));
}

TEST(Proppatch, InheritedXmlLangIsKept) {
  auto r = parse_proppatch(R"(<D:propertyupdate xmlns:D="DAV:" xml:lang="de"><D:set><D:prop xml:lang="en">
    <D:displayname>Work</D:displayname><x:a xmlns:x="urn:x" xml:lang="fr">Travail</x:a></D:prop></D:set>
    <D:set><D:prop><x:b xmlns:x="urn:x">Arbeit</x:b></D:prop></D:set></D:propertyupdate>)");
  const Proppatch* p = unwrap<Proppatch>(r);
  ASSERT_NE(p, nullptr);
  ASSERT_EQ(p->instructions.size(), 3u);
  EXPECT_EQ(p->instructions[0].property.xml, R"(<displayname xmlns="DAV:" xml:lang="en">Work</displayname>)");
  EXPECT_EQ(p->instructions[1].property.xml, R"(<a xmlns="urn:x" xml:lang="fr">Travail</a>)");
  EXPECT_EQ(p->instructions[2].property.xml, R"(<b xmlns="urn:x" xml:lang="de">Arbeit</b>)");
}

TEST(Proppatch, Refusals) {
  EXPECT_EQ(error_kind(parse_proppatch("")), ErrorKind::malformed);
  EXPECT_EQ(error_kind(parse_proppatch(R"(<D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>)")),
            ErrorKind::unexpected_root);
  EXPECT_EQ(error_kind(parse_proppatch(R"(<D:propertyupdate xmlns:D="DAV:"/>)")), ErrorKind::missing_element);
  EXPECT_EQ(error_kind(parse_proppatch(R"(<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop/></D:set></D:propertyupdate>)")),
            ErrorKind::missing_element);
  // Elements in another namespace that happen to be called "set" are not instructions.
  EXPECT_EQ(error_kind(parse_proppatch(
                R"(<D:propertyupdate xmlns:D="DAV:" xmlns:X="urn:x"><X:set><D:prop><X:a/></D:prop></X:set></D:propertyupdate>)")),
            ErrorKind::missing_element);
}

}  // namespace
}  // namespace atrium::dav::xml
