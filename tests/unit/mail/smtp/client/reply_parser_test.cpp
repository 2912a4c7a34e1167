// The client's reply parser (table of wire forms, incremental input, limits) and EHLO parsing.
#include "mail/smtp/client/capabilities.hpp"
#include "mail/smtp/client/reply_parser.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace atrium::smtp::client {
namespace {

using ::testing::ElementsAre;
using Kind = ReplyParser::Kind;

// Parses `wire` in one go; expects exactly one result that consumes all of it.
ReplyParser::Result parse_all(std::string_view wire, ReplyLimits limits = {}) {
  ReplyParser p(limits);
  auto r = p.next(wire);
  EXPECT_EQ(r.consumed, wire.size()) << wire;
  return r;
}

struct ReplyCase {
  std::string wire;
  int code;
  std::string enhanced;
  std::vector<std::string> lines;
};

TEST(ReplyParser, WireFormsTable) {
  const std::vector<ReplyCase> cases = {
      {"220 mx.example ESMTP ready\r\n", 220, "", {"mx.example ESMTP ready"}},
      {"250 2.1.5 Ok\r\n", 250, "2.1.5", {"Ok"}},
      {"550 5.1.1 <x@y>: user unknown\r\n", 550, "5.1.1", {"<x@y>: user unknown"}},
      {"451 4.7.1 Greylisted, try later\r\n", 451, "4.7.1", {"Greylisted, try later"}},
      // Code only, code and space, bare LF ending.
      {"250\r\n", 250, "", {""}},
      {"250 \r\n", 250, "", {""}},
      {"354 go ahead\n", 354, "", {"go ahead"}},
      // Enhanced code alone, three-digit subject and detail.
      {"250 2.0.0\r\n", 250, "2.0.0", {""}},
      {"550 5.123.456 odd but valid\r\n", 550, "5.123.456", {"odd but valid"}},
      // Not an enhanced code: class differs from the reply, four digits, no space after.
      {"250 5.1.1 text\r\n", 250, "", {"5.1.1 text"}},
      {"550 5.1.1234 x\r\n", 550, "", {"5.1.1234 x"}},
      {"550 5.1.1x\r\n", 550, "", {"5.1.1x"}},
      {"354 3.0.0 start\r\n", 354, "", {"3.0.0 start"}},
      // Multi-line: the enhanced code is taken off every line that repeats it.
      {"550-5.7.1 first\r\n550-5.7.1 second\r\n550 5.7.1 third\r\n", 550, "5.7.1", {"first", "second", "third"}},
      {"550-5.7.1 first\r\n550 other text\r\n", 550, "5.7.1", {"first", "other text"}},
      {"250-mx.example\r\n250-PIPELINING\r\n250 SIZE 1000\r\n", 250, "", {"mx.example", "PIPELINING", "SIZE 1000"}},
      {"250-\r\n250 last\r\n", 250, "", {"", "last"}},
      // Octets are kept as received.
      {"554 t\xc3\xa9xt\ttab\r\n", 554, "", {"t\xc3\xa9xt\ttab"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.wire);
    auto r = parse_all(c.wire);
    ASSERT_EQ(r.kind, Kind::reply);
    EXPECT_EQ(r.reply.code, c.code);
    EXPECT_EQ(r.reply.enhanced, c.enhanced);
    EXPECT_EQ(r.reply.lines, c.lines);
    // Idempotent through the server's formatter.
    auto again = parse_all(format_reply(r.reply));
    ASSERT_EQ(again.kind, Kind::reply);
    EXPECT_EQ(again.reply.code, r.reply.code);
    EXPECT_EQ(again.reply.enhanced, r.reply.enhanced);
    EXPECT_EQ(again.reply.lines, r.reply.lines);
  }
}

TEST(ReplyParser, MalformedRepliesAreTypedErrors) {
  const std::vector<std::pair<std::string, ReplyError>> cases = {
      {"\r\n", ReplyError::bad_code},
      {"25\r\n", ReplyError::bad_code},
      {"hello\r\n", ReplyError::bad_code},
      {"150 one-hundred\r\n", ReplyError::bad_code},
      {"650 six-hundred\r\n", ReplyError::bad_code},
      {"2x0 bad\r\n", ReplyError::bad_code},
      {"250x bad separator\r\n", ReplyError::bad_separator},
      {"2500 four digits\r\n", ReplyError::bad_separator},
      {"250-first\r\n251 second\r\n", ReplyError::code_mismatch},
      {"250-first\r\ngarbage\r\n", ReplyError::bad_code},
  };
  for (const auto& [wire, error] : cases) {
    SCOPED_TRACE(wire);
    ReplyParser p;
    auto r = p.next(wire);
    ASSERT_EQ(r.kind, Kind::error);
    EXPECT_EQ(r.error, error);
    // The parser starts afresh after an error.
    EXPECT_EQ(p.next("250 ok\r\n").kind, Kind::reply);
  }
}

TEST(ReplyParser, IncrementalInputGivesTheSameReply) {
  const std::string wire = "250-mx.example\r\n250-8BITMIME\r\n250 2.0.0 DSN\r\n221 bye\r\n";
  // Byte by byte: the caller keeps unconsumed bytes and appends new ones.
  ReplyParser p;
  std::string pending;
  std::vector<Reply> replies;
  for (char c : wire) {
    pending += c;
    for (;;) {
      auto r = p.next(pending);
      pending.erase(0, r.consumed);
      ASSERT_NE(r.kind, Kind::error);
      if (r.kind != Kind::reply) break;
      replies.push_back(r.reply);
    }
  }
  EXPECT_TRUE(pending.empty());
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[0].code, 250);
  EXPECT_THAT(replies[0].lines, ElementsAre("mx.example", "8BITMIME", "2.0.0 DSN"));
  EXPECT_EQ(replies[1].code, 221);
  EXPECT_THAT(replies[1].lines, ElementsAre("bye"));
}

TEST(ReplyParser, OneReplyPerCallAndPartialLinesWait) {
  ReplyParser p;
  const std::string wire = "250 one\r\n250 two\r\n250 thr";
  auto r = p.next(wire);
  ASSERT_EQ(r.kind, Kind::reply);
  EXPECT_EQ(r.consumed, 9u);
  r = p.next(std::string_view(wire).substr(9));
  ASSERT_EQ(r.kind, Kind::reply);
  EXPECT_THAT(r.reply.lines, ElementsAre("two"));
  r = p.next(std::string_view(wire).substr(18));
  EXPECT_EQ(r.kind, Kind::need_more);
  EXPECT_EQ(r.consumed, 0u);
}

TEST(ReplyParser, LineLimit) {
  const ReplyLimits limits{.max_line = 20, .max_lines = 100};
  // 20 octets of line fit; 21 do not, also when the line end has not arrived yet.
  const std::string fits = "250 " + std::string(16, 'a');
  EXPECT_EQ(parse_all(fits + "\r\n", limits).kind, Kind::reply);
  EXPECT_EQ(parse_all(fits + "a\r\n", limits).error, ReplyError::line_too_long);
  ReplyParser p(limits);
  // 21 octets without an LF are still "20 and a CR" as far as sizes go; 22 are not.
  EXPECT_EQ(p.next(fits + "a").kind, Kind::need_more);
  auto r = p.next(fits + "ab");
  EXPECT_EQ(r.kind, Kind::error);
  EXPECT_EQ(r.error, ReplyError::line_too_long);
  EXPECT_EQ(r.consumed, fits.size() + 2);
  // The default tolerates 4096 octets, well beyond RFC 5321's 512.
  EXPECT_EQ(parse_all("250 " + std::string(4092, 'x') + "\r\n").kind, Kind::reply);
  EXPECT_EQ(parse_all("250 " + std::string(4093, 'x') + "\r\n").kind, Kind::error);
}

TEST(ReplyParser, LinesPerReplyLimit) {
  std::string wire;
  for (int i = 0; i < 99; ++i) wire += "250-x\r\n";
  EXPECT_EQ(parse_all(wire + "250 last\r\n").reply.lines.size(), 100u);
  auto r = parse_all(wire + "250-x\r\n250 last\r\n");
  EXPECT_EQ(r.kind, Kind::error);
  EXPECT_EQ(r.error, ReplyError::too_many_lines);
}

TEST(ReplyParser, AddLineForFramedInput) {
  ReplyParser p;
  EXPECT_EQ(p.add_line("250-a").kind, Kind::need_more);
  auto r = p.add_line("250 b");
  ASSERT_EQ(r.kind, Kind::reply);
  EXPECT_THAT(r.reply.lines, ElementsAre("a", "b"));
}

TEST(EnhancedCode, Lengths) {
  EXPECT_EQ(enhanced_code_length("2.1.5 ok", '2'), 5u);
  EXPECT_EQ(enhanced_code_length("2.1.5", '2'), 5u);
  EXPECT_EQ(enhanced_code_length("5.10.100 x", '5'), 8u);
  EXPECT_EQ(enhanced_code_length("2.1.5 ok", '5'), 0u);
  EXPECT_EQ(enhanced_code_length("2..5 ok", '2'), 0u);
  EXPECT_EQ(enhanced_code_length("2.1. ok", '2'), 0u);
  EXPECT_EQ(enhanced_code_length("2.1", '2'), 0u);
  EXPECT_EQ(enhanced_code_length("", '2'), 0u);
  EXPECT_EQ(enhanced_code_length("3.0.0 x", '3'), 0u);
}

Reply ehlo(std::vector<std::string> lines) { return Reply{.code = 250, .lines = std::move(lines)}; }

TEST(Ehlo, ParsesEveryKnownKeyword) {
  const auto caps = parse_ehlo(ehlo({"mx.example.net Hello client [192.0.2.1]", "PIPELINING", "SIZE 35882577",
                                     "8BITMIME", "SMTPUTF8", "CHUNKING", "BINARYMIME", "STARTTLS", "DSN",
                                     "ENHANCEDSTATUSCODES", "AUTH PLAIN LOGIN XOAUTH2", "VRFY", "X-UNKNOWN a b"}));
  EXPECT_TRUE(caps.esmtp);
  EXPECT_EQ(caps.server_name, "mx.example.net");
  EXPECT_TRUE(caps.pipelining);
  EXPECT_EQ(caps.size, std::optional<std::uint64_t>(35882577));
  EXPECT_TRUE(caps.eight_bit_mime);
  EXPECT_TRUE(caps.smtputf8);
  EXPECT_TRUE(caps.chunking);
  EXPECT_TRUE(caps.binarymime);
  EXPECT_TRUE(caps.starttls);
  EXPECT_TRUE(caps.dsn);
  EXPECT_TRUE(caps.enhanced_status_codes);
  EXPECT_THAT(caps.auth, ElementsAre("LOGIN", "PLAIN", "XOAUTH2"));
}

TEST(Ehlo, MinimalReplyOffersNothing) {
  const auto caps = parse_ehlo(ehlo({"mx.example"}));
  EXPECT_TRUE(caps.esmtp);
  EXPECT_FALSE(caps.pipelining || caps.eight_bit_mime || caps.smtputf8 || caps.chunking || caps.binarymime ||
               caps.starttls || caps.dsn || caps.enhanced_status_codes);
  EXPECT_FALSE(caps.size);
  EXPECT_TRUE(caps.auth.empty());
}

TEST(Ehlo, KeywordsAreCaseInsensitiveAndSizeVariants) {
  auto caps = parse_ehlo(ehlo({"mx", "pipelining", "size", "Starttls", "auth=login plain", "auth cram-md5"}));
  EXPECT_TRUE(caps.pipelining);
  EXPECT_EQ(caps.size, std::optional<std::uint64_t>(0));  // SIZE without a limit
  EXPECT_TRUE(caps.starttls);
  EXPECT_THAT(caps.auth, ElementsAre("CRAM-MD5", "LOGIN", "PLAIN"));
  caps = parse_ehlo(ehlo({"mx", "SIZE lots"}));
  EXPECT_EQ(caps.size, std::optional<std::uint64_t>(0));
  caps = parse_ehlo(ehlo({"mx", "SIZE 99999999999999999999999"}));  // over 2^64: no usable limit
  EXPECT_EQ(caps.size, std::optional<std::uint64_t>(0));
  // Keywords must be whole words.
  caps = parse_ehlo(ehlo({"mx", "PIPELININGX", "XSTARTTLS", "8BITMIMEX"}));
  EXPECT_FALSE(caps.pipelining || caps.starttls || caps.eight_bit_mime);
}

TEST(Ehlo, InvalidMechanismNamesAreDropped) {
  const auto caps = parse_ehlo(ehlo({"mx", "AUTH PLAIN LOGIN\x01 THIS-NAME-IS-LONGER-THAN-20 SCRAM-SHA-256 a.b"}));
  EXPECT_THAT(caps.auth, ElementsAre("PLAIN", "SCRAM-SHA-256"));
}

}  // namespace
}  // namespace atrium::smtp::client
