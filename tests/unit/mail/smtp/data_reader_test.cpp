// DataReader: dot-stuffing, the CRLF.CRLF terminator at every chunk boundary, smuggling attempts
// with bare CR/LF, NUL, long lines, size limits, pipelined bytes after the dot, BDAT framing.
#include "mail/smtp/data_reader.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace atrium::smtp {
namespace {

using namespace std::string_literals;

struct Outcome {
  std::string message;
  std::size_t consumed = 0;
  bool done = false;
  std::optional<ContentError> error;
  bool too_big = false;
  std::uint64_t size = 0;
};

// Feeds `input` cut at `cuts` (ascending offsets) and collects the outcome; stops feeding once
// the reader is done, as the session does.
Outcome read(std::string_view input, const std::vector<std::size_t>& cuts = {}, std::uint64_t max = 0,
             BodyFraming framing = BodyFraming::dot_stuffed) {
  DataReader reader(framing, max);
  Outcome o;
  std::size_t from = 0;
  std::vector<std::size_t> ends = cuts;
  ends.push_back(input.size());
  for (std::size_t end : ends) {
    std::string_view piece = input.substr(from, end - from);
    from = end;
    while (!piece.empty() && !reader.done()) {
      std::size_t n = reader.feed(piece, o.message);
      EXPECT_LE(n, piece.size());
      o.consumed += n;
      piece.remove_prefix(n);
      if (!reader.done()) {
        EXPECT_TRUE(piece.empty()) << "stopped early without terminator";
      }
    }
  }
  if (framing == BodyFraming::chunked) reader.finish();
  o.done = reader.done();
  o.error = reader.error();
  o.too_big = reader.too_big();
  o.size = reader.size();
  return o;
}

TEST(DataReader, PlainMessage) {
  const std::string in = "Subject: hi\r\n\r\nbody\r\n.\r\n";
  Outcome o = read(in);
  EXPECT_TRUE(o.done);
  EXPECT_EQ(o.message, "Subject: hi\r\n\r\nbody\r\n");
  EXPECT_EQ(o.consumed, in.size());
  EXPECT_EQ(o.size, o.message.size());
  EXPECT_FALSE(o.error);
}

TEST(DataReader, EmptyMessage) {
  Outcome o = read(".\r\n");
  EXPECT_TRUE(o.done);
  EXPECT_EQ(o.message, "");
  EXPECT_EQ(o.consumed, 3u);
}

struct Stuffing {
  std::string wire;
  std::string content;
};

class DotStuffing : public ::testing::TestWithParam<Stuffing> {};

TEST_P(DotStuffing, RemovesOneLeadingDot) {
  Outcome o = read(GetParam().wire + ".\r\n");
  EXPECT_TRUE(o.done);
  EXPECT_EQ(o.message, GetParam().content);
  EXPECT_FALSE(o.error);
}

INSTANTIATE_TEST_SUITE_P(Smtp, DotStuffing,
                         ::testing::Values(Stuffing{"..\r\n", ".\r\n"}, Stuffing{"...\r\n", "..\r\n"},
                                           Stuffing{"..leading\r\n", ".leading\r\n"},
                                           Stuffing{".x\r\n", "x\r\n"},  // needless stuffing still removed
                                           Stuffing{"a.\r\n", "a.\r\n"}, Stuffing{"a\r\n..\r\nb\r\n", "a\r\n.\r\nb\r\n"},
                                           Stuffing{"\r\n..\r\n", "\r\n.\r\n"}, Stuffing{". \r\n", " \r\n"}));

// The terminator is found wherever the input is cut: every single cut and every pair of cuts.
TEST(DataReader, TerminatorAtEveryChunkBoundary) {
  const std::string in = "a\r\n..b\r\n.\r\nQUIT\r\n";
  const std::size_t end = in.find("\r\n.\r\n") + 5;
  for (std::size_t i = 0; i <= in.size(); ++i) {
    Outcome o = read(in, {i});
    EXPECT_TRUE(o.done) << i;
    EXPECT_EQ(o.message, "a\r\n.b\r\n") << i;
    EXPECT_EQ(o.consumed, end) << i;
    for (std::size_t j = i; j <= in.size(); ++j) {
      Outcome p = read(in, {i, j});
      EXPECT_EQ(p.message, "a\r\n.b\r\n") << i << "," << j;
      EXPECT_EQ(p.consumed, end) << i << "," << j;
    }
  }
}

TEST(DataReader, ByteByByte) {
  const std::string in = "x\r\n.\r\n";
  std::vector<std::size_t> cuts;
  for (std::size_t i = 1; i < in.size(); ++i) cuts.push_back(i);
  Outcome o = read(in, cuts);
  EXPECT_TRUE(o.done);
  EXPECT_EQ(o.message, "x\r\n");
  EXPECT_EQ(o.consumed, in.size());
}

TEST(DataReader, LeavesPipelinedBytesAfterTheDot) {
  const std::string in = "m\r\n.\r\nMAIL FROM:<>\r\nRCPT TO:<a@b>\r\n";
  DataReader reader(BodyFraming::dot_stuffed, 0);
  std::string out;
  std::size_t n = reader.feed(in, out);
  EXPECT_EQ(in.substr(n), "MAIL FROM:<>\r\nRCPT TO:<a@b>\r\n");
  EXPECT_TRUE(reader.done());
  EXPECT_EQ(reader.feed("more", out), 0u);  // done: consumes nothing more
}

struct Smuggle {
  std::string name;
  std::string body;  // followed by a real terminator
  ContentError error;
};

class Smuggling : public ::testing::TestWithParam<Smuggle> {};

// None of these ends the message early: the reader only stops at the real CRLF.CRLF, and the
// message is flagged so the session refuses it.
TEST_P(Smuggling, OnlyCrlfDotCrlfEnds) {
  const std::string in = "Subject: x\r\n" + GetParam().body + "tail\r\n.\r\n";
  for (std::size_t cut = 0; cut <= in.size(); ++cut) {
    Outcome o = read(in, {cut});
    EXPECT_TRUE(o.done) << GetParam().name;
    EXPECT_EQ(o.consumed, in.size()) << GetParam().name << " cut " << cut;
    EXPECT_EQ(o.error, GetParam().error) << GetParam().name;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Smtp, Smuggling,
    ::testing::Values(Smuggle{"lf_dot_lf", "a\n.\nMAIL FROM:<x@evil>\n", ContentError::bare_lf},
                      Smuggle{"lf_dot_crlf", "a\n.\r\nMAIL FROM:<x@evil>\r\n", ContentError::bare_lf},
                      Smuggle{"crlf_dot_lf", "a\r\n.\nMAIL FROM:<x@evil>\r\n", ContentError::bare_lf},
                      Smuggle{"cr_dot_cr", "a\r.\rMAIL FROM:<x@evil>\r\n", ContentError::bare_cr},
                      Smuggle{"cr_dot_crlf", "a\r.\r\nMAIL FROM:<x@evil>\r\n", ContentError::bare_cr},
                      Smuggle{"crlf_dot_cr", "a\r\n.\rMAIL FROM:<x@evil>\r\n", ContentError::bare_cr},
                      Smuggle{"crlf_dot_cr_cr_lf", "a\r\n.\r\r\nb\r\n", ContentError::bare_cr},
                      Smuggle{"bare_lf_line", "line one\nline two\r\n", ContentError::bare_lf},
                      Smuggle{"bare_cr_line", "line one\rline two\r\n", ContentError::bare_cr},
                      Smuggle{"nul", "a\0b\r\n"s, ContentError::nul}),
    [](const auto& info) { return info.param.name; });

TEST(DataReader, LeadingLfDotLfIsNoTerminator) {
  Outcome o = read("\n.\n\r\n.\r\n");
  EXPECT_TRUE(o.done);
  EXPECT_EQ(o.consumed, 8u);
  EXPECT_EQ(o.error, ContentError::bare_lf);
}

TEST(DataReader, FirstErrorIsKept) {
  Outcome o = read("a\0\nb\r\n.\r\n"s);
  EXPECT_EQ(o.error, ContentError::nul);
}

TEST(DataReader, LineLengthLimit) {
  const std::string ok(max_text_line, 'x');
  Outcome o = read(ok + "\r\n.\r\n");
  EXPECT_FALSE(o.error);
  EXPECT_EQ(o.message, ok + "\r\n");
  o = read(ok + "x\r\n.\r\n");
  EXPECT_EQ(o.error, ContentError::line_too_long);
  // A stuffed line may be 999 octets on the wire: the limit is on the content.
  o = read("." + ok + "\r\n.\r\n");
  EXPECT_FALSE(o.error);
  // Cut in the middle of the long line.
  o = read(ok + "xy\r\n.\r\n", {500});
  EXPECT_EQ(o.error, ContentError::line_too_long);
  EXPECT_TRUE(o.done);
}

TEST(DataReader, SizeLimitKeepsReadingButStopsStoring) {
  const std::string in = "0123456789\r\n0123456789\r\n.\r\nNOOP\r\n";
  Outcome o = read(in, {}, 15);
  EXPECT_TRUE(o.done);
  EXPECT_TRUE(o.too_big);
  EXPECT_LE(o.message.size(), 15u);
  EXPECT_EQ(o.size, 24u);
  EXPECT_EQ(o.consumed, in.size() - 6);
  o = read(in, {}, 24);  // exactly at the limit
  EXPECT_FALSE(o.too_big);
  EXPECT_EQ(o.message.size(), 24u);
}

TEST(DataReader, EightBitIsNoticed) {
  DataReader reader(BodyFraming::dot_stuffed, 0);
  std::string out;
  reader.feed("plain\r\n", out);
  EXPECT_FALSE(reader.has_8bit());
  reader.feed("caf\xc3\xa9\r\n.\r\n", out);
  EXPECT_TRUE(reader.has_8bit());
  EXPECT_FALSE(reader.error());
}

TEST(DataReader, ChunkedIsRawAndHasNoTerminator) {
  Outcome o = read("a\r\n..b\r\n.\r\nc\r\n", {4, 9}, 0, BodyFraming::chunked);
  EXPECT_TRUE(o.done);
  EXPECT_FALSE(o.error);
  EXPECT_EQ(o.message, "a\r\n..b\r\n.\r\nc\r\n");
  EXPECT_EQ(o.consumed, 14u);
}

TEST(DataReader, ChunkedChecksLineEndingsAcrossChunks) {
  EXPECT_EQ(read("a\r", {}, 0, BodyFraming::chunked).error, ContentError::bare_cr);  // lone CR at the end
  EXPECT_FALSE(read("a\r\nb\r\n", {2}, 0, BodyFraming::chunked).error);           // CR | LF split
  EXPECT_EQ(read("a\nb", {}, 0, BodyFraming::chunked).error, ContentError::bare_lf);
  EXPECT_FALSE(read("no final newline", {}, 0, BodyFraming::chunked).error);
}

TEST(DataReader, ChunkedSizeLimit) {
  Outcome o = read(std::string(100, 'x') + "\r\n", {50}, 60, BodyFraming::chunked);
  EXPECT_TRUE(o.too_big);
  EXPECT_EQ(o.size, 102u);
}

}  // namespace
}  // namespace atrium::smtp
