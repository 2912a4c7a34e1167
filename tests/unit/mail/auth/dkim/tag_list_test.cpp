// Tag-list parsing (RFC 6376 section 3.2), base64 with FWS, and key records (section 3.6.1).
#include "mail/auth/dkim/base64.hpp"
#include "mail/auth/dkim/keys.hpp"
#include "mail/auth/dkim/tag_list.hpp"

#include <gtest/gtest.h>

namespace atrium::mail::auth::dkim {
namespace {

TagList parse_ok(std::string_view text) {
  auto r = parse_tag_list(text);
  EXPECT_TRUE(std::holds_alternative<TagList>(r)) << text;
  return std::holds_alternative<TagList>(r) ? std::get<TagList>(r) : TagList{};
}

TEST(TagList, ParsesNamesValuesAndWhitespace) {
  const std::string text = " v=1;  a = rsa-sha256 ;\r\n\tb=abc\r\n def ; z_9=;";
  auto r = parse_tag_list(text);
  ASSERT_TRUE(std::holds_alternative<TagList>(r));
  const TagList& tags = std::get<TagList>(r);
  ASSERT_EQ(tags.tags.size(), 4u);
  EXPECT_EQ(tags.find("v")->value, "1");
  EXPECT_EQ(tags.find("a")->value, "rsa-sha256");
  EXPECT_EQ(tags.find("b")->value, "abc\r\n def");
  EXPECT_EQ(tags.find("z_9")->value, "");
  EXPECT_EQ(tags.find("x"), nullptr);
  // The raw span of b= is what "b= deleted with surrounding whitespace" removes.
  const Tag* b = tags.find("b");
  EXPECT_EQ(text.substr(b->raw_begin, b->raw_end - b->raw_begin), "abc\r\n def ");
}

TEST(TagList, NamesAreCaseSensitive) {
  const TagList tags = parse_ok("V=1; v=2");
  EXPECT_EQ(tags.find("v")->value, "2");
  EXPECT_EQ(tags.find("V")->value, "1");
}

TEST(TagList, EmptyElementsAreSkipped) {
  EXPECT_EQ(parse_ok("").tags.size(), 0u);
  EXPECT_EQ(parse_ok("a=1;;b=2; ;").tags.size(), 2u);
}

TEST(TagList, RejectsBadSyntax) {
  struct Case {
    std::string text;
    TagListError error;
  };
  const Case cases[] = {
      {"a=1; a=2", TagListError::duplicate_tag},
      {"=1", TagListError::syntax},
      {"1a=1", TagListError::syntax},
      {"a 1", TagListError::syntax},
      {"a-b=1", TagListError::syntax},
      {"a=1\x01", TagListError::syntax},
      {"a=1\r\nb=2", TagListError::syntax},  // a line break not followed by WSP
      {"a=1\r", TagListError::syntax},
      {"a=x\x7f", TagListError::syntax},
      {std::string(max_tag_list_size + 1, 'a'), TagListError::too_long},
  };
  for (const auto& c : cases) {
    auto r = parse_tag_list(c.text);
    ASSERT_TRUE(std::holds_alternative<TagListError>(r)) << c.text;
    EXPECT_EQ(std::get<TagListError>(r), c.error) << c.text;
  }
  std::string many;
  for (std::size_t i = 0; i <= max_tags; ++i) many += "t" + std::to_string(i) + "=1;";
  auto r = parse_tag_list(many);
  ASSERT_TRUE(std::holds_alternative<TagListError>(r));
  EXPECT_EQ(std::get<TagListError>(r), TagListError::too_long);
}

TEST(TagList, AcceptsEightBitValues) { EXPECT_EQ(parse_ok("i=j\xC3\xB6rg@example.org").tags.size(), 1u); }

TEST(TagList, ColonListsAndFws) {
  const auto items = split_colon_list(" from : to:\r\n subject ::");
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0], "from");
  EXPECT_EQ(items[1], "to");
  EXPECT_EQ(items[2], "subject");
  EXPECT_EQ(strip_fws(" ab\r\n\tc d "), "abcd");
}

TEST(Base64, RoundTripsAndAcceptsFws) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_decode("Zm9v\r\n YmFy"), "foobar");
  EXPECT_EQ(base64_decode("Zg=="), "f");
  EXPECT_EQ(base64_decode("Zg"), "f");  // padding may be omitted
  EXPECT_EQ(base64_decode(" Zm8 = "), "fo");
  EXPECT_FALSE(base64_decode("Z"));
  EXPECT_FALSE(base64_decode("Zg=a"));
  EXPECT_FALSE(base64_decode("Zg==="));
  EXPECT_FALSE(base64_decode("Zm9v="));
  EXPECT_FALSE(base64_decode("Zm9*"));
}

KeyRecord record_ok(std::string_view text) {
  auto r = parse_key_record(text);
  EXPECT_TRUE(std::holds_alternative<KeyRecord>(r)) << text;
  return std::holds_alternative<KeyRecord>(r) ? std::get<KeyRecord>(r) : KeyRecord{};
}

TEST(KeyRecord, Defaults) {
  const KeyRecord r = record_ok("p=Zm9v");
  EXPECT_EQ(r.key_type, "rsa");
  EXPECT_TRUE(r.hashes.empty());
  EXPECT_EQ(r.services, std::vector<std::string>{"*"});
  EXPECT_FALSE(r.testing);
  EXPECT_FALSE(r.strict_identity);
  EXPECT_EQ(r.public_key, "foo");
}

TEST(KeyRecord, AllTags) {
  const KeyRecord r = record_ok("v=DKIM1; k=Ed25519; h=sha1:SHA256; s=email; t=y:s:x; n=a note; p=Zm9v\r\n YmFy");
  EXPECT_EQ(r.key_type, "ed25519");
  EXPECT_EQ(r.hashes, (std::vector<std::string>{"sha1", "sha256"}));
  EXPECT_EQ(r.services, std::vector<std::string>{"email"});
  EXPECT_TRUE(r.testing);
  EXPECT_TRUE(r.strict_identity);
  EXPECT_EQ(r.notes, "a note");
  EXPECT_EQ(r.public_key, "foobar");
}

TEST(KeyRecord, RevokedKeyIsEmpty) { EXPECT_TRUE(record_ok("v=DKIM1; p=").public_key.empty()); }

TEST(KeyRecord, Errors) {
  struct Case {
    std::string text;
    KeyRecordError error;
  };
  const Case cases[] = {
      {"v=DKIM2; p=Zm9v", KeyRecordError::bad_version},
      {"v=DKIM1; k=rsa", KeyRecordError::missing_key},
      {"p=Zm9v; p=Zm9v", KeyRecordError::duplicate_tag},
      {"p=!!!!", KeyRecordError::bad_key_base64},
      {"p=Zm9v; 9=x", KeyRecordError::tag_syntax},
      {"v=spf1 -all", KeyRecordError::bad_version},
      {"p=" + std::string(max_tag_list_size, 'A'), KeyRecordError::too_long},
  };
  for (const auto& c : cases) {
    auto r = parse_key_record(c.text);
    ASSERT_TRUE(std::holds_alternative<KeyRecordError>(r)) << c.text;
    EXPECT_EQ(std::get<KeyRecordError>(r), c.error) << c.text;
  }
}

}  // namespace
}  // namespace atrium::mail::auth::dkim
