// DSN composition: golden reports (golden/*.eml), their MIME structure as mail/mime reads it, the
// delivery-status fields, hostile inputs, and the RFC 3461 rules of should_send_dsn.
// Set ATRIUM_UPDATE_GOLDEN=1 to rewrite the golden files, then review the diff against RFC 3464.
#include "mail/queue/dsn/dsn.hpp"

#include "mail/mime/header.hpp"
#include "mail/mime/structure.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace atrium::mail::queue {
namespace {

using namespace std::literals;
namespace fs = std::filesystem;
namespace mime = atrium::mail::mime;

const fs::path golden_dir{ATRIUM_DSN_GOLDEN_DIR};

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool update_golden() {
  const char* v = std::getenv("ATRIUM_UPDATE_GOLDEN");
  return v != nullptr && std::string_view(v) == "1";
}

void expect_golden(const std::string& name, const std::string& actual) {
  const fs::path path = golden_dir / (name + ".eml");
  if (update_golden()) {
    std::ofstream(path, std::ios::binary) << actual;
    return;
  }
  ASSERT_TRUE(fs::exists(path)) << path << " missing; run with ATRIUM_UPDATE_GOLDEN=1 and review it";
  EXPECT_EQ(actual, read_file(path)) << name << " no longer matches its golden file";
}

// Every line ends in CRLF and is at most 998 octets without it; no NUL.
void expect_wellformed_lines(std::string_view m) {
  ASSERT_FALSE(m.empty());
  EXPECT_TRUE(m.ends_with("\r\n"));
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < m.size(); ++i) {
    ASSERT_NE(m[i], '\0') << "NUL at " << i;
    if (m[i] == '\r') {
      ASSERT_TRUE(i + 1 < m.size() && m[i + 1] == '\n') << "bare CR at " << i;
    } else if (m[i] == '\n') {
      ASSERT_TRUE(i > 0 && m[i - 1] == '\r') << "bare LF at " << i;
      EXPECT_LE(i - 1 - line_start, 998u) << "long line at " << line_start;
      line_start = i + 1;
    }
  }
}

std::string param(const mime::Part& p, std::string_view name) {
  for (const auto& prm : p.params) {
    if (prm.name == name) return prm.value;
  }
  return {};
}

struct Shape {
  std::string report_type;
  std::vector<std::string> types;  // the report's parts, "type/subtype"
};

// The report as mail/mime sees it; asserts it is a multipart/report at the top.
Shape shape(std::string_view report) {
  const mime::Message m = mime::parse_structure(report);
  Shape s;
  EXPECT_FALSE(m.truncated);
  const mime::Part& root = m.root();
  EXPECT_EQ(root.type + "/" + root.subtype, "multipart/report");
  s.report_type = param(root, "report-type");
  for (std::size_t c : root.children) s.types.push_back(m.parts[c].type + "/" + m.parts[c].subtype);
  return s;
}

// The body of the report's part `index` (0-based).
std::string part_body(std::string_view report, std::size_t index) {
  const mime::Message m = mime::parse_structure(report);
  if (index >= m.root().children.size()) return {};
  return std::string(m.parts[m.root().children[index]].body_in(report));
}

// The delivery-status body split into its field blocks (per-message, then per-recipient).
std::vector<mime::HeaderBlock> status_blocks(std::string_view body) {
  std::vector<mime::HeaderBlock> blocks;
  while (!body.empty()) {
    mime::HeaderBlock b = mime::read_headers(body);
    blocks.push_back(b);
    if (b.body_offset == 0 || b.body_offset >= body.size()) break;
    body.remove_prefix(b.body_offset);
  }
  return blocks;
}

std::string field(const mime::HeaderBlock& b, std::string_view name) {
  auto v = mime::first_value(b, name);
  return v ? std::string(*v) : std::string("<absent>");
}

constexpr std::int64_t arrived = 1'699'990'000;  // Tue, 14 Nov 2023 19:26:40 +0000
constexpr std::int64_t now = 1'700'000'000;      // Tue, 14 Nov 2023 22:13:20 +0000

constexpr std::string_view lunch =
    "Return-Path: <alice@example.org>\r\n"
    "Received: from [192.0.2.7] (client.example.org [192.0.2.7])\r\n"
    "\tby mail.example.org with ESMTPSA id 4711; Tue, 14 Nov 2023 19:26:40 +0000\r\n"
    "From: Alice <alice@example.org>\r\n"
    "To: Bob <bob@example.com>, Carol <carol@example.net>\r\n"
    "Subject: Lunch on Friday?\r\n"
    "Date: Tue, 14 Nov 2023 19:26:39 +0000\r\n"
    "Message-ID: <lunch-1@example.org>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=us-ascii\r\n"
    "\r\n"
    "Hi Bob, hi Carol,\r\n"
    "\r\n"
    "are you free for lunch on Friday?\r\n"
    "\r\n"
    "Alice\r\n";

RecipientReport bob_rejected() {
  RecipientReport r;
  r.address = "bob@example.com";
  r.orcpt = "rfc822;bob@example.com";
  r.action = DsnAction::failed;
  r.status = "5.1.1";
  r.remote_mta = "mx1.example.com";
  r.diagnostic =
      "550-5.1.1 The email account that you tried to reach does not exist. Please try\r\n"
      "550-5.1.1 double-checking the recipient's email address for typos or\r\n"
      "550 5.1.1 unnecessary spaces. For more information, go to the help pages.";
  r.last_attempt = now - 5;
  return r;
}

RecipientReport carol_no_domain() {
  RecipientReport r;
  r.address = "carol@example.net";
  r.action = DsnAction::failed;
  r.status = std::string(local_failure_status(LocalFailure::domain_not_found));
  r.explanation = "Host or domain name not found: example.net does not exist (NXDOMAIN)";
  r.last_attempt = now - 3;
  return r;
}

DsnInput failure_input() {
  DsnInput in;
  in.reporting_host = "mail.example.org";
  in.reverse_path = "alice@example.org";
  in.envid = "QQ314159";
  in.ret = DsnReturn::full;
  in.arrival = arrived;
  in.original = lunch;
  in.kind = DsnKind::failure;
  in.recipients = {bob_rejected(), carol_no_domain()};
  in.now = now;
  in.message_id = "20231114221320.dsn.4711";
  return in;
}

// ---- Golden reports ----

TEST(ComposeDsn, FailureWithFullMessage) {
  const std::string report = compose_dsn(failure_input());
  expect_wellformed_lines(report);
  expect_golden("failure_full", report);

  const Shape s = shape(report);
  EXPECT_EQ(s.report_type, "delivery-status");
  EXPECT_EQ(s.types, (std::vector<std::string>{"text/plain", "message/delivery-status", "message/rfc822"}));
  // The returned message is the original, line for line.
  EXPECT_EQ(part_body(report, 2), std::string(lunch));

  const auto blocks = status_blocks(part_body(report, 1));
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(field(blocks[0], "Reporting-MTA"), "dns; mail.example.org");
  EXPECT_EQ(field(blocks[0], "Original-Envelope-Id"), "QQ314159");
  EXPECT_EQ(field(blocks[0], "Arrival-Date"), "Tue, 14 Nov 2023 19:26:40 +0000");
  EXPECT_EQ(field(blocks[1], "Original-Recipient"), "rfc822; bob@example.com");
  EXPECT_EQ(field(blocks[1], "Final-Recipient"), "rfc822; bob@example.com");
  EXPECT_EQ(field(blocks[1], "Action"), "failed");
  EXPECT_EQ(field(blocks[1], "Status"), "5.1.1");
  EXPECT_EQ(field(blocks[1], "Remote-MTA"), "dns; mx1.example.com");
  EXPECT_EQ(field(blocks[1], "Diagnostic-Code"),
            "smtp; 550-5.1.1 The email account that you tried to reach does not exist. Please try "
            "550-5.1.1 double-checking the recipient's email address for typos or "
            "550 5.1.1 unnecessary spaces. For more information, go to the help pages.");
  EXPECT_EQ(field(blocks[1], "Last-Attempt-Date"), "Tue, 14 Nov 2023 22:13:15 +0000");
  EXPECT_EQ(field(blocks[1], "Will-Retry-Until"), "<absent>");
  EXPECT_EQ(field(blocks[2], "Original-Recipient"), "<absent>");
  EXPECT_EQ(field(blocks[2], "Final-Recipient"), "rfc822; carol@example.net");
  EXPECT_EQ(field(blocks[2], "Status"), "5.1.2");
  EXPECT_EQ(field(blocks[2], "Remote-MTA"), "<absent>");
  EXPECT_EQ(field(blocks[2], "Diagnostic-Code"),
            "X-Atrium; Host or domain name not found: example.net does not exist (NXDOMAIN)");

  const mime::HeaderBlock top = mime::read_headers(report);
  EXPECT_EQ(field(top, "From"), "Mail Delivery System <MAILER-DAEMON@mail.example.org>");
  EXPECT_EQ(field(top, "To"), "<alice@example.org>");
  EXPECT_EQ(field(top, "Subject"), "Undelivered Mail Returned to Sender");
  EXPECT_EQ(field(top, "Date"), "Tue, 14 Nov 2023 22:13:20 +0000");
  EXPECT_EQ(field(top, "Message-ID"), "<20231114221320.dsn.4711@mail.example.org>");
  EXPECT_EQ(field(top, "Auto-Submitted"), "auto-replied");
  EXPECT_EQ(field(top, "Content-Transfer-Encoding"), "<absent>");
}

TEST(ComposeDsn, FailureWithHeadersOnly) {
  DsnInput in = failure_input();
  in.ret = DsnReturn::headers;
  in.envid.reset();
  in.recipients = {bob_rejected()};
  const std::string report = compose_dsn(in);
  expect_wellformed_lines(report);
  expect_golden("failure_headers", report);

  const Shape s = shape(report);
  EXPECT_EQ(s.types, (std::vector<std::string>{"text/plain", "message/delivery-status", "text/rfc822-headers"}));
  const std::string headers = part_body(report, 2);
  EXPECT_TRUE(headers.starts_with("Return-Path: <alice@example.org>\r\n"));
  EXPECT_TRUE(headers.ends_with("Content-Type: text/plain; charset=us-ascii\r\n"));
  EXPECT_EQ(headers.find("lunch on Friday"), std::string::npos);
  EXPECT_EQ(field(status_blocks(part_body(report, 1))[0], "Original-Envelope-Id"), "<absent>");
}

TEST(ComposeDsn, DelayReport) {
  DsnInput in = failure_input();
  in.kind = DsnKind::delay;
  in.ret = DsnReturn::unspecified;
  in.envid.reset();
  RecipientReport r;
  r.address = "dave@slow.example";
  r.action = DsnAction::delayed;
  r.status = "4.4.1";
  r.remote_mta = "mx.slow.example";
  r.diagnostic = "451 4.4.1 Server busy, try again later\r\n";
  r.last_attempt = now - 60;
  r.will_retry_until = arrived + 5 * 86400;
  in.recipients = {r};
  const std::string report = compose_dsn(in);
  expect_wellformed_lines(report);
  expect_golden("delay", report);

  const Shape s = shape(report);
  EXPECT_EQ(s.types, (std::vector<std::string>{"text/plain", "message/delivery-status", "text/rfc822-headers"}));
  const auto blocks = status_blocks(part_body(report, 1));
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(field(blocks[1], "Action"), "delayed");
  EXPECT_EQ(field(blocks[1], "Status"), "4.4.1");
  EXPECT_EQ(field(blocks[1], "Will-Retry-Until"), "Sun, 19 Nov 2023 19:26:40 +0000");
  EXPECT_EQ(field(mime::read_headers(report), "Subject"), "Delayed Mail (still being retried)");
}

TEST(ComposeDsn, SuccessReport) {
  DsnInput in = failure_input();
  in.kind = DsnKind::success;
  in.ret = DsnReturn::full;  // RET applies to failure reports only
  RecipientReport delivered;
  delivered.address = "bob@example.com";
  delivered.orcpt = "rfc822;Bob.Smith@example.com";
  delivered.action = DsnAction::delivered;
  delivered.status = "2.0.0";
  delivered.remote_mta = "mx1.example.com";
  delivered.diagnostic = "250 2.0.0 OK 1700000000 a1-20020a05";
  delivered.last_attempt = now;
  RecipientReport relayed;
  relayed.address = "carol@example.net";
  relayed.action = DsnAction::relayed;
  relayed.status = "not a code";  // replaced by the action's class
  relayed.remote_mta = "legacy.example.net";
  relayed.last_attempt = now;
  in.recipients = {delivered, relayed};
  const std::string report = compose_dsn(in);
  expect_wellformed_lines(report);
  expect_golden("success", report);

  const Shape s = shape(report);
  EXPECT_EQ(s.types, (std::vector<std::string>{"text/plain", "message/delivery-status", "text/rfc822-headers"}));
  const auto blocks = status_blocks(part_body(report, 1));
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(field(blocks[1], "Original-Recipient"), "rfc822; Bob.Smith@example.com");
  EXPECT_EQ(field(blocks[1], "Action"), "delivered");
  EXPECT_EQ(field(blocks[2], "Action"), "relayed");
  EXPECT_EQ(field(blocks[2], "Status"), "2.0.0");
  EXPECT_EQ(field(mime::read_headers(report), "Subject"), "Successful Mail Delivery Report");
}

constexpr std::string_view international =
    "From: =?utf-8?q?J=C3=B6rg?= <j\xC3\xB6rg@b\xC3\xBC" "cher.example>\r\n"
    "To: \xE6\x9D\x8E\xE9\x9B\xB7@\xE4\xBE\x8B\xE5\xAD\x90.\xE5\xB9\xBF\xE5\x91\x8A\r\n"
    "Subject: Gr\xC3\xBC\xC3\x9F" "e\r\n"
    "Date: Tue, 14 Nov 2023 19:26:39 +0000\r\n"
    "Message-ID: <intl-1@b\xC3\xBC" "cher.example>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: 8bit\r\n"
    "\r\n"
    "Gr\xC3\xBC\xC3\x9F" "e!\r\n";

TEST(ComposeDsn, Smtputf8UsesTheGlobalTypes) {
  DsnInput in;
  in.reporting_host = "mail.example.org";
  in.reverse_path = "j\xC3\xB6rg@b\xC3\xBC" "cher.example";
  in.smtputf8 = true;
  in.arrival = arrived;
  in.original = international;
  in.kind = DsnKind::failure;
  RecipientReport r;
  r.address = "\xE6\x9D\x8E\xE9\x9B\xB7@\xE4\xBE\x8B\xE5\xAD\x90.\xE5\xB9\xBF\xE5\x91\x8A";
  // ORCPT=utf-8;... as the SMTP parser stores it: xtext decoded, RFC 6533 escapes still in place.
  r.orcpt = "utf-8;\\x{674E}\\x{96F7}+tag@\\x{4F8B}\\x{5B50}.\\x{5E7F}\\x{544A}";
  r.action = DsnAction::failed;
  r.status = "5.2.2";
  r.remote_mta = "mx.xn--fsqu00a.xn--tiq49xqyj";
  r.diagnostic = "552 5.2.2 \xE9\x82\xAE\xE7\xAE\xB1\xE5\xB7\xB2\xE6\xBB\xA1 (mailbox full)";
  r.last_attempt = now;
  in.recipients = {r};
  in.now = now;
  in.message_id = "intl-dsn-1";
  const std::string report = compose_dsn(in);
  expect_wellformed_lines(report);
  expect_golden("smtputf8", report);

  const Shape s = shape(report);
  EXPECT_EQ(s.report_type, "global-delivery-status");
  EXPECT_EQ(s.types, (std::vector<std::string>{"text/plain", "message/global-delivery-status", "message/global"}));
  const auto blocks = status_blocks(part_body(report, 1));
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(field(blocks[1], "Final-Recipient"),
            "utf-8; \xE6\x9D\x8E\xE9\x9B\xB7@\xE4\xBE\x8B\xE5\xAD\x90.\xE5\xB9\xBF\xE5\x91\x8A");
  EXPECT_EQ(field(blocks[1], "Original-Recipient"),
            "utf-8; \xE6\x9D\x8E\xE9\x9B\xB7\\x{2B}tag@\xE4\xBE\x8B\xE5\xAD\x90.\xE5\xB9\xBF\xE5\x91\x8A");
  EXPECT_EQ(field(blocks[1], "Diagnostic-Code"),
            "smtp; 552 5.2.2 \xE9\x82\xAE\xE7\xAE\xB1\xE5\xB7\xB2\xE6\xBB\xA1 (mailbox full)");
  const mime::HeaderBlock top = mime::read_headers(report);
  EXPECT_EQ(field(top, "To"), "<j\xC3\xB6rg@b\xC3\xBC" "cher.example>");
  EXPECT_EQ(field(top, "Content-Transfer-Encoding"), "8bit");
  EXPECT_EQ(part_body(report, 2), std::string(international));
}

TEST(ComposeDsn, Utf8HeaderWithoutTheFlagStillUsesGlobalTypes) {
  DsnInput in = failure_input();
  in.original = international;
  in.recipients = {bob_rejected()};
  const Shape s = shape(compose_dsn(in));
  EXPECT_EQ(s.types, (std::vector<std::string>{"text/plain", "message/global-delivery-status", "message/global"}));
}

TEST(ComposeDsn, EightBitBodyUnderAsciiHeaderIsPlain8bitmime) {
  const std::string original =
      "From: a@example.org\r\nSubject: latin-1\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
      "Content-Transfer-Encoding: 8bit\r\n\r\nGr\xFC\xDF" "e\r\n";
  DsnInput in = failure_input();
  in.original = original;
  in.recipients = {bob_rejected()};
  const std::string report = compose_dsn(in);
  expect_wellformed_lines(report);
  const Shape s = shape(report);
  EXPECT_EQ(s.report_type, "delivery-status");
  EXPECT_EQ(s.types, (std::vector<std::string>{"text/plain", "message/delivery-status", "message/rfc822"}));
  EXPECT_EQ(part_body(report, 2), original);
  EXPECT_EQ(field(mime::read_headers(report), "Content-Transfer-Encoding"), "8bit");
  EXPECT_NE(report.find("Content-Type: message/rfc822\r\nContent-Description: Undelivered Message\r\n"
                        "Content-Transfer-Encoding: 8bit\r\n"),
            std::string::npos);
}

// ---- What is returned ----

TEST(ComposeDsn, WithoutRetTheSizeCapDecides) {
  DsnInput in = failure_input();
  in.ret = DsnReturn::unspecified;
  in.full_return_limit = lunch.size();
  EXPECT_EQ(shape(compose_dsn(in)).types.back(), "message/rfc822");
  in.full_return_limit = lunch.size() - 1;
  EXPECT_EQ(shape(compose_dsn(in)).types.back(), "text/rfc822-headers");
  in.ret = DsnReturn::full;  // an explicit RET=FULL is honoured whatever the size
  EXPECT_EQ(shape(compose_dsn(in)).types.back(), "message/rfc822");
}

TEST(ComposeDsn, BodyThatCannotTravelIsNotReturned) {
  std::string original = "Subject: long\r\n\r\n" + std::string(2000, 'x') + "\r\n";
  DsnInput in = failure_input();
  in.original = original;
  std::string report = compose_dsn(in);
  expect_wellformed_lines(report);
  EXPECT_EQ(shape(report).types.back(), "text/rfc822-headers");
  EXPECT_EQ(part_body(report, 2), "Subject: long\r\n");

  original = std::string("Subject: nul\r\n\r\na\0b\r\n"sv);
  in.original = original;
  report = compose_dsn(in);
  expect_wellformed_lines(report);
  EXPECT_EQ(shape(report).types.back(), "text/rfc822-headers");
}

TEST(ComposeDsn, LineEndsOfTheOriginalBecomeCrlf) {
  const std::string original = "Subject: lf\nX-Mixed: a\r\n\nline one\nline two\rline three";
  DsnInput in = failure_input();
  in.original = original;
  const std::string report = compose_dsn(in);
  expect_wellformed_lines(report);
  EXPECT_EQ(part_body(report, 2), "Subject: lf\r\nX-Mixed: a\r\n\r\nline one\r\nline two\r\nline three\r\n");
}

TEST(ComposeDsn, OriginalWithoutBodyOrEmpty) {
  DsnInput in = failure_input();
  in.original = "Subject: header only\r\nFrom: a@example.org";
  std::string report = compose_dsn(in);
  expect_wellformed_lines(report);
  EXPECT_EQ(part_body(report, 2), "Subject: header only\r\nFrom: a@example.org\r\n");

  in.original = "";
  report = compose_dsn(in);
  expect_wellformed_lines(report);
  EXPECT_EQ(shape(report).types, (std::vector<std::string>{"text/plain", "message/delivery-status"}));

  in.original = "\r\nbody without header\r\n";  // full: an empty header and the body
  report = compose_dsn(in);
  expect_wellformed_lines(report);
  EXPECT_EQ(part_body(report, 2), "\r\nbody without header\r\n");
  in.ret = DsnReturn::headers;  // nothing to return
  EXPECT_EQ(shape(compose_dsn(in)).types.size(), 2u);
}

TEST(ComposeDsn, LongHeaderLinesOfTheOriginalAreFolded) {
  std::string original = "X-Words:";
  for (int i = 0; i < 400; ++i) original += " word" + std::to_string(i);
  original += "\r\nX-Blob: " + std::string(3000, 'b') + "\r\n\r\nbody\r\n";
  DsnInput in = failure_input();
  in.original = original;
  in.ret = DsnReturn::headers;
  const std::string report = compose_dsn(in);
  expect_wellformed_lines(report);
  const mime::HeaderBlock h = mime::read_headers(part_body(report, 2));
  ASSERT_EQ(h.fields.size(), 2u);
  EXPECT_EQ(h.fields[0].value, original.substr(9, original.find("\r\n") - 9));  // folding at blanks is lossless
  EXPECT_EQ(h.fields[1].value.size(), 3000u + 3u);  // the blob was cut, a blank inserted at each cut
}

// ---- Hostile inputs ----

TEST(ComposeDsn, InjectedLineBreaksStayInsideTheirField) {
  DsnInput in = failure_input();
  in.reverse_path = "alice@example.org>\r\nBcc: victim@example.com";
  in.envid = "id\r\nX-Evil: 1";
  RecipientReport r = bob_rejected();
  r.address = "bob@example.com\r\nAction: delivered";
  r.orcpt = "rfc822;x\r\nStatus: 2.0.0";
  r.remote_mta = "mx\r\nX-Evil: 2";
  r.diagnostic = "550 5.1.1 no\r\n\r\n--=_atrium-dsn-20231114221320.dsn.4711--\r\nX-Evil: 3";
  r.explanation = "line\nX-Evil: 4";
  in.recipients = {r};
  const std::string report = compose_dsn(in);
  expect_wellformed_lines(report);
  EXPECT_EQ(report.find("\r\nBcc:"), std::string::npos);
  EXPECT_EQ(report.find("\r\nX-Evil"), std::string::npos);
  EXPECT_EQ(report.find("\r\nAction: delivered"), std::string::npos);
  EXPECT_EQ(report.find("\r\nStatus: 2.0.0"), std::string::npos);
  const Shape s = shape(report);
  EXPECT_EQ(s.types.size(), 3u);
  const auto blocks = status_blocks(part_body(report, 1));
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(field(blocks[1], "Action"), "failed");
  EXPECT_EQ(field(blocks[1], "Final-Recipient"), "utf-8; bob@example.com\\x{0D}\\x{0A}Action:\\x{20}delivered");
  EXPECT_EQ(field(blocks[0], "Original-Envelope-Id"), "id+0D+0AX-Evil:+201");
}

TEST(ComposeDsn, BoundaryNeverOccursInTheContent) {
  // The original quotes the boundary the report would pick first.
  const std::string original =
      "Subject: trap\r\n\r\n--=_atrium-dsn-20231114221320.dsn.4711\r\nContent-Type: text/plain\r\n\r\nx\r\n"
      "--=_atrium-dsn-20231114221320.dsn.4711--\r\n";
  DsnInput in = failure_input();
  in.original = original;
  const std::string report = compose_dsn(in);
  expect_wellformed_lines(report);
  const mime::Message m = mime::parse_structure(report);
  const std::string boundary = param(m.root(), "boundary");
  EXPECT_NE(boundary, "=_atrium-dsn-20231114221320.dsn.4711");
  EXPECT_TRUE(boundary.starts_with("=_atrium-dsn-20231114221320.dsn.4711-"));
  EXPECT_LE(boundary.size(), 70u);
  EXPECT_EQ(shape(report).types.size(), 3u);
  EXPECT_EQ(part_body(report, 2), original);
}

TEST(ComposeDsn, HugeRepliesAndWordsAreFolded) {
  DsnInput in = failure_input();
  RecipientReport r = bob_rejected();
  r.diagnostic = "550 5.7.1 " + std::string(5000, 'A') + " tail";
  r.explanation = std::string(3000, 'e');
  r.address = std::string(1500, 'l') + "@example.com";
  in.recipients = {r};
  const std::string report = compose_dsn(in);
  expect_wellformed_lines(report);
  const auto blocks = status_blocks(part_body(report, 1));
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_TRUE(field(blocks[1], "Diagnostic-Code").starts_with("smtp; 550 5.7.1 AAAA"));
  EXPECT_TRUE(field(blocks[1], "Diagnostic-Code").ends_with(" tail"));
}

TEST(ComposeDsn, InvalidUtf8BecomesQuestionMarks) {
  DsnInput in = failure_input();
  RecipientReport r = bob_rejected();
  r.diagnostic = "550 5.1.1 bad \xFF\xFE bytes \xC3";
  in.recipients = {r};
  const std::string report = compose_dsn(in);
  expect_wellformed_lines(report);
  EXPECT_EQ(shape(report).report_type, "delivery-status");
  EXPECT_EQ(field(status_blocks(part_body(report, 1))[1], "Diagnostic-Code"), "smtp; 550 5.1.1 bad ?? bytes ?");
}

TEST(ComposeDsn, UnusualTimesAndTokens) {
  DsnInput in = failure_input();
  in.now = -5;
  in.arrival = 253402300799 + 100;
  in.message_id = "<weird id>\r\n";
  in.reporting_host = "host name\r\n";
  const std::string report = compose_dsn(in);
  expect_wellformed_lines(report);
  const mime::HeaderBlock top = mime::read_headers(report);
  EXPECT_EQ(field(top, "Date"), "Thu, 01 Jan 1970 00:00:00 +0000");
  EXPECT_EQ(field(top, "Message-ID"), "<weirdid@hostname>");
  EXPECT_EQ(field(status_blocks(part_body(report, 1))[0], "Arrival-Date"), "Fri, 31 Dec 9999 23:59:59 +0000");
}

TEST(ComposeDsn, DatesAcrossLeapYears) {
  DsnInput in = failure_input();
  const std::pair<std::int64_t, std::string_view> cases[] = {
      {951782400, "Tue, 29 Feb 2000 00:00:00 +0000"},
      {1709164800, "Thu, 29 Feb 2024 00:00:00 +0000"},
      {1709251199, "Thu, 29 Feb 2024 23:59:59 +0000"},
      {4107542400, "Mon, 01 Mar 2100 00:00:00 +0000"},
      {1704067199, "Sun, 31 Dec 2023 23:59:59 +0000"},
  };
  for (const auto& [t, text] : cases) {
    in.now = t;
    EXPECT_EQ(field(mime::read_headers(compose_dsn(in)), "Date"), text) << t;
  }
}

// Deterministic random reports from nasty alphabets: every one must keep its line rules, its three
// (or two) parts and one delivery-status block per recipient.
TEST(ComposeDsn, RandomInputsKeepTheStructure) {
  std::uint64_t state = 0x9E3779B97F4A7C15ULL;
  const auto next = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::size_t>(state >> 33);
  };
  static constexpr std::string_view alphabet =
      "abcXYZ019 .-_@<>:;=+\\\"()[]\t\r\n\r\n\x80\xC3\xA9\xE4\xBE\x8B\xFF\x01\x7F--=_atrium-dsn-";
  const auto random_string = [&](std::size_t max_len) {
    std::string s;
    const std::size_t n = next() % (max_len + 1);
    for (std::size_t i = 0; i < n; ++i) s += alphabet[next() % alphabet.size()];
    if (next() % 4 == 0) s += std::string(next() % 1500, 'w');
    return s;
  };
  for (int iteration = 0; iteration < 300; ++iteration) {
    SCOPED_TRACE(iteration);
    std::string original;
    const std::size_t lines = next() % 12;
    for (std::size_t i = 0; i < lines; ++i) {
      original += next() % 3 == 0 ? std::string() : "X-" + std::to_string(i) + ": " + random_string(60);
      original += next() % 2 ? "\r\n" : "\n";
    }
    original += random_string(200);
    DsnInput in;
    in.reporting_host = next() % 5 ? "mail.example.org" : random_string(20);
    in.reverse_path = random_string(40);
    if (next() % 2) in.envid = random_string(40);
    in.ret = static_cast<DsnReturn>(next() % 3);
    in.smtputf8 = next() % 4 == 0;
    if (next() % 2) in.arrival = static_cast<std::int64_t>(next());
    in.original = original;
    in.kind = static_cast<DsnKind>(next() % 3);
    const std::size_t n = 1 + next() % 3;
    for (std::size_t i = 0; i < n; ++i) {
      RecipientReport r;
      r.address = random_string(40);
      if (next() % 2) r.orcpt = (next() % 2 ? "utf-8;" : "rfc822;") + random_string(40);
      r.action = static_cast<DsnAction>(next() % 5);
      r.status = next() % 2 ? "5.1.1" : random_string(6);
      if (next() % 2) r.remote_mta = random_string(30);
      if (next() % 2) r.diagnostic = random_string(300);
      if (next() % 2) r.explanation = random_string(100);
      if (next() % 2) r.last_attempt = static_cast<std::int64_t>(next());
      if (next() % 2) r.will_retry_until = static_cast<std::int64_t>(next());
      in.recipients.push_back(r);
    }
    in.now = static_cast<std::int64_t>(next());
    in.message_id = random_string(30);
    in.full_return_limit = next() % 2 ? 256 * 1024 : 10;

    const std::string report = compose_dsn(in);
    expect_wellformed_lines(report);
    const Shape s = shape(report);
    ASSERT_GE(s.types.size(), 2u);
    ASSERT_LE(s.types.size(), 3u);
    EXPECT_EQ(s.types[0], "text/plain");
    EXPECT_TRUE(s.types[1] == "message/delivery-status" || s.types[1] == "message/global-delivery-status");
    const auto blocks = status_blocks(part_body(report, 1));
    ASSERT_EQ(blocks.size(), n + 1);
    for (std::size_t i = 1; i <= n; ++i) {
      EXPECT_EQ(field(blocks[i], "Action"), to_string(in.recipients[i - 1].action));
      EXPECT_TRUE(is_status_code(field(blocks[i], "Status")));
    }
  }
}

// ---- should_send_dsn (RFC 3461) ----

TEST(ShouldSendDsn, NullReversePathNeverGetsOne) {
  for (auto kind : {DsnKind::failure, DsnKind::delay, DsnKind::success}) {
    EXPECT_FALSE(should_send_dsn(kind, "", std::nullopt, DelayNoticeDefault::send));
    EXPECT_FALSE(should_send_dsn(kind, "<>", NotifyRequest{.success = true, .failure = true, .delay = true},
                                 DelayNoticeDefault::send));
  }
}

TEST(ShouldSendDsn, WithoutNotify) {
  const std::string_view from = "alice@example.org";
  EXPECT_TRUE(should_send_dsn(DsnKind::failure, from, std::nullopt, DelayNoticeDefault::suppress));
  EXPECT_TRUE(should_send_dsn(DsnKind::delay, from, std::nullopt, DelayNoticeDefault::send));
  EXPECT_FALSE(should_send_dsn(DsnKind::delay, from, std::nullopt, DelayNoticeDefault::suppress));
  EXPECT_FALSE(should_send_dsn(DsnKind::success, from, std::nullopt, DelayNoticeDefault::send));
}

TEST(ShouldSendDsn, WithNotify) {
  const std::string_view from = "alice@example.org";
  const NotifyRequest never{.never = true};
  const NotifyRequest success{.success = true};
  const NotifyRequest failure{.failure = true};
  const NotifyRequest delay{.delay = true};
  const NotifyRequest all{.success = true, .failure = true, .delay = true};
  for (auto kind : {DsnKind::failure, DsnKind::delay, DsnKind::success}) {
    EXPECT_FALSE(should_send_dsn(kind, from, never, DelayNoticeDefault::send));
    EXPECT_TRUE(should_send_dsn(kind, from, all, DelayNoticeDefault::suppress));
  }
  EXPECT_FALSE(should_send_dsn(DsnKind::failure, from, success, DelayNoticeDefault::send));
  EXPECT_FALSE(should_send_dsn(DsnKind::failure, from, delay, DelayNoticeDefault::send));
  EXPECT_TRUE(should_send_dsn(DsnKind::failure, from, failure, DelayNoticeDefault::send));
  // NOTIFY given without DELAY: no delay notice, whatever the default.
  EXPECT_FALSE(should_send_dsn(DsnKind::delay, from, failure, DelayNoticeDefault::send));
  EXPECT_TRUE(should_send_dsn(DsnKind::delay, from, delay, DelayNoticeDefault::suppress));
  EXPECT_TRUE(should_send_dsn(DsnKind::success, from, success, DelayNoticeDefault::send));
  EXPECT_FALSE(should_send_dsn(DsnKind::success, from, failure, DelayNoticeDefault::send));
}

TEST(DsnAction, Names) {
  EXPECT_EQ(to_string(DsnAction::failed), "failed");
  EXPECT_EQ(to_string(DsnAction::delayed), "delayed");
  EXPECT_EQ(to_string(DsnAction::delivered), "delivered");
  EXPECT_EQ(to_string(DsnAction::relayed), "relayed");
  EXPECT_EQ(to_string(DsnAction::expanded), "expanded");
}

}  // namespace
}  // namespace atrium::mail::queue
