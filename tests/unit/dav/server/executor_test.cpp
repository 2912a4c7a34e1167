// The DAV executor end to end over a real store: discovery, calendars, objects, conditional
// requests, reports and access control, with the request bodies clients send.
#include "dav/server/executor.hpp"

#include "storage/access.hpp"
#include "storage/collections.hpp"
#include "storage/directory.hpp"
#include "storage/queue.hpp"
#include "tests/unit/storage/test_support.hpp"

#include <boost/beast/http/field.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>

namespace atrium::dav {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using field = beast::http::field;

constexpr std::string_view k_weekly = R"(BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Test//EN
BEGIN:VEVENT
UID:weekly-1
DTSTAMP:20261101T000000Z
DTSTART:20261102T090000Z
DTEND:20261102T100000Z
RRULE:FREQ=WEEKLY;COUNT=6
EXDATE:20261109T090000Z
SUMMARY:Weekly
END:VEVENT
BEGIN:VEVENT
UID:weekly-1
DTSTAMP:20261101T000000Z
RECURRENCE-ID:20261116T090000Z
DTSTART:20261116T140000Z
DTEND:20261116T150000Z
SUMMARY:Moved
END:VEVENT
END:VCALENDAR
)";

std::string single(std::string_view uid, std::string_view start, std::string_view end, std::string_view summary = "One") {
  return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VEVENT\r\nUID:" + std::string(uid) +
         "\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:" + std::string(start) + "\r\nDTEND:" + std::string(end) +
         "\r\nSUMMARY:" + std::string(summary) + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
}

constexpr std::string_view k_todo =
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VTODO\r\nUID:todo-1\r\nDTSTAMP:20261101T000000Z\r\n"
    "SUMMARY:Buy milk\r\nEND:VTODO\r\nEND:VCALENDAR\r\n";

class ExecutorTest : public storage::testing::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    alice_ = {add_user("alice@example.test"), "alice@example.test"};
    bob_ = {add_user("bob@example.test"), "bob@example.test"};
    ExecutorOptions options;
    options.max_sync_results = 5;
    exec_ = std::make_unique<Executor>(*store_, options);
  }
  void TearDown() override {
    exec_.reset();
    StoreTest::TearDown();
  }

  http::Response run(http::verb method, std::string target, std::string body = {},
                     std::vector<std::pair<std::string, std::string>> headers = {}, const Caller* who = nullptr) {
    http::Request req{method, target, 11};
    req.set(field::host, "dav.example.test");
    for (auto& [k, v] : headers) req.set(k, v);
    req.body() = std::move(body);
    req.prepare_payload();
    return exec_->execute(req, who ? *who : alice_);
  }
  http::Response propfind(std::string target, std::string props, std::string depth = "0", const Caller* who = nullptr) {
    return run(http::verb::propfind, std::move(target),
               "<?xml version=\"1.0\"?><d:propfind xmlns:d=\"DAV:\" xmlns:c=\"urn:ietf:params:xml:ns:caldav\" "
               "xmlns:cs=\"http://calendarserver.org/ns/\"><d:prop>" + props + "</d:prop></d:propfind>",
               {{"Depth", depth}}, who);
  }
  http::Response put(std::string target, std::string_view body, std::vector<std::pair<std::string, std::string>> h = {},
                     const Caller* who = nullptr) {
    h.emplace_back("Content-Type", "text/calendar; charset=utf-8");
    return run(http::verb::put, std::move(target), std::string(body), std::move(h), who);
  }
  static int code(const http::Response& r) { return static_cast<int>(r.result_int()); }
  static std::string etag(const http::Response& r) { return std::string(r[field::etag]); }
  // The sync-token of a multistatus body.
  static std::string token_of(const std::string& body) {
    std::smatch m;
    if (!std::regex_search(body, m, std::regex("<D:sync-token>([^<]*)</D:sync-token>"))) return {};
    return m[1];
  }
  static int count(const std::string& haystack, const std::string& needle) {
    int n = 0;
    for (auto p = haystack.find(needle); p != std::string::npos; p = haystack.find(needle, p + 1)) ++n;
    return n;
  }
  http::Response sync(std::string target, std::string token, std::string extra = {}) {
    return run(http::verb::report, std::move(target),
               "<?xml version=\"1.0\"?><d:sync-collection xmlns:d=\"DAV:\"><d:sync-token>" + token +
                   "</d:sync-token><d:sync-level>1</d:sync-level>" + extra + "<d:prop><d:getetag/></d:prop></d:sync-collection>");
  }

  const std::string cal_ = "/dav/calendars/alice@example.test/calendar/";
  Caller alice_, bob_;
  std::unique_ptr<Executor> exec_;
};

TEST_F(ExecutorTest, DiscoveryFromTheRootToTheDefaultCalendars) {
  auto r = propfind("/dav/", "<d:current-user-principal/>");
  EXPECT_EQ(code(r), 207);
  EXPECT_THAT(r.body(), HasSubstr("<D:href>/dav/principals/alice@example.test/</D:href>"));
  r = propfind("/dav/principals/alice@example.test/",
               "<c:calendar-home-set/><c:calendar-user-address-set/><d:displayname/><d:resourcetype/>");
  EXPECT_THAT(r.body(), HasSubstr("<C:calendar-home-set><D:href>/dav/calendars/alice@example.test/</D:href>"));
  EXPECT_THAT(r.body(), HasSubstr("<D:href>mailto:alice@example.test</D:href>"));
  EXPECT_THAT(r.body(), HasSubstr("<D:principal/>"));
  r = propfind("/dav/calendars/alice@example.test/",
               "<d:resourcetype/><d:displayname/><c:supported-calendar-component-set/><cs:getctag/>", "1");
  EXPECT_EQ(code(r), 207);
  EXPECT_THAT(r.body(), HasSubstr("/dav/calendars/alice@example.test/calendar/"));
  EXPECT_THAT(r.body(), HasSubstr("/dav/calendars/alice@example.test/tasks/"));
  EXPECT_THAT(r.body(), HasSubstr(">Calendar</displayname>"));
  EXPECT_THAT(r.body(), HasSubstr("<C:comp name=\"VTODO\"/>"));
  EXPECT_EQ(count(r.body(), "<C:calendar/>"), 2);
}

TEST_F(ExecutorTest, InfiniteDepthPropfindIsRefused) {
  auto r = propfind(cal_, "<d:getetag/>", "infinity");
  EXPECT_EQ(code(r), 403);
  EXPECT_THAT(r.body(), HasSubstr("propfind-finite-depth"));
}

TEST_F(ExecutorTest, PutGetReplaceDeleteWithEtags) {
  auto r = put(cal_ + "a.ics", single("a", "20261103T100000Z", "20261103T110000Z"));
  ASSERT_EQ(code(r), 201);
  auto tag = etag(r);
  ASSERT_FALSE(tag.empty());
  auto g = run(http::verb::get, cal_ + "a.ics");
  EXPECT_EQ(code(g), 200);
  EXPECT_EQ(etag(g), tag);
  EXPECT_THAT(g.body(), HasSubstr("UID:a"));
  EXPECT_THAT(std::string(g[field::content_type]), HasSubstr("text/calendar"));

  // If-None-Match: * refuses to overwrite; a stale If-Match refuses too.
  EXPECT_EQ(code(put(cal_ + "a.ics", single("a", "20261103T100000Z", "20261103T120000Z"), {{"If-None-Match", "*"}})), 412);
  EXPECT_EQ(code(put(cal_ + "a.ics", single("a", "20261103T100000Z", "20261103T120000Z"), {{"If-Match", "\"nope\""}})), 412);
  auto r2 = put(cal_ + "a.ics", single("a", "20261103T100000Z", "20261103T120000Z"), {{"If-Match", tag}});
  EXPECT_EQ(code(r2), 204);
  EXPECT_NE(etag(r2), tag);
  EXPECT_EQ(code(run(http::verb::get, cal_ + "a.ics", {}, {{"If-None-Match", etag(r2)}})), 304);

  EXPECT_EQ(code(run(http::verb::delete_, cal_ + "a.ics", {}, {{"If-Match", tag}})), 412);
  EXPECT_EQ(code(run(http::verb::delete_, cal_ + "a.ics", {}, {{"If-Match", etag(r2)}})), 204);
  EXPECT_EQ(code(run(http::verb::get, cal_ + "a.ics")), 404);
  EXPECT_EQ(code(run(http::verb::delete_, cal_ + "a.ics")), 404);
}

TEST_F(ExecutorTest, PutRefusesBadDataWithTheCalDavPreconditions) {
  auto r = put(cal_ + "bad.ics", "this is not iCalendar");
  EXPECT_EQ(code(r), 403);
  EXPECT_THAT(r.body(), HasSubstr("supported-calendar-data"));
  r = put(cal_ + "bad.ics", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTART:20261103T100000Z\r\nEND:VEVENT\r\n"
                           "END:VCALENDAR\r\n");
  EXPECT_EQ(code(r), 403);
  EXPECT_THAT(r.body(), HasSubstr("valid-calendar-object-resource"));
  // The default calendar holds events only.
  r = put(cal_ + "todo.ics", k_todo);
  EXPECT_EQ(code(r), 403);
  EXPECT_THAT(r.body(), HasSubstr("supported-calendar-component"));
  EXPECT_EQ(code(put("/dav/calendars/alice@example.test/tasks/todo.ics", k_todo)), 201);
  // One UID per calendar.
  ASSERT_EQ(code(put(cal_ + "one.ics", single("same", "20261103T100000Z", "20261103T110000Z"))), 201);
  r = put(cal_ + "two.ics", single("same", "20261104T100000Z", "20261104T110000Z"));
  EXPECT_EQ(code(r), 403);
  EXPECT_THAT(r.body(), HasSubstr("no-uid-conflict"));
  EXPECT_THAT(r.body(), HasSubstr(cal_ + "one.ics"));
  // Wrong media type.
  r = run(http::verb::put, cal_ + "x.ics", single("x", "20261103T100000Z", "20261103T110000Z"),
          {{"Content-Type", "image/png"}});
  EXPECT_EQ(code(r), 415);
  // No parent calendar.
  EXPECT_EQ(code(put("/dav/calendars/alice@example.test/nope/x.ics", single("x", "20261103T100000Z", "20261103T110000Z"))), 409);
}

TEST_F(ExecutorTest, MkcalendarSetsPropertiesAndRefusesDuplicates) {
  auto body = R"(<?xml version="1.0" encoding="utf-8" ?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:A="http://apple.com/ns/ical/">
  <D:set><D:prop>
    <D:displayname>Work</D:displayname>
    <A:calendar-color>#FF0000FF</A:calendar-color>
    <C:supported-calendar-component-set><C:comp name="VTODO"/></C:supported-calendar-component-set>
  </D:prop></D:set>
</C:mkcalendar>)";
  auto w = std::string("/dav/calendars/alice@example.test/work/");
  EXPECT_EQ(code(run(http::verb::mkcalendar, w, body)), 201);
  EXPECT_EQ(code(run(http::verb::mkcalendar, w, body)), 405);
  auto r = propfind(w, "<d:displayname/><A:calendar-color xmlns:A=\"http://apple.com/ns/ical/\"/>"
                       "<c:supported-calendar-component-set/><d:resourcetype/>");
  EXPECT_THAT(r.body(), HasSubstr(">Work</displayname>"));
  EXPECT_THAT(r.body(), HasSubstr("#FF0000FF"));
  EXPECT_THAT(r.body(), HasSubstr("<C:comp name=\"VTODO\"/>"));
  EXPECT_EQ(code(put(w + "t.ics", k_todo)), 201);
  // MKCALENDAR outside a calendar home, or a plain MKCOL in one.
  EXPECT_EQ(code(run(http::verb::mkcalendar, "/dav/principals/alice@example.test/x/", "")), 403);
  EXPECT_EQ(code(run(http::verb::mkcol, "/dav/calendars/alice@example.test/plain/", "")), 403);
  // Another user cannot make calendars in alice's home.
  EXPECT_EQ(code(run(http::verb::mkcalendar, "/dav/calendars/alice@example.test/bobs/", "", {}, &bob_)), 403);
  EXPECT_EQ(code(run(http::verb::delete_, w)), 204);
  EXPECT_EQ(code(propfind(w, "<d:displayname/>")), 404);
}

TEST_F(ExecutorTest, ProppatchIsAtomicAndProtectsLiveProperties) {
  auto r = run(http::verb::proppatch, cal_, R"(<?xml version="1.0"?>
<d:propertyupdate xmlns:d="DAV:" xmlns:x="urn:example:x">
  <d:set><d:prop><d:displayname>Renamed</d:displayname><x:note>kept</x:note></d:prop></d:set>
  <d:set><d:prop><d:getetag>"forged"</d:getetag></d:prop></d:set>
</d:propertyupdate>)");
  EXPECT_EQ(code(r), 207);
  EXPECT_THAT(r.body(), HasSubstr("HTTP/1.1 424 Failed Dependency"));
  EXPECT_THAT(r.body(), HasSubstr("HTTP/1.1 403 Forbidden"));
  EXPECT_THAT(r.body(), HasSubstr("cannot-modify-protected-property"));
  EXPECT_THAT(propfind(cal_, "<d:displayname/>").body(), HasSubstr(">Calendar</displayname>"));

  auto before = token_of(propfind(cal_, "<d:sync-token/>").body());
  r = run(http::verb::proppatch, cal_, R"(<?xml version="1.0"?>
<d:propertyupdate xmlns:d="DAV:" xmlns:x="urn:example:x">
  <d:set><d:prop><d:displayname>Renamed</d:displayname><x:note>kept</x:note></d:prop></d:set>
</d:propertyupdate>)");
  EXPECT_THAT(r.body(), Not(HasSubstr("424")));
  auto after = propfind(cal_, "<d:displayname/><x:note xmlns:x=\"urn:example:x\"/><d:sync-token/>").body();
  EXPECT_THAT(after, HasSubstr(">Renamed</displayname>"));
  EXPECT_THAT(after, HasSubstr(">kept</note>"));
  EXPECT_NE(token_of(after), before);  // the ctag and sync token move with the collection's properties

  r = run(http::verb::proppatch, cal_, R"(<?xml version="1.0"?>
<d:propertyupdate xmlns:d="DAV:" xmlns:x="urn:example:x"><d:remove><d:prop><x:note/></d:prop></d:remove></d:propertyupdate>)");
  EXPECT_EQ(code(r), 207);
  EXPECT_THAT(propfind(cal_, "<x:note xmlns:x=\"urn:example:x\"/>").body(), HasSubstr("404 Not Found"));
}

TEST_F(ExecutorTest, CalendarQueryExpandsRecurrencesThroughTheIndex) {
  ASSERT_EQ(code(put(cal_ + "weekly.ics", k_weekly)), 201);
  ASSERT_EQ(code(put(cal_ + "oct.ics", single("oct", "20261005T100000Z", "20261005T110000Z"))), 201);
  ASSERT_EQ(code(put(cal_ + "dec.ics", single("dec", "20261215T100000Z", "20261215T110000Z"))), 201);
  auto query = [&](std::string start, std::string end, std::string data = "<c:calendar-data/>") {
    return run(http::verb::report, cal_,
               "<?xml version=\"1.0\"?><c:calendar-query xmlns:d=\"DAV:\" xmlns:c=\"urn:ietf:params:xml:ns:caldav\">"
               "<d:prop><d:getetag/>" + data + "</d:prop><c:filter><c:comp-filter name=\"VCALENDAR\">"
               "<c:comp-filter name=\"VEVENT\"><c:time-range start=\"" + start + "\" end=\"" + end + "\"/>"
               "</c:comp-filter></c:comp-filter></c:filter></c:calendar-query>",
               {{"Depth", "1"}});
  };
  auto r = query("20261101T000000Z", "20261201T000000Z");
  EXPECT_EQ(code(r), 207);
  EXPECT_THAT(r.body(), HasSubstr("weekly.ics"));
  EXPECT_THAT(r.body(), Not(HasSubstr("oct.ics")));
  EXPECT_THAT(r.body(), Not(HasSubstr("dec.ics")));
  // The excluded instance alone matches nothing; the moved one matches at its new time only.
  EXPECT_THAT(query("20261109T000000Z", "20261110T000000Z").body(), Not(HasSubstr("weekly.ics")));
  EXPECT_THAT(query("20261116T080000Z", "20261116T100000Z").body(), Not(HasSubstr("weekly.ics")));
  EXPECT_THAT(query("20261116T133000Z", "20261116T143000Z").body(), HasSubstr("weekly.ics"));
  // After COUNT runs out (last instance 7 Dec).
  EXPECT_THAT(query("20261208T000000Z", "20261231T000000Z").body(), HasSubstr("dec.ics"));
  EXPECT_THAT(query("20261208T000000Z", "20261231T000000Z").body(), Not(HasSubstr("weekly.ics")));
  // calendar-data with expand: one VEVENT per instance in the range.
  r = query("20261101T000000Z", "20261201T000000Z",
            "<c:calendar-data><c:expand start=\"20261101T000000Z\" end=\"20261201T000000Z\"/></c:calendar-data>");
  EXPECT_EQ(count(r.body(), "BEGIN:VEVENT"), 4);
  EXPECT_THAT(r.body(), Not(HasSubstr("RRULE")));
  EXPECT_THAT(r.body(), HasSubstr("SUMMARY:Moved"));
}

// Objects whose span the index knows exactly are decided without parsing; the answers must be the
// ones the full evaluation gives, at every edge of RFC 4791 §9.9.
TEST_F(ExecutorTest, IndexDecidedTimeRangesAgreeWithFullEvaluation) {
  auto ev = [](std::string uid, std::string times) {
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VEVENT\r\nUID:" + uid +
           "\r\nDTSTAMP:20261101T000000Z\r\n" + times + "SUMMARY:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
  };
  ASSERT_EQ(code(put(cal_ + "utc.ics", ev("utc", "DTSTART:20261103T100000Z\r\nDTEND:20261103T110000Z\r\n"))), 201);
  ASSERT_EQ(code(put(cal_ + "instant.ics", ev("instant", "DTSTART:20261103T120000Z\r\n"))), 201);
  ASSERT_EQ(code(put(cal_ + "zoned.ics", ev("zoned", "DTSTART;TZID=Europe/Berlin:20261103T150000\r\n"
                                                    "DTEND;TZID=Europe/Berlin:20261103T160000\r\n"))), 201);
  ASSERT_EQ(code(put(cal_ + "floating.ics", ev("floating", "DTSTART:20261103T170000\r\nDTEND:20261103T180000\r\n"))), 201);
  // Recurring, zoned: decided on its stored instances (09:00 CET = 08:00Z on 2, 3 and 5 Nov).
  ASSERT_EQ(code(put(cal_ + "daily.ics", ev("daily", "DTSTART;TZID=Europe/Berlin:20261102T090000\r\n"
                                                  "DTEND;TZID=Europe/Berlin:20261102T093000\r\n"
                                                  "RRULE:FREQ=DAILY;COUNT=4\r\n"
                                                  "EXDATE;TZID=Europe/Berlin:20261104T090000\r\n"))), 201);
  auto matches = [&](std::string start, std::string end, std::string extra = {}) {
    auto body = run(http::verb::report, cal_,
                    "<?xml version=\"1.0\"?><c:calendar-query xmlns:d=\"DAV:\" xmlns:c=\"urn:ietf:params:xml:ns:caldav\">"
                    "<d:prop><d:getetag/></d:prop><c:filter><c:comp-filter name=\"VCALENDAR\"><c:comp-filter name=\"VEVENT\">"
                    "<c:time-range start=\"" + start + "\" end=\"" + end + "\"/>" + extra +
                    "</c:comp-filter></c:comp-filter></c:filter></c:calendar-query>",
                    {{"Depth", "1"}}).body();
    std::vector<std::string> names;
    for (auto n : {"utc", "instant", "zoned", "floating", "daily"}) {
      if (body.find(std::string("/") + n + ".ics<") != std::string::npos) names.push_back(n);
    }
    return names;
  };
  using V = std::vector<std::string>;
  // A prop-filter that every object passes forces the full evaluation: both paths must agree.
  const std::string full = "<c:prop-filter name=\"SUMMARY\"/>";
  for (const auto& extra : {std::string(), full}) {
    EXPECT_EQ(matches("20261103T110000Z", "20261103T115959Z", extra), V{}) << extra;  // ends as the range starts
    EXPECT_EQ(matches("20261103T105959Z", "20261103T110000Z", extra), V{"utc"}) << extra;
    EXPECT_EQ(matches("20261103T090000Z", "20261103T100000Z", extra), V{}) << extra;  // starts as it ends
    EXPECT_EQ(matches("20261103T120000Z", "20261103T120001Z", extra), V{"instant"}) << extra;
    EXPECT_EQ(matches("20261103T110000Z", "20261103T120000Z", extra), V{}) << extra;  // instant at the end: out
    EXPECT_EQ(matches("20261103T140000Z", "20261103T140100Z", extra), V{"zoned"}) << extra;  // 15:00 CET
    EXPECT_EQ(matches("20261103T170000Z", "20261103T170100Z", extra), V{"floating"}) << extra;  // floating = UTC
    EXPECT_EQ(matches("20261101T000000Z", "20261201T000000Z", extra),
              (V{"utc", "instant", "zoned", "floating", "daily"})) << extra;
    EXPECT_EQ(matches("20261103T080000Z", "20261103T080001Z", extra), V{"daily"}) << extra;
    EXPECT_EQ(matches("20261103T070000Z", "20261103T080000Z", extra), V{}) << extra;  // ends as it starts
    EXPECT_EQ(matches("20261103T083000Z", "20261103T090000Z", extra), V{}) << extra;  // starts as it ends
    EXPECT_EQ(matches("20261104T000000Z", "20261104T235959Z", extra), V{}) << extra;  // the excluded day
    EXPECT_EQ(matches("20261105T082959Z", "20261105T083000Z", extra), V{"daily"}) << extra;
    EXPECT_EQ(matches("20261106T000000Z", "20261201T000000Z", extra), V{}) << extra;
  }
}

TEST_F(ExecutorTest, CalendarQueryWithoutTimeRangeAndTextMatch) {
  ASSERT_EQ(code(put(cal_ + "a.ics", single("a", "20261103T100000Z", "20261103T110000Z", "Lunch with Bob"))), 201);
  ASSERT_EQ(code(put(cal_ + "b.ics", single("b", "20261104T100000Z", "20261104T110000Z", "Dentist"))), 201);
  // A bare VCALENDAR filter, how clients list every object's etag: everything.
  ASSERT_EQ(code(put(cal_ + "t.ics", k_weekly)), 201);
  auto all = run(http::verb::report, cal_, R"(<?xml version="1.0"?>
<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop>
<c:filter><c:comp-filter name="VCALENDAR"/></c:filter></c:calendar-query>)", {{"Depth", "1"}});
  EXPECT_EQ(code(all), 207);
  EXPECT_EQ(count(all.body(), "<D:response>"), 3);
  // and is-not-defined on it matches nothing.
  auto none = run(http::verb::report, cal_, R"(<?xml version="1.0"?>
<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop>
<c:filter><c:comp-filter name="VCALENDAR"><c:is-not-defined/></c:comp-filter></c:filter></c:calendar-query>)",
                  {{"Depth", "1"}});
  EXPECT_EQ(code(none), 207);
  EXPECT_EQ(count(none.body(), "<D:response>"), 0);
  ASSERT_EQ(code(run(http::verb::delete_, cal_ + "t.ics", "")), 204);
  auto r = run(http::verb::report, cal_, R"(<?xml version="1.0"?>
<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop>
<c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:prop-filter name="SUMMARY">
<c:text-match collation="i;ascii-casemap">lunch</c:text-match></c:prop-filter></c:comp-filter></c:comp-filter></c:filter>
</c:calendar-query>)", {{"Depth", "1"}});
  EXPECT_EQ(code(r), 207);
  EXPECT_THAT(r.body(), HasSubstr("a.ics"));
  EXPECT_THAT(r.body(), Not(HasSubstr("b.ics")));
  r = run(http::verb::report, cal_, R"(<?xml version="1.0"?>
<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop>
<c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:prop-filter name="SUMMARY">
<c:text-match collation="x;unknown">lunch</c:text-match></c:prop-filter></c:comp-filter></c:comp-filter></c:filter>
</c:calendar-query>)", {{"Depth", "1"}});
  EXPECT_EQ(code(r), 403);
  EXPECT_THAT(r.body(), HasSubstr("supported-collation"));
}

TEST_F(ExecutorTest, MultigetReturnsEachHrefOrA404) {
  ASSERT_EQ(code(put(cal_ + "a.ics", single("a", "20261103T100000Z", "20261103T110000Z"))), 201);
  auto r = run(http::verb::report, cal_, R"(<?xml version="1.0"?>
<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop>
<d:href>/dav/calendars/alice%40example.test/calendar/a.ics</d:href>
<d:href>http://dav.example.test/dav/calendars/alice@example.test/calendar/missing.ics</d:href>
</c:calendar-multiget>)", {{"Depth", "1"}});
  EXPECT_EQ(code(r), 207);
  EXPECT_THAT(r.body(), HasSubstr("UID:a"));
  EXPECT_THAT(r.body(), HasSubstr("missing.ics</D:href><D:status>HTTP/1.1 404 Not Found"));
}

TEST_F(ExecutorTest, SyncCollectionReportsChangesAndTombstones) {
  auto first = sync(cal_, "");
  EXPECT_EQ(code(first), 207);
  auto t0 = token_of(first.body());
  ASSERT_FALSE(t0.empty());
  ASSERT_EQ(code(put(cal_ + "a.ics", single("a", "20261103T100000Z", "20261103T110000Z"))), 201);
  ASSERT_EQ(code(put(cal_ + "b.ics", single("b", "20261103T100000Z", "20261103T110000Z"))), 201);
  auto r = sync(cal_, t0);
  EXPECT_THAT(r.body(), HasSubstr("a.ics"));
  EXPECT_THAT(r.body(), HasSubstr("b.ics"));
  auto t1 = token_of(r.body());
  EXPECT_NE(t1, t0);
  // Nothing changed: an empty answer with the same token.
  r = sync(cal_, t1);
  EXPECT_EQ(count(r.body(), "<D:response>"), 0);
  EXPECT_EQ(token_of(r.body()), t1);
  ASSERT_EQ(code(run(http::verb::delete_, cal_ + "a.ics")), 204);
  r = sync(cal_, t1);
  EXPECT_THAT(r.body(), HasSubstr("a.ics</D:href><D:status>HTTP/1.1 404 Not Found"));
  EXPECT_THAT(r.body(), Not(HasSubstr("b.ics")));
  // A token from elsewhere.
  r = sync(cal_, "http://atrium.invalid/ns/sync/1-1");
  EXPECT_EQ(code(r), 403);
  EXPECT_THAT(r.body(), HasSubstr("valid-sync-token"));
}

TEST_F(ExecutorTest, SyncCollectionTruncatesAtTheLimitAndContinues) {
  auto t = token_of(sync(cal_, "").body());
  for (int i = 0; i < 8; ++i) {
    auto n = std::to_string(i);
    ASSERT_EQ(code(put(cal_ + "e" + n + ".ics", single("e" + n, "20261103T100000Z", "20261103T110000Z"))), 201);
  }
  // The executor answers at most 5 per report (set up above): 507 for the collection, then the rest.
  auto r = sync(cal_, t);
  EXPECT_EQ(count(r.body(), ".ics</D:href>"), 5);
  EXPECT_THAT(r.body(), HasSubstr("number-of-matches-within-limits"));
  auto t2 = token_of(r.body());
  r = sync(cal_, t2);
  EXPECT_EQ(count(r.body(), ".ics</D:href>"), 3);
  EXPECT_THAT(r.body(), Not(HasSubstr("number-of-matches-within-limits")));
  EXPECT_THAT(r.body(), HasSubstr("e7.ics"));
  // The client's own limit.
  r = sync(cal_, t, "<d:limit><d:nresults>2</d:nresults></d:limit>");
  EXPECT_EQ(count(r.body(), ".ics</D:href>"), 2);
}

TEST_F(ExecutorTest, OtherUsersSeeNothingWithoutAGrant) {
  ASSERT_EQ(code(put(cal_ + "a.ics", single("a", "20261103T100000Z", "20261103T110000Z"))), 201);
  EXPECT_EQ(code(propfind(cal_, "<d:getetag/>", "1", &bob_)), 404);
  EXPECT_EQ(code(run(http::verb::get, cal_ + "a.ics", {}, {}, &bob_)), 404);
  EXPECT_NE(code(put(cal_ + "b.ics", single("b", "20261103T100000Z", "20261103T110000Z"), {}, &bob_)) / 100, 2);
  EXPECT_NE(code(run(http::verb::delete_, cal_ + "a.ics", {}, {}, &bob_)) / 100, 2);
  auto home = propfind("/dav/calendars/alice@example.test/", "<d:displayname/>", "1", &bob_);
  EXPECT_THAT(home.body(), Not(HasSubstr("/calendar/")));

  // Read access granted: bob reads, still cannot write.
  store_->write([&](storage::WriteTxn& t) {
    auto c = storage::collections::find(t, storage::Actor::system(), alice_.principal, storage::CollectionKind::calendar,
                                        "calendar");
    storage::set_acl(t, storage::Actor::principal(alice_.principal), c->id, bob_.principal,
                     storage::right_lookup | storage::right_read);
  });
  EXPECT_EQ(code(run(http::verb::get, cal_ + "a.ics", {}, {}, &bob_)), 200);
  EXPECT_EQ(code(put(cal_ + "b.ics", single("b", "20261103T100000Z", "20261103T110000Z"), {}, &bob_)), 403);
  EXPECT_EQ(code(run(http::verb::delete_, cal_ + "a.ics", {}, {}, &bob_)), 403);
  auto privs = propfind(cal_, "<d:current-user-privilege-set/>", "0", &bob_).body();
  EXPECT_THAT(privs, HasSubstr("<D:read/>"));
  EXPECT_THAT(privs, Not(HasSubstr("<D:write/>")));
}

TEST_F(ExecutorTest, CopyAndMoveBetweenCalendars) {
  ASSERT_EQ(code(run(http::verb::mkcalendar, "/dav/calendars/alice@example.test/other/", "")), 201);
  ASSERT_EQ(code(put(cal_ + "a.ics", single("a", "20261103T100000Z", "20261103T110000Z"))), 201);
  auto other = std::string("http://dav.example.test/dav/calendars/alice@example.test/other/");
  EXPECT_EQ(code(run(http::verb::copy, cal_ + "a.ics", {}, {{"Destination", other + "a.ics"}})), 201);
  EXPECT_EQ(code(run(http::verb::copy, cal_ + "a.ics", {}, {{"Destination", other + "a.ics"}, {"Overwrite", "F"}})), 412);
  EXPECT_EQ(code(run(http::verb::move, cal_ + "a.ics", {}, {{"Destination", other + "moved.ics"}})), 403);  // UID taken
  EXPECT_EQ(code(run(http::verb::move, cal_ + "a.ics", {}, {{"Destination", "http://dav.example.test" + cal_ + "renamed.ics"}})), 201);
  EXPECT_EQ(code(run(http::verb::get, cal_ + "a.ics")), 404);
  EXPECT_EQ(code(run(http::verb::get, cal_ + "renamed.ics")), 200);
  EXPECT_EQ(code(run(http::verb::copy, cal_ + "renamed.ics", {}, {{"Destination", "http://elsewhere.test/x.ics"}})), 502);
}

TEST_F(ExecutorTest, FreeBusyQueryAnswersBusyPeriods) {
  ASSERT_EQ(code(put(cal_ + "weekly.ics", k_weekly)), 201);
  auto r = run(http::verb::report, cal_, R"(<?xml version="1.0"?>
<c:free-busy-query xmlns:c="urn:ietf:params:xml:ns:caldav"><c:time-range start="20261101T000000Z" end="20261120T000000Z"/></c:free-busy-query>)",
               {{"Depth", "1"}});
  EXPECT_EQ(code(r), 200);
  EXPECT_THAT(r.body(), HasSubstr("BEGIN:VFREEBUSY"));
  EXPECT_THAT(r.body(), HasSubstr("20261102T090000Z/20261102T100000Z"));
  EXPECT_THAT(r.body(), HasSubstr("20261116T140000Z/20261116T150000Z"));
  EXPECT_THAT(r.body(), Not(HasSubstr("20261109T090000Z")));
}

TEST_F(ExecutorTest, FileAreaHoldsAnyFileInNestedFolders) {
  const std::string home = "/dav/files/alice@example.test/";
  EXPECT_EQ(code(run(http::verb::mkcol, home + "docs/")), 201);
  EXPECT_EQ(code(run(http::verb::mkcol, home + "docs/")), 405);
  EXPECT_EQ(code(run(http::verb::mkcol, home + "none/sub/")), 409);
  EXPECT_EQ(code(run(http::verb::mkcol, home + "x/", "garbage", {{"Content-Type", "text/plain"}})), 415);
  auto r = run(http::verb::put, home + "docs/a.txt", "hello", {{"Content-Type", "text/plain"}});
  EXPECT_EQ(code(r), 201);
  EXPECT_EQ(code(run(http::verb::put, home + "nope/a.txt", "x")), 409);
  auto g = run(http::verb::get, home + "docs/a.txt");
  EXPECT_EQ(g.body(), "hello");
  EXPECT_EQ(std::string(g[field::content_type]), "text/plain");
  EXPECT_EQ(etag(g), etag(r));
  // A dead property travels with a MOVE of its folder.
  EXPECT_EQ(code(run(http::verb::proppatch, home + "docs/a.txt", R"(<?xml version="1.0"?>
<d:propertyupdate xmlns:d="DAV:" xmlns:x="urn:x"><d:set><d:prop><x:tag>blue</x:tag></d:prop></d:set></d:propertyupdate>)")),
            207);
  EXPECT_EQ(code(run(http::verb::copy, home + "docs/", {}, {{"Destination", home + "copy/"}})), 201);
  EXPECT_EQ(code(run(http::verb::move, home + "docs/", {}, {{"Destination", home + "moved/"}})), 201);
  EXPECT_EQ(code(run(http::verb::get, home + "docs/a.txt")), 404);
  EXPECT_EQ(run(http::verb::get, home + "moved/a.txt").body(), "hello");
  EXPECT_EQ(run(http::verb::get, home + "copy/a.txt").body(), "hello");
  EXPECT_THAT(propfind(home + "copy/a.txt", "<x:tag xmlns:x=\"urn:x\"/>").body(), HasSubstr(">blue</tag>"));
  EXPECT_THAT(propfind(home + "moved/a.txt", "<x:tag xmlns:x=\"urn:x\"/>").body(), HasSubstr(">blue</tag>"));
  auto listing = propfind(home, "<d:resourcetype/>", "1").body();
  EXPECT_THAT(listing, HasSubstr(home + "moved/"));
  EXPECT_THAT(listing, HasSubstr(home + "copy/"));
  EXPECT_EQ(code(run(http::verb::copy, home + "copy/a.txt", {}, {{"Destination", home + "moved/a.txt"}, {"Overwrite", "F"}})), 412);
  EXPECT_EQ(code(run(http::verb::copy, home + "copy/a.txt", {}, {{"Destination", home + "moved/a.txt"}})), 204);
  EXPECT_EQ(code(run(http::verb::delete_, home + "moved/")), 204);
  EXPECT_EQ(code(run(http::verb::get, home + "moved/a.txt")), 404);
  EXPECT_EQ(code(run(http::verb::delete_, home)), 403);
  EXPECT_EQ(code(run(http::verb::delete_, home + "copy/#frag")), 400);
  // Nobody else's.
  EXPECT_EQ(code(run(http::verb::get, home + "copy/a.txt", {}, {}, &bob_)), 404);
  EXPECT_NE(code(run(http::verb::put, home + "copy/b.txt", "x", {}, &bob_)) / 100, 2);
}

// iCalendar text with folded lines joined again.
std::string unfolded(std::string text) {
  for (auto at = text.find("\r\n "); at != std::string::npos; at = text.find("\r\n ", at)) text.erase(at, 3);
  return text;
}

std::string invitation(std::string_view uid, std::string_view start, std::string_view end,
                       const std::vector<std::string>& attendees, std::string_view summary = "Planning") {
  std::string s = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VEVENT\r\nUID:" + std::string(uid) +
                  "\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:" + std::string(start) + "\r\nDTEND:" + std::string(end) +
                  "\r\nSUMMARY:" + std::string(summary) + "\r\nORGANIZER;CN=Alice:mailto:alice@example.test\r\n"
                  "ATTENDEE;PARTSTAT=ACCEPTED:mailto:alice@example.test\r\n";
  for (const auto& a : attendees) s += "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:" + a + "\r\n";
  return s + "END:VEVENT\r\nEND:VCALENDAR\r\n";
}

TEST_F(ExecutorTest, InvitationReachesInternalAttendeesAndTheirAnswerComesBack) {
  auto r = put(cal_ + "plan.ics", invitation("plan-1", "20261201T100000Z", "20261201T110000Z",
                                             {"bob@example.test", "carol@elsewhere.test"}));
  ASSERT_EQ(code(r), 201);
  EXPECT_TRUE(std::string(r[field::etag]).empty());  // stored with SCHEDULE-STATUS: not as sent
  EXPECT_FALSE(std::string(r["Schedule-Tag"]).empty());
  auto mine = unfolded(run(http::verb::get, cal_ + "plan.ics").body());
  EXPECT_THAT(mine, HasSubstr("SCHEDULE-STATUS=1.2"));  // bob: delivered
  EXPECT_THAT(mine, HasSubstr("SCHEDULE-STATUS=1.1"));  // carol: handed to the outbound queue

  // Bob has the invitation in his inbox and a tentative copy in his calendar.
  auto bob_cal = std::string("/dav/calendars/bob@example.test/calendar/");
  auto inbox = propfind("/dav/calendars/bob@example.test/inbox/", "<d:getetag/>", "1", &bob_).body();
  EXPECT_EQ(count(inbox, ".ics</D:href>"), 1);
  auto copy = run(http::verb::get, bob_cal + "plan-1.ics", {}, {}, &bob_);
  ASSERT_EQ(code(copy), 200);
  EXPECT_THAT(copy.body(), HasSubstr("NEEDS-ACTION"));
  EXPECT_THAT(copy.body(), Not(HasSubstr("SCHEDULE-STATUS")));
  // The external attendee's invitation waits in the outbound queue.
  auto queued = store_->read([](storage::ReadTxn& t) { return storage::queue::list_queue(t); });
  ASSERT_EQ(queued.size(), 1u);
  EXPECT_EQ(queued[0].recipients[0].address, "carol@elsewhere.test");
  EXPECT_THAT(*store_->read_blob(queued[0].blob.hash), HasSubstr("method=REQUEST"));

  // Bob accepts: alice's copy shows it, and the REPLY is in her inbox.
  std::string accepted = unfolded(copy.body());
  auto at = accepted.find("PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:bob@example.test");
  ASSERT_NE(at, std::string::npos) << accepted;
  accepted.replace(at, std::string("PARTSTAT=NEEDS-ACTION;RSVP=TRUE").size(), "PARTSTAT=ACCEPTED");
  EXPECT_EQ(code(put(bob_cal + "plan-1.ics", accepted, {}, &bob_)) / 100, 2);
  mine = unfolded(run(http::verb::get, cal_ + "plan.ics").body());
  EXPECT_THAT(mine, testing::ContainsRegex("PARTSTAT=ACCEPTED[^\r]*:mailto:bob@example.test"));
  auto alice_inbox = propfind("/dav/calendars/alice@example.test/inbox/", "<c:calendar-data/>", "1").body();
  EXPECT_THAT(alice_inbox, HasSubstr("METHOD:REPLY"));

  // The organiser cancels: bob's copy is cancelled.
  EXPECT_EQ(code(run(http::verb::delete_, cal_ + "plan.ics")), 204);
  EXPECT_THAT(run(http::verb::get, bob_cal + "plan-1.ics", {}, {}, &bob_).body(), HasSubstr("STATUS:CANCELLED"));
}

TEST_F(ExecutorTest, ARoomAcceptsWhenFreeAndDeclinesAConflict) {
  store_->write([](storage::WriteTxn& t) {
    storage::directory::add_resource(t, {"room1@example.test", "Room 1", storage::ResourceKind::room});
  });
  ASSERT_EQ(code(put(cal_ + "first.ics", invitation("first", "20261202T100000Z", "20261202T110000Z", {"room1@example.test"}))), 201);
  EXPECT_THAT(unfolded(run(http::verb::get, cal_ + "first.ics").body()),
              testing::ContainsRegex("PARTSTAT=ACCEPTED[^\r]*:mailto:room1@example.test"));
  ASSERT_EQ(code(put(cal_ + "second.ics", invitation("second", "20261202T103000Z", "20261202T113000Z", {"room1@example.test"}))), 201);
  EXPECT_THAT(unfolded(run(http::verb::get, cal_ + "second.ics").body()),
              testing::ContainsRegex("PARTSTAT=DECLINED[^\r]*:mailto:room1@example.test"));
  // Once the first meeting is cancelled the room is free again.
  EXPECT_EQ(code(run(http::verb::delete_, cal_ + "first.ics")), 204);
  ASSERT_EQ(code(put(cal_ + "third.ics", invitation("third", "20261202T100000Z", "20261202T110000Z", {"room1@example.test"}))), 201);
  EXPECT_THAT(unfolded(run(http::verb::get, cal_ + "third.ics").body()),
              testing::ContainsRegex("PARTSTAT=ACCEPTED[^\r]*:mailto:room1@example.test"));
}

TEST_F(ExecutorTest, OutboxAnswersFreeBusyForInternalUsers) {
  ASSERT_EQ(code(put("/dav/calendars/bob@example.test/calendar/b.ics",
                     single("b", "20261203T090000Z", "20261203T100000Z", "Private thing"), {}, &bob_)), 201);
  auto body = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nMETHOD:REQUEST\r\nBEGIN:VFREEBUSY\r\nUID:fb1\r\n"
              "DTSTAMP:20261101T000000Z\r\nDTSTART:20261203T000000Z\r\nDTEND:20261204T000000Z\r\n"
              "ORGANIZER:mailto:alice@example.test\r\nATTENDEE:mailto:bob@example.test\r\n"
              "ATTENDEE:mailto:nobody@example.test\r\nEND:VFREEBUSY\r\nEND:VCALENDAR\r\n";
  auto r = run(http::verb::post, "/dav/calendars/alice@example.test/outbox/", body, {{"Content-Type", "text/calendar"}});
  EXPECT_EQ(code(r), 200);
  EXPECT_THAT(r.body(), HasSubstr("20261203T090000Z/20261203T100000Z"));
  EXPECT_THAT(r.body(), HasSubstr("3.7;Invalid calendar user"));
  EXPECT_THAT(r.body(), Not(HasSubstr("Private thing")));
  // Only one's own outbox.
  EXPECT_EQ(code(run(http::verb::post, "/dav/calendars/alice@example.test/outbox/", body, {}, &bob_)), 403);
}

TEST_F(ExecutorTest, PrincipalSearchFindsColleaguesOfTheSameDomainOnly) {
  add_user("alina@other.test");
  auto r = run(http::verb::report, "/dav/principals/", R"(<?xml version="1.0"?>
<d:principal-property-search xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" test="anyof">
  <d:property-search><d:prop><d:displayname/></d:prop><d:match>ALI</d:match></d:property-search>
  <d:property-search><d:prop><c:calendar-user-address-set/></d:prop><d:match>ali</d:match></d:property-search>
  <d:prop><c:calendar-user-address-set/></d:prop>
</d:principal-property-search>)", {}, &bob_);
  EXPECT_EQ(code(r), 207);
  EXPECT_THAT(r.body(), HasSubstr("mailto:alice@example.test"));
  EXPECT_THAT(r.body(), Not(HasSubstr("alina@other.test")));
  r = run(http::verb::report, "/dav/principals/", R"(<?xml version="1.0"?>
<cs:calendarserver-principal-search xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/" context="attendee">
<cs:search-token>bob</cs:search-token><d:prop><d:displayname/></d:prop></cs:calendarserver-principal-search>)");
  EXPECT_THAT(r.body(), HasSubstr("/dav/principals/bob@example.test/"));
  EXPECT_THAT(r.body(), Not(HasSubstr("alice@example.test/")));
}

constexpr std::string_view k_card3 =
    "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:card-1\r\nFN:Jürgen Müller\r\nN:Müller;Jürgen;;;\r\n"
    "EMAIL;TYPE=work:Juergen@Example.test\r\nTEL;TYPE=cell:+49 170 1234567\r\nEND:VCARD\r\n";

TEST_F(ExecutorTest, AddressBooksHoldVCardsWithQueriesAndSync) {
  const std::string book = "/dav/addressbooks/alice@example.test/contacts/";
  auto r = propfind("/dav/principals/alice@example.test/", "<k:addressbook-home-set xmlns:k=\"urn:ietf:params:xml:ns:carddav\"/>");
  EXPECT_THAT(r.body(), HasSubstr("/dav/addressbooks/alice@example.test/"));
  r = propfind("/dav/addressbooks/alice@example.test/", "<d:resourcetype/><d:displayname/>", "1");
  EXPECT_THAT(r.body(), HasSubstr("<CR:addressbook/>"));
  EXPECT_THAT(r.body(), HasSubstr(">Contacts</displayname>"));
  auto t0 = token_of(sync(book, "").body());

  r = run(http::verb::put, book + "card-1.vcf", std::string(k_card3), {{"Content-Type", "text/vcard; charset=utf-8"}});
  ASSERT_EQ(code(r), 201);
  auto second = std::string(k_card3);
  second.replace(second.find("UID:card-1"), 10, "UID:card-2");
  second.replace(second.find("FN:Jürgen Müller"), std::string("FN:Jürgen Müller").size(), "FN:Erika Mustermann");
  second.replace(second.find("Juergen@Example.test"), std::string("Juergen@Example.test").size(), "erika@example.test");
  ASSERT_EQ(code(run(http::verb::put, book + "card-2.vcf", second, {{"Content-Type", "text/vcard"}})), 201);
  // One UID per address book; a broken card; a calendar object where cards belong.
  r = run(http::verb::put, book + "dup.vcf", std::string(k_card3), {{"Content-Type", "text/vcard"}});
  EXPECT_EQ(code(r), 403);
  EXPECT_THAT(r.body(), HasSubstr("no-uid-conflict"));
  EXPECT_EQ(code(run(http::verb::put, book + "bad.vcf", "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:x\r\nEND:VCARD\r\n")), 403);
  EXPECT_EQ(code(run(http::verb::put, book + "x.ics", std::string(k_todo), {{"Content-Type", "text/calendar"}})), 415);

  // addressbook-query: case-insensitive text-match on a structured value, limit.
  r = run(http::verb::report, book, R"(<?xml version="1.0"?>
<C:addressbook-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop><D:getetag/><C:address-data/></D:prop>
<C:filter test="anyof"><C:prop-filter name="FN"><C:text-match match-type="contains">JÜRGEN</C:text-match></C:prop-filter></C:filter>
</C:addressbook-query>)", {{"Depth", "1"}});
  EXPECT_EQ(code(r), 207);
  EXPECT_THAT(r.body(), HasSubstr("card-1.vcf"));
  EXPECT_THAT(r.body(), Not(HasSubstr("card-2.vcf")));
  EXPECT_THAT(r.body(), HasSubstr("UID:card-1"));
  r = run(http::verb::report, book, R"(<?xml version="1.0"?>
<C:addressbook-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop><D:getetag/></D:prop>
<C:filter><C:prop-filter name="EMAIL"><C:text-match match-type="ends-with">example.test</C:text-match></C:prop-filter></C:filter>
<C:limit><C:nresults>1</C:nresults></C:limit></C:addressbook-query>)", {{"Depth", "1"}});
  EXPECT_EQ(count(r.body(), ".vcf</D:href>"), 1);
  EXPECT_THAT(r.body(), HasSubstr("number-of-matches-within-limits"));

  // address-data in vCard 4.0 on request; multiget with a missing href.
  r = run(http::verb::report, book, R"(<?xml version="1.0"?>
<C:addressbook-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">
<D:prop><C:address-data content-type="text/vcard" version="4.0"/></D:prop>
<D:href>/dav/addressbooks/alice@example.test/contacts/card-1.vcf</D:href>
<D:href>/dav/addressbooks/alice@example.test/contacts/none.vcf</D:href></C:addressbook-multiget>)", {{"Depth", "1"}});
  EXPECT_THAT(r.body(), HasSubstr("VERSION:4.0"));
  EXPECT_THAT(r.body(), HasSubstr("none.vcf</D:href><D:status>HTTP/1.1 404 Not Found"));

  // GET with an Accept naming vCard 4.0 converts; plain GET gives the stored 3.0.
  auto g = run(http::verb::get, book + "card-1.vcf", {}, {{"Accept", "text/vcard; version=4.0"}});
  EXPECT_THAT(g.body(), HasSubstr("VERSION:4.0"));
  EXPECT_THAT(run(http::verb::get, book + "card-1.vcf").body(), HasSubstr("VERSION:3.0"));
  auto s = sync(book, t0);
  EXPECT_THAT(s.body(), HasSubstr("card-1.vcf"));
  EXPECT_THAT(s.body(), HasSubstr("card-2.vcf"));
  EXPECT_EQ(code(run(http::verb::delete_, book + "card-2.vcf")), 204);
  EXPECT_THAT(sync(book, token_of(s.body())).body(), HasSubstr("card-2.vcf</D:href><D:status>HTTP/1.1 404 Not Found"));
  // Bob sees nothing of it.
  EXPECT_EQ(code(run(http::verb::get, book + "card-1.vcf", {}, {}, &bob_)), 404);
  // A second address book by extended MKCOL.
  EXPECT_EQ(code(run(http::verb::mkcol, "/dav/addressbooks/alice@example.test/work/", R"(<?xml version="1.0"?>
<D:mkcol xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:set><D:prop>
<D:resourcetype><D:collection/><C:addressbook/></D:resourcetype><D:displayname>Work</D:displayname></D:prop></D:set></D:mkcol>)",
                     {{"Content-Type", "application/xml"}})), 201);
  EXPECT_THAT(propfind("/dav/addressbooks/alice@example.test/work/", "<d:displayname/>").body(), HasSubstr(">Work<"));
}

TEST_F(ExecutorTest, GlobalAddressListShowsTheDomainAndFollowsTheDirectory) {
  add_user("zoe@other.test");
  const std::string dir = "/dav/addressbooks/alice@example.test/directory/";
  auto home = propfind("/dav/addressbooks/alice@example.test/", "<d:resourcetype/>", "1").body();
  EXPECT_THAT(home, HasSubstr(dir));
  auto listing = propfind(dir, "<d:getetag/>", "1");
  EXPECT_EQ(code(listing), 207);
  EXPECT_EQ(count(listing.body(), ".vcf</D:href>"), 2);  // alice and bob, not zoe
  auto query = [&](std::string filter) {
    return run(http::verb::report, dir,
               "<?xml version=\"1.0\"?><C:addressbook-query xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:carddav\">"
               "<D:prop><C:address-data/></D:prop><C:filter>" + filter + "</C:filter></C:addressbook-query>",
               {{"Depth", "1"}});
  };
  auto r = query("<C:prop-filter name=\"EMAIL\"><C:text-match match-type=\"starts-with\">bob@</C:text-match></C:prop-filter>");
  EXPECT_THAT(r.body(), HasSubstr("EMAIL;TYPE=INTERNET,WORK:bob@example.test"));
  EXPECT_THAT(r.body(), Not(HasSubstr("alice@example.test\r")));
  auto token = token_of(sync(dir, "").body());
  ASSERT_FALSE(token.empty());
  EXPECT_EQ(count(sync(dir, token).body(), "<D:response>"), 0);
  store_->write([](storage::WriteTxn& t) {
    storage::directory::add_resource(t, {"board@example.test", "Board room", storage::ResourceKind::room});
  });
  r = query("<C:prop-filter name=\"FN\"><C:text-match match-type=\"starts-with\">board</C:text-match></C:prop-filter>");
  EXPECT_THAT(r.body(), HasSubstr("FN:Board room"));
  EXPECT_EQ(code(sync(dir, token)), 403);  // the directory changed: start over
  EXPECT_NE(token_of(sync(dir, "").body()), token);
  // Read-only, and nobody else's.
  EXPECT_EQ(code(run(http::verb::put, dir + "x.vcf", std::string(k_card3), {{"Content-Type", "text/vcard"}})), 403);
  EXPECT_EQ(code(propfind(dir, "<d:getetag/>", "1", &bob_)), 404);
}

TEST_F(ExecutorTest, MalformedRequestsGetProtocolErrors) {
  EXPECT_EQ(code(run(http::verb::propfind, cal_, "<propfind xmlns=\"DAV:\"><prop>", {{"Depth", "0"}})), 400);
  EXPECT_EQ(code(run(http::verb::propfind, cal_, "<!DOCTYPE x [<!ENTITY a \"b\">]><propfind xmlns=\"DAV:\"/>",
                     {{"Depth", "0"}})), 400);
  EXPECT_EQ(code(run(http::verb::report, cal_, "<x xmlns=\"urn:nope\"/>")), 403);
  EXPECT_EQ(code(run(http::verb::propfind, "/dav/%2e%2e/etc", "")), 400);
  EXPECT_EQ(code(run(http::verb::put, cal_ + "a.ics", "x", {{"If-Match", "unquoted"}})), 400);
  EXPECT_EQ(code(propfind("/dav/calendars/nobody@example.test/", "<d:displayname/>")), 404);
}

}  // namespace
}  // namespace atrium::dav
