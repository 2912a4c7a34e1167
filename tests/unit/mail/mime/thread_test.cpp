// RFC 5256 base subjects and msg-id lists.
#include "mail/mime/thread.hpp"

#include <gtest/gtest.h>

namespace atrium::mail::mime {
namespace {

TEST(BaseSubject, Table) {
  struct Case {
    std::string in, base;
    bool reply;
  };
  const Case cases[] = {
      {"", "", false},
      {"Hello", "Hello", false},
      {"  Hello   world  ", "Hello world", false},
      {"Re: Hello", "Hello", true},
      {"RE: re: Re:Hello", "Hello", true},
      {"Fwd: Hello", "Hello", true},
      {"FW: Hello", "Hello", true},
      {"Re[2]: Hello", "Hello", true},
      {"Re [2]: Hello", "Hello", true},
      {"[list] Re: Hello", "Hello", true},
      {"[list] [tag] Hello", "Hello", false},
      {"[only a blob]", "[only a blob]", false},  // removing it would leave nothing
      {"Hello (fwd)", "Hello", true},
      {"Hello (FWD) (fwd)  ", "Hello", true},
      {"[Fwd: Hello]", "Hello", true},
      {"[fwd: Re: [list] Hello (fwd)]", "Hello", true},
      {"Re: [Fwd: Re: Hello]", "Hello", true},
      {"Reply to all", "Reply to all", false},
      {"Re:", "", true},
      {"Re: =?utf-8?q?Gr=C3=BC=C3=9Fe?=", "Gr\xC3\xBC\xC3\x9F" "e", true},
      {"=?utf-8?q?Re=3A_decoded_first?=", "decoded first", true},  // the rules run after decoding
      {"Re:\r\n\tfolded", "folded", true},
      {"[unclosed blob Re: x", "[unclosed blob Re: x", false},
  };
  for (const auto& c : cases) {
    const BaseSubject b = base_subject(c.in);
    EXPECT_EQ(b.text, c.base) << c.in;
    EXPECT_EQ(b.is_reply_or_forward, c.reply) << c.in;
  }
}

TEST(MessageIds, Parse) {
  using V = std::vector<std::string>;
  EXPECT_EQ(parse_message_ids("<a@b> <c@d>\r\n <e@f>"), (V{"a@b", "c@d", "e@f"}));
  EXPECT_EQ(parse_message_ids("<a@b>(comment <x@y>)<c@d>"), (V{"a@b", "c@d"}));
  EXPECT_EQ(parse_message_ids("\"quoted <q@q>\" <a@b>"), V{"a@b"});
  EXPECT_EQ(parse_message_ids("<a @ b\r\n .c>"), V{"a@b.c"});
  EXPECT_EQ(parse_message_ids("junk <> <a <b@c>"), V{"b@c"});
  EXPECT_EQ(parse_message_ids("<unterminated@x"), V{});
  EXPECT_EQ(parse_message_ids(""), V{});
  EXPECT_EQ(parse_message_id("Your message of ... <orig@x.example>"), "orig@x.example");
  EXPECT_EQ(parse_message_id("no id"), std::nullopt);
  std::string many;
  for (int i = 0; i < 5000; ++i) {
    many.append("<");
    many.append(std::to_string(i));
    many.append("@x>");
  }
  EXPECT_EQ(parse_message_ids(many).size(), max_message_ids);
}

}  // namespace
}  // namespace atrium::mail::mime
