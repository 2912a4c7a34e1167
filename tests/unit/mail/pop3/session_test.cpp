// Session behaviour not easily shown in transcripts: request/completion ordering with input fed
// while a request is outstanding, when the maildrop lock must be held, split-independence,
// bounded buffering of hostile input, and crashes on driver contract violations.
#include "mail/pop3/session.hpp"

#include "tests/unit/mail/pop3/fake_backend.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace atrium::pop3 {
namespace {

using testing::FakeBackend;

SessionOptions options() {
  SessionOptions o;
  o.hostname = "pop.local.test";
  o.cleartext_login_allowed = true;
  o.tls_available = true;
  return o;
}

FakeBackend backend_with_mail() {
  FakeBackend b;
  b.logins["alice"] = {"secret", "alice@local.test", 42};
  b.maildrops["alice@local.test"] = {{1, "9.1", "Subject: a\r\n\r\none\r\n"}, {2, "9.2", "Subject: b\n\n.two\n"}};
  return b;
}

std::string sends(const std::vector<Action>& actions) {
  std::string out;
  for (const auto& a : actions) {
    if (const auto* s = std::get_if<Send>(&a)) out += s->bytes;
  }
  return out;
}

// Drives a session over `packets`, one feed each; returns the transcript.
std::string drive(FakeBackend backend, const std::vector<std::string>& packets) {
  Session s(options(), "192.0.2.1");
  std::string out;
  auto observe = [&](std::string l) { out += l + "\n"; };
  s.start();
  testing::run_actions(s, backend, observe);
  for (const std::string& p : packets) {
    s.feed(p);
    testing::run_actions(s, backend, observe);
  }
  return out;
}

Session logged_in(FakeBackend& b) {
  Session s(options(), "192.0.2.1");
  s.start();
  s.feed("USER alice\r\nPASS secret\r\n");
  testing::run_actions(s, b, [](std::string) {});
  return s;
}

TEST(Pop3Session, Greeting) {
  Session s(options(), "p");
  s.start();
  EXPECT_EQ(sends(s.take_actions()), "+OK pop.local.test Atrium POP3 server ready\r\n");
}

TEST(Pop3Session, InputFedWhileARequestIsOutstandingWaitsItsTurn) {
  Session s(options(), "p");
  s.start();
  s.take_actions();
  s.feed("USER alice\r\nPASS secret\r\nSTAT\r\n");
  auto actions = s.take_actions();
  ASSERT_EQ(actions.size(), 2u);
  EXPECT_EQ(std::get<Send>(actions[0]).bytes, "+OK Send your password\r\n");
  const auto& auth = std::get<Authenticate>(actions[1]);
  EXPECT_EQ(auth.mechanism, "USER");
  EXPECT_EQ(auth.authcid, "alice");
  EXPECT_EQ(auth.password, "secret");
  EXPECT_TRUE(s.awaiting_completion());
  s.feed("LIST\r\n");  // the driver should not read now, but may
  EXPECT_TRUE(s.take_actions().empty());
  s.auth_done({AuthOutcome::success, "alice@local.test", 42});
  actions = s.take_actions();
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(std::get<OpenMaildrop>(actions[0]).account, 42);
  EXPECT_FALSE(s.holds_maildrop());
  s.maildrop_opened({MaildropStatus::opened, {{5, 100, "1.5"}}});
  EXPECT_TRUE(s.holds_maildrop());
  EXPECT_EQ(sends(s.take_actions()),
            "+OK Maildrop has 1 messages (100 octets)\r\n+OK 1 100\r\n+OK 1 messages (100 octets)\r\n1 100\r\n.\r\n");
}

TEST(Pop3Session, MaildropIsHeldFromLoginUntilTheCommitCompletes) {
  FakeBackend b = backend_with_mail();
  Session s = logged_in(b);
  EXPECT_TRUE(s.holds_maildrop());
  s.feed("DELE 2\r\nQUIT\r\n");
  auto actions = s.take_actions();
  ASSERT_EQ(actions.size(), 2u);
  EXPECT_EQ(std::get<Commit>(actions[1]).keys, std::vector<std::uint64_t>{2});
  EXPECT_TRUE(s.holds_maildrop());
  s.committed(CommitStatus::committed);
  EXPECT_FALSE(s.holds_maildrop());
  actions = s.take_actions();
  ASSERT_EQ(actions.size(), 2u);
  EXPECT_EQ(std::get<Send>(actions[0]).bytes, "+OK pop.local.test Atrium POP3 server signing off (1 messages left)\r\n");
  EXPECT_TRUE(std::holds_alternative<Close>(actions[1]));
}

TEST(Pop3Session, RefusedMaildropIsNotHeld) {
  Session s(options(), "p");
  s.start();
  s.feed("USER alice\r\nPASS secret\r\n");
  s.take_actions();
  s.auth_done({AuthOutcome::success, "alice@local.test", 42});
  s.take_actions();
  s.maildrop_opened({MaildropStatus::in_use, {}});
  EXPECT_FALSE(s.holds_maildrop());
  EXPECT_EQ(sends(s.take_actions()), "-ERR [IN-USE] Maildrop is locked by another POP3 session\r\n");
  s.feed("STAT\r\n");
  EXPECT_EQ(sends(s.take_actions()), "-ERR Not logged in\r\n");
}

TEST(Pop3Session, ADroppedConnectionCommitsNothing) {
  FakeBackend b = backend_with_mail();
  {
    Session s = logged_in(b);
    s.feed("DELE 1\r\nDELE 2\r\n");
    testing::run_actions(s, b, [](std::string) {});
    // The peer goes away: the driver just destroys the session.
  }
  EXPECT_TRUE(b.commits.empty());
}

TEST(Pop3Session, RetrieveCarriesTheStatusLineAndTheLimit) {
  FakeBackend b = backend_with_mail();
  Session s = logged_in(b);
  s.feed("RETR 2\r\n");
  auto actions = s.take_actions();
  ASSERT_EQ(actions.size(), 1u);
  auto r = std::get<Retrieve>(actions[0]);
  EXPECT_EQ(r.key, 2u);
  EXPECT_EQ(r.number, 2u);
  EXPECT_FALSE(r.body_lines);
  EXPECT_EQ(r.status_line, "+OK 17 octets\r\n");
  s.retrieved(RetrieveStatus::sent);
  s.feed("TOP 1 3\r\n");
  actions = s.take_actions();
  r = std::get<Retrieve>(actions.at(0));
  EXPECT_EQ(r.body_lines, 3u);
  EXPECT_EQ(r.status_line, "+OK Top of message follows\r\n");
}

TEST(Pop3Session, SplitIndependence) {
  const std::string all =
      "CAPA\r\nUSER alice\r\nPASS secret\r\nSTAT\r\nLIST\r\nUIDL\r\nRETR 1\r\nTOP 2 0\r\nDELE 1\r\nRSET\r\nDELE 2\r\nQUIT\r\n";
  const std::string whole = drive(backend_with_mail(), {all});
  for (std::size_t piece : {1u, 2u, 3u, 5u, 13u}) {
    std::vector<std::string> packets;
    for (std::size_t i = 0; i < all.size(); i += piece) packets.push_back(all.substr(i, piece));
    EXPECT_EQ(drive(backend_with_mail(), packets), whole) << "piece " << piece;
  }
  EXPECT_NE(whole.find("-- commit 2"), std::string::npos) << whole;
}

TEST(Pop3Session, EndlessLineIsRefusedOnceAndNotBuffered) {
  Session s(options(), "p");
  s.start();
  s.take_actions();
  const std::string junk(64 * 1024, 'x');
  for (int i = 0; i < 64; ++i) s.feed(junk);  // 4 MiB without a line ending
  EXPECT_EQ(sends(s.take_actions()), "-ERR Line too long\r\n");
  s.feed("\r\nCAPA\r\n");
  EXPECT_TRUE(sends(s.take_actions()).starts_with("+OK Capability list follows\r\n"));
}

TEST(Pop3Session, NulBytesAreRefusedNotTruncated) {
  Session s(options(), "p");
  s.start();
  s.take_actions();
  s.feed(std::string("USER alice\0bob\r\n", 16));
  EXPECT_EQ(sends(s.take_actions()), "-ERR Invalid character in command\r\n");
}

TEST(Pop3Session, NothingAfterClose) {
  Session s(options(), "p");
  s.start();
  s.feed("QUIT\r\n");
  auto actions = s.take_actions();
  ASSERT_EQ(actions.size(), 2u);
  EXPECT_TRUE(s.closed());
  s.feed("NOOP\r\n");
  EXPECT_TRUE(s.take_actions().empty());
}

TEST(Pop3Session, CleartextBytesDuringTheHandshakeAreIgnored) {
  SessionOptions o = options();
  o.cleartext_login_allowed = false;
  Session s(o, "p");
  s.start();
  s.take_actions();
  s.feed("STLS\r\n");
  auto actions = s.take_actions();
  ASSERT_EQ(actions.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<StartTls>(actions[1]));
  s.feed("CAPA\r\n");  // read before the handshake: must never run
  s.tls_started("TLSv1.3");
  EXPECT_TRUE(s.take_actions().empty());
  s.feed("CAPA\r\n");
  const std::string capa = sends(s.take_actions());
  EXPECT_NE(capa.find("\r\nUSER\r\n"), std::string::npos);
  EXPECT_EQ(capa.find("STLS"), std::string::npos);
}

TEST(Pop3Session, CapaIsTheSameInBothStates) {
  FakeBackend b = backend_with_mail();
  Session s(options(), "p");
  s.start();
  s.take_actions();
  s.feed("CAPA\r\n");
  const std::string before = sends(s.take_actions());
  s.feed("USER alice\r\nPASS secret\r\n");
  testing::run_actions(s, b, [](std::string) {});
  s.feed("CAPA\r\n");
  EXPECT_EQ(sends(s.take_actions()), before);
}

TEST(Pop3SessionDeathTest, CompletionWithoutARequestAborts) {
  ::testing::FLAGS_gtest_death_test_style = "threadsafe";
  EXPECT_DEATH(
      {
        Session s(options(), "p");
        s.start();
        s.auth_done({});
      },
      "");
  EXPECT_DEATH(
      {
        Session s(options(), "p");
        s.start();
        s.committed(CommitStatus::committed);
      },
      "");
}

TEST(Pop3SessionDeathTest, InvalidUniqueIdFromTheBackendAborts) {
  ::testing::FLAGS_gtest_death_test_style = "threadsafe";
  EXPECT_DEATH(
      {
        Session s(options(), "p");
        s.start();
        s.feed("USER a\r\nPASS b\r\n");
        s.auth_done({AuthOutcome::success, "a@b", 1});
        s.maildrop_opened({MaildropStatus::opened, {{1, 1, "has space"}}});
      },
      "");
}

}  // namespace
}  // namespace atrium::pop3
