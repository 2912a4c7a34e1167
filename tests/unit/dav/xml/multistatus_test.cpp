// Multistatus and DAV:error golden outputs.
#include "dav/xml/multistatus.hpp"

#include "dav/xml/document.hpp"

#include "tests/unit/dav/xml/test_support.hpp"

#include <gtest/gtest.h>

namespace atrium::dav::xml {
namespace {

const std::string decl = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";

TEST(Multistatus, PropfindResponseGroupsByStatus) {
  Response r;
  r.path = "/dav/calendars/alice/my cal/";
  r.add(200, Prop::nodes(dav_name("resourcetype"), {Node{dav_name("collection")}, Node{caldav_name("calendar")}}));
  r.add(200, Prop::text(dav_name("displayname"), "Work & Play"));
  r.add(404, Prop::empty({"urn:x", "missing"}));
  r.add(200, Prop::raw({"urn:z", "Authors"}, R"(<Authors xmlns="urn:z"><Author>Jim</Author></Authors>)"));
  r.add(200, Prop::nodes(dav_name("current-user-principal"), {href_node("/dav/principals/alice/")}));
  MultistatusWriter w;
  w.add(r);
  EXPECT_EQ(std::move(w).finish(),
            decl + R"(<D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:x0="urn:x">)"
                   R"(<D:response><D:href>/dav/calendars/alice/my%20cal/</D:href>)"
                   R"(<D:propstat><D:prop><D:resourcetype><D:collection/><C:calendar/></D:resourcetype>)"
                   R"(<D:displayname>Work &amp; Play</D:displayname>)"
                   R"(<Authors xmlns="urn:z"><Author>Jim</Author></Authors>)"
                   R"(<D:current-user-principal><D:href>/dav/principals/alice/</D:href></D:current-user-principal>)"
                   R"(</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>)"
                   R"(<D:propstat><D:prop><x0:missing/></D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat>)"
                   R"(</D:response></D:multistatus>)");
}

TEST(Multistatus, SyncCollectionWithRemovalAndToken) {
  MultistatusWriter w;
  Response changed;
  changed.path = "/cal/ä.ics";
  changed.add(200, Prop::text(dav_name("getetag"), "\"abc\""));
  changed.add(200, Prop::text(caldav_name("calendar-data"), "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"));
  w.add(changed);
  Response removed;
  removed.path = "/cal/gone.ics";
  removed.status = 404;
  w.add(removed);
  EXPECT_EQ(std::move(w).finish("http://atrium.invalid/sync/42"),
            decl + R"(<D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">)"
                   R"(<D:response><D:href>/cal/%C3%A4.ics</D:href><D:propstat><D:prop><D:getetag>"abc"</D:getetag>)"
                   "<C:calendar-data>BEGIN:VCALENDAR&#13;\nEND:VCALENDAR&#13;\n</C:calendar-data>"
                   R"(</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>)"
                   R"(<D:response><D:href>/cal/gone.ics</D:href><D:status>HTTP/1.1 404 Not Found</D:status></D:response>)"
                   R"(<D:sync-token>http://atrium.invalid/sync/42</D:sync-token></D:multistatus>)");
}

TEST(Multistatus, ProppatchFailureWithErrorAndDependency) {
  Response r;
  r.path = "/cal/";
  r.propstats.push_back(PropStat{403, {Prop::empty(dav_name("getetag"))}, condition::cannot_modify_protected_property(), ""});
  r.propstats.push_back(PropStat{424, {Prop::empty(dav_name("displayname"))}, std::nullopt, "not applied"});
  r.add(507, Prop::empty({"urn:x", "big"}));
  MultistatusWriter w;
  w.add(r);
  EXPECT_EQ(std::move(w).finish(),
            decl + R"(<D:multistatus xmlns:D="DAV:" xmlns:x0="urn:x"><D:response><D:href>/cal/</D:href>)"
                   R"(<D:propstat><D:prop><D:getetag/></D:prop><D:status>HTTP/1.1 403 Forbidden</D:status>)"
                   R"(<D:error><D:cannot-modify-protected-property/></D:error></D:propstat>)"
                   R"(<D:propstat><D:prop><D:displayname/></D:prop><D:status>HTTP/1.1 424 Failed Dependency</D:status>)"
                   R"(<D:responsedescription>not applied</D:responsedescription></D:propstat>)"
                   R"(<D:propstat><D:prop><x0:big/></D:prop><D:status>HTTP/1.1 507 Insufficient Storage</D:status></D:propstat>)"
                   R"(</D:response></D:multistatus>)");
}

TEST(Multistatus, EmptyMultistatusIsWellFormed) {
  const std::string out = MultistatusWriter().finish();
  EXPECT_EQ(out, decl + R"(<D:multistatus xmlns:D="DAV:"/>)");
  EXPECT_TRUE(std::holds_alternative<Element>(parse_document(out)));
}

TEST(Multistatus, StatusLines) {
  EXPECT_EQ(status_line(200), "HTTP/1.1 200 OK");
  EXPECT_EQ(status_line(404), "HTTP/1.1 404 Not Found");
  EXPECT_EQ(status_line(424), "HTTP/1.1 424 Failed Dependency");
  EXPECT_EQ(status_line(599), "HTTP/1.1 599 ");
}

TEST(ErrorBody, Preconditions) {
  EXPECT_EQ(write_error(condition::no_uid_conflict(), {"/dav/calendars/alice/default/a b.ics"}),
            decl + R"(<D:error xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><C:no-uid-conflict>)"
                   R"(<D:href>/dav/calendars/alice/default/a%20b.ics</D:href></C:no-uid-conflict></D:error>)");
  EXPECT_EQ(write_error(condition::propfind_finite_depth()),
            decl + R"(<D:error xmlns:D="DAV:"><D:propfind-finite-depth/></D:error>)");
  EXPECT_EQ(write_error(condition::valid_sync_token()), decl + R"(<D:error xmlns:D="DAV:"><D:valid-sync-token/></D:error>)");
  EXPECT_EQ(write_error(condition::supported_collation()),
            decl + R"(<D:error xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><C:supported-collation/></D:error>)");
  EXPECT_EQ(write_error(condition::number_of_matches_within_limits()),
            decl + R"(<D:error xmlns:D="DAV:"><D:number-of-matches-within-limits/></D:error>)");
  EXPECT_EQ(write_error(condition::card_no_uid_conflict(), {"/card/x.vcf"}),
            decl + R"(<D:error xmlns:D="DAV:" xmlns:CR="urn:ietf:params:xml:ns:carddav"><CR:no-uid-conflict>)"
                   R"(<D:href>/card/x.vcf</D:href></CR:no-uid-conflict></D:error>)");
  // Structured content, e.g. supported-report naming the report.
  EXPECT_EQ(write_error(Node{condition::supported_report(), {}, {Node{dav_name("report"), {}, {Node{{"urn:x", "r"}}}}}}),
            decl + R"(<D:error xmlns:D="DAV:" xmlns:x0="urn:x"><D:supported-report><D:report><x0:r/></D:report></D:supported-report></D:error>)");
}

}  // namespace
}  // namespace atrium::dav::xml
