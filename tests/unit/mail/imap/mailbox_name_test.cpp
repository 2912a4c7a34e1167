// Modified UTF-7: the RFC 3501 examples, round trips, and every malformed form rejected.
#include "mail/imap/mailbox_name.hpp"

#include <gtest/gtest.h>

#include <string>

namespace atrium::imap {
namespace {

struct Pair {
  std::string utf8;
  std::string wire;
};

const Pair pairs[] = {
    {"INBOX", "INBOX"},
    {"", ""},
    {"Entwürfe", "Entw&APw-rfe"},
    {"Ärger", "&AMQ-rger"},
    {"a&b", "a&-b"},
    {"&", "&-"},
    {"~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-"},
    {"😀", "&2D3eAA-"},
    {"Отправленные", "&BB4EQgQ,BEAEMAQyBDsENQQ9BD0ESwQ1-"},
    {"Entwürfe/Über", "Entw&APw-rfe/&ANw-ber"},
    {"Sent Items", "Sent Items"},
};

TEST(ModifiedUtf7, KnownPairsBothWays) {
  for (const Pair& p : pairs) {
    EXPECT_EQ(modified_utf7_to_utf8(p.wire), p.utf8) << p.wire;
    EXPECT_EQ(utf8_to_modified_utf7(p.utf8), p.wire) << p.utf8;
  }
}

TEST(ModifiedUtf7, RejectsMalformedInput) {
  for (const std::string wire : {
           "&",             // no closing "-"
           "&Jjo",          // unterminated run
           "&AMQ",          // unterminated run
           "&AMQA-",        // 8 bits left over
           "&AMR-",         // left-over bits not zero
           "&AGE-",         // "a" must be written directly
           "&ACY-",         // "&" must be "&-"
           "&AMQ-&AMQ-",    // adjacent runs: one run in the canonical form
           "&2D0-",         // lone high surrogate
           "&3gA-",         // lone low surrogate
           "&3gDYPQ-",      // low surrogate before high
           "&AAE-",         // U+0001
           "&AH8-",         // U+007F
           "&AIU-",         // U+0085, a C1 control
           "&ZeV/-",        // "/" is not modified base64
           "&ZeV=-",        // no padding
           "Entw\xc3\xbcrfe",  // raw 8-bit
           "a\tb",          // control
           "a\x7f",         // DEL
       }) {
    EXPECT_FALSE(modified_utf7_to_utf8(wire)) << wire;
  }
}

TEST(ModifiedUtf7, EncodeRejectsInvalidUtf8) {
  EXPECT_FALSE(utf8_to_modified_utf7("\xff"));
  EXPECT_FALSE(utf8_to_modified_utf7("\xc0\xaf"));        // overlong "/"
  EXPECT_FALSE(utf8_to_modified_utf7("\xed\xa0\x80"));    // encoded surrogate
  EXPECT_FALSE(utf8_to_modified_utf7("ab\xe6\x97"));      // truncated
}

TEST(ModifiedUtf7, RoundTripsEveryPlane) {
  const std::string samples[] = {"é", "ß/ü", "中文", "𝄞 music", "a-b_c.d", "x&y&z", "日本語&English", "ÿ€"};
  for (const std::string& s : samples) {
    const auto wire = utf8_to_modified_utf7(s);
    ASSERT_TRUE(wire) << s;
    for (char c : *wire) EXPECT_TRUE(c >= 0x20 && c <= 0x7e) << s;
    EXPECT_EQ(modified_utf7_to_utf8(*wire), s) << *wire;
  }
}

TEST(MailboxName, Validity) {
  EXPECT_TRUE(is_valid_mailbox_name(""));
  EXPECT_TRUE(is_valid_mailbox_name("Ärger/2024"));
  EXPECT_FALSE(is_valid_mailbox_name("a\nb"));
  EXPECT_FALSE(is_valid_mailbox_name("a\xc2\x85" "b"));  // U+0085
  EXPECT_FALSE(is_valid_mailbox_name("\xff"));
}

TEST(MailboxName, InboxIsCaseInsensitive) {
  EXPECT_EQ(normalise_inbox("inbox"), "INBOX");
  EXPECT_EQ(normalise_inbox("InBoX"), "INBOX");
  EXPECT_EQ(normalise_inbox("inbox/Sub"), "inbox/Sub");
  EXPECT_EQ(normalise_inbox("Inboxes"), "Inboxes");
}

}  // namespace
}  // namespace atrium::imap
