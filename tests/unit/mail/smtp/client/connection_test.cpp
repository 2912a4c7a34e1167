// Whole client sessions against the scripted fake server (fake_server.hpp): each test states
// the exact exchange on the wire and checks what the client reports. TLS, DANE and AUTH are in
// connection_tls_test.cpp.
#include "mail/smtp/client/connection.hpp"
#include "tests/unit/core/net/net_test_support.hpp"
#include "tests/unit/mail/smtp/client/fake_server.hpp"
#include "tests/unit/mail/smtp/client/session_support.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>

namespace atrium::smtp::client {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using namespace test;

// Opens, sends one message, quits; returns the transaction's result.
asio::awaitable<TransactionResult> send_one(tcp::endpoint ep, ConnectOptions o, Envelope e, std::string message) {
  Connection c = co_await open_ok(ep, std::move(o));
  TransactionResult r = co_await c.send(e, message);
  co_await c.quit();
  co_return r;
}

// ---- greeting and hello ----

TEST(SmtpClient, GreetingRefusalIsAReplyErrorAndQuitFollows) {
  Harness h;
  const Error e = h.run(
      [](Peer& p) -> asio::awaitable<void> {
        co_await p.send("554 5.7.1 no service for you\r\n");
        co_await expect_quit(p);
      },
      [](tcp::endpoint ep) { return open_fails(ep, options()); });
  EXPECT_EQ(e.stage, Stage::greeting);
  EXPECT_EQ(e.kind, ErrorKind::reply);
  ASSERT_TRUE(e.reply);
  EXPECT_EQ(e.reply->code, 554);
  EXPECT_EQ(e.reply->enhanced, "5.7.1");
  EXPECT_TRUE(e.permanent());
}

TEST(SmtpClient, MalformedGreetingIsAProtocolError) {
  Harness h;
  const Error e = h.run([](Peer& p) -> asio::awaitable<void> {
        co_await p.send("hello there\r\n");
        co_await p.hold();
      },
      [](tcp::endpoint ep) { return open_fails(ep, options()); });
  EXPECT_EQ(e.stage, Stage::greeting);
  EXPECT_EQ(e.kind, ErrorKind::protocol);
}

TEST(SmtpClient, EhloRefusedFallsBackToHelo) {
  Harness h;
  auto r = h.run(
      [](Peer& p) -> asio::awaitable<void> {
        co_await p.send("220 old.test SMTP\r\n");
        EXPECT_EQ(co_await p.line(), "EHLO client.example");
        co_await p.send("502 5.5.2 command not recognized\r\n");
        EXPECT_EQ(co_await p.line(), "HELO client.example");
        co_await p.send("250 old.test\r\n");
        // No extensions: plain MAIL, one command at a time.
        co_await expect_batch(p, "MAIL FROM:<a@example.org>");
        co_await p.send("250 ok\r\n");
        co_await expect_batch(p, "RCPT TO:<b@example.net>");
        co_await p.send("250 ok\r\n");
        co_await expect_batch(p, "DATA");
        co_await p.send("354 go\r\n");
        EXPECT_EQ(co_await p.data(), "hi\r\n.\r\n");
        co_await p.send("250 queued\r\n");
        co_await expect_quit(p);
      },
      [](tcp::endpoint ep) -> asio::awaitable<std::pair<Capabilities, TransactionResult>> {
        Connection c = co_await open_ok(ep, options());
        const Capabilities caps = c.capabilities();
        TransactionResult r = co_await c.send(envelope(), "hi");
        co_await c.quit();
        co_return std::pair{caps, r};
      });
  EXPECT_FALSE(r.first.esmtp);
  EXPECT_EQ(r.first.server_name, "old.test");
  EXPECT_TRUE(r.second.delivered());
}

TEST(SmtpClient, EhloTemporaryFailureIsNotAFallback) {
  Harness h;
  const Error e = h.run(
      [](Peer& p) -> asio::awaitable<void> {
        co_await p.send("220 mx.test ESMTP\r\n");
        EXPECT_EQ(co_await p.line(), "EHLO client.example");
        co_await p.send("451 4.3.0 try later\r\n");
        co_await expect_quit(p);
      },
      [](tcp::endpoint ep) { return open_fails(ep, options()); });
  EXPECT_EQ(e.stage, Stage::ehlo);
  EXPECT_EQ(e.reply->code, 451);
}

TEST(SmtpClient, InvalidHeloNameIsRefusedBeforeConnecting) {
  Harness h;
  ConnectOptions o = options();
  o.helo_name = "bad name\r\nRCPT";
  const Error e = h.run([](Peer&) -> asio::awaitable<void> { co_return; },
                        [&](tcp::endpoint ep) { return open_fails(ep, o); });
  EXPECT_EQ(e.kind, ErrorKind::local);
}

TEST(SmtpClient, ConnectionRefused) {
  asio::io_context io;
  tcp::endpoint closed;
  {
    tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    closed = a.local_endpoint();
  }
  const Error e = ::atrium::test::run(io, open_fails(closed, options()));
  EXPECT_EQ(e.stage, Stage::connect);
  EXPECT_EQ(e.kind, ErrorKind::refused);
}

// ---- transactions ----

TEST(SmtpClient, PipelinedMailRcptAndDataGoInOneWrite) {
  Harness h;
  auto r = h.run(
      [](Peer& p) -> asio::awaitable<void> {
        co_await greet(p, "PIPELINING\n8BITMIME\nSIZE 1000000");
        co_await expect_batch(p, "MAIL FROM:<a@example.org> SIZE=14\nRCPT TO:<b@example.net>\nRCPT TO:<c@example.net>\nDATA");
        co_await p.send("250 2.1.0 ok\r\n250 2.1.5 ok\r\n250 2.1.5 ok\r\n354 go ahead\r\n");
        EXPECT_EQ(co_await p.data(), "Subject: x\r\n\r\n.\r\n");
        co_await p.send("250 2.0.0 queued as ABC\r\n");
        co_await expect_quit(p);
      },
      [](tcp::endpoint ep) { return send_one(ep, options(), envelope({"b@example.net", "c@example.net"}), "Subject: x\n\n"); });
  EXPECT_TRUE(r.delivered());
  ASSERT_EQ(r.recipients.size(), 2u);
  EXPECT_EQ(r.final_reply->lines, std::vector<std::string>{"queued as ABC"});
  EXPECT_FALSE(r.error);
}

TEST(SmtpClient, WithoutPipeliningCommandsGoOneAtATime) {
  Harness h;
  auto r = h.run(
      [](Peer& p) -> asio::awaitable<void> {
        co_await greet(p, "8BITMIME");
        co_await expect_batch(p, "MAIL FROM:<a@example.org>");
        co_await p.send("250 2.1.0 ok\r\n");
        co_await expect_batch(p, "RCPT TO:<b@example.net>");
        co_await p.send("250 2.1.5 ok\r\n");
        co_await expect_batch(p, "RCPT TO:<c@example.net>");
        co_await p.send("250 2.1.5 ok\r\n");
        co_await expect_batch(p, "DATA");
        co_await p.send("354 go ahead\r\n");
        EXPECT_EQ(co_await p.data(), "x\r\n.\r\n");
        co_await p.send("250 2.0.0 ok\r\n");
        co_await expect_quit(p);
      },
      [](tcp::endpoint ep) { return send_one(ep, options(), envelope({"b@example.net", "c@example.net"}), "x\r\n"); });
  EXPECT_TRUE(r.delivered());
}

TEST(SmtpClient, LongPipelinesAreWrittenInGroups) {
  Harness h;
  std::vector<std::string> rcpts;
  for (int i = 0; i < 150; ++i) rcpts.push_back("r" + std::to_string(i) + "@example.net");
  auto r = h.run(
      [](Peer& p) -> asio::awaitable<void> {
        co_await greet(p, "PIPELINING");
        // MAIL and 99 RCPTs, then the other 51 RCPTs and DATA once those are answered.
        std::vector<std::string> first = co_await p.batch();
        EXPECT_EQ(first.size(), 100u);
        std::string replies;
        for (std::size_t i = 0; i < first.size(); ++i) replies += "250 ok\r\n";
        co_await p.send(replies);
        std::vector<std::string> second = co_await p.batch();
        EXPECT_EQ(second.size(), 52u);
        EXPECT_EQ(second.empty() ? "" : second.back(), "DATA");
        replies.clear();
        for (std::size_t i = 0; i + 1 < second.size(); ++i) replies += "250 ok\r\n";
        co_await p.send(replies + "354 go\r\n");
        EXPECT_EQ(co_await p.data(), "x\r\n.\r\n");
        co_await p.send("250 ok\r\n");
        co_await expect_quit(p);
      },
      [&](tcp::endpoint ep) { return send_one(ep, options(), envelope(rcpts), "x"); });
  EXPECT_TRUE(r.delivered());
  EXPECT_EQ(r.recipients.size(), 150u);
}

TEST(SmtpClient, DotStuffingAndBareLineEndings) {
  Harness h;
  auto r = h.run(
      [](Peer& p) -> asio::awaitable<void> {
        co_await greet(p, "PIPELINING");
        EXPECT_EQ((co_await p.batch()).size(), 3u);
        co_await p.send("250 ok\r\n250 ok\r\n354 go\r\n");
        EXPECT_EQ(co_await p.data(), "..hidden\r\n...two\r\nbare cr\r\n..\r\n\r\nend\r\n.\r\n");
        co_await p.send("250 ok\r\n");
        co_await expect_quit(p);
      },
      [](tcp::endpoint ep) { return send_one(ep, options(), envelope(), ".hidden\n..two\r\nbare cr\r.\n\nend"); });
  EXPECT_TRUE(r.delivered());
}

TEST(SmtpClient, BdatChunksWhenChunkingIsOffered) {
  Harness h;
  ConnectOptions o = options();
  o.bdat_chunk_size = 8;
  auto r = h.run(
      [](Peer& p) -> asio::awaitable<void> {
        co_await greet(p, "PIPELINING\nCHUNKING\n8BITMIME");
        // BDAT is not part of the pipelined group: MAIL and RCPT only.
        co_await expect_batch(p, "MAIL FROM:<a@example.org>\nRCPT TO:<b@example.net>");
        co_await p.send("250 ok\r\n250 ok\r\n");
        EXPECT_EQ(co_await p.line(), "BDAT 8");
        EXPECT_EQ(co_await p.exact(8), "01234567");
        co_await p.send("250 2.0.0 8 octets\r\n");
        EXPECT_EQ(co_await p.line(), "BDAT 8");
        EXPECT_EQ(co_await p.exact(8), "89abcdef");
        co_await p.send("250 2.0.0 8 octets\r\n");
        EXPECT_EQ(co_await p.line(), "BDAT 8 LAST");
        EXPECT_EQ(co_await p.exact(8), "\r\n.xyz\r\n");
        co_await p.send("250 2.0.0 queued\r\n");
        co_await expect_quit(p);
      },
      [&](tcp::endpoint ep) { return send_one(ep, o, envelope(), "0123456789abcdef\n.xyz"); });
  EXPECT_TRUE(r.delivered());
  EXPECT_EQ(r.final_reply->lines, std::vector<std::string>{"queued"});
}

TEST(SmtpClient, BinaryMimeIsSentAsItIs) {
  Harness h;
  const std::string message("a\n\0.\r", 5);
  Envelope e = envelope();
  e.body = BodyType::binary_mime;
  auto r = h.run(
      [&](Peer& p) -> asio::awaitable<void> {
        co_await greet(p, "CHUNKING\nBINARYMIME\nSIZE");
        EXPECT_EQ(co_await p.line(), "MAIL FROM:<a@example.org> SIZE=5 BODY=BINARYMIME");
        co_await p.send("250 ok\r\n");
        EXPECT_EQ(co_await p.line(), "RCPT TO:<b@example.net>");
        co_await p.send("250 ok\r\n");
        EXPECT_EQ(co_await p.line(), "BDAT 5 LAST");
        EXPECT_EQ(co_await p.exact(5), message);
        co_await p.send("250 2.0.0 queued\r\n");
        co_await expect_quit(p);
      },
      [&](tcp::endpoint ep) { return send_one(ep, options(), e, message); });
  EXPECT_TRUE(r.delivered());
}

TEST(SmtpClient, BdatRefusalStopsTheChunksAndResets) {
  Harness h;
  ConnectOptions o = options();
  o.bdat_chunk_size = 4;
  auto r = h.run(
      [](Peer& p) -> asio::awaitable<void> {
        co_await greet(p, "CHUNKING");
        EXPECT_EQ(co_await p.line(), "MAIL FROM:<a@example.org>");
        co_await p.send("250 ok\r\n");
        EXPECT_EQ(co_await p.line(), "RCPT TO:<b@example.net>");
        co_await p.send("250 ok\r\n");
        EXPECT_EQ(co_await p.line(), "BDAT 4");
        EXPECT_EQ(co_await p.exact(4), "abcd");
        co_await p.send("552 5.3.4 too much\r\n");
        EXPECT_EQ(co_await p.line(), "RSET");
        co_await p.send("250 ok\r\n");
        co_await expect_quit(p);
      },
      [&](tcp::endpoint ep) { return send_one(ep, o, envelope(), "abcdefgh\r\n"); });
  EXPECT_FALSE(r.delivered());
  EXPECT_EQ(r.final_reply->code, 552);
  EXPECT_EQ(recipient_outcomes(r, 1)[0].disposition, Disposition::permanent_failure);
}

TEST(SmtpClient, MixedRecipientReplies) {
  Harness h;
  auto r = h.run(
      [](Peer& p) -> asio::awaitable<void> {
        co_await greet(p, "PIPELINING\nENHANCEDSTATUSCODES");
        EXPECT_EQ((co_await p.batch()).size(), 5u);
        co_await p.send(
            "250 2.1.0 ok\r\n250 2.1.5 ok\r\n550 5.1.1 no such user\r\n451 4.7.1 greylisted\r\n354 go\r\n");
        EXPECT_EQ(co_await p.data(), "x\r\n.\r\n");
        co_await p.send("250 2.0.0 queued\r\n");
        co_await expect_quit(p);
      },
      [](tcp::endpoint ep) {
        return send_one(ep, options(), envelope({"ok@example.net", "nouser@example.net", "grey@example.net"}), "x");
      });
  ASSERT_EQ(r.recipients.size(), 3u);
  EXPECT_EQ(r.recipients[1].enhanced, "5.1.1");
  EXPECT_TRUE(r.delivered());
  const auto o = recipient_outcomes(r, 3);
  EXPECT_EQ(o[0].disposition, Disposition::delivered);
  EXPECT_EQ(o[1].disposition, Disposition::permanent_failure);
  EXPECT_EQ(o[1].reply->code, 550);
  EXPECT_EQ(o[2].disposition, Disposition::temporary_failure);
  EXPECT_EQ(o[2].reply->enhanced, "4.7.1");
}

TEST(SmtpClient, DataRefusedIsTheFinalReplyAndResets) {
  Harness h;
  auto r = h.run(
      [](Peer& p) -> asio::awaitable<void> {
        co_await greet(p, "PIPELINING");
        EXPECT_EQ((co_await p.batch()).size(), 3u);
        co_await p.send("250 ok\r\n250 ok\r\n452 4.3.1 insufficient system storage\r\n");
        // No message data: the next thing is RSET.
        EXPECT_EQ(co_await p.line(), "RSET");
        co_await p.send("250 ok\r\n");
        co_await expect_quit(p);
      },
      [](tcp::endpoint ep) { return send_one(ep, options(), envelope(), "x"); });
  EXPECT_FALSE(r.delivered());
  ASSERT_TRUE(r.final_reply);
  EXPECT_EQ(r.final_reply->code, 452);
  EXPECT_EQ(recipient_outcomes(r, 1)[0].disposition, Disposition::temporary_failure);
}

TEST(SmtpClient, MailRefusedSendsNoRecipientsOrData) {
  Harness h;
  auto r = h.run(
      [](Peer& p) -> asio::awaitable<void> {
        co_await greet(p, "8BITMIME");
        EXPECT_EQ(co_await p.line(), "MAIL FROM:<a@example.org>");
        co_await p.send("550 5.7.1 sender rejected\r\n");
        EXPECT_EQ(co_await p.line(), "RSET");
        co_await p.send("250 ok\r\n");
        co_await expect_quit(p);
      },
      [](tcp::endpoint ep) { return send_one(ep, options(), envelope(), "x"); });
  EXPECT_EQ(r.mail->code, 550);
  EXPECT_TRUE(r.recipients.empty());
  EXPECT_FALSE(r.final_reply);
  EXPECT_EQ(recipient_outcomes(r, 1)[0].disposition, Disposition::permanent_failure);
}

TEST(SmtpClient, PipelinedMailRefusedReadsEveryReplyThenResets) {
  Harness h;
  auto r = h.run(
      [](Peer& p) -> asio::awaitable<void> {
        co_await greet(p, "PIPELINING");
        EXPECT_EQ((co_await p.batch()).size(), 3u);
        co_await p.send("550 5.7.1 no\r\n503 5.5.1 need MAIL\r\n503 5.5.1 need RCPT\r\n");
        EXPECT_EQ(co_await p.line(), "RSET");
        co_await p.send("250 ok\r\n");
        co_await expect_quit(p);
      },
      [](tcp::endpoint ep) { return send_one(ep, options(), envelope(), "x"); });
  EXPECT_EQ(r.mail->code, 550);
  EXPECT_FALSE(r.final_reply);
  EXPECT_FALSE(r.error);
  EXPECT_EQ(recipient_outcomes(r, 1)[0].reply->code, 550);
}

TEST(SmtpClient, NoRecipientAcceptedButDataAcceptedGetsAnEmptyMessage) {
  Harness h;
  auto r = h.run(
      [](Peer& p) -> asio::awaitable<void> {
        co_await greet(p, "PIPELINING");
        EXPECT_EQ((co_await p.batch()).size(), 3u);
        co_await p.send("250 ok\r\n550 5.1.1 unknown\r\n354 go\r\n");
        EXPECT_EQ(co_await p.data(), ".\r\n");
        co_await p.send("554 5.5.1 no valid recipients\r\n");
        EXPECT_EQ(co_await p.line(), "RSET");
        co_await p.send("250 ok\r\n");
        co_await expect_quit(p);
      },
      [](tcp::endpoint ep) { return send_one(ep, options(), envelope(), "secret body"); });
  EXPECT_FALSE(r.final_reply);
  EXPECT_EQ(recipient_outcomes(r, 1)[0].disposition, Disposition::permanent_failure);
}

TEST(SmtpClient, NoRecipientAcceptedWithoutPipeliningSkipsData) {
  Harness h;
  auto r = h.run(
      [](Peer& p) -> asio::awaitable<void> {
        co_await greet(p, "");
        EXPECT_EQ(co_await p.line(), "MAIL FROM:<a@example.org>");
        co_await p.send("250 ok\r\n");
        EXPECT_EQ(co_await p.line(), "RCPT TO:<b@example.net>");
        co_await p.send("450 4.2.1 mailbox busy\r\n");
        EXPECT_EQ(co_await p.line(), "RSET");
        co_await p.send("250 ok\r\n");
        co_await expect_quit(p);
      },
      [](tcp::endpoint ep) { return send_one(ep, options(), envelope(), "x"); });
  EXPECT_EQ(r.recipients.at(0).code, 450);
  EXPECT_FALSE(r.final_reply);
}

TEST(SmtpClient, Smtputf8NeededButNotOfferedIsRefusedWithoutSending) {
  Harness h;
  auto r = h.run(
      [](Peer& p) -> asio::awaitable<void> {
        co_await greet(p, "PIPELINING\n8BITMIME");
        co_await expect_quit(p);  // nothing between EHLO and QUIT
      },
      [](tcp::endpoint ep) { return send_one(ep, options(), envelope({"j\xc3\xb6rg@example.net"}), "x"); });
  ASSERT_TRUE(r.local);
  EXPECT_EQ(r.local->reason, LocalReason::smtputf8_unsupported);
  EXPECT_FALSE(r.mail);
}

TEST(SmtpClient, SizeOverTheServersLimitIsRefusedWithoutSending) {
  Harness h;
  auto r = h.run(
      [](Peer& p) -> asio::awaitable<void> {
        co_await greet(p, "SIZE 10");
        co_await expect_quit(p);
      },
      [](tcp::endpoint ep) { return send_one(ep, options(), envelope(), std::string(100, 'x')); });
  ASSERT_TRUE(r.local);
  EXPECT_EQ(r.local->reason, LocalReason::too_big);
}

TEST(SmtpClient, DsnParametersAndSmtputf8AreSentWhenOffered) {
  Harness h;
  Envelope e = envelope({"b+x@example.net"});
  e.ret = DsnRet::headers;
  e.envid = "q+1";
  e.smtputf8 = true;
  e.recipients[0].notify = DsnNotify{.bits = DsnNotify::success | DsnNotify::failure};
  e.recipients[0].orcpt = DsnOrcpt{.addr_type = "rfc822", .address = "b+x@example.net"};
  auto r = h.run(
      [](Peer& p) -> asio::awaitable<void> {
        co_await greet(p, "DSN\nSMTPUTF8\n8BITMIME");
        EXPECT_EQ(co_await p.line(), "MAIL FROM:<a@example.org> SMTPUTF8 RET=HDRS ENVID=q+2B1");
        co_await p.send("250 ok\r\n");
        EXPECT_EQ(co_await p.line(), "RCPT TO:<b+x@example.net> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b+2Bx@example.net");
        co_await p.send("250 ok\r\n");
        EXPECT_EQ(co_await p.line(), "DATA");
        co_await p.send("354 go\r\n");
        EXPECT_EQ(co_await p.data(), "x\r\n.\r\n");
        co_await p.send("250 ok\r\n");
        co_await expect_quit(p);
      },
      [&](tcp::endpoint ep) { return send_one(ep, options(), e, "x"); });
  EXPECT_TRUE(r.delivered());
}

TEST(SmtpClient, ConnectionReuseWithRset) {
  Harness h;
  auto results = h.run(
      [](Peer& p) -> asio::awaitable<void> {
        co_await greet(p, "PIPELINING");
        const std::array<std::string, 2> rcpts = {"RCPT TO:<b@example.net>", "RCPT TO:<c@example.net>"};
        for (const std::string& rcpt : rcpts) {
          co_await expect_batch(p, "MAIL FROM:<a@example.org>\n" + rcpt + "\nDATA");
          co_await p.send("250 ok\r\n250 ok\r\n354 go\r\n");
          EXPECT_EQ(co_await p.data(), "x\r\n.\r\n");
          co_await p.send("250 2.0.0 queued\r\n");
          EXPECT_EQ(co_await p.line(), "RSET");
          co_await p.send("250 2.0.0 ok\r\n");
        }
        co_await expect_quit(p);
      },
      [](tcp::endpoint ep) -> asio::awaitable<std::vector<bool>> {
        Connection c = co_await open_ok(ep, options());
        std::vector<bool> out;
        const std::array<std::string, 2> rcpts = {"b@example.net", "c@example.net"};
        for (const std::string& rcpt : rcpts) {
          const Envelope e = envelope(std::vector<std::string>(1, rcpt));
          const TransactionResult r = co_await c.send(e, "x");
          out.push_back(r.delivered());
          out.push_back(co_await c.reset());
        }
        co_await c.quit();
        out.push_back(c.usable());
        co_return out;
      });
  EXPECT_THAT(results, ElementsAre(true, true, true, true, false));
}

TEST(SmtpClient, ServerClosingWith421EndsTheConnection) {
  Harness h;
  auto r = h.run(
      [](Peer& p) -> asio::awaitable<void> {
        co_await greet(p, "PIPELINING");
        EXPECT_EQ((co_await p.batch()).size(), 4u);
        co_await p.send("250 ok\r\n250 ok\r\n421 4.3.2 shutting down\r\n");
        co_await p.hold();
      },
      [](tcp::endpoint ep) -> asio::awaitable<std::pair<TransactionResult, bool>> {
        Connection c = co_await open_ok(ep, options());
        const Envelope e = envelope({"b@example.net", "c@example.net"});
        TransactionResult r = co_await c.send(e, "x");
        co_return std::pair{r, c.usable()};
      });
  ASSERT_TRUE(r.first.error);
  EXPECT_EQ(r.first.error->stage, Stage::rcpt);
  EXPECT_EQ(r.first.error->reply->code, 421);
  EXPECT_FALSE(r.second);
  const auto o = recipient_outcomes(r.first, 2);
  EXPECT_EQ(o[1].disposition, Disposition::temporary_failure);
  EXPECT_EQ(o[1].reply->code, 421);
}

// ---- timeouts ----

TEST(SmtpClient, GreetingTimeout) {
  Harness h;
  ConnectOptions o = options();
  o.timeouts.greeting = 300ms;
  const auto start = std::chrono::steady_clock::now();
  const Error e = h.run([](Peer& p) -> asio::awaitable<void> { co_await p.hold(); },
                        [&](tcp::endpoint ep) { return open_fails(ep, o); });
  EXPECT_EQ(e.stage, Stage::greeting);
  EXPECT_EQ(e.kind, ErrorKind::timeout);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(SmtpClient, TimeoutAfterTheMessage) {
  Harness h;
  ConnectOptions o = options();
  o.timeouts.data_end = 300ms;
  auto r = h.run(
      [](Peer& p) -> asio::awaitable<void> {
        co_await greet(p, "PIPELINING");
        EXPECT_EQ((co_await p.batch()).size(), 3u);
        co_await p.send("250 ok\r\n250 ok\r\n354 go\r\n");
        EXPECT_EQ(co_await p.data(), "x\r\n.\r\n");
        co_await p.hold();  // never answers the dot
      },
      [&](tcp::endpoint ep) -> asio::awaitable<std::pair<TransactionResult, bool>> {
        Connection c = co_await open_ok(ep, o);
        TransactionResult r = co_await c.send(envelope(), "x");
        co_return std::pair{r, c.usable()};
      });
  ASSERT_TRUE(r.first.error);
  EXPECT_EQ(r.first.error->stage, Stage::message);
  EXPECT_EQ(r.first.error->kind, ErrorKind::timeout);
  EXPECT_FALSE(r.second);
  EXPECT_EQ(recipient_outcomes(r.first, 1)[0].disposition, Disposition::temporary_failure);
}

}  // namespace
}  // namespace atrium::smtp::client
