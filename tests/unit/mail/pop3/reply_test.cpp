// The reply table and formatter: every ReplyId has a row, codes are RFC 2449/3206 codes, and
// the wire form is exactly "+OK"/"-ERR", an optional [CODE], an optional text, CRLF.
#include "mail/pop3/reply.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace atrium::pop3 {
namespace {

TEST(Pop3Reply, EveryIdHasASpecWithAKnownCode) {
  const std::set<std::string> codes = {"", "IN-USE", "LOGIN-DELAY", "SYS/TEMP", "SYS/PERM", "AUTH"};
  for (int i = 0; i <= static_cast<int>(ReplyId::shutting_down); ++i) {
    const ReplySpec& spec = reply_spec(static_cast<ReplyId>(i));
    EXPECT_EQ(static_cast<int>(spec.id), i);
    EXPECT_TRUE(codes.contains(std::string(spec.code))) << spec.code;
    EXPECT_FALSE(spec.positive && !spec.code.empty()) << "a code on a +OK line: " << i;
    // Status lines are at most 512 octets (RFC 2449 section 4); templates are far below.
    EXPECT_LT(spec.text.size(), 200u);
  }
}

TEST(Pop3Reply, WireForm) {
  EXPECT_EQ(format_reply(make_reply(ReplyId::ok)), "+OK\r\n");
  EXPECT_EQ(format_reply(make_reply(ReplyId::stat, 2, 320)), "+OK 2 320\r\n");
  EXPECT_EQ(format_reply(make_reply(ReplyId::in_use)), "-ERR [IN-USE] Maildrop is locked by another POP3 session\r\n");
  EXPECT_EQ(format_reply(make_reply(ReplyId::unknown_command)), "-ERR Unknown command\r\n");
  EXPECT_EQ(format_reply(make_reply(ReplyId::greeting, "pop.example")), "+OK pop.example Atrium POP3 server ready\r\n");
}

TEST(Pop3Reply, MultilineIsDotStuffedAndTerminated) {
  std::string out;
  append_multiline(out, {"TOP", ".hidden", ""});
  EXPECT_EQ(out, "TOP\r\n..hidden\r\n\r\n.\r\n");
  out.clear();
  append_multiline(out, {});
  EXPECT_EQ(out, ".\r\n");
}

}  // namespace
}  // namespace atrium::pop3
