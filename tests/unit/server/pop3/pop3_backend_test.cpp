// Pop3Backend over a real store and MaildropLocks: what the POP3 driver relies on — the lock
// and its release, the INBOX listing with RFC 1939 unique-ids, message content from inline and
// file blobs (large ones in pieces), and the QUIT commit as tombstones in the change log.
#include "server/pop3_backend.hpp"

#include "core/auth/throttle.hpp"
#include "core/metrics/metrics.hpp"
#include "storage/credentials.hpp"
#include "storage/messages.hpp"
#include "tests/unit/storage/test_support.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace atrium::server {
namespace {

using storage::testing::StoreTest;

// Runs one backend coroutine to completion on a fresh io_context.
template <class T>
T run(asio::awaitable<T> work) {
  asio::io_context io;
  std::optional<T> out;
  std::exception_ptr error;
  asio::co_spawn(io, std::move(work), [&](std::exception_ptr e, T value) {
    error = e;
    if (!e) out = std::move(value);
  });
  io.run();
  if (error) std::rethrow_exception(error);
  return std::move(*out);
}

TEST(MaildropLocks, OneHolderPerAccount) {
  MaildropLocks locks;
  auto a = locks.try_lock(1);
  ASSERT_TRUE(a);
  EXPECT_TRUE(locks.held(1));
  EXPECT_FALSE(locks.try_lock(1));
  auto b = locks.try_lock(2);  // another account
  EXPECT_TRUE(b);
  {
    MaildropLocks::Lock moved = std::move(*a);
    a.reset();  // the moved-from lock releases nothing
    EXPECT_TRUE(locks.held(1));
  }
  EXPECT_FALSE(locks.held(1));
  EXPECT_TRUE(locks.try_lock(1));
}

TEST(MaildropLocks, ALockMayOutliveTheRegistryObject) {
  std::optional<MaildropLocks::Lock> lock;
  {
    MaildropLocks locks;
    lock = locks.try_lock(7);
  }
  lock.reset();  // releases into the shared state without touching the destroyed object
}

class Pop3BackendTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    credentials_ = std::make_unique<storage::StoreCredentials>(*store_);
    authenticator_ = std::make_unique<auth::Authenticator>(throttle_, *credentials_, metrics_);
    backend_ = std::make_unique<Pop3Backend>(*store_, *authenticator_, locks_);
    user_ = add_user("alice@example.test");
  }
  void TearDown() override {
    backend_.reset();
    authenticator_.reset();
    credentials_.reset();
    StoreTest::TearDown();
  }

  pop3::OpenedMaildrop open() {
    return run(backend_->open_maildrop({"alice@example.test", user_}, pool_));
  }

  std::string content(pop3::MaildropLease& lease, std::uint64_t key) {
    pop3::Retrieve r;
    r.key = key;
    pop3::MessageContent c = run(backend_->open_message(lease, r, pool_));
    EXPECT_EQ(c.status, pop3::RetrieveStatus::sent);
    std::string all = std::move(c.head);
    if (c.rest) {
      std::string piece;
      while (c.rest->read(piece, 64 * 1024)) {
        EXPECT_LE(piece.size(), 64u * 1024);
        all += piece;
        piece.clear();
      }
    }
    return all;
  }

  auth::Throttle throttle_;
  metrics::Registry metrics_;
  MaildropLocks locks_;
  runtime::BlockingPool pool_{runtime::BlockingPoolOptions{2}};
  std::unique_ptr<storage::StoreCredentials> credentials_;
  std::unique_ptr<auth::Authenticator> authenticator_;
  std::unique_ptr<Pop3Backend> backend_;
  storage::PrincipalId user_ = 0;
};

TEST_F(Pop3BackendTest, ListsInboxWithUidvalidityDotUid) {
  auto box = inbox(user_);
  auto first = add_message(user_, box.id, "Subject: 1\r\n\r\none\r\n");
  auto second = add_message(user_, box.id, "Subject: 2\r\n\r\ntwo two\r\n");
  auto opened = open();
  ASSERT_EQ(opened.result.status, pop3::MaildropStatus::opened);
  ASSERT_TRUE(opened.lease);
  ASSERT_EQ(opened.result.messages.size(), 2u);
  EXPECT_EQ(opened.result.messages[0].key, static_cast<std::uint64_t>(first.uid));
  EXPECT_EQ(opened.result.messages[0].size, 19u);
  EXPECT_EQ(opened.result.messages[0].unique_id, Pop3Backend::unique_id(box.uidvalidity, first.uid));
  EXPECT_EQ(opened.result.messages[1].unique_id,
            std::to_string(box.uidvalidity) + "." + std::to_string(second.uid));
  EXPECT_TRUE(locks_.held(user_));
}

TEST_F(Pop3BackendTest, SecondOpenIsInUseUntilTheLeaseIsGone) {
  auto opened = open();
  ASSERT_EQ(opened.result.status, pop3::MaildropStatus::opened);
  auto second = open();
  EXPECT_EQ(second.result.status, pop3::MaildropStatus::in_use);
  EXPECT_FALSE(second.lease);
  opened.lease.reset();
  EXPECT_FALSE(locks_.held(user_));
  EXPECT_EQ(open().result.status, pop3::MaildropStatus::opened);
}

TEST_F(Pop3BackendTest, AnAccountWithoutInboxIsMissingAndHoldsNoLock) {
  auto group = store_->write([&](storage::WriteTxn& t) {
    return storage::directory::add_group(t, {"team@example.test", ""});
  });
  auto opened = run(backend_->open_maildrop({"team@example.test", group}, pool_));
  EXPECT_EQ(opened.result.status, pop3::MaildropStatus::missing);
  EXPECT_FALSE(locks_.held(group));
}

TEST_F(Pop3BackendTest, ContentOfSmallAndLargeMessages) {
  auto box = inbox(user_);
  const std::string small = "Subject: small\r\n\r\nhi\r\n";
  std::string large = "Subject: large\r\n\r\n";
  while (large.size() < 700 * 1024) large += "0123456789abcdefghijklmnopqrstuvwxyz\r\n";
  auto a = add_message(user_, box.id, small);
  auto b = add_message(user_, box.id, large);
  auto opened = open();
  EXPECT_EQ(content(*opened.lease, a.uid), small);
  EXPECT_EQ(content(*opened.lease, b.uid), large);
  pop3::Retrieve unknown;
  unknown.key = 999;
  EXPECT_EQ(run(backend_->open_message(*opened.lease, unknown, pool_)).status, pop3::RetrieveStatus::gone);
}

// Sequential RETRs are served from the read-ahead; any other order must still get the right
// message every time.
TEST_F(Pop3BackendTest, EveryRetrievalOrderGetsTheRightContent) {
  auto box = inbox(user_);
  std::vector<std::pair<std::uint64_t, std::string>> stored;
  for (int i = 0; i < 70; ++i) {
    // Sizes vary, and a few are over the read-ahead's byte bound together.
    std::string body = "Subject: " + std::to_string(i) + "\r\n\r\n" + std::string(100 + (i % 7) * 30000, 'a' + i % 26);
    auto added = add_message(user_, box.id, body);
    stored.emplace_back(added.uid, std::move(body));
  }
  std::vector<std::vector<std::size_t>> orders(4);
  for (std::size_t i = 0; i < stored.size(); ++i) {
    orders[0].push_back(i);                                   // in order
    orders[1].push_back(stored.size() - 1 - i);               // reversed
    orders[2].push_back(i % 2 == 0 ? i : stored.size() - i);  // jumping
    orders[3].push_back(i / 2);                               // each twice (RETR after TOP)
  }
  for (const auto& order : orders) {
    auto opened = open();
    for (std::size_t i : order) ASSERT_EQ(content(*opened.lease, stored[i].first), stored[i].second) << i;
  }
}

TEST_F(Pop3BackendTest, CommitRemovesTheMessagesWithOneModseqOfTombstones) {
  auto box = inbox(user_);
  auto a = add_message(user_, box.id, "Subject: a\r\n\r\na\r\n");
  auto b = add_message(user_, box.id, "Subject: b\r\n\r\nb\r\n");
  auto c = add_message(user_, box.id, "Subject: c\r\n\r\nc\r\n");
  auto opened = open();
  pop3::Commit commit;
  commit.keys = {static_cast<std::uint64_t>(a.uid), static_cast<std::uint64_t>(c.uid)};
  EXPECT_EQ(run(backend_->commit(*opened.lease, commit)), pop3::CommitStatus::committed);
  auto left = store_->read([&](storage::ReadTxn& t) {
    return storage::messages::list(t, storage::Actor::principal(user_), box.id);
  });
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].uid, b.uid);
  auto stones = store_->read([&](storage::ReadTxn& t) {
    auto& q = t.db().cached("SELECT uid, modseq FROM changes WHERE collection_id = ? AND op = ? ORDER BY uid");
    q.bind(1, box.id).bind(2, static_cast<std::int64_t>(storage::ChangeOp::item_deleted));
    std::vector<std::pair<std::int64_t, std::int64_t>> out;
    while (q.step()) out.emplace_back(q.column_int(0), q.column_int(1));
    q.reset();
    return out;
  });
  ASSERT_EQ(stones.size(), 2u);
  EXPECT_EQ(stones[0].first, a.uid);
  EXPECT_EQ(stones[1].first, c.uid);
  EXPECT_EQ(stones[0].second, stones[1].second);
}

TEST_F(Pop3BackendTest, CommitSkipsMessagesAnotherSessionRemovedMeanwhile) {
  auto box = inbox(user_);
  auto a = add_message(user_, box.id, "Subject: a\r\n\r\na\r\n");
  auto opened = open();
  store_->write([&](storage::WriteTxn& t) {
    std::vector<storage::Uid> uids{a.uid};
    return storage::messages::remove(t, storage::Actor::principal(user_), box.id, uids);
  });
  pop3::Commit commit;
  commit.keys = {static_cast<std::uint64_t>(a.uid)};
  EXPECT_EQ(run(backend_->commit(*opened.lease, commit)), pop3::CommitStatus::committed);
  // The message listed at login can still be read while its blob exists.
  EXPECT_EQ(content(*opened.lease, a.uid), "Subject: a\r\n\r\na\r\n");
}

}  // namespace
}  // namespace atrium::server
