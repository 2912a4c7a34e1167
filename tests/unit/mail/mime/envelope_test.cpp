// ENVELOPE: field order, defaults, raw (undecoded) values, addresses and groups, quoting and
// literals, UTF8=ACCEPT.
#include "mail/mime/envelope.hpp"

#include "mail/mime/imap_string.hpp"

#include <gtest/gtest.h>

namespace atrium::mail::mime {
namespace {

std::string envelope_of(const std::string& msg, ImapCharset cs = ImapCharset::ascii) {
  const Message m = parse_structure(msg);
  return imap_envelope(msg, m, 0, EnvelopeOptions{.charset = cs});
}

TEST(ImapString, QuotesOrLiterals) {
  struct Case {
    std::string in;
    ImapCharset cs;
    std::string out;
  };
  const Case cases[] = {
      {"", ImapCharset::ascii, "\"\""},
      {"plain", ImapCharset::ascii, "\"plain\""},
      {"say \"hi\" \\o/", ImapCharset::ascii, "\"say \\\"hi\\\" \\\\o/\""},
      {"two\r\nlines", ImapCharset::ascii, "{10}\r\ntwo\r\nlines"},
      {"caf\xC3\xA9", ImapCharset::ascii, "{5}\r\ncaf\xC3\xA9"},
      {"caf\xC3\xA9", ImapCharset::utf8_accept, "\"caf\xC3\xA9\""},
      {"caf\xE9", ImapCharset::utf8_accept, "{4}\r\ncaf\xE9"},
      {std::string("a\0b", 3), ImapCharset::ascii, "{5}\r\na\xEF\xBF\xBD" "b"},
      {std::string("a\0b", 3), ImapCharset::utf8_accept, "\"a\xEF\xBF\xBD" "b\""},
  };
  for (const auto& c : cases) {
    std::string out;
    append_imap_string(out, c.in, c.cs);
    EXPECT_EQ(out, c.out) << c.in;
  }
  std::string out;
  append_imap_nstring(out, std::nullopt, ImapCharset::ascii);
  EXPECT_EQ(out, "NIL");
}

TEST(Envelope, Table) {
  struct Case {
    std::string message, envelope;
  };
  const Case cases[] = {
      {"", "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)"},
      {"Message-ID: <m@id>\nIn-Reply-To: <r@id>\nDate: Thu, 1 Feb 2024 10:00:00 +0000\nSubject: hello there\n"
       "From: Ann <ann@a.example>\nTo: Bea <bea@b.example>\nCc: cid@c.example\nBcc: Dee <dee@d.example>\n"
       "Sender: Sam <sam@s.example>\nReply-To: Rob <rob@r.example>\n\nbody\n",
       "(\"Thu, 1 Feb 2024 10:00:00 +0000\" \"hello there\" ((\"Ann\" NIL \"ann\" \"a.example\")) "
       "((\"Sam\" NIL \"sam\" \"s.example\")) ((\"Rob\" NIL \"rob\" \"r.example\")) ((\"Bea\" NIL \"bea\" \"b.example\")) "
       "((NIL NIL \"cid\" \"c.example\")) ((\"Dee\" NIL \"dee\" \"d.example\")) \"<r@id>\" \"<m@id>\")"},
      // Sender and Reply-To default to From, also when present but empty.
      {"From: f@x.example\nSender: \nReply-To:\n\n",
       "(NIL NIL ((NIL NIL \"f\" \"x.example\")) ((NIL NIL \"f\" \"x.example\")) ((NIL NIL \"f\" \"x.example\")) "
       "NIL NIL NIL NIL NIL)"},
      // Values are raw: no RFC 2047 decoding; folding is undone, subject blanks collapsed.
      {"Subject: =?utf-8?q?caf=C3=A9?=\n  and\tmore  \nFrom: =?utf-8?q?J=C3=BCrgen?= <j@x.example>\n\n",
       "(NIL \"=?utf-8?q?caf=C3=A9?= and more\" ((\"=?utf-8?q?J=C3=BCrgen?=\" NIL \"j\" \"x.example\")) "
       "((\"=?utf-8?q?J=C3=BCrgen?=\" NIL \"j\" \"x.example\")) ((\"=?utf-8?q?J=C3=BCrgen?=\" NIL \"j\" \"x.example\")) "
       "NIL NIL NIL NIL NIL)"},
      // Groups, routes, comments as names, fill-ins for what is missing.
      {"To: group: g1@d1.example, g2@d2.example;, empty:;\nCc: <@r.example:u@d.example>, user, just words\n\n",
       "(NIL NIL NIL NIL NIL ((NIL NIL \"group\" NIL)(NIL NIL \"g1\" \"d1.example\")(NIL NIL \"g2\" \"d2.example\")"
       "(NIL NIL NIL NIL)(NIL NIL \"empty\" NIL)(NIL NIL NIL NIL)) ((NIL \"@r.example\" \"u\" \"d.example\")"
       "(NIL NIL \"user\" \"MISSING_DOMAIN\")(\"just words\" NIL \"MISSING_MAILBOX\" \"MISSING_DOMAIN\")) NIL NIL NIL)"},
      // Repeated address fields are joined; a repeated Subject: the last counts.
      {"To: a@x.example\nTo: b@x.example\nSubject: first\nSubject: second\n\n",
       "(NIL \"second\" NIL NIL NIL ((NIL NIL \"a\" \"x.example\")(NIL NIL \"b\" \"x.example\")) NIL NIL NIL NIL)"},
      // Quotes are escaped; 8-bit text becomes a literal.
      {"Subject: say \"hi\"\nFrom: \"Z\xC3\xB6\xC3\xAB\" <z@x.example>\n\n",
       "(NIL \"say \\\"hi\\\"\" (({5}\r\nZ\xC3\xB6\xC3\xAB NIL \"z\" \"x.example\")) (({5}\r\nZ\xC3\xB6\xC3\xAB NIL \"z\" "
       "\"x.example\")) (({5}\r\nZ\xC3\xB6\xC3\xAB NIL \"z\" \"x.example\")) NIL NIL NIL NIL NIL)"},
      // Empty fields are empty strings, absent ones NIL.
      {"Subject:\nDate: \n\n", "(\"\" \"\" NIL NIL NIL NIL NIL NIL NIL NIL)"},
  };
  for (const auto& c : cases) EXPECT_EQ(envelope_of(c.message), c.envelope) << c.message;
}

TEST(Envelope, Utf8AcceptQuotesUtf8) {
  const std::string msg = "Subject: Gr\xC3\xBC\xC3\x9F" "e\nFrom: J\xC3\xB6rg <j@x.example>\n\n";
  EXPECT_EQ(envelope_of(msg, ImapCharset::utf8_accept),
            "(NIL \"Gr\xC3\xBC\xC3\x9F" "e\" ((\"J\xC3\xB6rg\" NIL \"j\" \"x.example\")) ((\"J\xC3\xB6rg\" NIL \"j\" "
            "\"x.example\")) ((\"J\xC3\xB6rg\" NIL \"j\" \"x.example\")) NIL NIL NIL NIL NIL)");
  EXPECT_EQ(envelope_of("Subject: caf\xE9\n\n", ImapCharset::utf8_accept),
            "(NIL {4}\r\ncaf\xE9 NIL NIL NIL NIL NIL NIL NIL NIL)");
}

TEST(Envelope, OfEncapsulatedMessage) {
  const std::string msg =
      "Subject: outer\nContent-Type: message/rfc822\n\nSubject: inner\nFrom: i@x.example\n\nbody\n";
  const Message m = parse_structure(msg);
  ASSERT_EQ(m.parts.size(), 2u);
  EXPECT_EQ(imap_envelope(msg, m, 1),
            "(NIL \"inner\" ((NIL NIL \"i\" \"x.example\")) ((NIL NIL \"i\" \"x.example\")) "
            "((NIL NIL \"i\" \"x.example\")) NIL NIL NIL NIL NIL)");
  EXPECT_EQ(imap_envelope(msg, m, 7), "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
}

}  // namespace
}  // namespace atrium::mail::mime
