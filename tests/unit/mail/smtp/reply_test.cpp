// Replies: the one table is complete and consistent, and the formatter's wire form.
#include "mail/smtp/reply.hpp"

#include <gtest/gtest.h>

#include <string>

namespace atrium::smtp {
namespace {

TEST(Reply, FormatsOneLine) {
  EXPECT_EQ(format_reply(make_reply(ReplyId::ok)), "250 2.0.0 OK\r\n");
  EXPECT_EQ(format_reply(make_reply(ReplyId::greeting, "mx.example")), "220 mx.example ESMTP Atrium\r\n");
  EXPECT_EQ(format_reply(make_reply(ReplyId::auth_challenge, "")), "334 \r\n");
  EXPECT_EQ(format_reply(make_reply(ReplyId::relay_denied)), "554 5.7.1 Relay access denied\r\n");
}

TEST(Reply, FormatsMultiLine) {
  Reply r{.code = 250, .lines = {"mx.example", "PIPELINING", "DSN"}};
  EXPECT_EQ(format_reply(r), "250-mx.example\r\n250-PIPELINING\r\n250 DSN\r\n");
  Reply e{.code = 250, .enhanced = "2.0.0", .lines = {"a", "b"}};
  EXPECT_EQ(format_reply(e), "250-2.0.0 a\r\n250 2.0.0 b\r\n");
  EXPECT_EQ(format_reply(Reply{.code = 354}), "354 \r\n");
}

TEST(Reply, AppendAccumulates) {
  std::string out;
  append_reply(out, make_reply(ReplyId::sender_ok));
  append_reply(out, make_reply(ReplyId::recipient_ok));
  EXPECT_EQ(out, "250 2.1.0 Sender OK\r\n250 2.1.5 Recipient OK\r\n");
}

// Every id has an entry; codes are valid; an enhanced code's class matches the reply's class
// (RFC 3463 section 2); texts carry no line breaks; placeholders are well-formed.
TEST(Reply, TableIsConsistent) {
  for (int i = 0; i <= static_cast<int>(ReplyId::message_rejected); ++i) {
    const ReplySpec& s = reply_spec(static_cast<ReplyId>(i));
    EXPECT_EQ(static_cast<int>(s.id), i);
    EXPECT_GE(s.code, 200) << i;
    EXPECT_LE(s.code, 599) << i;
    if (!s.enhanced.empty()) {
      EXPECT_EQ(s.enhanced.size() >= 5, true) << i;
      EXPECT_EQ(s.enhanced[0] - '0', s.code / 100) << i << " " << s.enhanced;
    } else {
      // Only the replies RFC 2034 leaves without one.
      EXPECT_TRUE(s.code == 220 || s.code == 250 || s.code == 334 || s.code == 354) << i;
    }
    EXPECT_EQ(s.text.find_first_of("\r\n"), std::string_view::npos) << i;
    std::string filled = fmt::format(fmt::runtime(s.text), "X");  // at most one placeholder
    EXPECT_EQ(filled.find('{'), std::string::npos) << i;
  }
}

}  // namespace
}  // namespace atrium::smtp
