// RFC 2047 encoded words: decoding, the white space rule, charsets, and the broken forms clients
// produce.
#include "mail/mime/rfc2047.hpp"

#include "mail/mime/charset.hpp"

#include <gtest/gtest.h>

namespace atrium::mail::mime {
namespace {

const std::string fffd(replacement_character);

TEST(EncodedWords, Decode) {
  struct Case {
    std::string in, out;
  };
  const Case cases[] = {
      {"plain text", "plain text"},
      {"=?UTF-8?B?Y2Fmw6k=?=", "caf\xC3\xA9"},
      {"=?utf-8?q?caf=C3=A9?=", "caf\xC3\xA9"},
      {"=?ISO-8859-1?Q?Andr=E9?= Pirard", "Andr\xC3\xA9 Pirard"},
      {"=?iso-8859-1?q?a_b?=", "a b"},                                   // '_' is a space in Q
      {"=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=", "ab"},                    // RFC 2047 §8 examples
      {"=?ISO-8859-1?Q?a?=  \t =?ISO-8859-2?Q?_b?=", "a b"},
      {"=?ISO-8859-1?Q?a?= b", "a b"},
      {"a =?ISO-8859-1?Q?b?=", "a b"},
      {"(=?ISO-8859-1?Q?a?=)", "(a)"},
      {"=?windows-1252?Q?=93quoted=94?=", "\xE2\x80\x9Cquoted\xE2\x80\x9D"},
      {"=?iso-2022-jp?B?GyRCJDMkcyRLJEEkTxsoQg==?=",
       "\xE3\x81\x93\xE3\x82\x93\xE3\x81\xAB\xE3\x81\xA1\xE3\x81\xAF"},    // こんにちは
      {"=?UTF-8?B?4oKs?= 5", "\xE2\x82\xAC 5"},
      // A character split across two words of the same charset survives.
      {"=?UTF-8?B?4g==?= =?UTF-8?B?gqw=?=", "\xE2\x82\xAC"},
      {"=?UTF-8?Q?=E2=82?= =?UTF-8?Q?=AC?=", "\xE2\x82\xAC"},
      {"=?utf-8*en?Q?lang?=", "lang"},                                   // RFC 2231 language
      {"prefix=?utf-8?q?glued?=suffix", "prefixgluedsuffix"},            // not separated
      {"\"=?utf-8?q?in_quotes?=\"", "\"in quotes\""},
      {"=?utf-8?q?with space?=", "with space"},
      {"=?x-unknown?q?caf=C3=A9?=", "caf\xC3\xA9"},
      {"=?bogus-charset?q?caf=E9?=", "caf" + fffd},
      {"=?utf-8?x?unknown encoding?=", "=?utf-8?x?unknown encoding?="},
      {"=?utf-8?q?unterminated", "=?utf-8?q?unterminated"},
      {"=??q?empty charset?=", "=??q?empty charset?="},
      {"folded\r\n line", "folded line"},
      {"raw caf\xC3\xA9", "raw caf\xC3\xA9"},
      {"raw caf\xE9", "raw caf" + fffd},
      {std::string("nul\0byte", 8), "nul" + fffd + "byte"},
      {"=?utf-8?b?AGE=?=", fffd + "a"},                                  // decoded NUL
  };
  for (const auto& c : cases) EXPECT_EQ(decode_header_text(c.in), c.out) << c.in;
}

TEST(EncodedWords, OutputIsAlwaysUtf8) {
  const std::string nasty[] = {"=?utf-8?b?/////w==?=", "=?shift_jis?b?gg==?=", "=?utf-16?b?2D0=?=", "\xFF=?a?b?=",
                               "=?utf-7?q?+AGEAYgBj-?="};
  for (const auto& n : nasty) EXPECT_TRUE(is_valid_utf8(decode_header_text(n))) << n;
}

TEST(WhiteSpace, Collapses) {
  EXPECT_EQ(collapse_white_space("  a \t b\r\n  c  "), "a b c");
  EXPECT_EQ(collapse_white_space(""), "");
  EXPECT_EQ(collapse_white_space(" \t "), "");
  EXPECT_EQ(collapse_white_space("one"), "one");
}

}  // namespace
}  // namespace atrium::mail::mime
