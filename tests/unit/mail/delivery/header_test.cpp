// The minimal header reader (mail/mime/header): fields, unfolding, where the body starts, and
// bounded, throw-free behaviour on garbage. Lives here until mail/mime has its own tests folder.
#include "mail/mime/header.hpp"

#include <gtest/gtest.h>

#include <random>

namespace atrium::mail::mime {
namespace {

TEST(Header, ReadsFieldsInOrderAndFindsTheBody) {
  std::string msg = "From: a@example.test\r\nSubject:  Hello  \r\nMessage-ID: <1@x.test>\r\n\r\nbody\r\n";
  auto h = read_headers(msg);
  ASSERT_EQ(h.fields.size(), 3u);
  EXPECT_EQ(h.fields[0].name, "From");
  EXPECT_EQ(h.fields[0].value, "a@example.test");
  EXPECT_EQ(h.fields[1].value, "Hello");
  EXPECT_EQ(msg.substr(h.body_offset), "body\r\n");
  EXPECT_FALSE(h.truncated);
  EXPECT_EQ(h.malformed, 0u);
  EXPECT_EQ(first_value(h, "message-id"), std::optional<std::string_view>("<1@x.test>"));
  EXPECT_EQ(first_value(h, "SUBJECT"), std::optional<std::string_view>("Hello"));
  EXPECT_FALSE(first_value(h, "To"));
}

TEST(Header, UnfoldsContinuationLinesKeepingTheBlank) {
  std::string msg = "Subject: a long\r\n\tsubject line\r\n  that goes on\r\nTo: x@y.test\r\n\r\n";
  auto h = read_headers(msg);
  ASSERT_EQ(h.fields.size(), 2u);
  EXPECT_EQ(h.fields[0].value, "a long\tsubject line  that goes on");
  EXPECT_EQ(h.fields[1].value, "x@y.test");
  EXPECT_EQ(h.body_offset, msg.size());
}

TEST(Header, AcceptsBareLfAndObsoleteBlanksBeforeTheColon) {
  std::string msg = "Subject : lf only\nX-Empty:\n\nbody";
  auto h = read_headers(msg);
  ASSERT_EQ(h.fields.size(), 2u);
  EXPECT_EQ(h.fields[0].name, "Subject");
  EXPECT_EQ(h.fields[0].value, "lf only");
  EXPECT_EQ(h.fields[1].name, "X-Empty");
  EXPECT_EQ(h.fields[1].value, "");
  EXPECT_EQ(msg.substr(h.body_offset), "body");
}

TEST(Header, SkipsGarbageLinesAndOrphanContinuations) {
  std::string msg =
      "\tcontinuation before any field\r\n"
      "From a@b.test Mon Jan  1 00:00:00 2024\r\n"
      "no colon here\r\n"
      ": empty name\r\n"
      "Bad Name: spaces inside\r\n"
      "Good: yes\r\n"
      "\r\n";
  auto h = read_headers(msg);
  ASSERT_EQ(h.fields.size(), 1u);
  EXPECT_EQ(h.fields[0].name, "Good");
  EXPECT_EQ(h.malformed, 5u);
  EXPECT_EQ(h.body_offset, msg.size());
}

TEST(Header, AMessageWithoutABodyIsAllHeader) {
  EXPECT_EQ(read_headers("Subject: x").body_offset, 10u);
  EXPECT_EQ(read_headers("Subject: x").fields.at(0).value, "x");
  EXPECT_EQ(read_headers("Subject: x\r\n").body_offset, 12u);
  auto empty = read_headers("");
  EXPECT_TRUE(empty.fields.empty());
  EXPECT_EQ(empty.body_offset, 0u);
  EXPECT_EQ(read_headers("\r\nbody").body_offset, 2u);
}

TEST(Header, HugeHeaderSectionsAreBounded) {
  std::string many;
  for (int i = 0; i < 5000; ++i) many += "X-N: " + std::to_string(i) + "\r\n";
  many += "Subject: late\r\n\r\nbody";
  auto h = read_headers(many, {.max_fields = 100});
  EXPECT_EQ(h.fields.size(), 100u);
  EXPECT_TRUE(h.truncated);
  EXPECT_FALSE(first_value(h, "Subject"));
  EXPECT_EQ(many.substr(h.body_offset), "body");

  std::string folded = "Subject: start\r\n";
  for (int i = 0; i < 20000; ++i) folded += " more words\r\n";
  folded += "\r\n";
  h = read_headers(folded, {.max_value_bytes = 1000});
  ASSERT_EQ(h.fields.size(), 1u);
  EXPECT_LE(h.fields[0].value.size(), 1000u);
  EXPECT_TRUE(h.truncated);
  EXPECT_EQ(h.body_offset, folded.size());

  std::string endless = "Subject: x\r\n" + std::string(3 << 20, 'a');
  h = read_headers(endless);
  EXPECT_TRUE(h.truncated);
  EXPECT_LE(h.body_offset, std::size_t{1} << 20);
  ASSERT_EQ(h.fields.size(), 1u);
}

TEST(Header, NeverThrowsOnRandomBytes) {
  std::mt19937 rng(42);
  const std::string alphabet = std::string("ab: \t\r\n\0\xff", 10);
  for (int round = 0; round < 2000; ++round) {
    std::string junk;
    std::size_t len = rng() % 400;
    for (std::size_t i = 0; i < len; ++i) {
      junk += round % 2 ? static_cast<char>(rng() & 0xff) : alphabet[rng() % alphabet.size()];
    }
    HeaderBlock h;
    EXPECT_NO_THROW(h = read_headers(junk, {.max_fields = 20, .max_block_bytes = 300, .max_value_bytes = 50}));
    EXPECT_LE(h.body_offset, junk.size());
    EXPECT_LE(h.fields.size(), 20u);
    for (const auto& f : h.fields) EXPECT_LE(f.value.size(), 50u);
  }
}

}  // namespace
}  // namespace atrium::mail::mime
