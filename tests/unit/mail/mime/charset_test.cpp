// Charset conversion and UTF-8 repair: every label gives valid UTF-8, nothing fails.
#include "mail/mime/charset.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace atrium::mail::mime {
namespace {

const std::string fffd(replacement_character);

TEST(Utf8, Validity) {
  struct Case {
    std::string in;
    bool valid;
  };
  const Case cases[] = {
      {"", true},
      {"plain ascii", true},
      {"caf\xC3\xA9", true},
      {"\xE2\x82\xAC", true},                // U+20AC
      {"\xF0\x9F\x98\x80", true},            // U+1F600
      {"caf\xE9", false},                    // Latin-1
      {"\xC0\xAF", false},                   // overlong '/'
      {"\xED\xA0\x80", false},               // surrogate
      {"\xF4\x90\x80\x80", false},           // past U+10FFFF
      {"\xE2\x82", false},                   // cut
      {"\x80", false},                       // lone continuation
  };
  for (const auto& c : cases) EXPECT_EQ(is_valid_utf8(c.in), c.valid) << c.in;
}

TEST(Utf8, RepairReplacesMaximalSubparts) {
  struct Case {
    std::string in, out;
  };
  const Case cases[] = {
      {"ok", "ok"},
      {"caf\xE9!", "caf" + fffd + "!"},
      {"\xE2\x82" "x", fffd + "x"},              // one replacement for a cut sequence
      {"\xC0\xAF", fffd + fffd},                 // C0 is never valid: two subparts
      {"\xF0\x9F\x98", fffd},
      {"a\x80\x80" "b", "a" + fffd + fffd + "b"},
      {"\xED\xA0\x80", fffd + fffd + fffd},      // E0..ED rules reject A0 after ED
  };
  for (const auto& c : cases) EXPECT_EQ(repair_utf8(c.in), c.out) << c.in;
}

TEST(Utf8, AppendCodePoints) {
  std::string s;
  append_utf8(s, 'A');
  append_utf8(s, 0xE9);
  append_utf8(s, 0x20AC);
  append_utf8(s, 0x1F600);
  append_utf8(s, 0xD800);
  append_utf8(s, 0x110000);
  EXPECT_EQ(s, "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80" + fffd + fffd);
}

TEST(Charset, ConvertsCommonCharsets) {
  struct Case {
    std::string charset, in, out;
  };
  const Case cases[] = {
      {"utf-8", "caf\xC3\xA9", "caf\xC3\xA9"},
      {"UTF8", "caf\xC3\xA9", "caf\xC3\xA9"},
      {"us-ascii", "plain", "plain"},
      {"us-ascii", "caf\xC3\xA9", "caf\xC3\xA9"},            // mislabelled UTF-8 survives
      {"iso-8859-1", "caf\xE9", "caf\xC3\xA9"},
      {"ISO-8859-1", "\x93quoted\x94", "\xE2\x80\x9Cquoted\xE2\x80\x9D"},  // read as Windows-1252
      {"windows-1252", "\x80 5", "\xE2\x82\xAC 5"},
      {"windows-1252", "\x81", "\xC2\x81"},                 // undefined byte: its C1 control
      {"iso-8859-15", "\xA4", "\xE2\x82\xAC"},
      {"iso-8859-2", "\xB1", "\xC4\x85"},                   // ą
      {"koi8-r", "\xF0\xD2\xC9\xD7\xC5\xD4", "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82"},  // Привет
      {"shift_jis", "\x82\xA0", "\xE3\x81\x82"},            // あ
      {"x-sjis", "\x82\xA0", "\xE3\x81\x82"},
      {"iso-2022-jp", "\x1B$B$3$s$K$A$O\x1B(B", "\xE3\x81\x93\xE3\x82\x93\xE3\x81\xAB\xE3\x81\xA1\xE3\x81\xAF"},
      {"gb2312", "\xC4\xE3\xBA\xC3", "\xE4\xBD\xA0\xE5\xA5\xBD"},  // 你好
      {"ks_c_5601-1987", "\xC7\xD1", "\xED\x95\x9C"},              // 한
      {"utf-16be", std::string("\x00" "A\x00\xE9", 4), "A\xC3\xA9"},
      {"\"utf-8\"", "x", "x"},                              // quoted label
  };
  for (const auto& c : cases) EXPECT_EQ(to_utf8(c.in, c.charset), c.out) << c.charset;
}

TEST(Charset, UnknownCharsetsAndBadBytesNeverFail) {
  EXPECT_EQ(to_utf8("caf\xC3\xA9", "x-no-such-charset"), "caf\xC3\xA9");
  EXPECT_EQ(to_utf8("caf\xE9", "x-no-such-charset"), "caf" + fffd);
  EXPECT_EQ(to_utf8("abc", "utf-8//TRANSLIT"), "abc");  // never an iconv option
  EXPECT_EQ(to_utf8("\x82", "shift_jis"), fffd);        // cut double-byte character
  EXPECT_EQ(to_utf8("a\xFF" "b", "shift_jis"), "a" + fffd + "b");
  EXPECT_EQ(to_utf8("", "koi8-r"), "");
}

TEST(Charset, KnownCharsets) {
  EXPECT_TRUE(is_known_charset("UTF-8"));
  EXPECT_TRUE(is_known_charset("iso-8859-1"));
  EXPECT_TRUE(is_known_charset("ISO-2022-JP"));
  EXPECT_TRUE(is_known_charset("ks_c_5601-1987"));
  EXPECT_FALSE(is_known_charset("x-unknown"));
  EXPECT_FALSE(is_known_charset("no such thing"));
}

TEST(Charset, RandomBytesGiveValidUtf8) {
  std::mt19937 rng(7);
  const char* charsets[] = {"utf-8", "iso-8859-1", "shift_jis", "iso-2022-jp", "utf-16", "gb2312", "utf-7", "big5"};
  for (int round = 0; round < 200; ++round) {
    std::string in(rng() % 64, '\0');
    for (char& c : in) c = static_cast<char>(rng());
    for (const char* cs : charsets) {
      const std::string out = to_utf8(in, cs);
      EXPECT_TRUE(is_valid_utf8(out)) << cs;
      EXPECT_LE(out.size(), in.size() * 3 + 16) << cs;
    }
  }
}

}  // namespace
}  // namespace atrium::mail::mime
