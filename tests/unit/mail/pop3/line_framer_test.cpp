// LineFramer: CRLF and bare-LF lines, the bound and the skip to the next line.
#include "mail/pop3/line_framer.hpp"

#include <gtest/gtest.h>

#include <string>

namespace atrium::pop3 {
namespace {

TEST(Pop3LineFramer, SplitsCrlfAndBareLfLines) {
  LineFramer f(16);
  auto fr = f.next("STAT\r\nQUIT\r\n");
  EXPECT_EQ(fr.kind, LineFramer::Kind::line);
  EXPECT_EQ(fr.line, "STAT");
  EXPECT_EQ(fr.consumed, 6u);
  fr = f.next("STAT\nQUIT\r\n");
  EXPECT_EQ(fr.line, "STAT");
  EXPECT_EQ(fr.consumed, 5u);
}

TEST(Pop3LineFramer, KeepsBareCrInsideTheLine) {
  LineFramer f(16);
  EXPECT_EQ(f.next("NO\rOP\r\n").line, "NO\rOP");  // the parser refuses the control character
}

TEST(Pop3LineFramer, NeedsMore) {
  LineFramer f(16);
  auto fr = f.next("STAT\r");
  EXPECT_EQ(fr.kind, LineFramer::Kind::need_more);
  EXPECT_EQ(fr.consumed, 0u);
  EXPECT_EQ(f.next("").kind, LineFramer::Kind::need_more);
}

TEST(Pop3LineFramer, BoundIncludesTheLineEnding) {
  LineFramer f(8);
  EXPECT_EQ(f.next("123456\r\n").kind, LineFramer::Kind::line);
  LineFramer g(8);
  EXPECT_EQ(g.next("1234567\r\n").kind, LineFramer::Kind::too_long);
}

TEST(Pop3LineFramer, TooLongWithItsEndPresentIsSkippedAtOnce) {
  LineFramer f(8);
  std::string in = "0123456789\r\nNOOP\r\n";
  auto fr = f.next(in);
  EXPECT_EQ(fr.kind, LineFramer::Kind::too_long);
  EXPECT_EQ(fr.consumed, 12u);
  fr = f.next(std::string_view(in).substr(fr.consumed));
  EXPECT_EQ(fr.line, "NOOP");
}

TEST(Pop3LineFramer, TooLongWithoutItsEndIsSkippedAcrossFeeds) {
  LineFramer f(8);
  auto fr = f.next("0123456789");
  EXPECT_EQ(fr.kind, LineFramer::Kind::too_long);
  EXPECT_EQ(fr.consumed, 10u);
  fr = f.next("abcdefghijklmnop");  // still the same line: dropped, reported no more
  EXPECT_EQ(fr.kind, LineFramer::Kind::need_more);
  EXPECT_EQ(fr.consumed, 16u);
  std::string rest = "xyz\r\nNOOP\r\n";
  fr = f.next(rest);
  EXPECT_EQ(fr.kind, LineFramer::Kind::line);
  EXPECT_EQ(fr.line, "NOOP");
  EXPECT_EQ(fr.consumed, rest.size());
}

TEST(Pop3LineFramer, SkipThenPartialLineKeepsTheSkipCount) {
  LineFramer f(8);
  f.next("0123456789");
  auto fr = f.next("z\r\nNO");
  EXPECT_EQ(fr.kind, LineFramer::Kind::need_more);
  EXPECT_EQ(fr.consumed, 3u);  // the end of the long line; "NO" waits for more
}

TEST(Pop3LineFramer, ResetForgetsTheSkip) {
  LineFramer f(8);
  f.next("0123456789");
  f.reset();
  EXPECT_EQ(f.next("NOOP\r\n").line, "NOOP");
}

}  // namespace
}  // namespace atrium::pop3
