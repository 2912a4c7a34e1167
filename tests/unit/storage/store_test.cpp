// The store's core promises: migrations, group commit, per-job rollback, modseqs, notifications,
// checkpointing beside the writer.
#include "storage/async.hpp"
#include "storage/schema.hpp"
#include "test_support.hpp"

#include <boost/asio/co_spawn.hpp>
#include <fmt/format.h>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

namespace atrium::storage {
namespace {

using testing::StoreTest;
namespace asio = boost::asio;

TEST_F(StoreTest, MigratesAnEmptyDatabaseToTheNewestVersionAndReopens) {
  int version = store_->read([](ReadTxn& t) { return schema::current_version(t.db()); });
  EXPECT_EQ(version, schema::migrations().back().version);
  add_user("a@example.test");
  open();  // a second open finds everything migrated and keeps the data
  EXPECT_TRUE(store_->read([](ReadTxn& t) { return directory::find_principal(t, "a@example.test").has_value(); }));
  EXPECT_TRUE(store_->check_consistency().empty());
}

// Version 9 takes the foreign key from items to blobs and its index away, on a database that
// has mail: the rows stay, the check still finds an item whose blob is missing.
TEST_F(StoreTest, MigratingToVersion9KeepsTheItemsAndDropsOnlyTheBlobKey) {
  store_.reset();
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_);
  {
    auto db = sql::Connection::open(dir_ / "atrium.db", {});
    schema::current_version(*db);  // creates schema_migrations
    for (const auto& m : schema::migrations()) {
      if (m.version > 8) break;
      db->exec(m.sql);
      db->exec(fmt::format("INSERT INTO schema_migrations (version, applied_at) VALUES ({}, 0)", m.version));
    }
    db->exec(
        "INSERT INTO domains (id, name, created_at) VALUES (1, 'example.test', 0);"
        "INSERT INTO principals (id, kind, email, domain_id, created_at) VALUES (1, 1, 'a@example.test', 1, 0);"
        "INSERT INTO collections (id, account_id, kind, name, uidvalidity, uidnext, created_at) "
        "  VALUES (1, 1, 1, 'INBOX', 7, 2, 0);"
        "INSERT INTO blobs (hash, size, refcount, updated_at, content) VALUES ('h1', 5, 1, 0, x'6869212121');"
        "INSERT INTO items (id, account_id, collection_id, uid, kind, blob_hash, size, internal_date, modseq) "
        "  VALUES (1, 1, 1, 1, 1, 'h1', 5, 0, 1);");
  }
  open();
  auto text = [&](const std::string& q) {
    return store_->read([&](ReadTxn& t) {
      auto st = t.db().prepare(q);
      return st.step() ? st.column_text(0) : std::string();
    });
  };
  EXPECT_EQ(text("SELECT sql FROM sqlite_schema WHERE name = 'items'").find("REFERENCES blobs"), std::string::npos);
  EXPECT_NE(text("SELECT sql FROM sqlite_schema WHERE name = 'items'").find("REFERENCES collections"), std::string::npos)
      << "the other keys stay";
  EXPECT_EQ(text("SELECT name FROM sqlite_schema WHERE name = 'items_blob'"), "");
  EXPECT_EQ(text("SELECT blob_hash FROM items WHERE id = 1"), "h1");
  EXPECT_TRUE(store_->check_consistency().empty());

  // Without the key nothing stops a broken reference but the check: it names both faults.
  store_->write([](WriteTxn& t) { t.db().exec("UPDATE items SET blob_hash = 'gone' WHERE id = 1"); });
  auto problems = store_->check_consistency();
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_NE(problems[0].find("blob h1 refcount 1 but 0 references"), std::string::npos) << problems[0];
  EXPECT_NE(problems[1].find("item 1 refers to missing blob gone"), std::string::npos) << problems[1];
}

TEST_F(StoreTest, RefusesADatabaseFromANewerBinary) {
  store_->write([](WriteTxn& t) {
    t.db().exec("INSERT INTO schema_migrations (version, applied_at) VALUES (9999, 0)");
  });
  store_.reset();
  try {
    store_ = Store::open({.data_dir = dir_});
    FAIL() << "opened a database from the future";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.code(), Errc::corrupt);
    EXPECT_NE(std::string(e.what()).find("newer"), std::string::npos);
  }
}

// 100 coroutines x 100 commits on one account: every commit completes, each coroutine sees its
// modseqs strictly increase, all 10,000 are distinct, and group commit shares fsyncs.
TEST_F(StoreTest, ConcurrentCoroutineWritersGetStrictlyIncreasingModseqs) {
  auto user = add_user("busy@example.test");
  auto box = inbox(user);
  auto blob = store_->blobs().put("shared body");
  auto before = store_->writer_stats();

  asio::io_context io;
  constexpr int writers = 100, commits = 100;
  std::vector<std::vector<Modseq>> seen(writers);
  std::atomic<int> failures{0};
  for (int w = 0; w < writers; ++w) {
    asio::co_spawn(
        io,
        [&, w]() -> asio::awaitable<void> {
          for (int i = 0; i < commits; ++i) {
            auto added = co_await async_write(
                *store_,
                [&](WriteTxn& t) {
                  return items::add(t, Actor::principal(user), {.collection = box.id, .kind = ItemKind::message, .blob = blob});
                },
                asio::use_awaitable);
            seen[w].push_back(added.modseq);
          }
        },
        [&](std::exception_ptr e) {
          if (e) ++failures;
        });
  }
  std::thread second([&] { io.run(); });
  io.run();
  second.join();

  EXPECT_EQ(failures.load(), 0);
  std::set<Modseq> all;
  for (const auto& v : seen) {
    ASSERT_EQ(v.size(), static_cast<std::size_t>(commits));
    for (std::size_t i = 1; i < v.size(); ++i) EXPECT_LT(v[i - 1], v[i]);
    all.insert(v.begin(), v.end());
  }
  EXPECT_EQ(all.size(), static_cast<std::size_t>(writers * commits));
  auto after = store_->writer_stats();
  EXPECT_EQ(after.jobs - before.jobs, static_cast<std::uint64_t>(writers * commits));
  EXPECT_LT(after.commits - before.commits, after.jobs - before.jobs) << "no commit was shared";
  EXPECT_EQ(store_->read([&](ReadTxn& t) { return items::list(t, Actor::system(), box.id).size(); }),
            static_cast<std::size_t>(writers * commits));
  auto refs = store_->read([&](ReadTxn& t) {
    auto& q = t.db().cached("SELECT refcount FROM blobs WHERE hash = ?");
    q.bind(1, blob.hash);
    q.step();
    return q.column_int(0);
  });
  EXPECT_EQ(refs, writers * commits);
  EXPECT_TRUE(store_->check_consistency().empty());
}

TEST_F(StoreTest, AFailingJobRollsBackAloneAndItsBatchNeighboursCommit) {
  auto user = add_user("u@example.test");
  auto box = inbox(user);
  auto blob = store_->blobs().put("x");
  std::mutex m;
  std::vector<std::exception_ptr> outcomes(3);
  std::atomic<int> done{0};
  auto submit = [&](int i, bool fail) {
    store_->submit({[&, fail](WriteTxn& t) {
                      items::add(t, Actor::system(), {.collection = box.id, .kind = ItemKind::message, .blob = blob});
                      if (fail) throw StoreError(Errc::invalid, "job refuses");
                    },
                    [&, i](std::exception_ptr e) {
                      std::lock_guard lock(m);
                      outcomes[i] = e;
                      ++done;
                    }});
  };
  submit(0, false);
  submit(1, true);
  submit(2, false);
  while (done.load() < 3) std::this_thread::yield();
  EXPECT_FALSE(outcomes[0]);
  EXPECT_TRUE(outcomes[1]);
  EXPECT_FALSE(outcomes[2]);
  auto list = store_->read([&](ReadTxn& t) { return items::list(t, Actor::system(), box.id); });
  ASSERT_EQ(list.size(), 2u);
  EXPECT_LT(list[0].modseq, list[1].modseq);
  EXPECT_TRUE(store_->check_consistency().empty());
}

TEST_F(StoreTest, PerJobModeCommitsEveryJobSeparately) {
  open(CommitMode::per_job);
  auto user = add_user("p@example.test");
  auto box = inbox(user);
  auto before = store_->writer_stats();
  for (int i = 0; i < 5; ++i) add_message(user, box.id, "m" + std::to_string(i));
  auto after = store_->writer_stats();
  EXPECT_EQ(after.commits - before.commits, 5u);
}

TEST_F(StoreTest, NotifiesSubscribersAfterCommitWithTheNewModseq) {
  auto user = add_user("n@example.test");
  auto other = add_user("o@example.test");
  auto box = inbox(user);
  std::mutex m;
  std::vector<Notification> got;
  auto sub = store_->notify().subscribe(user, [&](const Notification& n) {
    std::lock_guard lock(m);
    got.push_back(n);
  });
  auto added = add_message(user, box.id, "hello");
  add_message(other, inbox(other).id, "not for you");
  {
    std::lock_guard lock(m);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].account_id, user);
    EXPECT_EQ(got[0].collection_id, box.id);
    EXPECT_EQ(got[0].modseq, added.modseq);
  }
  sub = {};
  add_message(user, box.id, "after unsubscribe");
  std::lock_guard lock(m);
  EXPECT_EQ(got.size(), 1u);
  EXPECT_EQ(store_->notify().subscriber_count(), 0u);
}

TEST_F(StoreTest, ChangeLogFeedsSyncWithTombstones) {
  auto user = add_user("c@example.test");
  auto box = inbox(user);
  auto a = add_message(user, box.id, "a");
  auto b = add_message(user, box.id, "b");
  auto actor = Actor::principal(user);
  auto m = store_->write([&](WriteTxn& t) { return items::set_flags(t, actor, a.id, flag_seen, "$Label1"); });
  store_->write([&](WriteTxn& t) { items::remove(t, actor, b.id); });
  auto changes = store_->read([&](ReadTxn& t) { return items::changes_since(t, actor, box.id, a.modseq, 100); });
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(changes[0].op, ChangeOp::item_created);
  EXPECT_EQ(changes[0].uid, b.uid);
  EXPECT_EQ(changes[1].op, ChangeOp::item_updated);
  EXPECT_EQ(changes[1].modseq, m);
  EXPECT_EQ(changes[2].op, ChangeOp::item_deleted);
  EXPECT_EQ(changes[2].item_id, b.id);
  auto c = store_->read([&](ReadTxn& t) { return collections::get(t, actor, box.id); });
  EXPECT_EQ(c->modseq, changes[2].modseq);
  EXPECT_EQ(store_->read([&](ReadTxn& t) { return items::highest_modseq(t, user); }), changes[2].modseq);
  EXPECT_EQ(c->uidnext, b.uid + 1);
}

TEST_F(StoreTest, QuotaRefusesAnItemThatWouldExceedIt) {
  auto user = add_user("q@example.test");
  store_->write([&](WriteTxn& t) { directory::set_quota(t, "q@example.test", 10); });
  auto box = inbox(user);
  add_message(user, box.id, "12345");
  try {
    add_message(user, box.id, "1234567");
    FAIL() << "quota not enforced";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.code(), Errc::quota);
  }
  auto p = store_->read([&](ReadTxn& t) { return directory::get_principal(t, user); });
  EXPECT_EQ(p->used_bytes, 5);
}

TEST_F(StoreTest, CollectionsRenameWithChildrenAndDeleteDropsItems) {
  auto user = add_user("r@example.test");
  auto actor = Actor::principal(user);
  auto parent = store_->write([&](WriteTxn& t) { return collections::create(t, actor, {user, CollectionKind::mailbox, "Projects", ""}); });
  auto child = store_->write([&](WriteTxn& t) { return collections::create(t, actor, {user, CollectionKind::mailbox, "Projects/Atrium", ""}); });
  add_message(user, child.id, "kept in child");
  store_->write([&](WriteTxn& t) { collections::rename(t, actor, parent.id, "Work"); });
  auto moved = store_->read([&](ReadTxn& t) { return collections::get(t, actor, child.id); });
  EXPECT_EQ(moved->name, "Work/Atrium");
  EXPECT_EQ(moved->uidvalidity, child.uidvalidity);
  EXPECT_THROW(store_->write([&](WriteTxn& t) { collections::create(t, actor, {user, CollectionKind::mailbox, "Nope/x", ""}); }),
               StoreError);
  EXPECT_THROW(store_->write([&](WriteTxn& t) { collections::create(t, actor, {user, CollectionKind::mailbox, "Work", ""}); }),
               StoreError);
  store_->write([&](WriteTxn& t) { collections::remove(t, actor, parent.id); });
  EXPECT_FALSE(store_->read([&](ReadTxn& t) { return collections::get(t, actor, child.id); }).has_value());
  EXPECT_TRUE(store_->check_consistency().empty());
  auto again = store_->write([&](WriteTxn& t) { return collections::create(t, actor, {user, CollectionKind::mailbox, "Work", ""}); });
  EXPECT_GT(again.uidvalidity, parent.uidvalidity);
}

// The log is copied into the database file by the checkpointer, beside the writer, and once it
// is long the writer restarts it; its file stays bounded however long writes go on.
class CheckpointTest : public ::testing::Test {
 protected:
  static constexpr int k_checkpoint_pages = 40;
  static constexpr int k_restart_pages = 160;
  static constexpr std::uintmax_t k_frame = 4096 + 24;  // page plus frame header

  void SetUp() override {
    dir_ = testing::make_temp_dir("checkpoint");
    store_ = Store::open({.data_dir = dir_,
                          .checkpoint_pages = k_checkpoint_pages,
                          .log_restart_pages = k_restart_pages,
                          .log_restart_wait = std::chrono::milliseconds(10)});
    user_ = store_->write([](WriteTxn& t) {
      directory::add_domain(t, "example.test");
      return directory::add_user(t, {"c@example.test", "$argon2id$not-a-real-hash", "", 0});
    });
    box_ = store_->read([&](ReadTxn& t) {
      return collections::find(t, Actor::system(), user_, CollectionKind::mailbox, "INBOX")->id;
    });
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  // One commit: a message with an inline blob of its own (a few pages of log).
  void deliver(int n) {
    auto blob = store_->blobs().stage(std::string(3000, 'a') + std::to_string(n));
    store_->write([&](WriteTxn& t) {
      items::add(t, Actor::system(), {.collection = box_, .kind = ItemKind::message, .blob = blob});
    });
  }
  std::uintmax_t log_bytes() {
    std::error_code ec;
    auto n = std::filesystem::file_size(dir_ / "atrium.db-wal", ec);
    return ec ? 0 : n;
  }
  std::int64_t count_items() {
    return store_->read([](ReadTxn& t) {
      auto q = t.db().prepare("SELECT COUNT(*) FROM items");
      q.step();
      return q.column_int(0);
    });
  }

  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
  PrincipalId user_ = 0;
  CollectionId box_ = 0;
};

TEST_F(CheckpointTest, CopiesTheLogInTheBackgroundAndRestartsItSoItStaysBounded) {
  std::uintmax_t largest = 0;
  for (int i = 0; i < 300; ++i) {
    deliver(i);
    largest = std::max(largest, log_bytes());
  }
  auto stats = store_->writer_stats();
  EXPECT_GT(stats.checkpoints, 0u);
  EXPECT_GT(stats.log_restarts, 0u);
  // A restart may wait a few batches for the checkpointer to finish; never for ever.
  EXPECT_LT(largest, 4 * k_restart_pages * k_frame);
  EXPECT_EQ(count_items(), 300);
  EXPECT_TRUE(store_->check_consistency().empty());
  // Everything survives closing (the last connection copies the rest) and reopening.
  store_.reset();
  store_ = Store::open({.data_dir = dir_});
  EXPECT_EQ(count_items(), 300);
}

TEST_F(CheckpointTest, AReaderInTheLogDelaysTheRestartButNeitherWritesNorItsSnapshot) {
  for (int i = 0; i < 20; ++i) deliver(i);
  std::mutex m;
  std::condition_variable cv;
  bool reading = false, release = false;
  std::int64_t before = -1, after = -1;
  std::thread reader([&] {
    store_->read([&](ReadTxn& t) {
      auto q = t.db().prepare("SELECT COUNT(*) FROM items");
      q.step();
      before = q.column_int(0);
      q.reset();
      {
        std::unique_lock lock(m);
        reading = true;
        cv.notify_all();
        cv.wait(lock, [&] { return release; });
      }
      q.step();  // the same snapshot, however much was committed and copied meanwhile
      after = q.column_int(0);
      q.reset();
      return 0;
    });
  });
  {
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return reading; });
  }
  auto restarts = store_->writer_stats().log_restarts;
  for (int i = 20; i < 220; ++i) deliver(i);
  // The reader still needs the log from its snapshot on: it cannot start again from the beginning.
  EXPECT_GT(log_bytes(), k_restart_pages * k_frame);
  EXPECT_EQ(store_->writer_stats().log_restarts, restarts);
  {
    std::lock_guard lock(m);
    release = true;
  }
  cv.notify_all();
  reader.join();
  EXPECT_EQ(before, 20);
  EXPECT_EQ(after, 20);
  for (int i = 220; i < 320; ++i) deliver(i);
  EXPECT_GT(store_->writer_stats().log_restarts, restarts);
  EXPECT_EQ(count_items(), 320);
  EXPECT_TRUE(store_->check_consistency().empty());
}

}  // namespace
}  // namespace atrium::storage
