// Session behaviour not easily shown in transcripts: request/completion ordering with input fed
// while a request is outstanding, split-independence, timeouts, EHLO by state, the command
// table's gates per listener, and crashes on driver contract violations.
#include "mail/smtp/session.hpp"

#include "tests/unit/mail/smtp/fake_backend.hpp"
#include "tests/unit/mail/smtp/transcript.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace atrium::smtp {
namespace {

using testing::FakeBackend;

SessionOptions options(Mode mode = Mode::mx) {
  SessionOptions o;
  o.hostname = "mx.local.test";
  o.mode = mode;
  return o;
}

std::string sends(std::vector<Action> actions) {
  std::string out;
  for (auto& a : actions) {
    if (auto* s = std::get_if<Send>(&a)) out += s->bytes;
  }
  return out;
}

// Drives a session over `packets`, one feed each; returns the transcript.
std::string drive(const SessionOptions& o, FakeBackend backend, const std::vector<std::string>& packets) {
  Session s(o, "192.0.2.1");
  std::string out;
  auto observe = [&](std::string l) { out += l + "\n"; };
  s.start();
  testing::run_actions(s, backend, o.mode, observe);
  for (const std::string& p : packets) {
    s.feed(p);
    testing::run_actions(s, backend, o.mode, observe);
  }
  return out;
}

TEST(Session, GreetingPerMode) {
  Session mx(options(), "p");
  mx.start();
  EXPECT_EQ(sends(mx.take_actions()), "220 mx.local.test ESMTP Atrium\r\n");
  Session lmtp(options(Mode::lmtp), "p");
  lmtp.start();
  EXPECT_EQ(sends(lmtp.take_actions()), "220 mx.local.test LMTP Atrium\r\n");
}

TEST(Session, InputFedWhileARequestIsOutstandingWaitsItsTurn) {
  Session s(options(), "p");
  s.start();
  s.take_actions();
  s.feed("EHLO c\r\n");
  s.take_actions();
  s.feed("MAIL FROM:<a@b.example>\r\nRCPT TO:<x@local.test>\r\n");
  auto actions = s.take_actions();
  ASSERT_EQ(actions.size(), 1u);
  ASSERT_TRUE(std::holds_alternative<CheckSender>(actions[0]));
  EXPECT_TRUE(s.awaiting_completion());
  s.feed("RCPT TO:<y@local.test>\r\n");  // the driver should not read now, but may
  EXPECT_TRUE(s.take_actions().empty());
  s.sender_checked({SenderStatus::accepted});
  actions = s.take_actions();
  ASSERT_EQ(actions.size(), 2u);
  EXPECT_EQ(std::get<Send>(actions[0]).bytes, "250 2.1.0 Sender OK\r\n");
  EXPECT_EQ(std::get<CheckRecipient>(actions[1]).forward_path.mailbox(), "x@local.test");
  s.recipient_checked({RecipientStatus::unknown_user, {}});
  actions = s.take_actions();
  ASSERT_EQ(actions.size(), 2u);
  EXPECT_EQ(std::get<Send>(actions[0]).bytes, "550 5.1.1 User unknown\r\n");
  EXPECT_EQ(std::get<CheckRecipient>(actions[1]).forward_path.mailbox(), "y@local.test");
  s.recipient_checked({RecipientStatus::accepted, "tok"});
  EXPECT_EQ(sends(s.take_actions()), "250 2.1.5 Recipient OK\r\n");
  EXPECT_FALSE(s.awaiting_completion());
}

TEST(Session, OutputDoesNotDependOnHowInputIsSplit) {
  FakeBackend backend;
  backend.users = {"bob@local.test", "carol@local.test"};
  const std::string hello = "EHLO client.example\r\n";
  const std::string input =
      "MAIL FROM:<a@remote.example> SIZE=40\r\nRCPT TO:<bob@local.test>\r\nRCPT TO:<nobody@local.test>\r\n"
      "RCPT TO:<carol@local.test>\r\nDATA\r\n";
  const std::string body = "Subject: t\r\n\r\n..dot\r\n.\r\n";
  const std::string tail =
      "MAIL FROM:<>\r\nRCPT TO:<bob@local.test>\r\nBDAT 5\r\nhelloBDAT 3 LAST\r\nabcQUIT\r\n";
  // EHLO and DATA must end their packets (RFC 2920), so the parts are fed separately.
  auto run = [&](std::size_t piece) {
    Session s(options(), "192.0.2.1");
    std::string out;
    auto observe = [&](std::string l) { out += l + "\n"; };
    FakeBackend b = backend;
    s.start();
    for (const std::string* part : {&hello, &input, &body, &tail}) {
      std::string_view v = *part;
      // Packets may split anywhere, but a DATA line must arrive before its body.
      for (std::size_t i = 0; i < v.size(); i += piece) {
        s.feed(v.substr(i, piece));
        testing::run_actions(s, b, Mode::mx, observe);
      }
    }
    return out;
  };
  const std::string whole = run(1 << 20);
  EXPECT_NE(whole.find("-- deliver"), std::string::npos) << whole;
  EXPECT_NE(whole.find("250 2.0.0 5 octets received"), std::string::npos) << whole;
  EXPECT_NE(whole.find("221 2.0.0"), std::string::npos) << whole;
  for (std::size_t piece : {1u, 2u, 3u, 7u, 13u}) EXPECT_EQ(run(piece), whole) << "piece " << piece;
}

TEST(Session, TimeoutFollowsTheConversation) {
  Session s(options(), "p");
  s.start();
  auto phase = [&] { return s.current_timeout()->phase; };
  EXPECT_EQ(phase(), TimeoutPhase::initial);
  EXPECT_EQ(s.current_timeout()->limit, std::chrono::minutes(5));
  s.feed("EHLO c\r\n");
  EXPECT_EQ(phase(), TimeoutPhase::mail);
  s.feed("MAIL FROM:<>\r\n");
  EXPECT_EQ(phase(), TimeoutPhase::mail);  // CheckSender outstanding: the client awaits the MAIL reply
  s.sender_checked({});
  EXPECT_EQ(phase(), TimeoutPhase::rcpt);
  s.feed("RCPT TO:<a@local.test>\r\n");
  s.recipient_checked({RecipientStatus::accepted, ""});
  EXPECT_EQ(phase(), TimeoutPhase::rcpt);
  s.feed("DATA\r\n");
  EXPECT_EQ(phase(), TimeoutPhase::data_block);
  EXPECT_EQ(s.current_timeout()->limit, std::chrono::minutes(3));
  s.feed("x\r\n.\r\n");
  EXPECT_EQ(phase(), TimeoutPhase::data_termination);
  EXPECT_EQ(s.current_timeout()->limit, std::chrono::minutes(10));
  s.delivered({{DeliveryStatus::delivered}});
  EXPECT_EQ(phase(), TimeoutPhase::mail);
  s.feed("QUIT\r\n");
  EXPECT_FALSE(s.current_timeout());
  EXPECT_TRUE(s.closed());
}

struct EhloCase {
  std::string name;
  Mode mode;
  bool tls_available;
  bool tls_active;
  bool auth_without_tls;
  bool expect_starttls;
  bool expect_auth;
};

class EhloAdvertises : public ::testing::TestWithParam<EhloCase> {};

TEST_P(EhloAdvertises, WhatAppliesNow) {
  const EhloCase& c = GetParam();
  SessionOptions o = options(c.mode);
  o.tls_available = c.tls_available;
  o.tls_active = c.tls_active;
  o.auth_without_tls_allowed = c.auth_without_tls;
  Session s(o, "p");
  s.start();
  s.take_actions();
  s.feed(c.mode == Mode::lmtp ? "LHLO c\r\n" : "EHLO c\r\n");
  const std::string reply = sends(s.take_actions());
  EXPECT_EQ(reply.find("250-STARTTLS") != std::string::npos, c.expect_starttls) << reply;
  EXPECT_EQ(reply.find("250-AUTH PLAIN LOGIN") != std::string::npos, c.expect_auth) << reply;
  for (const char* always : {"250-PIPELINING", "250-SIZE 52428800", "250-ENHANCEDSTATUSCODES", "250-8BITMIME",
                             "250-SMTPUTF8", "250-CHUNKING", "250 DSN"}) {
    EXPECT_NE(reply.find(always), std::string::npos) << always << "\n" << reply;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Smtp, EhloAdvertises,
    ::testing::Values(EhloCase{"mx_plain", Mode::mx, false, false, false, false, false},
                      EhloCase{"mx_tls_available", Mode::mx, true, false, false, true, false},
                      EhloCase{"submission_before_tls", Mode::submission, true, false, false, true, false},
                      EhloCase{"submission_dev_cleartext", Mode::submission, true, false, true, true, true},
                      EhloCase{"submission_no_tls_dev", Mode::submission, false, false, true, false, true},
                      EhloCase{"submissions", Mode::submissions, true, true, false, false, true},
                      EhloCase{"lmtp", Mode::lmtp, false, false, false, false, false}),
    [](const auto& info) { return info.param.name; });

TEST(Session, EhloAfterStarttlsOffersAuthNotStarttls) {
  SessionOptions o = options(Mode::submission);
  o.tls_available = true;
  Session s(o, "p");
  s.start();
  s.feed("EHLO c\r\n");
  s.feed("STARTTLS\r\n");
  s.take_actions();
  s.tls_started("TLSv1.3");
  s.feed("EHLO c\r\n");
  const std::string reply = sends(s.take_actions());
  EXPECT_EQ(reply.find("STARTTLS"), std::string::npos);
  EXPECT_NE(reply.find("250-AUTH PLAIN LOGIN"), std::string::npos);
}

// The dispatcher's gates: the first reply code for one command in one situation.
struct Gate {
  std::string name;
  Mode mode;
  std::string setup;  // fed first; its replies are ignored
  std::string line;
  std::string expected_prefix;
};

class CommandGate : public ::testing::TestWithParam<Gate> {};

TEST_P(CommandGate, FirstReply) {
  const Gate& g = GetParam();
  SessionOptions o = options(g.mode);
  o.tls_available = true;
  FakeBackend backend;
  backend.users = {"bob@local.test"};
  Session s(o, "p");
  s.start();
  auto ignore = [](std::string) {};
  testing::run_actions(s, backend, g.mode, ignore);
  std::string_view setup = g.setup;
  while (!setup.empty()) {
    std::size_t end = setup.find("\r\n") + 2;
    s.feed(setup.substr(0, end));
    setup.remove_prefix(end);
    testing::run_actions(s, backend, g.mode, ignore);
  }
  s.feed(g.line + "\r\n");
  std::string out;
  testing::run_actions(s, backend, g.mode, [&](std::string l) {
    if (out.empty() && l.starts_with("S: ")) out = l.substr(3);
  });
  EXPECT_TRUE(out.starts_with(g.expected_prefix)) << g.name << ": " << out;
}

INSTANTIATE_TEST_SUITE_P(
    Smtp, CommandGate,
    ::testing::Values(
        Gate{"mail_before_ehlo", Mode::mx, "", "MAIL FROM:<>", "503 5.5.1 Send hello"},
        Gate{"rcpt_before_mail", Mode::mx, "EHLO c\r\n", "RCPT TO:<bob@local.test>", "503 5.5.1 Need MAIL"},
        Gate{"data_before_mail", Mode::mx, "EHLO c\r\n", "DATA", "503 5.5.1 Need MAIL"},
        Gate{"data_without_rcpt", Mode::mx, "EHLO c\r\nMAIL FROM:<>\r\n", "DATA", "554 5.5.1 No valid recipients"},
        Gate{"data_all_rcpt_refused", Mode::mx, "EHLO c\r\nMAIL FROM:<>\r\nRCPT TO:<x@local.test>\r\n", "DATA",
             "554 5.5.1"},
        Gate{"nested_mail", Mode::mx, "EHLO c\r\nMAIL FROM:<>\r\n", "MAIL FROM:<>", "503 5.5.1 Sender already"},
        Gate{"auth_on_mx", Mode::mx, "EHLO c\r\n", "AUTH PLAIN", "503 5.5.1 Authentication not enabled"},
        Gate{"auth_on_lmtp", Mode::lmtp, "LHLO c\r\n", "AUTH PLAIN", "503 5.5.1 Authentication not enabled"},
        Gate{"ehlo_on_lmtp", Mode::lmtp, "", "EHLO c", "500 5.5.1"},
        Gate{"helo_on_lmtp", Mode::lmtp, "", "HELO c", "500 5.5.1"},
        Gate{"lhlo_on_smtp", Mode::mx, "", "LHLO c", "500 5.5.1"},
        Gate{"mail_before_starttls", Mode::submission, "EHLO c\r\n", "MAIL FROM:<a@b.c>", "530 5.7.0 Must issue"},
        Gate{"auth_before_starttls", Mode::submission, "EHLO c\r\n", "AUTH PLAIN", "530 5.7.0 Must issue"},
        Gate{"vrfy_before_starttls", Mode::submission, "EHLO c\r\n", "VRFY x", "530 5.7.0"},
        Gate{"noop_before_starttls", Mode::submission, "", "NOOP", "250 2.0.0"},
        Gate{"help_before_starttls", Mode::submission, "", "HELP", "214 2.0.0"},
        Gate{"mail_before_auth", Mode::submission, "EHLO c\r\nSTARTTLS\r\nEHLO c\r\n", "MAIL FROM:<a@b.c>",
             "530 5.7.0 Authentication required"},
        Gate{"auth_before_ehlo", Mode::submissions, "", "AUTH PLAIN", "503 5.5.1 Send hello"},
        Gate{"starttls_in_transaction", Mode::mx, "EHLO c\r\nMAIL FROM:<>\r\n", "STARTTLS", "503 5.5.1"},
        Gate{"starttls_twice", Mode::mx, "EHLO c\r\nSTARTTLS\r\nEHLO c\r\n", "STARTTLS", "503 5.5.1 TLS already"},
        Gate{"starttls_with_argument", Mode::mx, "EHLO c\r\n", "STARTTLS now", "501 5.5.4"},
        Gate{"unknown_verb", Mode::mx, "", "EXPN list", "500 5.5.1"},
        Gate{"bad_sender_path", Mode::mx, "EHLO c\r\n", "MAIL FROM:<a@@b>", "501 5.1.7"},
        Gate{"bad_recipient_path", Mode::mx, "EHLO c\r\nMAIL FROM:<>\r\n", "RCPT TO:<a@@b>", "501 5.1.3"},
        Gate{"unknown_param", Mode::mx, "EHLO c\r\n", "MAIL FROM:<> XFOO=1", "555 5.5.4"},
        Gate{"binarymime", Mode::mx, "EHLO c\r\n", "MAIL FROM:<> BODY=BINARYMIME", "555 5.5.4"},
        Gate{"size_over_limit", Mode::mx, "EHLO c\r\n", "MAIL FROM:<> SIZE=52428801", "552 5.3.4"},
        Gate{"size_at_limit", Mode::mx, "EHLO c\r\n", "MAIL FROM:<> SIZE=52428800", "250 2.1.0"},
        Gate{"utf8_sender_without_smtputf8", Mode::mx, "EHLO c\r\n", "MAIL FROM:<ü@b.example>", "553 5.6.7"},
        Gate{"utf8_sender_with_smtputf8", Mode::mx, "EHLO c\r\n", "MAIL FROM:<ü@b.example> SMTPUTF8", "250"},
        Gate{"percent_hack", Mode::mx, "EHLO c\r\nMAIL FROM:<>\r\n", "RCPT TO:<bob%evil.example@local.test>",
             "554 5.7.1"},
        Gate{"bang_path", Mode::mx, "EHLO c\r\nMAIL FROM:<>\r\n", "RCPT TO:<evil!bob@local.test>", "554 5.7.1"},
        Gate{"foreign_domain", Mode::mx, "EHLO c\r\nMAIL FROM:<>\r\n", "RCPT TO:<bob@remote.example>",
             "554 5.7.1 Relay access denied"},
        Gate{"postmaster", Mode::mx, "EHLO c\r\nMAIL FROM:<>\r\n", "RCPT TO:<Postmaster>", "250 2.1.5"},
        Gate{"bdat_before_mail", Mode::mx, "EHLO c\r\n", "BDAT 0", "503 5.5.1"},
        Gate{"bare_lf_command", Mode::mx, "", "NOOP\n", "500 5.5.2 Bare LF"}),
    [](const auto& info) { return info.param.name; });

TEST(Session, ErrorLimitClosesWith421) {
  SessionOptions o = options();
  o.max_errors = 3;
  Session s(o, "p");
  s.start();
  s.take_actions();
  s.feed("FOO\r\nBAR\r\n");
  EXPECT_FALSE(s.closed());
  s.feed("BAZ\r\nNOOP\r\n");
  auto actions = s.take_actions();
  ASSERT_EQ(actions.size(), 2u);
  EXPECT_EQ(std::get<Send>(actions[0]).bytes,
            "500 5.5.1 Command unrecognized\r\n500 5.5.1 Command unrecognized\r\n500 5.5.1 Command unrecognized\r\n"
            "421 4.7.0 mx.local.test Too many errors, closing connection\r\n");
  EXPECT_TRUE(std::holds_alternative<Close>(actions[1]));
  s.feed("NOOP\r\n");
  EXPECT_TRUE(s.take_actions().empty());
}

TEST(Session, FourHundredsDoNotCountAsErrors) {
  SessionOptions o = options();
  o.max_errors = 2;
  o.max_recipients = 1;
  FakeBackend backend;
  backend.users = {"bob@local.test"};
  std::string out = drive(o, backend,
                          {"EHLO c\r\n",
                           "MAIL FROM:<>\r\nRCPT TO:<bob@local.test>\r\nRCPT TO:<bob@local.test>\r\n"
                           "RCPT TO:<bob@local.test>\r\nRCPT TO:<bob@local.test>\r\nNOOP\r\n"});
  EXPECT_EQ(out.find("421"), std::string::npos) << out;
  EXPECT_NE(out.find("452 4.5.3 Too many recipients"), std::string::npos) << out;
}

TEST(Session, HugeLineWithoutLfIsBoundedAndAnsweredOnce) {
  Session s(options(), "p");
  s.start();
  s.take_actions();
  const std::string junk(64 * 1024, 'x');
  for (int i = 0; i < 8; ++i) s.feed(junk);
  EXPECT_EQ(sends(s.take_actions()), "500 5.5.2 Line too long\r\n");
  s.feed("\r\nNOOP\r\n");
  EXPECT_EQ(sends(s.take_actions()), "250 2.0.0 OK\r\n");
}

TEST(Session, BrokenDriverContractCrashes) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        Session s(options(), "p");
        s.feed("NOOP\r\n");
      },
      "");
  EXPECT_DEATH(
      {
        Session s(options(), "p");
        s.start();
        s.recipient_checked({});
      },
      "");
  EXPECT_DEATH(
      {
        Session s(options(), "p");
        s.start();
        s.feed("EHLO c\r\nMAIL FROM:<>\r\n");
        s.auth_done({});
      },
      "");
  EXPECT_DEATH(
      {
        Session s(options(Mode::lmtp), "p");
        s.start();
        s.feed("LHLO c\r\n");
        s.feed("MAIL FROM:<>\r\n");
        s.sender_checked({});
        s.feed("RCPT TO:<a@local.test>\r\n");
        s.recipient_checked({});
        s.feed("DATA\r\n");
        s.feed(".\r\n");
        s.delivered({{DeliveryStatus::delivered, DeliveryStatus::delivered}});  // one recipient, two statuses
      },
      "");
}

TEST(Session, DeliverCarriesEnvelopeAndMessage) {
  SessionOptions o = options(Mode::submissions);
  o.tls_active = true;
  o.tls_description = "TLSv1.3 X";
  Session s(o, "198.51.100.7");
  s.start();
  s.feed("EHLO laptop\r\n");
  s.feed("AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n");
  auto a = s.take_actions();
  ASSERT_TRUE(std::holds_alternative<Authenticate>(a.back()));
  EXPECT_EQ(std::get<Authenticate>(a.back()).authcid, "alice");
  EXPECT_EQ(std::get<Authenticate>(a.back()).password, "secret");
  s.auth_done({AuthOutcome::success, "alice@local.test"});
  s.feed("MAIL FROM:<alice@local.test> BODY=8BITMIME RET=HDRS ENVID=e1\r\n");
  a = s.take_actions();
  EXPECT_EQ(std::get<CheckSender>(a.back()).principal, "alice@local.test");
  s.sender_checked({});
  s.feed("RCPT TO:<x@remote.example> NOTIFY=FAILURE,DELAY ORCPT=rfc822;x+40remote.example\r\n");
  a = s.take_actions();
  EXPECT_EQ(std::get<CheckRecipient>(a.back()).principal, "alice@local.test");
  s.recipient_checked({RecipientStatus::accepted, "remote-token"});
  s.feed("DATA\r\n");
  s.feed("Subject: \xc3\xa9t\xc3\xa9\r\n\r\n..x\r\n.\r\n");
  a = s.take_actions();
  const auto& d = std::get<Deliver>(a.back());
  EXPECT_EQ(d.message, "Subject: \xc3\xa9t\xc3\xa9\r\n\r\n.x\r\n");
  const Envelope& e = d.envelope;
  EXPECT_EQ(e.reverse_path.mailbox(), "alice@local.test");
  ASSERT_EQ(e.recipients.size(), 1u);
  EXPECT_EQ(e.recipients[0].token, "remote-token");
  EXPECT_EQ(e.recipients[0].params.notify, (DsnNotify{false, DsnNotify::failure | DsnNotify::delay}));
  EXPECT_EQ(e.recipients[0].params.orcpt, (DsnOrcpt{"rfc822", "x@remote.example"}));
  EXPECT_EQ(e.body, BodyType::eight_bit_mime);
  EXPECT_EQ(e.ret, DsnRet::headers);
  EXPECT_EQ(e.envid, "e1");
  EXPECT_EQ(e.size, d.message.size());
  EXPECT_FALSE(e.undeclared_8bit);
  EXPECT_EQ(e.helo, "laptop");
  EXPECT_EQ(e.hello_verb, HelloVerb::ehlo);
  EXPECT_EQ(e.peer, "198.51.100.7");
  EXPECT_EQ(e.tls, "TLSv1.3 X");
  EXPECT_EQ(e.authenticated, "alice@local.test");
  s.delivered({{DeliveryStatus::delivered}});
  EXPECT_EQ(sends(s.take_actions()), "250 2.0.0 Message accepted for delivery\r\n");
}

TEST(Session, StarttlsDiscardsPipelinedInputAndForgetsState) {
  SessionOptions o = options();
  o.tls_available = true;
  Session s(o, "p");
  s.start();
  s.feed("EHLO c\r\n");
  s.take_actions();
  s.feed("STARTTLS\r\nMAIL FROM:<evil@x.example>\r\nRCPT TO:<a@local.test>\r\n");
  auto a = s.take_actions();
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(std::get<Send>(a[0]).bytes, "220 2.0.0 Ready to start TLS\r\n");
  EXPECT_TRUE(std::holds_alternative<StartTls>(a[1]));
  s.feed("NOOP\r\n");  // cleartext before the handshake: never executed
  EXPECT_TRUE(s.take_actions().empty());
  s.tls_started("TLSv1.3");
  EXPECT_TRUE(s.take_actions().empty());  // nothing left to run
  s.feed("MAIL FROM:<>\r\n");
  EXPECT_EQ(sends(s.take_actions()), "503 5.5.1 Send hello first\r\n");  // EHLO forgotten
}

}  // namespace
}  // namespace atrium::smtp
