// Canonicalization known answers (RFC 6376 section 3.4.5) and message splitting.
#include "mail/auth/dkim/canon.hpp"

#include <gtest/gtest.h>

namespace atrium::mail::auth::dkim {
namespace {

// RFC 6376 section 3.4.5, with <SP>, <HTAB> and <CRLF> written out.
constexpr std::string_view rfc_example =
    "A: X\r\n"
    "B : Y\t\r\n"
    "\tZ  \r\n"
    "\r\n"
    " C \r\n"
    "D \t E\r\n"
    "\r\n"
    "\r\n";

std::string all_headers(const SplitMessage& m, Canon canon) {
  std::string out;
  for (const auto& f : m.fields()) out += canonicalize_header(f, canon);
  return out;
}

TEST(Canon, Rfc6376ExampleRelaxed) {
  const SplitMessage m(rfc_example);
  EXPECT_EQ(all_headers(m, Canon::relaxed), "a:X\r\nb:Y Z\r\n");
  EXPECT_EQ(canonicalize_body(m.body(), Canon::relaxed), " C\r\nD E\r\n");
}

TEST(Canon, Rfc6376ExampleSimple) {
  const SplitMessage m(rfc_example);
  EXPECT_EQ(all_headers(m, Canon::simple), "A: X\r\nB : Y\t\r\n\tZ  \r\n");
  EXPECT_EQ(canonicalize_body(m.body(), Canon::simple), " C \r\nD \t E\r\n");
}

TEST(Canon, SplitsFieldsAndBody) {
  const SplitMessage m("From: a\r\nSubject: x\r\n y\r\nX-Empty:\r\n\r\nbody\r\n");
  ASSERT_EQ(m.fields().size(), 3u);
  EXPECT_EQ(m.fields()[0].name, "From");
  EXPECT_EQ(m.fields()[1].raw, "Subject: x\r\n y");
  EXPECT_EQ(m.fields()[2].name, "X-Empty");
  EXPECT_EQ(m.body(), "body\r\n");
}

TEST(Canon, BareLfIsReadAsCrlf) {
  const SplitMessage m("From: a\nSubject: x\n y\n\nbody\n");
  ASSERT_EQ(m.fields().size(), 2u);
  EXPECT_EQ(m.fields()[1].raw, "Subject: x\r\n y");
  EXPECT_EQ(m.body(), "body\r\n");
  EXPECT_EQ(normalize_line_ends("a\r\nb\nc\rd"), "a\r\nb\r\nc\rd");
  EXPECT_EQ(normalize_line_ends("\n\n\r\n\nx\n"), "\r\n\r\n\r\n\r\nx\r\n");
  EXPECT_EQ(normalize_line_ends(""), "");
  EXPECT_EQ(normalize_line_ends("no line end"), "no line end");
}

TEST(Canon, CrlfMessageIsViewedNotCopied) {
  const std::string text = "From: a\r\nSubject: x\r\n\r\nbody\r\n";
  const SplitMessage m(text);
  EXPECT_EQ(m.text().data(), text.data());
  EXPECT_EQ(m.body(), "body\r\n");
  // A single bare LF anywhere makes it a normalised copy.
  const std::string mixed = "From: a\r\nSubject: x\r\n\r\nbody\nend\r\n";
  const SplitMessage n(mixed);
  EXPECT_NE(n.text().data(), mixed.data());
  EXPECT_EQ(n.body(), "body\r\nend\r\n");
}

TEST(Canon, HeaderWithoutBodyOrTerminator) {
  const SplitMessage m("From: a\r\nTo: b");
  ASSERT_EQ(m.fields().size(), 2u);
  EXPECT_EQ(m.fields()[1].raw, "To: b");
  EXPECT_EQ(m.body(), "");
}

TEST(Canon, LineWithoutColonIsANamelessField) {
  const SplitMessage m("garbage line\r\nFrom: a\r\n\r\n");
  ASSERT_EQ(m.fields().size(), 2u);
  EXPECT_EQ(m.fields()[0].name, "");
  EXPECT_EQ(canonicalize_header(m.fields()[0], Canon::relaxed), "garbage line\r\n");
}

TEST(Canon, EmptyBodies) {
  // RFC 6376 section 3.4.3: an empty body is CRLF in simple; section 3.4.4: empty in relaxed.
  EXPECT_EQ(canonicalize_body("", Canon::simple), "\r\n");
  EXPECT_EQ(canonicalize_body("", Canon::relaxed), "");
  EXPECT_EQ(canonicalize_body("\r\n\r\n", Canon::simple), "\r\n");
  EXPECT_EQ(canonicalize_body("\r\n", Canon::relaxed), "");
  EXPECT_EQ(canonicalize_body("  \r\n\t\r\n", Canon::relaxed), "");
}

TEST(Canon, BodyLines) {
  EXPECT_EQ(canonicalize_body("a", Canon::simple), "a\r\n");  // missing final CRLF added
  EXPECT_EQ(canonicalize_body("a", Canon::relaxed), "a\r\n");
  EXPECT_EQ(canonicalize_body("a\r\n\r\nb \r\n\r\n", Canon::simple), "a\r\n\r\nb \r\n");
  EXPECT_EQ(canonicalize_body("a\r\n \r\nb \r\n", Canon::relaxed), "a\r\n\r\nb\r\n");
  EXPECT_EQ(canonicalize_body("  lead\t\ttab  \r\n", Canon::relaxed), " lead tab\r\n");
}

TEST(Canon, RelaxedHeaderDetails) {
  EXPECT_EQ(canonicalize_header(make_header_field("SUBJECT:   a  \t b   "), Canon::relaxed), "subject:a b\r\n");
  EXPECT_EQ(canonicalize_header(make_header_field("X-A \t:\r\n  v"), Canon::relaxed), "x-a:v\r\n");
  EXPECT_EQ(canonicalize_header(make_header_field("X-B:"), Canon::relaxed), "x-b:\r\n");
  EXPECT_TRUE(same_field_name("DKIM-Signature", "dkim-SIGNATURE"));
  EXPECT_FALSE(same_field_name("From", "From2"));
}

}  // namespace
}  // namespace atrium::mail::auth::dkim
