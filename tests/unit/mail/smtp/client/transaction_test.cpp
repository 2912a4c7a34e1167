// Transaction planning (parameters, xtext, local refusals), message encoding (dot-stuffing,
// line endings) and the per-recipient outcomes.
#include "mail/smtp/client/connection.hpp"
#include "mail/smtp/client/message_encoder.hpp"
#include "mail/smtp/client/transaction.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace atrium::smtp::client {
namespace {

using ::testing::ElementsAre;

Capabilities full_caps() {
  Capabilities c;
  c.esmtp = true;
  c.pipelining = c.eight_bit_mime = c.smtputf8 = c.chunking = c.binarymime = c.dsn = true;
  c.size = 0;
  return c;
}

Envelope simple(std::vector<std::string> rcpts = {"b@example.net"}) {
  Envelope e;
  e.reverse_path = "a@example.org";
  for (auto& r : rcpts) e.recipients.push_back({.address = std::move(r)});
  return e;
}

TransactionPlan plan_of(const std::variant<TransactionPlan, LocalRefusal>& v) {
  if (const auto* refusal = std::get_if<LocalRefusal>(&v)) ADD_FAILURE() << "refused: " << refusal->text;
  const auto* p = std::get_if<TransactionPlan>(&v);
  return p ? *p : TransactionPlan{};
}

LocalReason refusal_of(const std::variant<TransactionPlan, LocalRefusal>& v) {
  const auto* r = std::get_if<LocalRefusal>(&v);
  if (!r) {
    ADD_FAILURE() << "not refused";
    return LocalReason::no_recipients;
  }
  return r->reason;
}

TEST(Plan, PlainCommandsWithoutExtensions) {
  Capabilities none;
  const auto p = plan_of(plan_transaction(simple({"b@example.net", "c@example.net"}), "x\r\n", none));
  EXPECT_EQ(p.mail, "MAIL FROM:<a@example.org>\r\n");
  EXPECT_THAT(p.rcpts, ElementsAre("RCPT TO:<b@example.net>\r\n", "RCPT TO:<c@example.net>\r\n"));
  EXPECT_FALSE(p.bdat);
  EXPECT_EQ(p.size, 3u);
}

TEST(Plan, NullSenderAndPostmaster) {
  Envelope e = simple({"Postmaster"});
  e.reverse_path.clear();
  const auto p = plan_of(plan_transaction(e, "", Capabilities{}));
  EXPECT_EQ(p.mail, "MAIL FROM:<>\r\n");
  EXPECT_THAT(p.rcpts, ElementsAre("RCPT TO:<Postmaster>\r\n"));
}

TEST(Plan, SizeBodyAndChunking) {
  Capabilities caps = full_caps();
  caps.size = 1000;
  Envelope e = simple();
  e.body = BodyType::eight_bit_mime;
  const std::string message = "Subject: x\n\nhello\n";  // 18 octets, 21 with CRLF
  auto p = plan_of(plan_transaction(e, message, caps));
  EXPECT_EQ(p.mail, "MAIL FROM:<a@example.org> SIZE=21 BODY=8BITMIME\r\n");
  EXPECT_TRUE(p.bdat);
  EXPECT_FALSE(p.binary);
  EXPECT_EQ(p.size, 21u);
  // Chunking can be turned off for DATA; BINARYMIME always uses BDAT and keeps octets as they are.
  p = plan_of(plan_transaction(e, message, caps, PlanOptions{.use_chunking = false}));
  EXPECT_FALSE(p.bdat);
  e.body = BodyType::binary_mime;
  p = plan_of(plan_transaction(e, message, caps, PlanOptions{.use_chunking = false}));
  EXPECT_EQ(p.mail, "MAIL FROM:<a@example.org> SIZE=18 BODY=BINARYMIME\r\n");
  EXPECT_TRUE(p.bdat);
  EXPECT_TRUE(p.binary);
}

TEST(Plan, UndeclaredEightBitIsDeclaredWhenPossible) {
  Capabilities caps;
  caps.eight_bit_mime = true;
  EXPECT_EQ(plan_of(plan_transaction(simple(), "caf\xc3\xa9\r\n", caps)).mail,
            "MAIL FROM:<a@example.org> BODY=8BITMIME\r\n");
  // A 7-bit-only server still gets it as it is: legacy servers pass 8-bit octets through.
  EXPECT_EQ(plan_of(plan_transaction(simple(), "caf\xc3\xa9\r\n", Capabilities{})).mail, "MAIL FROM:<a@example.org>\r\n");
  // Pure 7-bit: no BODY=.
  EXPECT_EQ(plan_of(plan_transaction(simple(), "plain\r\n", caps)).mail, "MAIL FROM:<a@example.org>\r\n");
}

TEST(Plan, DsnParametersAreXtextEncoded) {
  Capabilities caps;
  caps.dsn = true;
  Envelope e = simple({"b@example.net", "c@example.net", "d@example.net"});
  e.ret = DsnRet::headers;
  e.envid = "id+1=2 x";
  e.recipients[0].notify = DsnNotify{.bits = DsnNotify::success | DsnNotify::failure | DsnNotify::delay};
  e.recipients[0].orcpt = DsnOrcpt{.addr_type = "rfc822", .address = "b+tag@example.net"};
  e.recipients[1].notify = DsnNotify{.never = true};
  e.recipients[2].notify = DsnNotify{.bits = DsnNotify::delay};
  const auto p = plan_of(plan_transaction(e, "x", caps));
  EXPECT_EQ(p.mail, "MAIL FROM:<a@example.org> RET=HDRS ENVID=id+2B1+3D2+20x\r\n");
  EXPECT_THAT(p.rcpts, ElementsAre("RCPT TO:<b@example.net> NOTIFY=SUCCESS,FAILURE,DELAY ORCPT=rfc822;b+2Btag@example.net\r\n",
                                   "RCPT TO:<c@example.net> NOTIFY=NEVER\r\n",
                                   "RCPT TO:<d@example.net> NOTIFY=DELAY\r\n"));
  // Without DSN at the server nothing of it is sent.
  const auto q = plan_of(plan_transaction(e, "x", Capabilities{}));
  EXPECT_EQ(q.mail, "MAIL FROM:<a@example.org>\r\n");
  EXPECT_EQ(q.rcpts[0], "RCPT TO:<b@example.net>\r\n");
}

TEST(Plan, OverlongOrInvalidDsnValuesAreLeftOut) {
  Capabilities caps;
  caps.dsn = true;
  Envelope e = simple();
  e.ret = DsnRet::full;
  e.envid = std::string(40, '+');  // 120 octets of xtext: over RFC 3461's 100
  e.recipients[0].orcpt = DsnOrcpt{.addr_type = "rfc 822", .address = "b@example.net"};
  const auto p = plan_of(plan_transaction(e, "x", caps));
  EXPECT_EQ(p.mail, "MAIL FROM:<a@example.org> RET=FULL\r\n");
  EXPECT_EQ(p.rcpts[0], "RCPT TO:<b@example.net>\r\n");
}

TEST(Plan, LocalRefusals) {
  EXPECT_EQ(refusal_of(plan_transaction(simple({}), "x", full_caps())), LocalReason::no_recipients);

  // Addresses that would break the command line.
  Envelope e = simple({"b@example.net", "c@example.net>\r\nDATA"});
  const auto v = plan_transaction(e, "x", full_caps());
  EXPECT_EQ(refusal_of(v), LocalReason::invalid_recipient);
  EXPECT_EQ(std::get<LocalRefusal>(v).recipient, std::optional<std::size_t>(1));
  e = simple();
  e.reverse_path = "a b@example.org";
  EXPECT_EQ(refusal_of(plan_transaction(e, "x", full_caps())), LocalReason::invalid_sender);

  // SMTPUTF8: declared, or implied by a UTF-8 address.
  Capabilities no_utf8 = full_caps();
  no_utf8.smtputf8 = false;
  e = simple();
  e.smtputf8 = true;
  EXPECT_EQ(refusal_of(plan_transaction(e, "x", no_utf8)), LocalReason::smtputf8_unsupported);
  e = simple({"j\xc3\xb6rg@example.net"});
  EXPECT_EQ(refusal_of(plan_transaction(e, "x", no_utf8)), LocalReason::smtputf8_unsupported);
  EXPECT_EQ(plan_of(plan_transaction(e, "x", full_caps())).mail, "MAIL FROM:<a@example.org> SIZE=3 SMTPUTF8\r\n");

  // 8BITMIME declared, BINARYMIME without CHUNKING, SIZE exceeded.
  e = simple();
  e.body = BodyType::eight_bit_mime;
  EXPECT_EQ(refusal_of(plan_transaction(e, "x", Capabilities{})), LocalReason::eight_bit_unsupported);
  e.body = BodyType::binary_mime;
  Capabilities no_chunking = full_caps();
  no_chunking.chunking = false;
  EXPECT_EQ(refusal_of(plan_transaction(e, "x", no_chunking)), LocalReason::binary_unsupported);
  Capabilities small = full_caps();
  small.size = 10;
  EXPECT_EQ(plan_of(plan_transaction(simple(), "12345678\r\n", small)).size, 10u);  // exactly the limit
  EXPECT_EQ(plan_of(plan_transaction(simple(), "12345678\n", small)).size, 10u);
  EXPECT_EQ(refusal_of(plan_transaction(simple(), "123456789\n", small)), LocalReason::too_big);
}

// ---- message encoding ----

std::string encode(std::string_view message, MessageEncoder::Framing framing, std::size_t slice = 1 << 20) {
  MessageEncoder enc(framing);
  std::string out;
  for (std::size_t pos = 0; pos < message.size(); pos += slice) enc.feed(message.substr(pos, slice), out);
  enc.finish(out);
  return out;
}

TEST(MessageEncoder, DotStuffingAndLineEndings) {
  using F = MessageEncoder::Framing;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", ".\r\n"},
      {"a", "a\r\n.\r\n"},
      {"a\r\n", "a\r\n.\r\n"},
      {".", "..\r\n.\r\n"},
      {".\r\n", "..\r\n.\r\n"},
      {"a\r\n.\r\nb\r\n", "a\r\n..\r\nb\r\n.\r\n"},
      {"..x\n.y\nz.\n", "...x\r\n..y\r\nz.\r\n.\r\n"},
      {"bare\nlf\n", "bare\r\nlf\r\n.\r\n"},
      {"bare\rcr\r", "bare\r\ncr\r\n.\r\n"},
      {"cr\r.dot", "cr\r\n..dot\r\n.\r\n"},
      {"\r\r\n\n", "\r\n\r\n\r\n.\r\n"},
      {"a\r\n.", "a\r\n..\r\n.\r\n"},
  };
  for (const auto& [in, want] : cases) {
    SCOPED_TRACE(in);
    EXPECT_EQ(encode(in, F::data), want);
    // The same in slices of one octet: CR/LF pairs and line starts across slice boundaries.
    EXPECT_EQ(encode(in, F::data, 1), want);
    // BDAT: no stuffing, no terminator; the size agrees with scan_message.
    const std::string bdat = encode(in, F::bdat, 2);
    EXPECT_EQ(bdat.size(), scan_message(in).size);
    std::string unstuffed;
    for (std::size_t i = 0; i + 3 <= want.size(); ++i) {
      // Undo the stuffing of `want` to compare with the BDAT form.
      if (want[i] == '.' && (i == 0 || want[i - 1] == '\n')) {
        if (i + 3 == want.size()) break;  // the terminator
        continue;
      }
      unstuffed += want[i];
    }
    EXPECT_EQ(bdat, unstuffed);
  }
}

TEST(MessageEncoder, ScanFindsEightBit) {
  EXPECT_FALSE(scan_message("plain ascii\r\n").eight_bit);
  EXPECT_TRUE(scan_message("caf\xc3\xa9").eight_bit);
  EXPECT_EQ(scan_message("caf\xc3\xa9").size, 7u);
}

// ---- outcomes ----

Reply reply(int code, std::string enhanced = {}) { return Reply{.code = code, .enhanced = std::move(enhanced), .lines = {"x"}}; }

TEST(Outcomes, DecidedByTheFirstFailure) {
  TransactionResult r;
  r.mail = reply(250);
  r.recipients = {reply(250), reply(550, "5.1.1"), reply(451, "4.7.1")};
  r.final_reply = reply(250);
  auto o = recipient_outcomes(r, 3);
  EXPECT_EQ(o[0].disposition, Disposition::delivered);
  EXPECT_EQ(o[1].disposition, Disposition::permanent_failure);
  EXPECT_EQ(o[1].reply->enhanced, "5.1.1");
  EXPECT_EQ(o[2].disposition, Disposition::temporary_failure);

  r.final_reply = reply(554, "5.6.0");
  o = recipient_outcomes(r, 3);
  EXPECT_EQ(o[0].disposition, Disposition::permanent_failure);
  EXPECT_EQ(o[0].reply->code, 554);

  r.mail = reply(452);
  o = recipient_outcomes(r, 3);
  for (const auto& x : o) EXPECT_EQ(x.disposition, Disposition::temporary_failure);
  EXPECT_EQ(o[1].reply->code, 452);
}

TEST(Outcomes, ConnectionFailureLeavesUndecidedRecipientsTemporary) {
  TransactionResult r;
  r.mail = reply(250);
  r.recipients = {reply(550), reply(250)};
  r.error = Error{.stage = Stage::message, .kind = ErrorKind::timeout, .text = "no reply"};
  auto o = recipient_outcomes(r, 3);
  EXPECT_EQ(o[0].disposition, Disposition::permanent_failure);
  EXPECT_EQ(o[1].disposition, Disposition::temporary_failure);
  EXPECT_FALSE(o[1].reply);
  EXPECT_EQ(o[2].disposition, Disposition::temporary_failure);
}

TEST(Outcomes, LocalRefusals) {
  TransactionResult r;
  r.local = LocalRefusal{.reason = LocalReason::smtputf8_unsupported};
  for (const auto& x : recipient_outcomes(r, 2)) EXPECT_EQ(x.disposition, Disposition::permanent_failure);
  r.local = LocalRefusal{.reason = LocalReason::invalid_recipient, .recipient = 1};
  auto o = recipient_outcomes(r, 3);
  EXPECT_EQ(o[0].disposition, Disposition::temporary_failure);
  EXPECT_EQ(o[1].disposition, Disposition::permanent_failure);
  EXPECT_EQ(o[2].disposition, Disposition::temporary_failure);
}

TEST(Errors, Describe) {
  Error e{.stage = Stage::greeting, .kind = ErrorKind::reply,
          .reply = Reply{.code = 554, .enhanced = "5.7.1", .lines = {"go away", "really"}}};
  EXPECT_EQ(describe(e), "greeting: reply: 554 5.7.1 go away really");
  EXPECT_TRUE(e.permanent());
  e = Error{.stage = Stage::tls_handshake, .kind = ErrorKind::tls_failure, .text = "certificate verify failed"};
  EXPECT_EQ(describe(e), "tls_handshake: tls_failure: certificate verify failed");
  EXPECT_FALSE(e.permanent());
}

}  // namespace
}  // namespace atrium::smtp::client
