// REPORT dispatch: every supported root, unsupported roots, and the parse limits.
#include "tests/unit/dav/xml/report_support.hpp"

#include <gtest/gtest.h>

namespace atrium::dav::xml {
namespace {

using testing::error_kind;

TEST(ReportDispatch, EachRootPicksItsReport) {
  struct Case {
    const char* body;
    std::size_t index;
  };
  const Case cases[] = {
      {R"(<C:calendar-query xmlns:C="urn:ietf:params:xml:ns:caldav"><C:filter><C:comp-filter name="VCALENDAR"/></C:filter></C:calendar-query>)", 0},
      {R"(<C:calendar-multiget xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:D="DAV:"><D:href>/a</D:href></C:calendar-multiget>)", 1},
      {R"(<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav"><C:time-range start="20060104T140000Z"/></C:free-busy-query>)", 2},
      {R"(<D:sync-collection xmlns:D="DAV:"><D:sync-token/></D:sync-collection>)", 3},
      {R"(<C:addressbook-query xmlns:C="urn:ietf:params:xml:ns:carddav"><C:filter/></C:addressbook-query>)", 4},
      {R"(<C:addressbook-multiget xmlns:C="urn:ietf:params:xml:ns:carddav" xmlns:D="DAV:"><D:href>/a</D:href></C:addressbook-multiget>)", 5},
      {R"(<D:expand-property xmlns:D="DAV:"/>)", 6},
      {R"(<D:principal-property-search xmlns:D="DAV:"><D:property-search><D:prop><D:displayname/></D:prop><D:match>x</D:match></D:property-search></D:principal-property-search>)", 7},
      {R"(<D:principal-search-property-set xmlns:D="DAV:"/>)", 8},
      {R"(<C:calendarserver-principal-search xmlns:C="http://calendarserver.org/ns/"><C:search-token>a</C:search-token></C:calendarserver-principal-search>)", 9},
  };
  for (const Case& c : cases) {
    auto r = parse_report(c.body);
    const Report* rep = testing::unwrap<Report>(r);
    ASSERT_NE(rep, nullptr) << c.body;
    EXPECT_EQ(rep->index(), c.index) << c.body;
  }
}

TEST(ReportDispatch, UnsupportedReports) {
  for (const char* body : {
           R"(<D:acl-principal-prop-set xmlns:D="DAV:"/>)",
           R"(<D:principal-match xmlns:D="DAV:"/>)",
           R"(<D:version-tree xmlns:D="DAV:"/>)",
           R"(<calendar-query xmlns="DAV:"/>)",  // right name, wrong namespace
           R"(<C:calendar-query xmlns:C="urn:ietf:params:xml:ns:carddav"/>)",
           R"(<sync-collection/>)",
       }) {
    auto r = parse_report(body);
    ASSERT_EQ(error_kind(r), ErrorKind::unsupported_report) << body;
  }
  auto r = parse_report(R"(<D:principal-match xmlns:D="DAV:"/>)");
  EXPECT_EQ(std::get<Error>(r).detail, "{DAV:}principal-match");
  EXPECT_EQ(error_kind(parse_report("")), ErrorKind::unsupported_report);
}

TEST(ReportDispatch, DocumentErrorsComeFirst) {
  EXPECT_EQ(error_kind(parse_report("<D:sync-collection xmlns:D='DAV:'>")), ErrorKind::malformed);
  EXPECT_EQ(error_kind(parse_report("<!DOCTYPE x><D:sync-collection xmlns:D='DAV:'/>")), ErrorKind::doctype);
  std::string deep = R"(<D:sync-collection xmlns:D="DAV:"><D:sync-token/><D:prop>)";
  for (int i = 0; i < 40; ++i) deep += "<x>";
  for (int i = 0; i < 40; ++i) deep += "</x>";
  deep += "</D:prop></D:sync-collection>";
  EXPECT_EQ(error_kind(parse_report(deep)), ErrorKind::too_deep);
  EXPECT_EQ(error_kind(parse_report(deep, ParseLimits{.max_bytes = 100})), ErrorKind::too_large);
  EXPECT_EQ(error_kind(parse_report(deep, ParseLimits{.max_depth = 64})), std::nullopt);
}

}  // namespace
}  // namespace atrium::dav::xml
