// BODYSTRUCTURE and BODY: the RFC 3501 grammar in Dovecot's spelling, extension data, defaults,
// encapsulated messages, limits.
#include "mail/mime/bodystructure.hpp"

#include <gtest/gtest.h>

namespace atrium::mail::mime {
namespace {

struct Case {
  std::string message, bodystructure, body;
};

TEST(Bodystructure, Table) {
  const Case cases[] = {
      // The RFC 3501 default: text/plain us-ascii 7bit, CRLF sizes.
      {"Subject: x\r\n\r\nHello world\r\n",
       "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 13 1 NIL NIL NIL NIL)",
       "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 13 1)"},
      // Bare LF counts as CRLF; written case is kept; a charset is not added when present.
      {"MIME-Version: 1.0\nContent-Type: TEXT/HTML; CHARSET=utf-8\nContent-Transfer-Encoding: 8BIT\n\n<p>\n</p>\n",
       "(\"TEXT\" \"HTML\" (\"CHARSET\" \"utf-8\") NIL NIL \"8BIT\" 11 2 NIL NIL NIL NIL)",
       "(\"TEXT\" \"HTML\" (\"CHARSET\" \"utf-8\") NIL NIL \"8BIT\" 11 2)"},
      // A text part without charset gets us-ascii appended after its other parameters.
      {"Content-Type: text/plain; format=flowed\n\nx",
       "(\"text\" \"plain\" (\"format\" \"flowed\" \"charset\" \"us-ascii\") NIL NIL \"7bit\" 1 0 NIL NIL NIL NIL)",
       "(\"text\" \"plain\" (\"format\" \"flowed\" \"charset\" \"us-ascii\") NIL NIL \"7bit\" 1 0)"},
      // Non-text: no lines, NIL parameters; all extension fields.
      {"MIME-Version: 1.0\nContent-Type: application/pdf\nContent-ID: <id@x>\nContent-Description: A file\n"
       "Content-Transfer-Encoding: base64\nContent-MD5: abc=\nContent-Disposition: attachment; filename=a.pdf\n"
       "Content-Language: en, de\nContent-Location: http://x.example/a.pdf\n\nAAAA\n",
       "(\"application\" \"pdf\" NIL \"<id@x>\" \"A file\" \"base64\" 6 \"abc=\" (\"attachment\" (\"filename\" "
       "\"a.pdf\")) (\"en\" \"de\") \"http://x.example/a.pdf\")",
       "(\"application\" \"pdf\" NIL \"<id@x>\" \"A file\" \"base64\" 6)"},
      // A disposition without parameters.
      {"Content-Type: image/png\nContent-Disposition: inline\n\n",
       "(\"image\" \"png\" NIL NIL NIL \"7bit\" 0 NIL (\"inline\" NIL) NIL NIL)",
       "(\"image\" \"png\" NIL NIL NIL \"7bit\" 0)"},
      // Multipart with extension data; parts concatenated without spaces.
      {"Content-Type: multipart/alternative; boundary=\"b\"\nContent-Language: fr\n\n"
       "--b\nContent-Type: text/plain\n\nplain\n--b\nContent-Type: text/html\n\n<b>html</b>\n--b--\n",
       "((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 5 0 NIL NIL NIL NIL)"
       "(\"text\" \"html\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 11 0 NIL NIL NIL NIL) \"alternative\" "
       "(\"boundary\" \"b\") NIL (\"fr\") NIL)",
       "((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 5 0)(\"text\" \"html\" (\"charset\" "
       "\"us-ascii\") NIL NIL \"7bit\" 11 0) \"alternative\")"},
      // A multipart without parts gets one empty text part.
      {"Content-Type: multipart/mixed; boundary=\"none\"\n\nno parts here\n",
       "((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0 NIL NIL NIL NIL) \"mixed\" "
       "(\"boundary\" \"none\") NIL NIL NIL)",
       "((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0) \"mixed\")"},
      // A multipart without a boundary is shown as text.
      {"Content-Type: multipart/mixed\n\nraw\n",
       "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 5 1 NIL NIL NIL NIL)",
       "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 5 1)"},
      // message/rfc822: envelope, body, then lines (of the whole encapsulated message).
      {"Content-Type: Message/RFC822\n\nSubject: in\nFrom: a@b.example\n\nbody\n",
       "(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 40 (NIL \"in\" ((NIL NIL \"a\" \"b.example\")) ((NIL NIL \"a\" "
       "\"b.example\")) ((NIL NIL \"a\" \"b.example\")) NIL NIL NIL NIL NIL) (\"text\" \"plain\" (\"charset\" "
       "\"us-ascii\") NIL NIL \"7bit\" 6 1 NIL NIL NIL NIL) 4 NIL NIL NIL NIL)",
       "(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 40 (NIL \"in\" ((NIL NIL \"a\" \"b.example\")) ((NIL NIL \"a\" "
       "\"b.example\")) ((NIL NIL \"a\" \"b.example\")) NIL NIL NIL NIL NIL) (\"text\" \"plain\" (\"charset\" "
       "\"us-ascii\") NIL NIL \"7bit\" 6 1) 4)"},
      // Digest parts without Content-Type are message/rfc822.
      {"Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: s\n\nb\n--d--\n",
       "((\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 15 (NIL \"s\" NIL NIL NIL NIL NIL NIL NIL NIL) (\"text\" "
       "\"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 1 0 NIL NIL NIL NIL) 2 NIL NIL NIL NIL) \"digest\" "
       "(\"boundary\" \"d\") NIL NIL NIL)",
       "((\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 15 (NIL \"s\" NIL NIL NIL NIL NIL NIL NIL NIL) (\"text\" "
       "\"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 1 0) 2) \"digest\")"},
      // RFC 2231 values are decoded: 8-bit results are literals without UTF8=ACCEPT.
      {"Content-Type: application/octet-stream; name*=utf-8''%C3%A9.txt\n\n",
       "(\"application\" \"octet-stream\" (\"name\" {6}\r\n\xC3\xA9.txt) NIL NIL \"7bit\" 0 NIL NIL NIL NIL)",
       "(\"application\" \"octet-stream\" (\"name\" {6}\r\n\xC3\xA9.txt) NIL NIL \"7bit\" 0)"},
      // An invalid transfer encoding is 7bit.
      {"Content-Type: text/plain\nContent-Transfer-Encoding: ?bad\n\nx\n",
       "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 3 1 NIL NIL NIL NIL)",
       "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 3 1)"},
  };
  for (const auto& c : cases) {
    const Message m = parse_structure(c.message);
    EXPECT_EQ(imap_bodystructure(c.message, m), c.bodystructure) << c.message;
    EXPECT_EQ(imap_body(c.message, m), c.body) << c.message;
  }
}

TEST(Bodystructure, Utf8AcceptQuotesDecodedParameters) {
  const std::string msg = "Content-Type: application/octet-stream; name*=utf-8''%C3%A9.txt\n\n";
  const Message m = parse_structure(msg);
  EXPECT_EQ(imap_body(msg, m, BodystructureOptions{.charset = ImapCharset::utf8_accept}),
            "(\"application\" \"octet-stream\" (\"name\" \"\xC3\xA9.txt\") NIL NIL \"7bit\" 0)");
}

TEST(Bodystructure, MessageGlobal) {
  const std::string msg = "Content-Type: message/global\n\nSubject: g\n\nx\n";
  const Message m = parse_structure(msg);
  EXPECT_EQ(imap_body(msg, m), "(\"message\" \"global\" NIL NIL NIL \"7bit\" 17)");
  EXPECT_EQ(imap_body(msg, m, BodystructureOptions{.message_global_as_message = true}),
            "(\"message\" \"global\" NIL NIL NIL \"7bit\" 17 (NIL \"g\" NIL NIL NIL NIL NIL NIL NIL NIL) (\"text\" "
            "\"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 3 1) 3)");
}

TEST(Bodystructure, OpaqueContainersAtTheLimits) {
  const std::string msg =
      "Content-Type: multipart/mixed; boundary=1\n\n"
      "--1\nContent-Type: multipart/mixed; boundary=2\n\n"
      "--2\nContent-Type: message/rfc822\n\nSubject: deep\n\nbody\n";
  StructureLimits limits;
  limits.max_depth = 1;
  const Message m = parse_structure(msg, limits);
  EXPECT_EQ(imap_body(msg, m),
            "((\"application\" \"octet-stream\" (\"boundary\" \"2\") NIL NIL \"7bit\" 60) \"mixed\")");
}

TEST(Bodystructure, MismatchedMessageGivesTheEmptyBody) {
  const Message m = parse_structure("Subject: x\n\nbody\n");
  EXPECT_EQ(imap_body("other bytes", m), "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0)");
}

}  // namespace
}  // namespace atrium::mail::mime
