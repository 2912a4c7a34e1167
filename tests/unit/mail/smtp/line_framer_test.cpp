// LineFramer: CRLF lines, bare LF flagged, the bound and the skip to the next line.
#include "mail/smtp/line_framer.hpp"

#include <gtest/gtest.h>

#include <string>

namespace atrium::smtp {
namespace {

TEST(LineFramer, SplitsCrlfLines) {
  LineFramer f(16);
  auto fr = f.next("NOOP\r\nQUIT\r\n");
  EXPECT_EQ(fr.kind, LineFramer::Kind::line);
  EXPECT_EQ(fr.line, "NOOP");
  EXPECT_EQ(fr.consumed, 6u);
  EXPECT_FALSE(fr.bare_lf);
}

TEST(LineFramer, FlagsBareLf) {
  LineFramer f(16);
  auto fr = f.next("NOOP\nQUIT\r\n");
  EXPECT_EQ(fr.line, "NOOP");
  EXPECT_TRUE(fr.bare_lf);
  EXPECT_EQ(fr.consumed, 5u);
}

TEST(LineFramer, KeepsBareCrInsideTheLine) {
  LineFramer f(16);
  auto fr = f.next("NO\rOP\r\n");
  EXPECT_EQ(fr.line, "NO\rOP");  // the parser refuses the control character
}

TEST(LineFramer, NeedsMore) {
  LineFramer f(16);
  auto fr = f.next("NOOP\r");
  EXPECT_EQ(fr.kind, LineFramer::Kind::need_more);
  EXPECT_EQ(fr.consumed, 0u);
}

TEST(LineFramer, BoundIncludesCrlf) {
  LineFramer f(8);
  EXPECT_EQ(f.next("123456\r\n").kind, LineFramer::Kind::line);
  LineFramer g(8);
  EXPECT_EQ(g.next("1234567\r\n").kind, LineFramer::Kind::too_long);
}

TEST(LineFramer, TooLongSkipsToTheNextLine) {
  LineFramer f(8);
  std::string in = "0123456789";
  auto fr = f.next(in);
  EXPECT_EQ(fr.kind, LineFramer::Kind::too_long);
  EXPECT_EQ(fr.consumed, 8u);
  in = in.substr(fr.consumed) + "abc\r\nNOOP\r\n";
  fr = f.next(in);  // still skipping "89abc\r\n", then the next line
  EXPECT_EQ(fr.kind, LineFramer::Kind::line);
  EXPECT_EQ(fr.line, "NOOP");
  EXPECT_EQ(fr.consumed, in.size());
}

TEST(LineFramer, TooLongWithTheRestPresent) {
  LineFramer f(8);
  std::string in = "0123456789\r\nNOOP\r\n";
  auto fr = f.next(in);
  EXPECT_EQ(fr.kind, LineFramer::Kind::too_long);
  EXPECT_EQ(fr.consumed, 12u);
  fr = f.next(std::string_view(in).substr(12));
  EXPECT_EQ(fr.line, "NOOP");
}

TEST(LineFramer, SkipWithoutLfConsumesEverything) {
  LineFramer f(4);
  EXPECT_EQ(f.next("xxxxxx").kind, LineFramer::Kind::too_long);
  auto fr = f.next("yyyyyyyy");
  EXPECT_EQ(fr.kind, LineFramer::Kind::need_more);
  EXPECT_EQ(fr.consumed, 8u);
  f.reset();
  EXPECT_EQ(f.next("ok\r\n").line, "ok");
}

}  // namespace
}  // namespace atrium::smtp
