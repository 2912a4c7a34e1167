// MessageEncoder: line endings, dot-stuffing, the terminator and TOP's line count, independent
// of how the content is cut into chunks.
#include "mail/pop3/message_encoder.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace atrium::pop3 {
namespace {

std::string encode(std::string_view in, std::optional<std::uint64_t> lines = std::nullopt, std::size_t piece = 0) {
  MessageEncoder e(lines);
  std::string out;
  if (piece == 0) {
    e.encode(in, out);
  } else {
    for (std::size_t i = 0; i < in.size(); i += piece) {
      if (!e.encode(in.substr(i, piece), out)) break;
    }
  }
  e.finish(out);
  return out;
}

TEST(Pop3MessageEncoder, CrlfMessagePassesUnchanged) {
  EXPECT_EQ(encode("Subject: x\r\n\r\nbody\r\n"), "Subject: x\r\n\r\nbody\r\n.\r\n");
}

TEST(Pop3MessageEncoder, BareLfBecomesCrlf) {
  EXPECT_EQ(encode("Subject: x\n\nbody\nmore\n"), "Subject: x\r\n\r\nbody\r\nmore\r\n.\r\n");
}

TEST(Pop3MessageEncoder, DotStuffing) {
  EXPECT_EQ(encode("a\r\n.\r\n..b\r\n.c\nd.e\r\n"), "a\r\n..\r\n...b\r\n..c\r\nd.e\r\n.\r\n");
  EXPECT_EQ(encode(".first line"), "..first line\r\n.\r\n");
}

TEST(Pop3MessageEncoder, UnterminatedLastLineIsEnded) {
  EXPECT_EQ(encode("Subject: x\r\n\r\nno end"), "Subject: x\r\n\r\nno end\r\n.\r\n");
  EXPECT_EQ(encode("trailing CR\r"), "trailing CR\r\n.\r\n");
}

TEST(Pop3MessageEncoder, EmptyMessage) { EXPECT_EQ(encode(""), ".\r\n"); }

TEST(Pop3MessageEncoder, BareCrStaysContent) {
  EXPECT_EQ(encode("a\rb\r\n\r.x\r\n"), "a\rb\r\n\r.x\r\n.\r\n");
}

TEST(Pop3MessageEncoder, NulAndEightBitPassThrough) {
  const std::string in("a\0b\xFF\r\n", 6);
  EXPECT_EQ(encode(in), in + ".\r\n");
}

TEST(Pop3MessageEncoder, TopCountsBodyLinesAfterTheEmptyLine) {
  const std::string m = "H: 1\r\nH: 2\r\n\r\nb1\r\nb2\r\nb3\r\n";
  EXPECT_EQ(encode(m, 0), "H: 1\r\nH: 2\r\n\r\n.\r\n");
  EXPECT_EQ(encode(m, 2), "H: 1\r\nH: 2\r\n\r\nb1\r\nb2\r\n.\r\n");
  EXPECT_EQ(encode(m, 3), m + ".\r\n");
  EXPECT_EQ(encode(m, 1000), m + ".\r\n");
}

TEST(Pop3MessageEncoder, TopOnAMessageWithoutBody) {
  EXPECT_EQ(encode("H: 1\r\nH: 2\r\n", 0), "H: 1\r\nH: 2\r\n.\r\n");
  EXPECT_EQ(encode("H: 1\r\nH: 2", 0), "H: 1\r\nH: 2\r\n.\r\n");
  EXPECT_EQ(encode("H: 1\r\n\r\n", 5), "H: 1\r\n\r\n.\r\n");
}

TEST(Pop3MessageEncoder, TopWithBareLfAndDots) {
  EXPECT_EQ(encode("H: 1\n\n.b1\nb2\n", 1), "H: 1\r\n\r\n..b1\r\n.\r\n");
}

TEST(Pop3MessageEncoder, TopReportsCompletion) {
  MessageEncoder e(1);
  std::string out;
  EXPECT_TRUE(e.encode("H: 1\r\n\r\n", out));
  EXPECT_FALSE(e.encode("b1\r\nb2\r\n", out));
  EXPECT_TRUE(e.complete());
  EXPECT_FALSE(e.encode("more", out));
  e.finish(out);
  EXPECT_EQ(out, "H: 1\r\n\r\nb1\r\n.\r\n");
}

TEST(Pop3MessageEncoder, ResultDoesNotDependOnChunking) {
  const std::string m = "Subject: t\n\r\n.a\r\n..\n\r.\rx\r\nlast\r";
  for (std::optional<std::uint64_t> lines : {std::optional<std::uint64_t>{}, std::optional<std::uint64_t>{0},
                                            std::optional<std::uint64_t>{2}}) {
    const std::string whole = encode(m, lines);
    for (std::size_t piece = 1; piece <= m.size(); ++piece) {
      EXPECT_EQ(encode(m, lines, piece), whole) << "piece " << piece;
    }
  }
}

TEST(Pop3MessageEncoder, FinishTwiceAddsNothing) {
  MessageEncoder e;
  std::string out;
  e.encode("x", out);
  e.finish(out);
  e.finish(out);
  EXPECT_EQ(out, "x\r\n.\r\n");
}

}  // namespace
}  // namespace atrium::pop3
