// PROPFIND bodies as RFC 4918 and real clients send them.
#include "dav/xml/propfind.hpp"

#include "tests/unit/dav/xml/test_support.hpp"

#include <gtest/gtest.h>

namespace atrium::dav::xml {
namespace {

using testing::error_kind;
using testing::unwrap;

const std::string cs(ns::calendarserver);
const std::string cal(ns::caldav);
const std::string card(ns::carddav);
const std::string ical(ns::apple_ical);

struct Case {
  const char* name;
  std::string body;
  Propfind expected;
};

class PropfindGood : public ::testing::TestWithParam<Case> {};

TEST_P(PropfindGood, Parses) {
  auto r = parse_propfind(GetParam().body);
  const Propfind* p = unwrap<Propfind>(r);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(*p, GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Clients, PropfindGood,
    ::testing::Values(
        Case{"empty_body_is_allprop", "", {PropRequestKind::allprop, {}}},
        Case{"blank_body_is_allprop", "\r\n", {PropRequestKind::allprop, {}}},
        // RFC 4918 §9.1.3.
        Case{"rfc4918_prop",
             R"(<?xml version="1.0" encoding="utf-8" ?>
<D:propfind xmlns:D="DAV:">
  <D:prop xmlns:R="http://ns.example.com/boxschema/">
    <R:bigbox/>
    <R:author/>
    <R:DingALing/>
    <R:Random/>
  </D:prop>
</D:propfind>)",
             {PropRequestKind::prop,
              {{"http://ns.example.com/boxschema/", "bigbox"},
               {"http://ns.example.com/boxschema/", "author"},
               {"http://ns.example.com/boxschema/", "DingALing"},
               {"http://ns.example.com/boxschema/", "Random"}}}},
        // RFC 4918 §9.1.4.
        Case{"rfc4918_propname", R"(<?xml version="1.0" encoding="utf-8" ?><propfind xmlns="DAV:"><propname/></propfind>)",
             {PropRequestKind::propname, {}}},
        // RFC 4918 §9.1.5/§9.1.6.
        Case{"rfc4918_allprop_include",
             R"(<D:propfind xmlns:D="DAV:"><D:allprop/><D:include><D:supported-live-property-set/><D:supported-report-set/></D:include></D:propfind>)",
             {PropRequestKind::allprop, {dav_name("supported-live-property-set"), dav_name("supported-report-set")}}},
        // Thunderbird/Lightning checking a calendar collection.
        Case{"lightning_collection",
             R"(<?xml version="1.0" encoding="UTF-8"?>
<D:propfind xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop>
    <D:resourcetype/>
    <D:owner/>
    <D:current-user-principal/>
    <D:current-user-privilege-set/>
    <D:supported-report-set/>
    <C:supported-calendar-component-set/>
    <CS:getctag/>
  </D:prop>
</D:propfind>)",
             {PropRequestKind::prop,
              {dav_name("resourcetype"), dav_name("owner"), dav_name("current-user-principal"),
               dav_name("current-user-privilege-set"), dav_name("supported-report-set"),
               {cal, "supported-calendar-component-set"}, {cs, "getctag"}}}},
        // Apple Calendar (macOS/iOS) redeclares prefixes on every element.
        Case{"apple_home_set",
             R"(<?xml version="1.0" encoding="UTF-8"?>
<A:propfind xmlns:A="DAV:">
  <A:prop>
    <A:add-member/>
    <C:allowed-sharing-modes xmlns:C="http://calendarserver.org/ns/"/>
    <D:autoprovisioned xmlns:D="http://apple.com/ns/ical/"/>
    <E:bulk-requests xmlns:E="http://me.com/_namespace/"/>
    <D:calendar-color xmlns:D="http://apple.com/ns/ical/"/>
    <B:calendar-description xmlns:B="urn:ietf:params:xml:ns:caldav"/>
    <B:calendar-free-busy-set xmlns:B="urn:ietf:params:xml:ns:caldav"/>
    <D:calendar-order xmlns:D="http://apple.com/ns/ical/"/>
    <C:getctag xmlns:C="http://calendarserver.org/ns/"/>
    <A:resourcetype/>
    <A:sync-token/>
  </A:prop>
</A:propfind>)",
             {PropRequestKind::prop,
              {dav_name("add-member"), {cs, "allowed-sharing-modes"}, {ical, "autoprovisioned"},
               {"http://me.com/_namespace/", "bulk-requests"}, {ical, "calendar-color"}, {cal, "calendar-description"},
               {cal, "calendar-free-busy-set"}, {ical, "calendar-order"}, {cs, "getctag"}, dav_name("resourcetype"),
               dav_name("sync-token")}}},
        // DAVx5 (dav4jvm) puts DAV: in the default namespace.
        Case{"davx5_principal",
             R"(<?xml version='1.0' encoding='UTF-8' ?><propfind xmlns="DAV:" xmlns:CAL="urn:ietf:params:xml:ns:caldav" xmlns:CARD="urn:ietf:params:xml:ns:carddav"><prop><current-user-principal /><CARD:addressbook-home-set /><CAL:calendar-home-set /></prop></propfind>)",
             {PropRequestKind::prop,
              {dav_name("current-user-principal"), {card, "addressbook-home-set"}, {cal, "calendar-home-set"}}}},
        // vdirsyncer asking for etags (Depth: 1); duplicates are dropped.
        Case{"vdirsyncer_etags",
             R"(<?xml version="1.0" encoding="utf-8" ?><D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/><D:getcontenttype/><D:getetag/><D:getetag/></D:prop></D:propfind>)",
             {PropRequestKind::prop, {dav_name("resourcetype"), dav_name("getcontenttype"), dav_name("getetag")}}},
        Case{"empty_prop", R"(<D:propfind xmlns:D="DAV:"><D:prop/></D:propfind>)", {PropRequestKind::prop, {}}}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(PropfindBad, WrongRoot) {
  EXPECT_EQ(error_kind(parse_propfind(R"(<D:propertyupdate xmlns:D="DAV:"/>)")), ErrorKind::unexpected_root);
  // Right local name, wrong namespace.
  EXPECT_EQ(error_kind(parse_propfind(R"(<propfind xmlns="urn:not-dav"><prop/></propfind>)")),
            ErrorKind::unexpected_root);
  EXPECT_EQ(error_kind(parse_propfind(R"(<propfind><prop/></propfind>)")), ErrorKind::unexpected_root);
}

TEST(PropfindBad, NothingRequested) {
  EXPECT_EQ(error_kind(parse_propfind(R"(<D:propfind xmlns:D="DAV:"/>)")), ErrorKind::missing_element);
}

TEST(PropfindBad, LimitsApply) {
  const std::string body = R"(<D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>)";
  EXPECT_EQ(error_kind(parse_propfind(body, ParseLimits{.max_bytes = 10})), ErrorKind::too_large);
  EXPECT_EQ(error_kind(parse_propfind(std::string(20, ' '), ParseLimits{.max_bytes = 10})), ErrorKind::too_large);
  EXPECT_EQ(error_kind(parse_propfind("<!DOCTYPE x>" + body)), ErrorKind::doctype);
}

}  // namespace
}  // namespace atrium::dav::xml
