// The writer's buffered log writes (storage/sql/log_vfs.cpp): what a commit wrote is in the log
// file when the commit returns, whatever the size of the transaction or where the log restarts,
// and a process that dies holds nothing acknowledged in memory.
#include "storage/sql/sql.hpp"
#include "test_support.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace atrium::storage::sql {
namespace {

using storage::testing::make_temp_dir;

class LogVfsTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = make_temp_dir("logvfs"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path db() const { return dir_ / "t.db"; }
  std::unique_ptr<Connection> writer(int cache_kib = 0) {
    auto c = Connection::open(db(), {.checkpointing = Checkpointing::manual, .cache_kib = cache_kib,
                                     .buffer_log_writes = true});
    c->exec("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v BLOB NOT NULL)");
    return c;
  }
  // A second connection through the platform's own file layer: it reads the log file, never the
  // writer's memory.
  std::unique_ptr<Connection> reader() { return Connection::open(db(), {}); }

  static std::string value(int id, std::size_t size) {
    std::string v(size, '\0');
    for (std::size_t i = 0; i < size; ++i) v[i] = static_cast<char>('a' + (id * 7 + i) % 26);
    return v;
  }
  static void insert(Connection& c, int id, std::size_t size) {
    c.cached("INSERT INTO t (id, v) VALUES (?, ?)").bind(1, id).bind(2, Bytes{value(id, size)}).run();
  }
  // Every row 0..n-1 is there with its value.
  static void expect_rows(Connection& c, int n, std::size_t size) {
    auto& q = c.cached("SELECT id, v FROM t ORDER BY id");
    int next = 0;
    while (q.step()) {
      ASSERT_EQ(q.column_int(0), next);
      ASSERT_EQ(q.column_blob(1), value(next, size)) << "row " << next;
      ++next;
    }
    q.reset();
    EXPECT_EQ(next, n);
  }
  static std::string integrity(Connection& c) {
    auto& q = c.cached("PRAGMA integrity_check");
    EXPECT_TRUE(q.step());
    auto r = q.column_text(0);
    q.reset();
    return r;
  }

  std::filesystem::path dir_;
};

TEST_F(LogVfsTest, EachCommitIsInTheLogFileWhenItReturns) {
  auto w = writer();
  auto r = reader();
  for (int i = 0; i < 50; ++i) {
    w->exec("BEGIN IMMEDIATE");
    insert(*w, i, 3000);
    w->exec("COMMIT");
    expect_rows(*r, i + 1, 3000);
  }
  EXPECT_GT(std::filesystem::file_size(dir_ / "t.db-wal"), 50u * 4096);
}

TEST_F(LogVfsTest, TransactionsLargerThanTheBufferAndPagesReadBackFromTheLog) {
  // A 64 KiB page cache makes the engine spill pages to the log mid-transaction and read them
  // back from it; 6 MiB of rows is more than the buffer holds, so it writes in parts too.
  auto w = writer(64);
  w->exec("BEGIN IMMEDIATE");
  for (int i = 0; i < 1500; ++i) insert(*w, i, 4000);
  for (int i = 0; i < 1500; i += 3) {
    w->cached("UPDATE t SET v = ? WHERE id = ?").bind(1, Bytes{value(i, 4000)}).bind(2, i).run();
  }
  w->exec("COMMIT");
  auto r = reader();
  expect_rows(*r, 1500, 4000);
  EXPECT_EQ(integrity(*r), "ok");
}

TEST_F(LogVfsTest, TheLogRestartsAndShrinksUnderBufferedWrites) {
  auto w = Connection::open(db(), {.checkpointing = Checkpointing::manual,
                                   .log_size_limit = 64 * 1024,
                                   .buffer_log_writes = true});
  w->exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB NOT NULL)");
  auto r = reader();
  int n = 0;
  for (int round = 0; round < 4; ++round) {
    for (int i = 0; i < 40; ++i, ++n) {
      w->exec("BEGIN IMMEDIATE");
      insert(*w, n, 2000);
      w->exec("COMMIT");
    }
    // The next commit writes the log from its beginning again (a new header, then frames over
    // the old ones) and cuts the file back.
    auto done = w->checkpoint(CheckpointMode::restart, std::chrono::milliseconds(1000));
    EXPECT_FALSE(done.busy);
    expect_rows(*r, n, 2000);
  }
  w->exec("BEGIN IMMEDIATE");
  insert(*w, n++, 2000);
  w->exec("COMMIT");
  EXPECT_LE(std::filesystem::file_size(dir_ / "t.db-wal"), 64u * 1024);
  expect_rows(*r, n, 2000);
  EXPECT_EQ(integrity(*r), "ok");
}

TEST_F(LogVfsTest, AProcessThatDiesKeepsEveryCommitAndNothingElse) {
  writer();  // creates the table
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // The child commits 30 rows, starts a 31st transaction that writes more than the buffer, and
    // dies without closing anything: no destructor, no final write.
    auto w = writer(64);
    for (int i = 0; i < 30; ++i) {
      w->exec("BEGIN IMMEDIATE");
      insert(*w, i, 3000);
      w->exec("COMMIT");
    }
    w->exec("BEGIN IMMEDIATE");
    for (int i = 30; i < 1500; ++i) insert(*w, i, 3000);
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  auto r = reader();
  expect_rows(*r, 30, 3000);
  EXPECT_EQ(integrity(*r), "ok");
  // And the store goes on: a writer after the crash appends to what survived.
  auto w = writer();
  w->exec("BEGIN IMMEDIATE");
  insert(*w, 30, 3000);
  w->exec("COMMIT");
  expect_rows(*r, 31, 3000);
}

TEST_F(LogVfsTest, WithoutSyncTheOptionIsIgnored) {
  // Without a sync at each commit nothing would hand the buffer to the file; the option must not
  // take effect, so another connection sees every commit.
  auto w = Connection::open(db(), {.sync = Sync::off, .buffer_log_writes = true});
  w->exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB NOT NULL)");
  auto r = reader();
  for (int i = 0; i < 10; ++i) {
    w->exec("BEGIN IMMEDIATE");
    insert(*w, i, 1000);
    w->exec("COMMIT");
    expect_rows(*r, i + 1, 1000);
  }
}

}  // namespace
}  // namespace atrium::storage::sql
