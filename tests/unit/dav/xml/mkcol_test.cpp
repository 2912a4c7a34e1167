// Extended MKCOL (RFC 5689) and MKCALENDAR (RFC 4791 §5.3.1) bodies.
#include "dav/xml/mkcol.hpp"

#include "tests/unit/dav/xml/test_support.hpp"

#include <gtest/gtest.h>

namespace atrium::dav::xml {
namespace {

using testing::error_kind;
using testing::unwrap;

TEST(Mkcol, Rfc5689Example) {
  auto r = parse_mkcol(R"(<?xml version="1.0" encoding="utf-8" ?>
<D:mkcol xmlns:D="DAV:" xmlns:E="http://example.com/ns/">
  <D:set>
    <D:prop>
      <D:resourcetype>
        <D:collection/>
        <E:special-resource/>
      </D:resourcetype>
      <D:displayname>Special Resource</D:displayname>
    </D:prop>
  </D:set>
</D:mkcol>)");
  const Mkcol* m = unwrap<Mkcol>(r);
  ASSERT_NE(m, nullptr);
  ASSERT_TRUE(m->resource_type.has_value());
  EXPECT_EQ(*m->resource_type, (std::vector<QName>{dav_name("collection"), {"http://example.com/ns/", "special-resource"}}));
  ASSERT_EQ(m->props.size(), 1u);
  EXPECT_EQ(m->props[0].name, dav_name("displayname"));
  EXPECT_EQ(m->props[0].text, "Special Resource");
}

TEST(Mkcol, CardDavAddressBook) {
  // DAVx5 / Evolution creating an address book (RFC 6352 §6.3.1).
  auto r = parse_mkcol(R"(<?xml version='1.0' encoding='UTF-8' ?><mkcol xmlns="DAV:" xmlns:CARD="urn:ietf:params:xml:ns:carddav"><set><prop><resourcetype><collection /><CARD:addressbook /></resourcetype><displayname>Friends</displayname><CARD:addressbook-description>Mine</CARD:addressbook-description></prop></set></mkcol>)");
  const Mkcol* m = unwrap<Mkcol>(r);
  ASSERT_NE(m, nullptr);
  ASSERT_TRUE(m->resource_type.has_value());
  EXPECT_EQ(*m->resource_type, (std::vector<QName>{dav_name("collection"), carddav_name("addressbook")}));
  ASSERT_EQ(m->props.size(), 2u);
  EXPECT_EQ(m->props[1].name, carddav_name("addressbook-description"));
}

TEST(Mkcol, EmptyBodyIsPlainMkcol) {
  auto r = parse_mkcol("");
  const Mkcol* m = unwrap<Mkcol>(r);
  ASSERT_NE(m, nullptr);
  EXPECT_FALSE(m->resource_type.has_value());
  EXPECT_TRUE(m->props.empty());
}

TEST(Mkcol, Refusals) {
  EXPECT_EQ(error_kind(parse_mkcol(R"(<C:mkcalendar xmlns:C="urn:ietf:params:xml:ns:caldav"/>)")), ErrorKind::unexpected_root);
  EXPECT_EQ(error_kind(parse_mkcol(R"(<D:mkcol xmlns:D="DAV:"><D:set/></D:mkcol>)")), ErrorKind::missing_element);
  EXPECT_EQ(error_kind(parse_mkcol(R"(<D:mkcol xmlns:D="DAV:"><D:set>)")), ErrorKind::malformed);
}

TEST(Mkcalendar, Rfc4791Example) {
  auto r = parse_mkcalendar(R"(<?xml version="1.0" encoding="utf-8" ?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:set>
    <D:prop>
      <D:displayname>Lisa's Events</D:displayname>
      <C:calendar-description xml:lang="en">Calendar restricted to events.</C:calendar-description>
      <C:supported-calendar-component-set>
        <C:comp name="VEVENT"/>
      </C:supported-calendar-component-set>
      <C:calendar-timezone><![CDATA[BEGIN:VCALENDAR
PRODID:-//Example Corp.//CalDAV Client//EN
VERSION:2.0
BEGIN:VTIMEZONE
TZID:US-Eastern
END:VTIMEZONE
END:VCALENDAR
]]></C:calendar-timezone>
    </D:prop>
  </D:set>
</C:mkcalendar>)");
  const Mkcol* m = unwrap<Mkcol>(r);
  ASSERT_NE(m, nullptr);
  EXPECT_FALSE(m->resource_type.has_value());
  ASSERT_EQ(m->props.size(), 4u);
  EXPECT_EQ(m->props[0].text, "Lisa's Events");
  EXPECT_EQ(m->props[1].xml,
            R"(<calendar-description xmlns="urn:ietf:params:xml:ns:caldav" xml:lang="en">Calendar restricted to events.</calendar-description>)");
  EXPECT_EQ(m->props[2].name, caldav_name("supported-calendar-component-set"));
  EXPECT_NE(m->props[2].xml.find(R"(<comp name="VEVENT"/>)"), std::string::npos);
  EXPECT_EQ(m->props[3].name, caldav_name("calendar-timezone"));
  EXPECT_TRUE(m->props[3].text.starts_with("BEGIN:VCALENDAR\nPRODID:"));
  EXPECT_TRUE(m->props[3].text.ends_with("END:VCALENDAR\n"));
}

TEST(Mkcalendar, EmptyBodyAndAppleBody) {
  EXPECT_EQ(error_kind(parse_mkcalendar("")), std::nullopt);
  // iCal creating a calendar: ICAL:calendar-color/order and a component set.
  auto r = parse_mkcalendar(R"(<?xml version="1.0" encoding="UTF-8"?>
<B:mkcalendar xmlns:B="urn:ietf:params:xml:ns:caldav"><A:set xmlns:A="DAV:"><A:prop><D:calendar-order xmlns:D="http://apple.com/ns/ical/">3</D:calendar-order><B:supported-calendar-component-set><B:comp name="VEVENT"/></B:supported-calendar-component-set><D:calendar-color xmlns:D="http://apple.com/ns/ical/" symbolic-color="orange">#FF9500</D:calendar-color><A:displayname>Untitled</A:displayname><B:calendar-free-busy-set><YES/></B:calendar-free-busy-set></A:prop></A:set></B:mkcalendar>)");
  const Mkcol* m = unwrap<Mkcol>(r);
  ASSERT_NE(m, nullptr);
  ASSERT_EQ(m->props.size(), 5u);
  EXPECT_EQ(m->props[0].name, (QName{"http://apple.com/ns/ical/", "calendar-order"}));
  EXPECT_EQ(m->props[0].text, "3");
  EXPECT_EQ(m->props[3].name, dav_name("displayname"));
  EXPECT_EQ(error_kind(parse_mkcalendar(R"(<D:mkcol xmlns:D="DAV:"/>)")), ErrorKind::unexpected_root);
}

TEST(Mkcalendar, AppleTimezoneWithCharacterReferencesKeepsCrlf) {
  // macOS sends calendar-timezone with CR as "&#13;" so that CRLF survives XML line-end handling.
  auto r = parse_mkcalendar(R"(<B:mkcalendar xmlns:B="urn:ietf:params:xml:ns:caldav"><A:set xmlns:A="DAV:"><A:prop>)"
                            "<B:calendar-timezone>BEGIN:VCALENDAR&#13;\nVERSION:2.0&#13;\nEND:VCALENDAR&#13;\n</B:calendar-timezone>"
                            R"(<B:schedule-calendar-transp><B:transparent/></B:schedule-calendar-transp></A:prop></A:set></B:mkcalendar>)");
  const Mkcol* m = unwrap<Mkcol>(r);
  ASSERT_NE(m, nullptr);
  ASSERT_EQ(m->props.size(), 2u);
  EXPECT_EQ(m->props[0].text, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n");
  EXPECT_EQ(m->props[0].xml, "<calendar-timezone xmlns=\"urn:ietf:params:xml:ns:caldav\">BEGIN:VCALENDAR&#13;\nVERSION:2.0&#13;\n"
                             "END:VCALENDAR&#13;\n</calendar-timezone>");
  EXPECT_EQ(m->props[1].xml, R"(<schedule-calendar-transp xmlns="urn:ietf:params:xml:ns:caldav"><transparent/></schedule-calendar-transp>)");
}

}  // namespace
}  // namespace atrium::dav::xml
