// Search text: HTML reduction, decoded headers and text parts, bounds.
#include "mail/mime/search_text.hpp"

#include "mail/mime/charset.hpp"
#include "mail/mime/html.hpp"

#include <gtest/gtest.h>

namespace atrium::mail::mime {
namespace {

TEST(Html, ToText) {
  struct Case {
    std::string in, out;
  };
  const Case cases[] = {
      {"", ""},
      {"plain", "plain"},
      {"<p>One</p><p>Two</p>", "One\nTwo"},
      {"w<b>or</b>d", "word"},
      {"a<br>b<br/>c", "a\nb\nc"},
      {"<head><title>T</title><style>p{}</style></head><body>Body</body>", "Body"},
      {"x<script type=\"text/javascript\">var a = '<p>';</script>y", "xy"},
      {"a<!-- hidden <p> -->b", "ab"},
      {"&lt;tag&gt; &amp; &quot;q&quot; &apos;", "<tag> & \"q\" '"},
      {"caf&eacute; &#233; &#xE9; &euro;&nbsp;5", "caf\xC3\xA9 \xC3\xA9 \xC3\xA9 \xE2\x82\xAC\xC2\xA0" "5"},
      {"&unknown; & &#;", "&unknown; & &#;"},
      {"<a href=\"x>y\">link</a>", "link"},
      {"  lots   of\n\n\n spaces  ", "lots of spaces"},
      {"1 < 2 and 3 > 2", "1 < 2 and 3 > 2"},
      {"<unclosed", ""},
      {"<p>a</p>\n\n<p>b</p>", "a\nb"},
  };
  for (const auto& c : cases) EXPECT_EQ(html_to_text(c.in), c.out) << c.in;
  EXPECT_EQ(html_to_text("<p>abcdef</p>", 3), "abc");
}

TEST(SearchText, HeadersAndParts) {
  const std::string msg =
      "From: =?utf-8?q?J=C3=BCrgen?= <j@x.example>\r\n"
      "To: a@x.example, Team: b@x.example;\r\n"
      "Subject: =?iso-8859-1?q?Gr=FC=DFe?=\r\n"
      "Content-Type: multipart/mixed; boundary=\"m\"\r\n"
      "\r\n"
      "--m\r\n"
      "Content-Type: multipart/alternative; boundary=\"a\"\r\n"
      "\r\n"
      "--a\r\n"
      "Content-Type: text/plain; charset=iso-8859-1\r\n"
      "Content-Transfer-Encoding: quoted-printable\r\n"
      "\r\n"
      "Sch=F6ne Gr=FC=DFe\r\n"
      "--a\r\n"
      "Content-Type: text/html\r\n"
      "\r\n"
      "<p>duplicate html</p>\r\n"
      "--a--\r\n"
      "--m\r\n"
      "Content-Type: text/html; charset=utf-8\r\n"
      "Content-Transfer-Encoding: base64\r\n"
      "\r\n"
      "PHA+SGFsbG8gPGI+V2VsdDwvYj48L3A+\r\n"
      "--m\r\n"
      "Content-Type: text/plain\r\n"
      "Content-Disposition: attachment; filename=skip.txt\r\n"
      "\r\n"
      "attached text is not indexed\r\n"
      "--m\r\n"
      "Content-Type: image/png\r\n"
      "\r\n"
      "binary\r\n"
      "--m--\r\n";
  const Message m = parse_structure(msg);
  const SearchText t = extract_search_text(msg, m);
  EXPECT_EQ(t.headers,
            "From: J\xC3\xBCrgen <j@x.example>\n"
            "To: a@x.example, Team:, b@x.example\n"
            "Subject: Gr\xC3\xBC\xC3\x9F" "e");
  EXPECT_EQ(t.body, "Sch\xC3\xB6ne Gr\xC3\xBC\xC3\x9F" "e\n\nHallo Welt");
  EXPECT_FALSE(t.truncated);
}

TEST(SearchText, IncludesEncapsulatedMessagesAndIsBounded) {
  std::string msg = "Subject: outer\nContent-Type: message/rfc822\n\nSubject: inner\n\n";
  msg += std::string(5000, 'x') + "\n";
  const Message m = parse_structure(msg);
  SearchText t = extract_search_text(msg, m);
  EXPECT_EQ(t.headers, "Subject: outer");
  EXPECT_EQ(t.body.size(), 5001u);
  t = extract_search_text(msg, m, SearchTextLimits{.max_bytes = 100});
  EXPECT_TRUE(t.truncated);
  EXPECT_LE(t.headers.size() + t.body.size(), 100u);
}

TEST(SearchText, CutsOnCharacterBoundariesAndStaysUtf8) {
  std::string msg = "Content-Type: text/plain; charset=utf-8\n\n";
  for (int i = 0; i < 100; ++i) msg += "\xE2\x82\xAC";
  msg += "\xFF\n";
  const Message m = parse_structure(msg);
  for (std::size_t limit : {1u, 2u, 3u, 4u, 50u, 1000u}) {
    const SearchText t = extract_search_text(msg, m, SearchTextLimits{.max_bytes = limit});
    EXPECT_TRUE(is_valid_utf8(t.body)) << limit;
    EXPECT_LE(t.body.size(), limit);
  }
}

TEST(SearchText, DecodedPartText) {
  const std::string msg =
      "Content-Type: text/plain; charset=koi8-r\nContent-Transfer-Encoding: base64\n\n8NLJ18XU\n";
  const Message m = parse_structure(msg);
  EXPECT_EQ(decoded_part_text(msg, m.root()), "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82");
  EXPECT_EQ(decoded_part_text(msg, m.root(), 4), "\xD0\x9F\xD1\x80\xD0\xB8");  // 4 base64 chars: 3 bytes
  EXPECT_EQ(decoded_part_text("short", m.root()), "");
}

}  // namespace
}  // namespace atrium::mail::mime
