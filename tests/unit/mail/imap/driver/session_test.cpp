// The IMAP session over a real store and an in-memory channel: state rules, replies byte for
// byte for the common commands, and bad input that must get BAD rather than anything worse.
#include "mail/imap/driver/session.hpp"

#include "core/auth/password.hpp"
#include "core/auth/throttle.hpp"
#include "core/metrics/metrics.hpp"
#include "mail/imap/parser.hpp"
#include "mail/index/search_document.hpp"
#include "storage/credentials.hpp"
#include "storage/directory.hpp"
#include "storage/items.hpp"
#include "test_support.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <deque>
#include <thread>

namespace atrium::imap {
namespace {

using namespace storage;

class MemoryChannel : public Channel {
 public:
  std::string out;
  std::deque<std::string> lines;  // answers to read_line (AUTHENTICATE, IDLE)

  asio::awaitable<bool> write(std::string bytes) override {
    out += bytes;
    co_return true;
  }
  asio::awaitable<std::optional<std::string>> read_line(std::size_t) override {
    if (lines.empty()) co_return std::nullopt;
    auto l = lines.front();
    lines.pop_front();
    co_return l;
  }
  struct NoWake : Wakeup {
    void notify() override {}
  };
  std::shared_ptr<Wakeup> make_wakeup() override { return std::make_shared<NoWake>(); }
  asio::awaitable<std::optional<std::string>> read_line_or_wake(std::size_t max, Wakeup&, std::chrono::seconds,
                                                                  bool* woken) override {
    *woken = false;
    co_return co_await read_line(max);
  }
  asio::awaitable<bool> start_tls() override { co_return false; }
  bool tls_active() const override { return false; }
  bool tls_available() const override { return false; }
  bool start_compression() override {
    compressed = true;
    return true;
  }
  bool compression_active() const override { return compressed; }
  bool compressed = false;
};

class SessionTest : public storage::testing::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    store_->write([&](WriteTxn& t) {
      directory::add_domain(t, "example.test");
      user_ = directory::add_user(t, {"u@example.test", auth::hash_password("pw-4711", auth::HashCost::minimal), "", 0});
    });
    credentials_ = std::make_unique<StoreCredentials>(*store_);
    authenticator_ = std::make_unique<auth::Authenticator>(throttle_, *credentials_, metrics_);
    services_ = std::make_unique<Services>(Services{*store_, *authenticator_, pool_, pool_});
    SessionOptions options;
    options.hostname = "imap.example.test";
    options.cleartext_login = true;
    session_ = std::make_unique<Session>(*services_, options, channel_, net::ConnectionInfo{});
  }
  void TearDown() override {
    session_.reset();
    StoreTest::TearDown();
  }

  // Runs one command line and returns everything the session wrote for it.
  std::string run(const std::string& line) {
    channel_.out.clear();
    auto parsed = parse_command(line, {session_->utf8_names() ? WireCharset::utf8 : WireCharset::modified_utf7});
    asio::io_context io;
    bool done = false;
    std::optional<std::string> tag;  // outlives io.run(), where the coroutine reads it
    if (auto* err = std::get_if<ParseError>(&parsed)) {
      if (!err->tag.empty()) tag = err->tag;
      asio::co_spawn(io, [&]() -> asio::awaitable<void> {
        alive_ = co_await session_->reject(std::move(tag), "Syntax error");
        done = true;
      }, asio::detached);
    } else {
      asio::co_spawn(io, [&]() -> asio::awaitable<void> {
        alive_ = co_await session_->execute(std::get<Command>(parsed));
        done = true;
      }, asio::detached);
    }
    io.run();
    EXPECT_TRUE(done);
    return channel_.out;
  }
  void login() { ASSERT_EQ(run("a LOGIN u@example.test pw-4711").rfind("a OK [CAPABILITY ", 0), 0u); }
  Uid add(const std::string& body, std::uint32_t flags = 0) {
    auto box = store_->read([&](ReadTxn& t) {
      return collections::find(t, Actor::system(), user_, CollectionKind::mailbox, "INBOX")->id;
    });
    auto blob = store_->blobs().stage(body);
    return store_->write([&](WriteTxn& t) {
      return items::add(t, Actor::system(), {.collection = box, .kind = ItemKind::message, .blob = blob,
                                             .internal_date = 1700000000, .flags = flags}).uid;
    });
  }

  PrincipalId user_ = 0;
  metrics::Registry metrics_;
  auth::Throttle throttle_;
  runtime::BlockingPool pool_{runtime::BlockingPoolOptions{2}};
  std::unique_ptr<StoreCredentials> credentials_;
  std::unique_ptr<auth::Authenticator> authenticator_;
  std::unique_ptr<Services> services_;
  MemoryChannel channel_;
  std::unique_ptr<Session> session_;
  bool alive_ = true;
};

TEST_F(SessionTest, StateRulesBeforeAndAfterLogin) {
  EXPECT_EQ(run("a SELECT INBOX"), "a BAD Log in first\r\n");
  EXPECT_EQ(run("b FETCH 1 FLAGS"), "b BAD Log in first\r\n");
  EXPECT_EQ(run("c LOGIN u@example.test wrong"), "c NO [AUTHENTICATIONFAILED] Authentication failed\r\n");
  login();
  EXPECT_EQ(run("d LOGIN u@example.test pw-4711"), "d BAD Already authenticated\r\n");
  EXPECT_EQ(run("e FETCH 1 FLAGS"), "e BAD No mailbox selected\r\n");
  EXPECT_EQ(run("f NOOP"), "f OK NOOP completed\r\n");
  EXPECT_EQ(run("g LOGOUT"), "* BYE Logging out\r\ng OK LOGOUT completed\r\n");
  EXPECT_FALSE(alive_);
}

TEST_F(SessionTest, ChangesAreAnnouncedAtOnceFromThisProcessAndWithinASecondFromAnother) {
  add("Subject: one\r\n\r\nx\r\n");
  login();
  run("s SELECT INBOX");
  // A commit in this process reaches the notify hub: the next command announces it.
  add("Subject: two\r\n\r\ny\r\n");
  EXPECT_EQ(run("a NOOP"), "* 2 EXISTS\r\n* 2 RECENT\r\na OK NOOP completed\r\n");
  // Another process (the admin CLI) commits to the same database; its commit reaches no hub here,
  // so it is not read at once, but within a second.
  {
    auto other = storage::Store::open({.data_dir = dir_});
    auto box = other->read([&](ReadTxn& t) {
      return collections::find(t, Actor::system(), user_, CollectionKind::mailbox, "INBOX")->id;
    });
    auto blob = other->blobs().stage("Subject: three\r\n\r\nz\r\n");
    other->write([&](WriteTxn& t) {
      items::add(t, Actor::system(), {.collection = box, .kind = ItemKind::message, .blob = blob});
    });
  }
  EXPECT_EQ(run("b NOOP"), "b OK NOOP completed\r\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_EQ(run("c NOOP"), "* 3 EXISTS\r\n* 3 RECENT\r\nc OK NOOP completed\r\n");
  EXPECT_EQ(run("d NOOP"), "d OK NOOP completed\r\n");
}

TEST_F(SessionTest, SelectAnnouncesTheMailbox) {
  add("Subject: one\r\n\r\nx\r\n", flag_seen);
  add("Subject: two\r\n\r\ny\r\n");
  login();
  auto out = run("s SELECT INBOX");
  EXPECT_NE(out.find("* 2 EXISTS\r\n* 2 RECENT\r\n* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"),
            std::string::npos) << out;
  EXPECT_NE(out.find("* OK [UNSEEN 2] First unseen\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find("* OK [UIDNEXT 3] Predicted next UID\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find("s OK [READ-WRITE] SELECT completed\r\n"), std::string::npos) << out;
  // A second session selecting now sees no \Recent: this one claimed them.
  EXPECT_EQ(run("f FETCH 1:2 (UID FLAGS RFC822.SIZE INTERNALDATE)"),
            "* 1 FETCH (UID 1 FLAGS (\\Seen \\Recent) RFC822.SIZE 19 INTERNALDATE \"14-Nov-2023 22:13:20 +0000\")\r\n"
            "* 2 FETCH (UID 2 FLAGS (\\Recent) RFC822.SIZE 19 INTERNALDATE \"14-Nov-2023 22:13:20 +0000\")\r\n"
            "f OK FETCH completed\r\n");
}

TEST_F(SessionTest, StoreReportsNewFlagsAndSequenceNumbersOutOfRangeAreBad) {
  add("Subject: one\r\n\r\nx\r\n");
  login();
  run("s SELECT INBOX");
  EXPECT_EQ(run("t STORE 1 +FLAGS (\\Flagged Work)"), "* 1 FETCH (FLAGS (\\Flagged \\Recent Work))\r\nt OK STORE completed\r\n");
  EXPECT_EQ(run("u STORE 1 -FLAGS.SILENT (work)"), "u OK STORE completed\r\n");
  EXPECT_EQ(run("v STORE 5 +FLAGS (\\Seen)"), "v BAD Message sequence number out of range\r\n");
  EXPECT_EQ(run("w UID STORE 5 +FLAGS (\\Seen)"), "w OK UID STORE completed\r\n") << "UIDs out of range match nothing";
  EXPECT_EQ(run("x STORE 1 +FLAGS (\\Bogus)"), "x BAD Unknown system flag\r\n");
}

TEST_F(SessionTest, ExpungeAnnouncesHighestFirstAndSearchUsesNewNumbers) {
  for (int i = 0; i < 4; ++i) add("Subject: m" + std::to_string(i) + "\r\n\r\nbody\r\n", i % 2 ? std::uint32_t{flag_deleted} : 0u);
  login();
  run("s SELECT INBOX");
  EXPECT_EQ(run("e EXPUNGE"), "* 4 EXPUNGE\r\n* 2 EXPUNGE\r\ne OK EXPUNGE completed\r\n");
  EXPECT_EQ(run("f SEARCH ALL"), "* SEARCH 1 2\r\nf OK SEARCH completed\r\n");
  EXPECT_EQ(run("g UID SEARCH SUBJECT m2"), "* SEARCH 3\r\ng OK UID SEARCH completed\r\n");
}

TEST_F(SessionTest, HeaderSectionsAreTheSameWhereverTheHeaderEnds) {
  // FETCH of header sections alone reads a message only up to its header's end, in 4 KiB steps:
  // headers ending on both sides of each step, and a message that is all header.
  login();
  std::vector<std::string> messages;
  for (std::size_t header_size : {40u, 4093u, 4094u, 4095u, 4096u, 4097u, 4098u, 8190u, 8192u, 8194u, 20000u}) {
    std::string h = "Subject: size " + std::to_string(header_size) + "\r\n";
    while (h.size() + 2 < header_size) {
      std::string line = "X-Filler: " + std::string(std::min<std::size_t>(60, header_size - h.size()), 'f') + "\r\n";
      if (h.size() + line.size() + 2 > header_size) line = "X: " + std::string(header_size - h.size() - 7, 'g') + "\r\n";
      h += line;
    }
    ASSERT_EQ(h.size() + 2, header_size);
    messages.push_back(h + "\r\n" + std::string(30000, 'b') + "\r\n");
  }
  messages.push_back("Subject: no body at all\r\nX-Last: line");
  for (const auto& m : messages) add(m);
  run("s SELECT INBOX");
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const std::string& m = messages[i];
    const std::size_t end = m.find("\r\n\r\n");
    const std::string header = end == std::string::npos ? m : m.substr(0, end + 4);
    const std::string subject = m.substr(0, m.find("\r\n") + 2) + "\r\n";
    const auto n = std::to_string(i + 1);
    EXPECT_EQ(run("f FETCH " + n + " (BODY.PEEK[HEADER] BODY.PEEK[HEADER.FIELDS (SUBJECT)])"),
              "* " + n + " FETCH (BODY[HEADER] {" + std::to_string(header.size()) + "}\r\n" + header +
                  " BODY[HEADER.FIELDS (SUBJECT)] {" + std::to_string(subject.size()) + "}\r\n" + subject +
                  ")\r\nf OK FETCH completed\r\n")
        << "message " << n;
  }
}

TEST_F(SessionTest, SyntaxErrorsAreBadAndTwentyInARowEndTheSession) {
  login();
  for (int i = 0; i < 19; ++i) {
    EXPECT_EQ(run("z FROB"), "z BAD Syntax error\r\n");
    EXPECT_TRUE(alive_);
  }
  EXPECT_EQ(run("z FROB"), "* BYE Too many invalid commands\r\n");
  EXPECT_FALSE(alive_);
}

TEST_F(SessionTest, AuthenticatePlainThroughContinuations) {
  channel_.lines.push_back("AHVAZXhhbXBsZS50ZXN0AHB3LTQ3MTE=");  // \0u@example.test\0pw-4711
  auto out = run("a AUTHENTICATE PLAIN");
  EXPECT_EQ(out.rfind("+ \r\na OK [CAPABILITY ", 0), 0u) << out;
  EXPECT_TRUE(session_->authenticated());
}

// With the full-text index attached, text keys are answered by it (word-prefix semantics), mixed
// freely with keys on the rows; a key it cannot answer (punctuation only, another header field)
// reads the messages.
TEST_F(SessionTest, SearchTextKeysUseTheFullTextIndex) {
  storage::search::Index index(*store_, {.dir = dir_ / "search", .extract = mail::index::extract_for_search});
  index.start();
  services_->search = &index;
  add("From: Alice <alice@example.test>\r\nTo: bob@example.test\r\nSubject: Quarterly numbers\r\n"
      "List-Id: <finance.example.test>\r\n\r\nHello Bob, see the report.\r\n");
  add("From: Carol <carol@example.test>\r\nSubject: lunch?\r\n\r\nHello all, noon at the usual place.\r\n",
      flag_seen);
  add("From: Dave <dave@example.test>\r\nSubject: Re: Quarterly numbers\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
      "--b\r\nContent-Type: text/csv; name=figures.csv\r\nContent-Disposition: attachment; filename=figures.csv\r\n\r\n"
      "revenue,42000\r\n--b--\r\n");
  login();
  run("s SELECT INBOX");
  EXPECT_EQ(run("a SEARCH TEXT hello"), "* SEARCH 1 2\r\na OK SEARCH completed\r\n");
  EXPECT_EQ(run("b SEARCH BODY ello"), "* SEARCH\r\nb OK SEARCH completed\r\n") << "word prefix, not substring";
  EXPECT_EQ(run("c SEARCH SUBJECT quart FROM dave"), "* SEARCH 3\r\nc OK SEARCH completed\r\n");
  EXPECT_EQ(run("d SEARCH UNSEEN TEXT hello"), "* SEARCH 1\r\nd OK SEARCH completed\r\n");
  EXPECT_EQ(run("e SEARCH OR TO bob FROM carol"), "* SEARCH 1 2\r\ne OK SEARCH completed\r\n");
  EXPECT_EQ(run("f SEARCH BODY revenue"), "* SEARCH 3\r\nf OK SEARCH completed\r\n") << "text attachments";
  EXPECT_EQ(run("g SEARCH TEXT figures.csv"), "* SEARCH 3\r\ng OK SEARCH completed\r\n") << "attachment names";
  EXPECT_EQ(run("h SEARCH HEADER List-Id finance"), "* SEARCH 1\r\nh OK SEARCH completed\r\n");
  EXPECT_EQ(run("i SEARCH TEXT \"finance.example\""), "* SEARCH 1\r\ni OK SEARCH completed\r\n") << "every header";
  EXPECT_EQ(run("j UID SEARCH NOT TEXT hello"), "* SEARCH 3\r\nj OK UID SEARCH completed\r\n");
  EXPECT_EQ(run("k SEARCH 2:3 SUBJECT quarterly"), "* SEARCH 3\r\nk OK SEARCH completed\r\n");
  EXPECT_EQ(run("l SEARCH BODY \".\""), "* SEARCH 1 2\r\nl OK SEARCH completed\r\n") << "no words: the messages are read";
  // A message added now is found by the very next SEARCH, once announced.
  add("Subject: fresh\r\n\r\nhello again\r\n");
  run("n NOOP");
  EXPECT_EQ(run("m SEARCH TEXT hello"), "* SEARCH 1 2 4\r\nm OK SEARCH completed\r\n");
  services_->search = nullptr;
}

// Messages stored after the indexer's cursor are read by the search itself and matched by the
// index's rule, the rest comes from the index: no waiting for an indexer that is behind (here:
// not running at all), and no answer that changes once it catches up.
TEST_F(SessionTest, SearchReadsWhatTheIndexHasNotReachedYet) {
  {
    storage::search::Index index(*store_, {.dir = dir_ / "search", .extract = mail::index::extract_for_search});
    index.start();
    add("Subject: old\r\n\r\nHello world\r\n");
    ASSERT_TRUE(index.wait_current(user_, std::chrono::seconds(30)));
  }
  add("Subject: new\r\n\r\nHello again\r\n");
  storage::search::Index stopped(*store_, {.dir = dir_ / "search", .extract = mail::index::extract_for_search});
  services_->search = &stopped;
  services_->search_wait = std::chrono::milliseconds(0);
  login();
  run("s SELECT INBOX");
  EXPECT_EQ(run("a SEARCH TEXT hello"), "* SEARCH 1 2\r\na OK SEARCH completed\r\n");
  EXPECT_EQ(run("b SEARCH BODY again"), "* SEARCH 2\r\nb OK SEARCH completed\r\n");
  // "ello" is a substring of both but begins no word: reading every message (substring) would
  // have found both.
  EXPECT_EQ(run("c SEARCH BODY ello"), "* SEARCH\r\nc OK SEARCH completed\r\n");
  EXPECT_EQ(run("d SEARCH SUBJECT old"), "* SEARCH 1\r\nd OK SEARCH completed\r\n");
  services_->search = nullptr;
}

// A message not indexed yet whose words are only inside an attachment that needs a decoder:
// the quick document misses them, the full one (the indexer's, decoders included) has them.
TEST_F(SessionTest, SearchFindsAttachmentWordsInMessagesNotIndexedYet) {
  {
    storage::search::Index index(*store_, {.dir = dir_ / "search", .extract = mail::index::extract_for_search});
    index.start();
    add("Subject: old\r\n\r\nnothing here\r\n");
    ASSERT_TRUE(index.wait_current(user_, std::chrono::seconds(30)));
  }
  add("Subject: report\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
      "--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
      "--b\r\nContent-Type: application/x-atrium-test; name=r.bin\r\n"
      "Content-Disposition: attachment; filename=r.bin\r\n\r\nplatypus census\r\n--b--\r\n");
  // A decoder that passes the attachment through (`cat`), as pdftotext would give its text.
  auto decoders = std::make_shared<const mail::index::AttachmentDecoders>(
      std::vector<mail::index::Decoder>{{"application/x-atrium-test", {".bin"}, {"cat", "%f"}}}, dir_);
  storage::search::Index stopped(*store_, {.dir = dir_ / "search",
                                           .extract = mail::index::message_extractor(decoders),
                                           .extract_quick = mail::index::extract_for_search});
  services_->search = &stopped;
  services_->search_wait = std::chrono::milliseconds(0);
  login();
  run("s SELECT INBOX");
  EXPECT_EQ(run("a SEARCH BODY platypus"), "* SEARCH 2\r\na OK SEARCH completed\r\n");
  EXPECT_EQ(run("b SEARCH TEXT attached"), "* SEARCH 2\r\nb OK SEARCH completed\r\n");
  EXPECT_EQ(run("c SEARCH BODY walrus"), "* SEARCH\r\nc OK SEARCH completed\r\n");
  services_->search = nullptr;
}

}  // namespace
}  // namespace atrium::imap
