// Path decoding, encoding and joining.
#include "dav/xml/href.hpp"

#include <gtest/gtest.h>

namespace atrium::dav {
namespace {

using R = std::variant<std::string, PathError>;

TEST(DecodePath, Decodes) {
  EXPECT_EQ(decode_path("/"), R("/"));
  EXPECT_EQ(decode_path("/dav/calendars/alice/"), R("/dav/calendars/alice/"));
  EXPECT_EQ(decode_path("/a%20b/c%2bd%40e.ics"), R("/a b/c+d@e.ics"));
  EXPECT_EQ(decode_path("/%C3%A4%c3%b6"), R("/äö"));
  EXPECT_EQ(decode_path("/a?x=1/../.."), R("/a"));
  EXPECT_EQ(decode_path("/a#frag"), R("/a"));
  EXPECT_EQ(decode_path("/a//b"), R("/a//b"));
  EXPECT_EQ(decode_path("/.well-known/caldav"), R("/.well-known/caldav"));
  EXPECT_EQ(decode_path("/a/...b/..c"), R("/a/...b/..c"));
  EXPECT_EQ(decode_path("/a+b"), R("/a+b"));  // '+' is not a space in paths
}

TEST(DecodePath, Refuses) {
  EXPECT_EQ(decode_path(""), R(PathError::not_absolute));
  EXPECT_EQ(decode_path("a/b"), R(PathError::not_absolute));
  EXPECT_EQ(decode_path("https://host/a"), R(PathError::not_absolute));
  EXPECT_EQ(decode_path("/a%"), R(PathError::bad_escape));
  EXPECT_EQ(decode_path("/a%2"), R(PathError::bad_escape));
  EXPECT_EQ(decode_path("/a%zz"), R(PathError::bad_escape));
  EXPECT_EQ(decode_path("/a%00b"), R(PathError::nul));
  EXPECT_EQ(decode_path(std::string_view("/a\0b", 4)), R(PathError::nul));
  EXPECT_EQ(decode_path("/a%2Fb"), R(PathError::encoded_slash));
  EXPECT_EQ(decode_path("/a%2fb"), R(PathError::encoded_slash));
  EXPECT_EQ(decode_path("/a/../b"), R(PathError::dot_segment));
  EXPECT_EQ(decode_path("/.."), R(PathError::dot_segment));
  EXPECT_EQ(decode_path("/a/."), R(PathError::dot_segment));
  EXPECT_EQ(decode_path("/a/./b"), R(PathError::dot_segment));
  EXPECT_EQ(decode_path("/a/%2e%2E/b"), R(PathError::dot_segment));
  EXPECT_EQ(decode_path("/a/.%2e"), R(PathError::dot_segment));
  EXPECT_EQ(decode_path("/%FF"), R(PathError::bad_utf8));
  EXPECT_EQ(decode_path("/%C0%AF"), R(PathError::bad_utf8));
}

TEST(EncodePath, Segments) {
  EXPECT_EQ(encode_segment("abc-._~XYZ019"), "abc-._~XYZ019");
  EXPECT_EQ(encode_segment("a b/c%d&e+f?g#h"), "a%20b%2Fc%25d%26e%2Bf%3Fg%23h");
  EXPECT_EQ(encode_segment("alice@example.com"), "alice@example.com");
  EXPECT_EQ(encode_segment("ä"), "%C3%A4");
  EXPECT_EQ(encode_segment("<\"'>"), "%3C%22'%3E");
}

TEST(EncodePath, WholePathsRoundTrip) {
  EXPECT_EQ(encode_path("/dav/calendars/alice/my cal/"), "/dav/calendars/alice/my%20cal/");
  EXPECT_EQ(encode_path("/"), "/");
  for (const char* p : {"/a b/c+d@e.ics", "/äö/ü", "/x/y%z/", "/a//b", "/%/&/#/?"}) {
    EXPECT_EQ(decode_path(encode_path(p)), R(p)) << p;
  }
}

TEST(JoinPath, OneSlash) {
  EXPECT_EQ(join_path("/dav/cal", "x.ics"), "/dav/cal/x.ics");
  EXPECT_EQ(join_path("/dav/cal/", "x.ics"), "/dav/cal/x.ics");
  EXPECT_EQ(join_path("/dav/cal/", "/x.ics"), "/dav/cal/x.ics");
  EXPECT_EQ(join_path("", "x"), "/x");
  EXPECT_EQ(join_path("/", "sub/"), "/sub/");
}

}  // namespace
}  // namespace atrium::dav
