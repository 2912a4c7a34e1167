// The metadata cached at delivery: Message-ID, Subject and the thread keys.
#include "mail/index/message_meta.hpp"

#include <gtest/gtest.h>

#include <string>

namespace atrium::mail::index {
namespace {

TEST(MessageMeta, ThreadKeysAreOwnIdThenInReplyToThenRootAndNearestReferences) {
  std::string refs;
  for (int i = 0; i < 40; ++i) refs += "<r" + std::to_string(i) + "@x> ";
  auto m = message_meta("Message-ID: <own@x>\r\nIn-Reply-To: <r39@x>\r\nReferences: " + refs +
                        "\r\nSubject: Re: hello\r\n\r\nbody\r\n");
  ASSERT_GE(m.thread_keys.size(), 3u);
  EXPECT_EQ(m.thread_keys[0], "own@x");
  EXPECT_EQ(m.thread_keys[1], "r39@x");
  EXPECT_EQ(m.thread_keys[2], "r0@x");  // the thread's root
  EXPECT_EQ(m.thread_keys[3], "r38@x");  // then the nearest ancestors (r39 is already there)
  // Own id, In-Reply-To, the root and the last 30 references, without duplicates.
  EXPECT_EQ(m.thread_keys.size(), 2u + 1u + 29u);
  EXPECT_EQ(m.thread_keys.back(), "r10@x");
  EXPECT_EQ(m.message_id, "<own@x>");
  EXPECT_EQ(m.subject, "Re: hello");
  EXPECT_EQ(m.thread_id, 0);  // the store assigns it
}

TEST(MessageMeta, MessagesWithoutIdsOrWithBadOnesHaveNoKeys) {
  EXPECT_TRUE(message_meta("Subject: none\r\n\r\nbody\r\n").thread_keys.empty());
  auto bad = message_meta("Message-ID: <\xff\xfe@x>\r\nIn-Reply-To: <" + std::string(300, 'a') + "@x>\r\n\r\n");
  EXPECT_TRUE(bad.thread_keys.empty());
}

}  // namespace
}  // namespace atrium::mail::index
