// Section specs and their content per RFC 3501 §6.4.5, and BINARY (RFC 3516).
#include "mail/mime/section.hpp"

#include <gtest/gtest.h>

namespace atrium::mail::mime {
namespace {

TEST(SectionSpec, Parses) {
  using T = SectionSpec::Text;
  struct Case {
    std::string in;
    bool ok;
    std::vector<std::uint32_t> part;
    T text;
    std::vector<std::string> fields;
  };
  const Case cases[] = {
      {"", true, {}, T::none, {}},
      {"1", true, {1}, T::none, {}},
      {"1.2.3", true, {1, 2, 3}, T::none, {}},
      {"HEADER", true, {}, T::header, {}},
      {"header", true, {}, T::header, {}},
      {"TEXT", true, {}, T::text, {}},
      {"2.MIME", true, {2}, T::mime, {}},
      {"4.1.HEADER", true, {4, 1}, T::header, {}},
      {"HEADER.FIELDS (From To)", true, {}, T::header_fields, {"From", "To"}},
      {"1.HEADER.FIELDS.NOT (Subject \"X-Spam\")", true, {1}, T::header_fields_not, {"Subject", "X-Spam"}},
      {"header.fields (date)", true, {}, T::header_fields, {"date"}},
      {"MIME", false, {}, T::none, {}},
      {"0", false, {}, T::none, {}},
      {"1.0", false, {}, T::none, {}},
      {"01", false, {}, T::none, {}},
      {"1.", false, {}, T::none, {}},
      {"1..2", false, {}, T::none, {}},
      {"1234567890", false, {}, T::none, {}},
      {"HEADER.FIELDS ()", false, {}, T::none, {}},
      {"HEADER.FIELDS", false, {}, T::none, {}},
      {"HEADER.FIELDS (From", false, {}, T::none, {}},
      {"BODY", false, {}, T::none, {}},
      {"1TEXT", false, {}, T::none, {}},
  };
  for (const auto& c : cases) {
    const auto s = parse_section_spec(c.in);
    ASSERT_EQ(s.has_value(), c.ok) << c.in;
    if (!s) continue;
    EXPECT_EQ(s->part, c.part) << c.in;
    EXPECT_EQ(s->text, c.text) << c.in;
    EXPECT_EQ(s->fields, c.fields) << c.in;
  }
}

// The RFC 3501 §6.4.5 example shape, smaller: a multipart with a text part, an encapsulated
// multipart message and an encapsulated single-part message.
const std::string sample =
    "From: top@x.example\r\n"
    "Subject: top\r\n"
    "Content-Type: multipart/mixed; boundary=\"o\"\r\n"
    "\r\n"
    "--o\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "part one\r\n"
    "--o\r\n"
    "Content-Type: message/rfc822\r\n"
    "\r\n"
    "Subject: inner\r\n"
    "X-Folded: a\r\n"
    " b\r\n"
    "Content-Type: multipart/alternative; boundary=\"i\"\r\n"
    "\r\n"
    "--i\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "inner plain\r\n"
    "--i\r\n"
    "Content-Type: text/html\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "PGI+aGk8L2I+\r\n"
    "--i--\r\n"
    "--o\r\n"
    "Content-Type: message/rfc822\r\n"
    "\r\n"
    "Subject: single\r\n"
    "\r\n"
    "single body\r\n"
    "--o--\r\n";

std::string fetch(const std::string& spec_text) {
  const Message m = parse_structure(sample);
  const auto spec = parse_section_spec(spec_text);
  EXPECT_TRUE(spec) << spec_text;
  if (!spec) return "<bad>";
  const SectionContent c = fetch_section(sample, m, *spec);
  if (!c.found) return "<none>";
  return std::string(section_bytes(sample, c));
}

TEST(Section, Table) {
  struct Case {
    std::string spec, content;
  };
  const Case cases[] = {
      {"", sample},
      {"HEADER", "From: top@x.example\r\nSubject: top\r\nContent-Type: multipart/mixed; boundary=\"o\"\r\n\r\n"},
      {"HEADER.FIELDS (subject)", "Subject: top\r\n\r\n"},
      {"HEADER.FIELDS (X-None)", "\r\n"},
      {"HEADER.FIELDS.NOT (Content-Type From)", "Subject: top\r\n\r\n"},
      {"1", "part one"},
      {"1.MIME", "Content-Type: text/plain\r\n\r\n"},
      {"1.HEADER", "<none>"},  // not a message/rfc822 part
      {"1.TEXT", "<none>"},
      {"2.MIME", "Content-Type: message/rfc822\r\n\r\n"},
      {"2.HEADER", "Subject: inner\r\nX-Folded: a\r\n b\r\nContent-Type: multipart/alternative; boundary=\"i\"\r\n\r\n"},
      {"2.HEADER.FIELDS (x-folded)", "X-Folded: a\r\n b\r\n\r\n"},
      {"2.TEXT", "--i\r\nContent-Type: text/plain\r\n\r\ninner plain\r\n--i\r\nContent-Type: text/html\r\n"
                 "Content-Transfer-Encoding: base64\r\n\r\nPGI+aGk8L2I+\r\n--i--\r\n"},  // "--o" follows at once
      {"2.1", "inner plain"},
      {"2.1.MIME", "Content-Type: text/plain\r\n\r\n"},
      {"2.2", "PGI+aGk8L2I+"},
      {"2.3", "<none>"},
      {"3.HEADER", "Subject: single\r\n\r\n"},
      {"3.1", "single body"},  // part 1 of a single-part encapsulated message: its body
      {"3.TEXT", "single body"},
      {"3.1.MIME", "Subject: single\r\n\r\n"},
      {"3.1.1", "<none>"},
      {"4", "<none>"},
      {"9.1.2", "<none>"},
  };
  for (const auto& c : cases) EXPECT_EQ(fetch(c.spec), c.content) << c.spec;
  // The whole encapsulated message is part 2's body.
  const std::string two = fetch("2");
  EXPECT_EQ(two.substr(0, 15), "Subject: inner\r");
  EXPECT_EQ(two.substr(two.size() - 7), "--i--\r\n");
}

TEST(Section, SinglePartMessage) {
  const std::string msg = "Subject: s\n\nbody\n";
  const Message m = parse_structure(msg);
  const auto get = [&](const std::string& spec) {
    const SectionContent c = fetch_section(msg, m, *parse_section_spec(spec));
    return c.found ? std::string(section_bytes(msg, c)) : std::string("<none>");
  };
  EXPECT_EQ(get("1"), "body\n");
  EXPECT_EQ(get("TEXT"), "body\n");
  EXPECT_EQ(get("1.MIME"), "Subject: s\n\n");
  EXPECT_EQ(get("2"), "<none>");
  EXPECT_EQ(get("HEADER.FIELDS (Subject)"), "Subject: s\n\r\n");
}

TEST(Section, HeaderFieldsWithoutLineEndOrEmptyLine) {
  const std::string msg = "Subject: only\nX-Last: no newline";
  const Message m = parse_structure(msg);
  const auto c = fetch_section(msg, m, *parse_section_spec("HEADER.FIELDS (x-last subject)"));
  EXPECT_EQ(section_bytes(msg, c), "Subject: only\nX-Last: no newline\r\n\r\n");
}

TEST(Binary, DecodesLeafParts) {
  const Message m = parse_structure(sample);
  BinaryContent b = fetch_binary(sample, m, {2, 2});
  EXPECT_EQ(b.status, BinaryStatus::ok);
  EXPECT_EQ(binary_bytes(sample, b), "<b>hi</b>");
  EXPECT_EQ(binary_size(sample, m, {2, 2}), 9u);
  b = fetch_binary(sample, m, {1});
  EXPECT_EQ(binary_bytes(sample, b), "part one");
  EXPECT_EQ(fetch_binary(sample, m, {7}).status, BinaryStatus::not_found);
  EXPECT_EQ(binary_size(sample, m, {7}), std::nullopt);
  EXPECT_EQ(binary_bytes(sample, fetch_binary(sample, m, {})), sample);
  // Composite parts are not decoded.
  EXPECT_EQ(binary_bytes(sample, fetch_binary(sample, m, {2})).substr(0, 8), "Subject:");

  const std::string qp = "Content-Type: text/plain\nContent-Transfer-Encoding: quoted-printable\n\ncaf=C3=A9=\n!\n";
  const Message mq = parse_structure(qp);
  EXPECT_EQ(binary_bytes(qp, fetch_binary(qp, mq, {1})), "caf\xC3\xA9!\n");

  const std::string uu = "Content-Type: text/plain\nContent-Transfer-Encoding: x-uuencode\n\nbegin 644 x\n";
  const Message mu = parse_structure(uu);
  EXPECT_EQ(fetch_binary(uu, mu, {1}).status, BinaryStatus::unknown_cte);
  EXPECT_EQ(binary_size(uu, mu, {1}), std::nullopt);
}

}  // namespace
}  // namespace atrium::mail::mime
