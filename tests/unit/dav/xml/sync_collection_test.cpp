// DAV:sync-collection bodies: RFC 6578 §6 examples and clients.
#include "tests/unit/dav/xml/report_support.hpp"

#include <gtest/gtest.h>

namespace atrium::dav::xml {
namespace {

using testing::error_kind;
using testing::report_as;

TEST(SyncCollection, Rfc6578_6_1_InitialSync) {
  auto r = parse_report(R"(<?xml version="1.0" encoding="utf-8" ?>
<D:sync-collection xmlns:D="DAV:">
  <D:sync-token/>
  <D:sync-level>1</D:sync-level>
  <D:prop xmlns:R="urn:ns.example.com:boxschema">
    <D:getetag/>
    <R:bigbox/>
  </D:prop>
</D:sync-collection>)");
  const SyncCollection* s = report_as<SyncCollection>(r);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->sync_token, "");
  EXPECT_EQ(s->level, SyncLevel::one);
  EXPECT_FALSE(s->limit.has_value());
  EXPECT_EQ(s->prop.props, (std::vector<QName>{dav_name("getetag"), {"urn:ns.example.com:boxschema", "bigbox"}}));
}

TEST(SyncCollection, Rfc6578_6_3_WithLimit) {
  auto r = parse_report(R"(<?xml version="1.0" encoding="utf-8" ?>
<D:sync-collection xmlns:D="DAV:">
  <D:sync-token>http://example.com/ns/sync/1233</D:sync-token>
  <D:sync-level>1</D:sync-level>
  <D:limit><D:nresults>100</D:nresults></D:limit>
  <D:prop><D:getetag/></D:prop>
</D:sync-collection>)");
  const SyncCollection* s = report_as<SyncCollection>(r);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->sync_token, "http://example.com/ns/sync/1233");
  EXPECT_EQ(s->limit, 100u);
}

TEST(SyncCollection, Clients) {
  struct Case {
    const char* client;
    const char* body;
    const char* token;
    SyncLevel level;
    std::size_t props;
  };
  const Case cases[] = {
      {"apple",
       R"(<?xml version="1.0" encoding="UTF-8"?>
<A:sync-collection xmlns:A="DAV:"><A:sync-token>http://example.com/ns/sync/1234</A:sync-token><A:sync-level>1</A:sync-level><A:prop><A:getcontenttype/><A:getetag/></A:prop></A:sync-collection>)",
       "http://example.com/ns/sync/1234", SyncLevel::one, 2},
      {"davx5",
       R"(<?xml version='1.0' encoding='UTF-8' ?><sync-collection xmlns="DAV:" xmlns:CAL="urn:ietf:params:xml:ns:caldav" xmlns:CARD="urn:ietf:params:xml:ns:carddav"><sync-token /><sync-level>1</sync-level><prop><getetag /></prop></sync-collection>)",
       "", SyncLevel::one, 1},
      {"lightning",
       R"(<?xml version="1.0" encoding="UTF-8"?>
<sync-collection xmlns="DAV:">
  <sync-token>  data:,42  </sync-token>
  <sync-level>1</sync-level>
  <prop>
    <getcontenttype/>
    <getetag/>
  </prop>
</sync-collection>)",
       "data:,42", SyncLevel::one, 2},
      {"no_sync_level",
       R"(<D:sync-collection xmlns:D="DAV:"><D:sync-token>t</D:sync-token><D:prop><D:getetag/></D:prop></D:sync-collection>)", "t",
       SyncLevel::one, 1},
      {"infinite",
       R"(<D:sync-collection xmlns:D="DAV:"><D:sync-token/><D:sync-level>infinite</D:sync-level><D:prop/></D:sync-collection>)", "",
       SyncLevel::infinite, 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.client);
    auto r = parse_report(c.body);
    const SyncCollection* s = report_as<SyncCollection>(r);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->sync_token, c.token);
    EXPECT_EQ(s->level, c.level);
    EXPECT_EQ(s->prop.props.size(), c.props);
  }
}

TEST(SyncCollection, Refusals) {
  auto body = [](const std::string& inner) { return R"(<D:sync-collection xmlns:D="DAV:">)" + inner + "</D:sync-collection>"; };
  EXPECT_EQ(error_kind(parse_report(body("<D:sync-level>1</D:sync-level><D:prop/>"))), ErrorKind::missing_element);
  EXPECT_EQ(error_kind(parse_report(body("<D:sync-token/><D:sync-level>2</D:sync-level>"))), ErrorKind::invalid_value);
  EXPECT_EQ(error_kind(parse_report(body("<D:sync-token/><D:limit><D:nresults>0</D:nresults></D:limit>"))),
            ErrorKind::invalid_value);
  EXPECT_EQ(error_kind(parse_report(body("<D:sync-token/><D:limit><D:nresults>-1</D:nresults></D:limit>"))),
            ErrorKind::invalid_value);
  EXPECT_EQ(error_kind(parse_report(body("<D:sync-token/><D:limit><D:nresults>99999999999</D:nresults></D:limit>"))),
            ErrorKind::invalid_value);
  EXPECT_EQ(error_kind(parse_report(body("<D:sync-token/><D:limit/>"))), ErrorKind::missing_element);
}

}  // namespace
}  // namespace atrium::dav::xml
