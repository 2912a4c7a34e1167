// The one store: opening, read transactions, and the group-commit writer every write goes through.
//
// Writes are jobs. The writer thread owns the only write connection; it takes every job queued
// while the previous commit was being fsync'd, runs each inside its own SAVEPOINT (a failing job
// rolls back alone), commits the batch with ONE fsync, and only then completes each caller and
// publishes notifications. No caller hears "done" before its data is durable. Copying the
// write-ahead log back into the database file (checkpointing) is a second thread's work, so a
// commit never waits for it.
#pragma once

#include "storage/blobs.hpp"
#include "storage/notify.hpp"
#include "storage/sql/sql.hpp"
#include "storage/types.hpp"

#include <chrono>
#include <exception>
#include <filesystem>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <type_traits>
#include <vector>

namespace atrium::metrics {
class Registry;
}

namespace atrium::storage {

enum class CommitMode {
  group,       // many jobs share one transaction and one fsync (production)
  per_job,     // one transaction and one fsync per job (the baseline group commit is measured against)
};

struct StoreOptions {
  std::filesystem::path data_dir;
  CommitMode commit_mode = CommitMode::group;
  sql::Sync sync = sql::Sync::full;        // Sync::off only for throw-away test stores
  std::size_t max_batch = 1024;            // jobs per commit at most
  std::size_t inline_blob_max = 256 * 1024;  // blobs up to this size live in the database
  // The checkpointer copies the write-ahead log into the database file whenever the log has grown
  // by this many pages (4 KiB each) since the last copy. The longer the interval, the more often
  // a page written by several commits (an index's last leaf, a mailbox's row) is copied once.
  int checkpoint_pages = 4000;
  // A log this long is restarted: at the next batch boundary the writer copies the few pages the
  // checkpointer has not, waits up to `log_restart_wait` for readers to leave the log, and the next
  // commit writes the log from its beginning. Without this, a log written without pause (a
  // checkpointer copying in the background never catches up with it) would grow without bound.
  int log_restart_pages = 16384;
  std::chrono::milliseconds log_restart_wait{25};
  metrics::Registry* metrics = nullptr;    // optional; not owned
};

// A read transaction: a consistent snapshot for its lifetime. Use on one thread only.
class ReadTxn {
 public:
  explicit ReadTxn(sql::Connection& db) : db_(db) {}
  ReadTxn(const ReadTxn&) = delete;
  ReadTxn& operator=(const ReadTxn&) = delete;
  sql::Connection& db() { return db_; }

 private:
  sql::Connection& db_;
};

// A write job's view of the store. Each job gets one; it lives only while the job runs.
class WriteTxn : public ReadTxn {
 public:
  WriteTxn(sql::Connection& db, BlobStore& blobs) : ReadTxn(db), blobs_(blobs) {}

  // The modseq this job's changes to `account` carry. The first call takes the account's next
  // modseq; later calls in the same job return the same value.
  Modseq modseq(PrincipalId account);
  // Appends a change-log row with this job's modseq for `account`, raises the collection's
  // modseq, and queues a notification to publish after the commit.
  // `name` is the item's DAV resource name (kept on tombstones for sync-collection); empty for
  // messages and collection changes.
  Modseq log_change(PrincipalId account, CollectionId collection, std::optional<ItemId> item,
                    std::optional<Uid> uid, ChangeOp op, std::string_view name = {});
  BlobStore& blobs() { return blobs_; }

  const std::vector<Notification>& notifications() const { return notifications_; }
  std::vector<Notification> take_notifications() && { return std::move(notifications_); }

 private:
  BlobStore& blobs_;
  std::map<PrincipalId, Modseq> modseqs_;
  std::vector<Notification> notifications_;
};

struct WriterStats {
  std::uint64_t commits = 0;      // fsync'd transactions
  std::uint64_t jobs = 0;         // jobs completed successfully
  std::uint64_t checkpoints = 0;  // background copies of the log into the database file
  std::uint64_t log_restarts = 0; // times the log was fully copied for a restart (by the writer)
};

class Store {
 public:
  // Creates data_dir (and the database, blob and tmp folders) when missing and migrates the
  // schema forward. Throws StoreError.
  static std::unique_ptr<Store> open(const StoreOptions& options);
  // Finishes every queued job (each is committed or failed), then stops the writer and the
  // checkpointer.
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Runs `fn(ReadTxn&)` on the calling thread inside a read transaction on a pooled connection
  // and returns its result. Safe from any thread.
  template <class F>
  auto read(F&& fn) -> std::invoke_result_t<F, ReadTxn&> {
    auto lease = lease_reader();
    ReadScope scope(*lease.conn);
    ReadTxn txn(*lease.conn);
    return fn(txn);
  }

  // A job for the writer. `run` executes on the writer thread inside a savepoint; `done` is
  // called on the writer thread once the outcome is durable: with nullptr on success, or the
  // exception `run` threw (its changes rolled back), or the commit's failure. `done` must not
  // block; post to your own executor from it.
  struct Job {
    std::function<void(WriteTxn&)> run;
    std::function<void(std::exception_ptr)> done;
  };
  // Queues a job. Throws StoreError(unavailable) once the store is shutting down.
  void submit(Job job);

  // Blocking convenience for the admin CLI, tests and benchmarks: runs `fn(WriteTxn&)` as a job
  // and returns its result once durable, or rethrows its exception.
  template <class F>
  auto write(F&& fn) -> std::invoke_result_t<F, WriteTxn&> {
    using R = std::invoke_result_t<F, WriteTxn&>;
    auto promise = std::make_shared<std::promise<R>>();
    auto result = std::make_shared<std::conditional_t<std::is_void_v<R>, int, std::optional<R>>>();
    submit(Job{
        [fn = std::forward<F>(fn), result](WriteTxn& txn) mutable {
          if constexpr (std::is_void_v<R>) {
            fn(txn);
          } else {
            result->emplace(fn(txn));
          }
        },
        [promise, result](std::exception_ptr e) {
          if (e) {
            promise->set_exception(e);
          } else if constexpr (std::is_void_v<R>) {
            promise->set_value();
          } else {
            promise->set_value(std::move(**result));
          }
        }});
    return promise->get_future().get();
  }

  BlobStore& blobs();
  // Any blob's content, inline or file (a read transaction of its own); nullopt when unknown.
  std::optional<std::string> read_blob(std::string_view hash);
  NotifyHub& notify();
  const std::filesystem::path& data_dir() const;
  WriterStats writer_stats() const;

  // Deletes blobs nobody references: rows with refcount 0 and files without a row, both older
  // than `grace` (a blob written for a job not yet committed is younger). Runs as a writer job.
  // Returns the number of blobs removed (rows and files).
  std::size_t collect_garbage(std::chrono::seconds grace);

  // PRAGMA integrity_check plus the store's own invariants (blob refcounts equal references from
  // items and queued outbound messages, every referenced blob file exists, every queued message
  // has recipients). Returns problems found; empty when consistent.
  std::vector<std::string> check_consistency();

 private:
  struct Impl;
  struct ReaderLease {
    Impl* owner = nullptr;
    std::unique_ptr<sql::Connection> conn;
    ReaderLease(Impl* o, std::unique_ptr<sql::Connection> c) : owner(o), conn(std::move(c)) {}
    ReaderLease(ReaderLease&&) = default;
    ~ReaderLease();
  };
  struct ReadScope {
    explicit ReadScope(sql::Connection& c);
    ~ReadScope();
    sql::Connection& conn;
  };
  ReaderLease lease_reader();

  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace atrium::storage
