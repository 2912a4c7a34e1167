// Content-Type, Content-Disposition, Content-Language, Content-Transfer-Encoding and MIME
// parameters with RFC 2231 continuations and charsets.
#include "mail/mime/params.hpp"

#include <gtest/gtest.h>

namespace atrium::mail::mime {
namespace {

// "name=value;name=value" for compact expectations.
std::string render(const std::vector<MimeParam>& params) {
  std::string out;
  for (const auto& p : params) {
    if (!out.empty()) out.push_back(';');
    out += p.name + "=" + p.value;
  }
  return out;
}

TEST(ContentType, Parses) {
  struct Case {
    std::string in;
    bool ok;
    std::string type, subtype, params;
  };
  const Case cases[] = {
      {"text/plain", true, "text", "plain", ""},
      {"TEXT/Plain; CHARSET=UTF-8", true, "TEXT", "Plain", "CHARSET=UTF-8"},
      {" text / html ; charset = \"iso-8859-1\" ", true, "text", "html", "charset=iso-8859-1"},
      {"text/plain; charset=us-ascii (Plain text)", true, "text", "plain", "charset=us-ascii"},
      {"(comment) multipart/mixed; boundary=\"----=_Part_1\"", true, "multipart", "mixed", "boundary=----=_Part_1"},
      {"multipart/mixed; boundary=----=_NextPart_000_0001", true, "multipart", "mixed",
       "boundary=----=_NextPart_000_0001"},
      {"multipart/mixed;\r\n boundary=\"folded\"", true, "multipart", "mixed", "boundary=folded"},
      {"text/plain; format=flowed; delsp=yes", true, "text", "plain", "format=flowed;delsp=yes"},
      {"text/plain; name=\"a \\\"quoted\\\" name\"", true, "text", "plain", "name=a \"quoted\" name"},
      {"application/octet-stream; name==?utf-8?B?w6kudHh0?=", true, "application", "octet-stream",
       "name==?utf-8?B?w6kudHh0?="},
      {"text/plain; charset=utf-8; charset=latin1", true, "text", "plain", "charset=utf-8"},
      {"text/plain;;; x=1", true, "text", "plain", "x=1"},
      {"text/plain; junk; x=1", true, "text", "plain", "x=1"},
      {"text/plain garbage; x=1", true, "text", "plain", "x=1"},
      {"text/plain; name=\"unterminated", true, "text", "plain", "name=unterminated"},
      {"text/plain; =novalue; x", true, "text", "plain", ""},
      {"text", false, "", "", ""},
      {"text/", false, "", "", ""},
      {"/plain", false, "", "", ""},
      {"", false, "", "", ""},
      {"garbage", false, "", "", ""},
  };
  for (const auto& c : cases) {
    const auto ct = parse_content_type(c.in);
    ASSERT_EQ(ct.has_value(), c.ok) << c.in;
    if (!ct) continue;
    EXPECT_EQ(ct->type, c.type) << c.in;
    EXPECT_EQ(ct->subtype, c.subtype) << c.in;
    EXPECT_EQ(render(ct->params), c.params) << c.in;
  }
}

TEST(Rfc2231, DecodesAndJoins) {
  struct Case {
    std::string in, params;
  };
  const Case cases[] = {
      // RFC 2231 §4: charset and language.
      {"; title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A", "title=This is ***fun***"},
      {"; name*=UTF-8''Pr%C3%A4sentation.pdf", "name=Pr\xC3\xA4sentation.pdf"},
      {"; name*=iso-8859-1'de'Gr%FC%DFe.txt", "name=Gr\xC3\xBC\xC3\x9F" "e.txt"},
      // §3: continuations, joined in index order whatever the written order.
      {"; url*0=\"ftp://\"; url*1=\"cs.utk.edu/pub/moore/\"; url*2=\"bulk-mailer.tar\"",
       "url=ftp://cs.utk.edu/pub/moore/bulk-mailer.tar"},
      {"; url*1=\"b\"; url*0=\"a\"", "url=ab"},
      // §4.1: continuations with encoding; the charset is in the first segment only.
      {"; title*0*=us-ascii'en'This%20is%20even%20more%20; title*1*=%2A%2A%2Afun%2A%2A%2A%20; title*2=\"isn't it!\"",
       "title=This is even more ***fun*** isn't it!"},
      // A character split across segments survives (bytes joined before conversion).
      {"; f*0*=utf-8''%E2%82; f*1*=%AC", "f=\xE2\x82\xAC"},
      {"; f*0*=windows-1252''%80; f*1=\" 5\"", "f=\xE2\x82\xAC 5"},
      // A gap in the indexes: each segment stays on its own.
      {"; f*0=a; f*2=c", "f*0=a;f*2=c"},
      // The plain parameter wins over the encoded one, the first over later ones.
      {"; name=plain.txt; name*=utf-8''other.txt", "name=plain.txt"},
      {"; name*=utf-8''first.txt; name=second.txt", "name=first.txt"},
      // Without charset'language' the value is kept as written.
      {"; name*=no-quotes%41", "name=no-quotes%41"},
      {"; name*=''%41%42", "name=AB"},
      // Unknown charsets fall back to UTF-8 with replacements.
      {"; name*=x-nonsense''caf%C3%A9", "name=caf\xC3\xA9"},
      // Names keep their case; lookups ignore it.
      {"; Name*0=\"a\"; NAME*1=\"b\"", "Name=ab"},
      {"; name*x=odd", "name*x=odd"},
  };
  for (const auto& c : cases) EXPECT_EQ(render(parse_mime_params(c.in)), c.params) << c.in;
}

TEST(Params, FindIgnoresCaseAndCountIsBounded) {
  const auto params = parse_mime_params("; Charset=utf-8; X=1");
  ASSERT_NE(find_param(params, "charset"), nullptr);
  EXPECT_EQ(find_param(params, "CHARSET")->value, "utf-8");
  EXPECT_EQ(find_param(params, "missing"), nullptr);

  std::string many;
  for (int i = 0; i < 1000; ++i) many += "; p" + std::to_string(i) + "=v";
  EXPECT_EQ(parse_mime_params(many).size(), max_mime_params);
}

TEST(ContentDisposition, Parses) {
  auto d = parse_content_disposition("attachment; filename=\"report.pdf\"; size=1234");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->value, "attachment");
  EXPECT_EQ(render(d->params), "filename=report.pdf;size=1234");
  d = parse_content_disposition("INLINE");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->value, "INLINE");
  EXPECT_TRUE(d->params.empty());
  EXPECT_FALSE(parse_content_disposition(""));
  EXPECT_FALSE(parse_content_disposition("; filename=x"));
}

TEST(ContentLanguage, Parses) {
  using V = std::vector<std::string>;
  EXPECT_EQ(parse_content_language("en"), V{"en"});
  EXPECT_EQ(parse_content_language("en-GB, de-CH"), (V{"en-GB", "de-CH"}));
  EXPECT_EQ(parse_content_language(" (comment) fr ,it"), (V{"fr", "it"}));
  EXPECT_EQ(parse_content_language(""), V{});
  EXPECT_EQ(parse_content_language("en;q=1"), V{"en"});
}

TEST(TransferEncodingField, OneTokenOnly) {
  EXPECT_EQ(parse_transfer_encoding(" base64 "), "base64");
  EXPECT_EQ(parse_transfer_encoding("Quoted-Printable (comment)"), "Quoted-Printable");
  EXPECT_FALSE(parse_transfer_encoding("?invalid"));
  EXPECT_FALSE(parse_transfer_encoding("base64 junk"));
  EXPECT_FALSE(parse_transfer_encoding(""));
}

}  // namespace
}  // namespace atrium::mail::mime
