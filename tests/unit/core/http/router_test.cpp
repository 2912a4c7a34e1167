// Router matching without sockets: exact over prefix, longest prefix, 405 Allow lists, HEAD.
#include "core/http/router.hpp"

#include <gtest/gtest.h>

namespace atrium::http {
namespace {

Handler tagged(std::string tag) {
  return [tag](Request&, RequestContext&) -> asio::awaitable<Response> { co_return text_response(status::ok, tag); };
}

// Which handler matched: the handlers are compared by address through the router's storage.
struct Fixture {
  Router router;
  Fixture() {
    router.add(verb::get, "/", tagged("root"));
    router.add(verb::get, "/dav/", tagged("dav-get"));
    router.add(verb::propfind, "/dav/", tagged("dav-propfind"));
    router.add(verb::get, "/dav/principals/", tagged("principals"));
    router.add(verb::get, "/healthz", tagged("healthz"));
    router.add(verb::post, "/Microsoft-Server-ActiveSync", tagged("eas-post"));
    router.add(verb::options, "/Microsoft-Server-ActiveSync", tagged("eas-options"));
    router.add_any("/any/", tagged("any"));
  }
};

TEST(Router, ExactRouteWins) {
  Fixture f;
  auto m = f.router.match(verb::get, "/healthz");
  ASSERT_EQ(m.kind, Router::Match::Kind::found);
  EXPECT_EQ(m.route, "/healthz");
}

TEST(Router, LongestPrefixWins) {
  Fixture f;
  EXPECT_EQ(f.router.match(verb::get, "/dav/principals/alice/").route, "/dav/principals/");
  EXPECT_EQ(f.router.match(verb::get, "/dav/calendars/alice/home/x.ics").route, "/dav/");
  EXPECT_EQ(f.router.match(verb::get, "/dav/").route, "/dav/");
  EXPECT_EQ(f.router.match(verb::get, "/dav").route, "/");  // not below "/dav/"
  EXPECT_EQ(f.router.match(verb::get, "/other/thing").route, "/");
  EXPECT_EQ(f.router.match(verb::get, "/healthz/more").route, "/");  // exact routes are not prefixes
}

TEST(Router, WrongMethodOnTheMostSpecificRouteIs405WithAllow) {
  Fixture f;
  auto m = f.router.match(verb::delete_, "/dav/x");
  EXPECT_EQ(m.kind, Router::Match::Kind::method_not_allowed);
  EXPECT_EQ(m.allow, "GET, PROPFIND, HEAD");
  // The most specific route decides, even though "/dav/" would take PROPFIND.
  auto p = f.router.match(verb::propfind, "/dav/principals/alice/");
  EXPECT_EQ(p.kind, Router::Match::Kind::method_not_allowed);
  EXPECT_EQ(p.allow, "GET, HEAD");
  auto eas = f.router.match(verb::get, "/Microsoft-Server-ActiveSync");
  EXPECT_EQ(eas.kind, Router::Match::Kind::method_not_allowed);
  EXPECT_EQ(eas.allow, "POST, OPTIONS");
}

TEST(Router, NoRouteIs404) {
  Router r;
  r.add(verb::get, "/healthz", tagged("h"));
  EXPECT_EQ(r.match(verb::get, "/nope").kind, Router::Match::Kind::not_found);
  EXPECT_EQ(r.match(verb::get, "/").kind, Router::Match::Kind::not_found);
}

TEST(Router, HeadFallsBackToGetAndAnyTakesEveryMethod) {
  Fixture f;
  auto head = f.router.match(verb::head, "/healthz");
  EXPECT_EQ(head.kind, Router::Match::Kind::found);
  EXPECT_EQ(head.handler, f.router.match(verb::get, "/healthz").handler);
  EXPECT_EQ(f.router.match(verb::mkcalendar, "/any/x").kind, Router::Match::Kind::found);
  EXPECT_EQ(f.router.match(verb::unknown, "/any/x").kind, Router::Match::Kind::found);
}

TEST(Router, RegistrationErrors) {
  Router r;
  r.add(verb::get, "/a", tagged("a"));
  EXPECT_THROW(r.add(verb::get, "/a", tagged("again")), std::invalid_argument);
  EXPECT_THROW(r.add(verb::get, "relative", tagged("x")), std::invalid_argument);
  EXPECT_THROW(r.add(verb::unknown, "/b", tagged("x")), std::invalid_argument);
  r.add_any("/c/", tagged("c"));
  EXPECT_THROW(r.add_any("/c/", tagged("c2")), std::invalid_argument);
}

}  // namespace
}  // namespace atrium::http
