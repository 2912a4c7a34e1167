// The part tree: offsets, boundary handling in practice, defaults, limits and part paths.
#include "mail/mime/structure.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace atrium::mail::mime {
namespace {

// Checks the offset invariants every parse must keep.
void expect_well_formed(const Message& m, std::string_view msg) {
  ASSERT_FALSE(m.parts.empty());
  EXPECT_EQ(m.size, msg.size());
  for (std::size_t i = 0; i < m.parts.size(); ++i) {
    const Part& p = m.parts[i];
    EXPECT_LE(p.header_start, p.header_end);
    EXPECT_LE(p.header_end, p.body_start);
    EXPECT_LE(p.body_start, p.body_end);
    EXPECT_LE(p.body_end, msg.size());
    for (std::size_t c : p.children) {
      ASSERT_LT(c, m.parts.size());
      EXPECT_GT(c, i);
      EXPECT_EQ(m.parts[c].parent, i);
      EXPECT_GE(m.parts[c].header_start, p.body_start);
      EXPECT_LE(m.parts[c].body_end, p.body_end);
    }
    if (p.kind == PartKind::message) {
      EXPECT_EQ(p.children.size(), 1u);
    }
    if (p.kind == PartKind::leaf) {
      EXPECT_TRUE(p.children.empty());
    }
  }
}

struct Shape {
  std::size_t header_start, header_size, body_size, octets, lines;
};

void expect_shape(const Part& p, const Shape& s, const char* what) {
  EXPECT_EQ(p.header_start, s.header_start) << what;
  EXPECT_EQ(p.header_end - p.header_start, s.header_size) << what;
  EXPECT_EQ(p.body_end - p.body_start, s.body_size) << what;
  EXPECT_EQ(p.body_octets, s.octets) << what;
  EXPECT_EQ(p.body_lines, s.lines) << what;
}

TEST(Structure, SinglePartCrlf) {
  const std::string msg = "Subject: x\r\nMIME-Version: 1.0\r\nContent-Type: Text/HTML; Charset=UTF-8\r\n\r\n<p>hi</p>\r\n";
  const Message m = parse_structure(msg);
  expect_well_formed(m, msg);
  ASSERT_EQ(m.parts.size(), 1u);
  const Part& p = m.root();
  EXPECT_EQ(p.type, "text");
  EXPECT_EQ(p.subtype, "html");
  EXPECT_EQ(p.type_as_written, "Text");
  EXPECT_EQ(p.subtype_as_written, "HTML");
  EXPECT_EQ(p.body_in(msg), "<p>hi</p>\r\n");
  EXPECT_EQ(p.body_octets, 11u);
  EXPECT_EQ(p.body_lines, 1u);
  EXPECT_TRUE(p.message_root);
}

TEST(Structure, DefaultsWithoutContentType) {
  const std::string msg = "Subject: plain\n\nbody\n";
  const Message m = parse_structure(msg);
  EXPECT_EQ(m.root().type, "text");
  EXPECT_EQ(m.root().subtype, "plain");
  EXPECT_TRUE(m.root().type_as_written.empty());
  EXPECT_EQ(m.root().body_octets, 6u);  // bare LF counted as CRLF
}

TEST(Structure, ContentFieldsNeedMime) {
  // Neither MIME-Version nor Content-Type: every Content-* field is ignored.
  Message m = parse_structure("Content-Transfer-Encoding: base64\nContent-ID: <a@b>\n\nxx\n");
  EXPECT_FALSE(m.root().transfer_encoding);
  EXPECT_FALSE(m.root().content_id);
  m = parse_structure("MIME-Version: 1.0\nContent-Transfer-Encoding: base64\nContent-ID: <a@b>\n\nxx\n");
  EXPECT_EQ(m.root().transfer_encoding, "base64");
  EXPECT_EQ(m.root().content_id, "<a@b>");
  // An invalid Content-Type is treated as absent (RFC 2045 §5.2) but still makes the part MIME.
  m = parse_structure("Content-Type: garbage\nContent-Transfer-Encoding: 8bit\n\nxx\n");
  EXPECT_EQ(m.root().type, "text");
  EXPECT_EQ(m.root().subtype, "plain");
  EXPECT_EQ(m.root().transfer_encoding, "8bit");
}

TEST(Structure, MultipartOffsets) {
  const std::string msg =
      "Content-Type: multipart/mixed; boundary=\"xy\"\r\n"
      "\r\n"
      "preamble\r\n"
      "--xy\r\n"
      "Content-Type: text/plain\r\n"
      "\r\n"
      "one\r\n"
      "--xy\r\n"
      "\r\n"
      "two\r\n"
      "\r\n"
      "--xy--\r\n"
      "epilogue\r\n";
  const Message m = parse_structure(msg);
  expect_well_formed(m, msg);
  ASSERT_EQ(m.parts.size(), 3u);
  EXPECT_EQ(m.root().kind, PartKind::multipart);
  ASSERT_EQ(m.root().children.size(), 2u);
  const Part& a = m.parts[1];
  EXPECT_EQ(a.header_in(msg), "Content-Type: text/plain\r\n\r\n");
  EXPECT_EQ(a.body_in(msg), "one");  // the CRLF before "--xy" belongs to the boundary
  EXPECT_EQ(a.body_lines, 0u);
  const Part& b = m.parts[2];
  EXPECT_EQ(b.header_in(msg), "\r\n");
  EXPECT_EQ(b.body_in(msg), "two\r\n");
  EXPECT_EQ(b.body_lines, 1u);
  EXPECT_EQ(m.root().body_in(msg), msg.substr(m.root().body_start));
}

TEST(Structure, BoundaryHandlingInPractice) {
  // Trailing blanks and junk after the boundary, a missing final boundary.
  const std::string msg =
      "Content-Type: multipart/mixed; boundary=b\n\n"
      "--b \t\n\nfirst\n"
      "--bjunk\n\nsecond\n"
      "--b\n\nthird, never closed\n";
  const Message m = parse_structure(msg);
  expect_well_formed(m, msg);
  ASSERT_EQ(m.root().children.size(), 3u);
  EXPECT_EQ(m.parts[1].body_in(msg), "first");
  EXPECT_EQ(m.parts[2].body_in(msg), "second");
  EXPECT_EQ(m.parts[3].body_in(msg), "third, never closed\n");
}

TEST(Structure, SharedBoundaryPrefixes) {
  // Inner boundary longer than the outer one it starts with: the longest match wins.
  std::string msg =
      "Content-Type: multipart/mixed; boundary=\"a\"\n\n"
      "--a\nContent-Type: multipart/mixed; boundary=\"ab\"\n\n"
      "--ab\nContent-Type: text/plain\n\nbody\n";
  Message m = parse_structure(msg);
  expect_well_formed(m, msg);
  ASSERT_EQ(m.parts.size(), 3u);
  expect_shape(m.parts[0], {0, 45, 86, 93, 7}, "root");
  expect_shape(m.parts[1], {49, 46, 36, 40, 4}, "inner multipart");
  expect_shape(m.parts[2], {100, 26, 5, 6, 1}, "text");

  // The same boundary twice: the innermost one is meant.
  msg = "Content-Type: multipart/mixed; boundary=\"a\"\n\n"
        "--a\nContent-Type: multipart/mixed; boundary=\"a\"\n\n"
        "--a\nContent-Type: text/plain\n\nbody\n";
  m = parse_structure(msg);
  ASSERT_EQ(m.parts.size(), 3u);
  EXPECT_EQ(m.parts[2].depth, 2u);

  // An outer boundary ends the inner multipart.
  msg = "Content-Type: multipart/mixed; boundary=\"ab\"\n\n"
        "--ab\nContent-Type: multipart/mixed; boundary=\"a\"\n\n"
        "--a\nContent-Type: text/plain\n\nbody\n"
        "--ab\nContent-Type: text/html\n\nbody2\n";
  m = parse_structure(msg);
  expect_well_formed(m, msg);
  ASSERT_EQ(m.parts.size(), 4u);
  expect_shape(m.parts[1], {51, 45, 34, 37, 3}, "inner multipart");
  expect_shape(m.parts[2], {100, 26, 4, 4, 0}, "inner text");
  expect_shape(m.parts[3], {136, 25, 6, 7, 1}, "outer second");
}

TEST(Structure, HeadersCutByBoundaries) {
  const std::string msg =
      "Content-Type: multipart/mixed; boundary=\":foo\"\n\n"
      "--:foo\n"
      "--:foo\nContent-Type: text/plain\n"
      "--:foo\nContent-Type: text/html\n"
      "--:foo--\n";
  const Message m = parse_structure(msg);
  expect_well_formed(m, msg);
  ASSERT_EQ(m.parts.size(), 4u);
  expect_shape(m.parts[1], {55, 0, 0, 0, 0}, "empty");
  expect_shape(m.parts[2], {62, 24, 0, 0, 0}, "cut text");
  expect_shape(m.parts[3], {94, 23, 0, 0, 0}, "cut html");
  EXPECT_EQ(m.parts[3].subtype, "html");
}

TEST(Structure, EmptyLineBeforeAnEnclosingBoundaryBelongsToIt) {
  // As with Dovecot: a part whose body would start right at an enclosing boundary has no body,
  // and the empty line's line end goes with the boundary.
  const std::string msg =
      "Content-Type: multipart/mixed; boundary=\"ab\"\n\n"
      "--ab\nContent-Type: multipart/mixed; boundary=\"a\"\n\n"
      "--ab\nContent-Type: text/plain\n\n--a\n\n";
  const Message m = parse_structure(msg);
  expect_well_formed(m, msg);
  ASSERT_EQ(m.parts.size(), 3u);
  expect_shape(m.parts[1], {51, 44, 0, 0, 0}, "inner multipart");
  EXPECT_TRUE(m.parts[1].children.empty());
  expect_shape(m.parts[2], {101, 26, 5, 7, 2}, "text");
}

TEST(Structure, LineEndOfABoundaryLineIsNotTakenTwice) {
  // The inner multipart's last part is empty: the enclosing boundary is its first line. The line
  // end before that boundary already ended "--i", so it stays in the inner multipart.
  const std::string msg =
      "Content-Type: multipart/mixed; boundary=o\n\n"
      "--o\nContent-Type: multipart/mixed; boundary=i\n\n"
      "--i\n"
      "--i--\n"
      "--o--\n";
  const Message m = parse_structure(msg);
  expect_well_formed(m, msg);
  ASSERT_EQ(m.parts.size(), 3u);
  EXPECT_EQ(m.parts[1].body_in(msg), "--i\n--i--\n");
  EXPECT_EQ(m.parts[2].header_start, m.parts[2].body_end);
  EXPECT_EQ(m.parts[2].header_start, msg.find("--i--"));
}

TEST(Structure, MultipartWithoutBoundaryIsText) {
  const std::string msg = "Content-Type: multipart/mixed\n\n--x\n\nbody\n--x--\n";
  const Message m = parse_structure(msg);
  ASSERT_EQ(m.parts.size(), 1u);
  EXPECT_EQ(m.root().kind, PartKind::leaf);
  EXPECT_EQ(m.root().type, "text");
  EXPECT_EQ(m.root().subtype, "plain");
  EXPECT_TRUE(m.root().params.empty());
  EXPECT_EQ(m.root().body_in(msg), "--x\n\nbody\n--x--\n");
}

TEST(Structure, MultipartWithoutParts) {
  const std::string msg = "Content-Type: multipart/mixed; boundary=\"ab\"\n\nbody\n";
  const Message m = parse_structure(msg);
  EXPECT_EQ(m.root().kind, PartKind::multipart);
  EXPECT_TRUE(m.root().children.empty());
  EXPECT_EQ(m.root().body_octets, 6u);
  EXPECT_EQ(m.root().body_lines, 1u);
}

TEST(Structure, EncapsulatedMessages) {
  const std::string inner = "From: a@b.example\r\nSubject: inner\r\n\r\ninner body\r\n";
  const std::string msg =
      "Content-Type: multipart/mixed; boundary=\"o\"\r\n\r\n"
      "--o\r\nContent-Type: message/rfc822\r\n\r\n" + inner + "\r\n--o--\r\n";
  const Message m = parse_structure(msg);
  expect_well_formed(m, msg);
  ASSERT_EQ(m.parts.size(), 3u);
  const Part& rfc822 = m.parts[1];
  EXPECT_EQ(rfc822.kind, PartKind::message);
  EXPECT_EQ(rfc822.body_in(msg), inner);
  EXPECT_EQ(rfc822.body_lines, 4u);
  const Part& enc = m.parts[2];
  EXPECT_TRUE(enc.message_root);
  EXPECT_EQ(enc.header_in(msg), "From: a@b.example\r\nSubject: inner\r\n\r\n");
  EXPECT_EQ(enc.body_in(msg), "inner body\r\n");

  // message/global opens too; a message/rfc822 part cut before its body holds an empty message.
  Message g = parse_structure("Content-Type: message/global\n\nSubject: g\n\nbody\n");
  EXPECT_EQ(g.root().kind, PartKind::message);
  Message cut = parse_structure("Content-Type: multipart/mixed; boundary=q\n\n--q\nContent-Type: message/rfc822\n--q--\n");
  ASSERT_EQ(cut.parts.size(), 3u);
  EXPECT_EQ(cut.parts[2].header_end, cut.parts[2].header_start);
}

TEST(Structure, DigestDefaultsToMessages) {
  const std::string msg =
      "Content-Type: multipart/digest; boundary=d\n\n"
      "--d\n\nSubject: one\n\nfirst\n"
      "--d\nContent-Type: text/plain\n\nnot a message\n"
      "--d--\n";
  const Message m = parse_structure(msg);
  expect_well_formed(m, msg);
  ASSERT_EQ(m.root().children.size(), 2u);
  EXPECT_EQ(m.parts[1].kind, PartKind::message);
  EXPECT_EQ(m.parts[1].type, "message");
  EXPECT_EQ(m.parts[1].subtype, "rfc822");
  EXPECT_EQ(m.parts[m.root().children[1]].kind, PartKind::leaf);
}

TEST(Structure, DepthLimitMakesOpaqueLeaves) {
  std::string msg = "Content-Type: multipart/mixed; boundary=\"l0\"\n\n";
  for (int i = 1; i < 30; ++i) {
    msg += "--l" + std::to_string(i - 1) + "\nContent-Type: multipart/mixed; boundary=\"l" + std::to_string(i) + "\"\n\n";
  }
  msg += "--l29\n\ntext\n";
  StructureLimits limits;
  limits.max_depth = 5;
  const Message m = parse_structure(msg, limits);
  expect_well_formed(m, msg);
  EXPECT_TRUE(m.truncated);
  std::size_t deepest = 0;
  for (const Part& p : m.parts) deepest = std::max(deepest, p.depth);
  EXPECT_EQ(deepest, 5u);
  EXPECT_TRUE(m.parts.back().opaque);
  EXPECT_EQ(m.parts.back().kind, PartKind::leaf);
}

TEST(Structure, PartLimitStopsSplitting) {
  std::string msg = "Content-Type: multipart/mixed; boundary=p\n\n";
  for (int i = 0; i < 100; ++i) msg += "--p\n\npart " + std::to_string(i) + "\n";
  StructureLimits limits;
  limits.max_parts = 10;
  const Message m = parse_structure(msg, limits);
  expect_well_formed(m, msg);
  EXPECT_EQ(m.parts.size(), 10u);
  // The last part holds the rest of the message.
  EXPECT_EQ(m.parts.back().body_end, msg.size());
}

TEST(Structure, HeaderBudget) {
  std::string msg = "Content-Type: multipart/mixed; boundary=p\n\n";
  for (int i = 0; i < 50; ++i) msg += "--p\nContent-Type: text/html\n\nx\n";
  StructureLimits limits;
  limits.max_total_header_bytes = 200;
  const Message m = parse_structure(msg, limits);
  EXPECT_TRUE(m.truncated);
  EXPECT_EQ(m.parts.back().subtype, "plain");  // no header budget left: defaults
  EXPECT_EQ(m.parts[1].subtype, "html");
}

TEST(Structure, FindPart) {
  const std::string msg =
      "Content-Type: multipart/mixed; boundary=o\n\n"
      "--o\n\ntext\n"
      "--o\nContent-Type: message/rfc822\n\n"
      "Content-Type: multipart/alternative; boundary=i\n\n"
      "--i\n\nplain\n--i\nContent-Type: text/html\n\nhtml\n--i--\n"
      "--o\nContent-Type: message/rfc822\n\nSubject: single\n\nsingle body\n"
      "--o--\n";
  const Message m = parse_structure(msg);
  expect_well_formed(m, msg);
  struct Case {
    std::vector<std::uint32_t> path;
    std::string body;  // of the part found; "-" when none
  };
  const Case cases[] = {
      {{}, "*"},
      {{1}, "text"},
      {{2}, "*rfc822"},
      {{2, 1}, "plain"},
      {{2, 2}, "html"},
      {{2, 3}, "-"},
      {{3}, "*rfc822"},
      {{3, 1}, "single body"},  // the line end before "--o--" is the boundary's
      {{3, 1, 1}, "-"},
      {{1, 1}, "text"},  // "1" below a leaf names the leaf itself
      {{1, 2}, "-"},
      {{4}, "-"},
      {{0}, "-"},
  };
  for (const auto& c : cases) {
    const auto found = find_part(m, c.path);
    std::string got = "-";
    if (found) {
      const Part& p = m.parts[*found];
      got = *found == 0 ? "*" : p.kind == PartKind::message ? "*rfc822" : std::string(p.body_in(msg));
    }
    EXPECT_EQ(got, c.body) << ::testing::PrintToString(c.path);
  }
  // Part 1 of a single-part message is the message itself.
  const Message single = parse_structure("Subject: s\n\nbody\n");
  EXPECT_EQ(find_part(single, {1}), 0u);
  EXPECT_EQ(find_part(single, {2}), std::nullopt);
}

TEST(Structure, EdgeInputs) {
  for (std::string msg : {std::string(), std::string("\n"), std::string("\r\n\r\n"), std::string("no colon line"),
                          std::string("Subject: x"), std::string("--b\n--b--\n"), std::string(10000, '\n')}) {
    const Message m = parse_structure(msg);
    expect_well_formed(m, msg);
  }
  const Message header_only = parse_structure("Subject: x\nFrom: y");
  EXPECT_EQ(header_only.root().header_end, 18u);
  EXPECT_EQ(header_only.root().body_start, 18u);
  EXPECT_EQ(header_only.root().body_octets, 0u);
}

TEST(Structure, RandomMessagesKeepInvariants) {
  std::mt19937 rng(11);
  const std::string pieces[] = {"--a\n", "--a--\n", "--b\r\n", "\n", "\r\n", "Content-Type: multipart/mixed; boundary=a\n",
                                "Content-Type: multipart/digest; boundary=b\n", "Content-Type: message/rfc822\n",
                                "text line\n", "Subject: x\n", "--a", "-", "\r"};
  for (int round = 0; round < 500; ++round) {
    std::string msg;
    const int n = static_cast<int>(rng() % 40);
    for (int i = 0; i < n; ++i) msg += pieces[rng() % std::size(pieces)];
    const Message m = parse_structure(msg);
    expect_well_formed(m, msg);
  }
}

}  // namespace
}  // namespace atrium::mail::mime
