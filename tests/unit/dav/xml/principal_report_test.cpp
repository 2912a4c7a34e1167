// Principal lookups: expand-property (RFC 3253 §3.8, Apple's proxy discovery) and
// principal-property-search / principal-search-property-set (RFC 3744 §9.4/§9.5).
#include "tests/unit/dav/xml/report_support.hpp"

#include <gtest/gtest.h>

namespace atrium::dav::xml {
namespace {

using testing::error_kind;
using testing::report_as;

const std::string cs(ns::calendarserver);
const std::string cal(ns::caldav);

TEST(ExpandProperty, AppleProxyDiscovery) {
  auto r = parse_report(R"(<?xml version="1.0" encoding="UTF-8"?>
<A:expand-property xmlns:A="DAV:">
  <A:property name="calendar-proxy-write-for" namespace="http://calendarserver.org/ns/">
    <A:property name="displayname" namespace="DAV:"/>
    <A:property name="calendar-user-address-set" namespace="urn:ietf:params:xml:ns:caldav"/>
    <A:property name="email-address-set" namespace="http://calendarserver.org/ns/"/>
  </A:property>
  <A:property name="calendar-proxy-read-for" namespace="http://calendarserver.org/ns/">
    <A:property name="displayname" namespace="DAV:"/>
  </A:property>
</A:expand-property>)");
  const ExpandPropertyReport* e = report_as<ExpandPropertyReport>(r);
  ASSERT_NE(e, nullptr);
  const ExpandPropertyReport expected{{
      {{cs, "calendar-proxy-write-for"},
       {{dav_name("displayname"), {}}, {{cal, "calendar-user-address-set"}, {}}, {{cs, "email-address-set"}, {}}}},
      {{cs, "calendar-proxy-read-for"}, {{dav_name("displayname"), {}}}},
  }};
  EXPECT_EQ(*e, expected);
}

TEST(ExpandProperty, Rfc3253ExampleDefaultsToDav) {
  auto r = parse_report(R"(<D:expand-property xmlns:D="DAV:">
  <D:property name="version-history">
    <D:property name="version-set">
      <D:property name="creator-displayname"/>
      <D:property name="activity-set"/>
    </D:property>
  </D:property>
</D:expand-property>)");
  const ExpandPropertyReport* e = report_as<ExpandPropertyReport>(r);
  ASSERT_NE(e, nullptr);
  ASSERT_EQ(e->properties.size(), 1u);
  EXPECT_EQ(e->properties[0].name, dav_name("version-history"));
  ASSERT_EQ(e->properties[0].children.size(), 1u);
  EXPECT_EQ(e->properties[0].children[0].children.size(), 2u);
  EXPECT_EQ(error_kind(parse_report(R"(<D:expand-property xmlns:D="DAV:"><D:property/></D:expand-property>)")),
            ErrorKind::missing_element);
}

TEST(PrincipalPropertySearch, AppleAttendeeLookup) {
  auto r = parse_report(R"(<?xml version="1.0" encoding="UTF-8"?>
<x0:principal-property-search xmlns:x2="urn:ietf:params:xml:ns:caldav" xmlns:x0="DAV:" xmlns:x1="http://calendarserver.org/ns/" test="anyof">
  <x0:property-search><x0:prop><x0:displayname/></x0:prop><x0:match match-type="starts-with">john</x0:match></x0:property-search>
  <x0:property-search><x0:prop><x1:email-address-set/></x0:prop><x0:match match-type="starts-with">john</x0:match></x0:property-search>
  <x0:property-search><x0:prop><x1:first-name/></x0:prop><x0:match match-type="starts-with">john</x0:match></x0:property-search>
  <x0:prop>
    <x1:email-address-set/><x2:calendar-user-address-set/><x2:calendar-user-type/><x0:displayname/>
    <x1:first-name/><x1:last-name/><x1:record-type/><x0:principal-URL/>
  </x0:prop>
</x0:principal-property-search>)");
  const PrincipalPropertySearch* p = report_as<PrincipalPropertySearch>(r);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->test, FilterTest::anyof);
  ASSERT_EQ(p->searches.size(), 3u);
  EXPECT_EQ(p->searches[0].props, (std::vector<QName>{dav_name("displayname")}));
  EXPECT_EQ(p->searches[0].match, "john");
  EXPECT_EQ(p->searches[0].match_type, calendar::MatchType::starts_with);
  EXPECT_EQ(p->searches[1].props, (std::vector<QName>{{cs, "email-address-set"}}));
  EXPECT_EQ(p->props.size(), 8u);
  EXPECT_EQ(p->props[7], dav_name("principal-URL"));
  EXPECT_FALSE(p->apply_to_principal_collection_set);
}

TEST(PrincipalPropertySearch, Rfc3744Example) {
  auto r = parse_report(R"(<?xml version="1.0" encoding="utf-8" ?>
<D:principal-property-search xmlns:D="DAV:">
  <D:property-search>
    <D:prop><D:displayname/></D:prop>
    <D:match>doE</D:match>
  </D:property-search>
  <D:property-search>
    <D:prop xmlns:B="http://www.example.com/ns/"><B:title/></D:prop>
    <D:match>Sales</D:match>
  </D:property-search>
  <D:prop xmlns:B="http://www.example.com/ns/">
    <D:displayname/>
    <B:department/>
    <B:phone/>
    <B:office/>
    <B:salary/>
  </D:prop>
  <D:apply-to-principal-collection-set/>
</D:principal-property-search>)");
  const PrincipalPropertySearch* p = report_as<PrincipalPropertySearch>(r);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->test, FilterTest::allof);
  ASSERT_EQ(p->searches.size(), 2u);
  EXPECT_EQ(p->searches[0].match, "doE");
  EXPECT_EQ(p->searches[0].match_type, calendar::MatchType::contains);
  EXPECT_EQ(p->props.size(), 5u);
  EXPECT_TRUE(p->apply_to_principal_collection_set);
}

TEST(PrincipalPropertySearch, ThunderbirdCalendarUserAddressLookup) {
  // Lightning looks up an attendee's principal by calendar-user-address-set.
  auto r = parse_report(R"(<D:principal-property-search xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:property-search><D:prop><C:calendar-user-address-set/></D:prop><D:match>mailto:bob@example.com</D:match></D:property-search>
  <D:prop><C:calendar-inbox-URL/><C:calendar-user-address-set/></D:prop>
  <D:limit><D:nresults>50</D:nresults></D:limit>
</D:principal-property-search>)");
  const PrincipalPropertySearch* p = report_as<PrincipalPropertySearch>(r);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->searches.at(0).match, "mailto:bob@example.com");
  EXPECT_EQ(p->limit, 50u);
}

TEST(PrincipalPropertySearch, Refusals) {
  EXPECT_EQ(error_kind(parse_report(R"(<D:principal-property-search xmlns:D="DAV:"><D:prop/></D:principal-property-search>)")),
            ErrorKind::missing_element);
  EXPECT_EQ(error_kind(parse_report(
                R"(<D:principal-property-search xmlns:D="DAV:"><D:property-search><D:prop><D:displayname/></D:prop></D:property-search></D:principal-property-search>)")),
            ErrorKind::missing_element);
  EXPECT_EQ(error_kind(parse_report(
                R"(<D:principal-property-search xmlns:D="DAV:" test="someof"><D:property-search><D:prop><D:displayname/></D:prop><D:match>x</D:match></D:property-search></D:principal-property-search>)")),
            ErrorKind::invalid_value);
  EXPECT_EQ(error_kind(parse_report(
                R"(<D:principal-property-search xmlns:D="DAV:"><D:property-search><D:prop><D:displayname/></D:prop><D:match match-type="regex">x</D:match></D:property-search></D:principal-property-search>)")),
            ErrorKind::invalid_value);
}

TEST(CalendarserverPrincipalSearch, MacosAttendeeLookup) {
  // macOS Calendar 10.11+ searches with free-text tokens instead of principal-property-search.
  auto r = parse_report(R"(<?xml version="1.0" encoding="UTF-8"?>
<C:calendarserver-principal-search xmlns:C="http://calendarserver.org/ns/" context="attendee">
  <C:search-token>ann</C:search-token>
  <C:search-token> smith </C:search-token>
  <C:search-token/>
  <C:limit><C:nresults>25</C:nresults></C:limit>
  <A:prop xmlns:A="DAV:">
    <A:displayname/>
    <C:email-address-set/>
    <B:calendar-user-address-set xmlns:B="urn:ietf:params:xml:ns:caldav"/>
    <A:principal-URL/>
  </A:prop>
</C:calendarserver-principal-search>)");
  const CalendarserverPrincipalSearch* s = report_as<CalendarserverPrincipalSearch>(r);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->context, "attendee");
  EXPECT_EQ(s->tokens, (std::vector<std::string>{"ann", "smith"}));
  EXPECT_EQ(s->limit, 25u);
  EXPECT_EQ(s->props, (std::vector<QName>{dav_name("displayname"), {cs, "email-address-set"}, {cal, "calendar-user-address-set"},
                                          dav_name("principal-URL")}));
  EXPECT_EQ(error_kind(parse_report(
                R"(<C:calendarserver-principal-search xmlns:C="http://calendarserver.org/ns/"><C:search-token> </C:search-token></C:calendarserver-principal-search>)")),
            ErrorKind::missing_element);
}

TEST(PrincipalSearchPropertySet, EmptyRoot) {
  auto r = parse_report(R"(<?xml version="1.0" encoding="utf-8" ?><D:principal-search-property-set xmlns:D="DAV:"/>)");
  EXPECT_NE(report_as<PrincipalSearchPropertySet>(r), nullptr);
}

}  // namespace
}  // namespace atrium::dav::xml
