// Depth, If-Match / If-None-Match and Destination.
#include "dav/xml/headers.hpp"

#include <gtest/gtest.h>

namespace atrium::dav {
namespace {

TEST(Depth, Parses) {
  EXPECT_EQ(parse_depth("0", Depth::infinity), Depth::zero);
  EXPECT_EQ(parse_depth("1", Depth::infinity), Depth::one);
  EXPECT_EQ(parse_depth("infinity", Depth::zero), Depth::infinity);
  EXPECT_EQ(parse_depth(" Infinity ", Depth::zero), Depth::infinity);
  EXPECT_EQ(parse_depth(std::nullopt, Depth::one), Depth::one);
  for (const char* bad : {"", "2", "-1", "01", "inf", "infinite", "1,0", "0 1"}) {
    EXPECT_EQ(parse_depth(bad, Depth::zero), std::nullopt) << bad;
  }
}

TEST(Depth, MethodDefaults) {
  EXPECT_EQ(default_depth("PROPFIND"), Depth::infinity);
  EXPECT_EQ(default_depth("COPY"), Depth::infinity);
  EXPECT_EQ(default_depth("MOVE"), Depth::infinity);
  EXPECT_EQ(default_depth("DELETE"), Depth::infinity);
  EXPECT_EQ(default_depth("LOCK"), Depth::infinity);
  EXPECT_EQ(default_depth("REPORT"), Depth::zero);
  EXPECT_EQ(default_depth("PROPPATCH"), Depth::zero);
}

TEST(EtagCondition, Parses) {
  EXPECT_EQ(parse_etag_condition("*"), (EtagCondition{true, {}}));
  EXPECT_EQ(parse_etag_condition(" * "), (EtagCondition{true, {}}));
  EXPECT_EQ(parse_etag_condition("\"abc\""), (EtagCondition{false, {{"abc", false}}}));
  EXPECT_EQ(parse_etag_condition("\"a\", W/\"b\" ,\"\""),
            (EtagCondition{false, {{"a", false}, {"b", true}, {"", false}}}));
  EXPECT_EQ(parse_etag_condition(",\"a\",,"), (EtagCondition{false, {{"a", false}}}));
  for (const char* bad : {"", " ", "abc", "\"abc", "abc\"", "\"a\" \"b\"", "*, \"a\"", "\"a\", *", "w/\"a\"", "W/abc",
                          "\"a\"b", "\"a b\""}) {
    EXPECT_EQ(parse_etag_condition(bad), std::nullopt) << bad;
  }
}

TEST(EtagCondition, IfMatchIsStrong) {
  const auto c = *parse_etag_condition("\"v1\", W/\"v2\"");
  EXPECT_TRUE(if_match_holds(c, "v1"));
  EXPECT_FALSE(if_match_holds(c, "v2"));  // weak never matches strongly
  EXPECT_FALSE(if_match_holds(c, "v3"));
  EXPECT_FALSE(if_match_holds(c, std::nullopt));
  const auto any = *parse_etag_condition("*");
  EXPECT_TRUE(if_match_holds(any, "x"));
  EXPECT_FALSE(if_match_holds(any, std::nullopt));
}

TEST(EtagCondition, IfNoneMatchIsWeak) {
  const auto any = *parse_etag_condition("*");
  EXPECT_TRUE(if_none_match_holds(any, std::nullopt));  // PUT If-None-Match: * creates only
  EXPECT_FALSE(if_none_match_holds(any, "x"));
  const auto c = *parse_etag_condition("W/\"v2\"");
  EXPECT_FALSE(if_none_match_holds(c, "v2"));
  EXPECT_TRUE(if_none_match_holds(c, "v1"));
  EXPECT_TRUE(if_none_match_holds(c, std::nullopt));
}

TEST(Destination, SameServer) {
  using R = std::variant<std::string, DestinationError>;
  EXPECT_EQ(parse_destination("https://mail.example.com/dav/cal/b%20c.ics", "mail.example.com"), R("/dav/cal/b c.ics"));
  EXPECT_EQ(parse_destination("HTTPS://Mail.Example.COM:443/x", "mail.example.com"), R("/x"));
  EXPECT_EQ(parse_destination("http://host:8080/x?q=1", "HOST:8080"), R("/x"));
  EXPECT_EQ(parse_destination("http://host", "host"), R("/"));
  EXPECT_EQ(parse_destination("https://[::1]:8443/a/", "[::1]:8443"), R("/a/"));
  EXPECT_EQ(parse_destination("/dav/cal/x.ics", "whatever"), R("/dav/cal/x.ics"));
}

TEST(Destination, Refusals) {
  using R = std::variant<std::string, DestinationError>;
  EXPECT_EQ(parse_destination("https://other.example.com/x", "mail.example.com"), R(DestinationError::other_server));
  EXPECT_EQ(parse_destination("https://host:8443/x", "host"), R(DestinationError::other_server));
  EXPECT_EQ(parse_destination("ftp://host/x", "host"), R(DestinationError::malformed));
  EXPECT_EQ(parse_destination("x.ics", "host"), R(DestinationError::malformed));
  EXPECT_EQ(parse_destination("", "host"), R(DestinationError::malformed));
  EXPECT_EQ(parse_destination("https://user@host/x", "host"), R(DestinationError::malformed));
  EXPECT_EQ(parse_destination("https:///x", "host"), R(DestinationError::malformed));
  EXPECT_EQ(parse_destination("https://host/a/../b", "host"), R(DestinationError::bad_path));
  EXPECT_EQ(parse_destination("https://host/a%00", "host"), R(DestinationError::bad_path));
}

TEST(DecodeHref, PathsAndUris) {
  using R = std::variant<std::string, DestinationError>;
  EXPECT_EQ(decode_href("/dav/calendars/alice/default/a%20b.ics", "h"), R("/dav/calendars/alice/default/a b.ics"));
  EXPECT_EQ(decode_href("https://h/dav/x.ics", "h"), R("/dav/x.ics"));
  EXPECT_EQ(decode_href("https://elsewhere/dav/x.ics", "h"), R(DestinationError::other_server));
}

}  // namespace
}  // namespace atrium::dav
