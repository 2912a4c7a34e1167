// The store: opening and migrating, pooled readers, the group-commit writer thread and the
// checkpointer thread.
#include "storage/store.hpp"

#include "core/log/log.hpp"
#include "core/metrics/metrics.hpp"
#include "storage/schema.hpp"

#include <pthread.h>
#include <sys/stat.h>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <deque>
#include <mutex>
#include <thread>

namespace atrium::storage {

namespace fs = std::filesystem;

struct Store::Impl {
  StoreOptions options;
  fs::path db_path;
  BlobStore blobs;
  NotifyHub hub;

  std::unique_ptr<sql::Connection> writer_db;
  std::thread writer;
  std::mutex queue_mutex;
  std::condition_variable queue_cv;
  std::deque<Job> queue;
  bool stopping = false;

  std::mutex readers_mutex;
  std::vector<std::unique_ptr<sql::Connection>> readers;

  std::atomic<std::uint64_t> commits{0};
  std::atomic<std::uint64_t> jobs_ok{0};

  // Checkpointing. The writer learns the log's size after each commit (on_commit) and asks the
  // checkpointer to copy it once it has grown by checkpoint_pages; a passive checkpoint runs
  // beside commits and readers. Only a restart, when the log is too long, is the writer's.
  std::unique_ptr<sql::Connection> checkpoint_db;
  std::thread checkpointer;
  std::mutex checkpoint_mutex;
  std::condition_variable checkpoint_cv;
  bool checkpoint_wanted = false;      // under checkpoint_mutex
  bool checkpoint_stopping = false;    // under checkpoint_mutex
  std::atomic<bool> checkpoint_running{false};
  int log_pages = 0;                   // writer thread: the log's size after the last commit
  int log_pages_requested = 0;         // writer thread: its size when a checkpoint was last asked for
  int next_restart_at = 0;             // writer thread: try a restart once the log is this long
  std::atomic<std::uint64_t> checkpoints{0};
  std::atomic<std::uint64_t> log_restarts{0};

  metrics::Counter* m_commits = nullptr;
  metrics::Counter* m_jobs_ok = nullptr;
  metrics::Counter* m_jobs_failed = nullptr;
  metrics::Histogram* m_batch = nullptr;
  metrics::Histogram* m_commit_seconds = nullptr;
  metrics::Counter* m_checkpoints = nullptr;
  metrics::Counter* m_log_restarts = nullptr;
  metrics::Histogram* m_checkpoint_seconds = nullptr;

  Impl(const StoreOptions& o)
      : options(o), db_path(o.data_dir / "atrium.db"), blobs(o.data_dir / "blobs", o.data_dir / "tmp", o.inline_blob_max) {}

  void writer_loop();
  void run_batch(std::vector<Job>& batch);
  void after_commit(int pages);
  void restart_log_if_long();
  void checkpointer_loop();
};

namespace {

void make_dir(const fs::path& p) {
  std::error_code ec;
  fs::create_directories(p, ec);
  if (ec) throw StoreError(Errc::unavailable, fmt::format("create {}: {}", p.string(), ec.message()));
  ::chmod(p.c_str(), 0750);
}

std::shared_ptr<const std::string> batch_error(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    return std::make_shared<const std::string>(ex.what());
  } catch (...) {
    return std::make_shared<const std::string>("unknown error");
  }
}

}  // namespace

std::unique_ptr<Store> Store::open(const StoreOptions& options) {
  make_dir(options.data_dir);
  make_dir(options.data_dir / "blobs");
  make_dir(options.data_dir / "tmp");
  auto impl = std::make_unique<Impl>(options);
  // The writer keeps the pages it touches most (index interiors and leaves, the hot rows of
  // principals and collections) in a cache larger than the engine's default 2 MiB. After a
  // restart, the log's file is cut back to the restart size.
  constexpr std::int64_t k_page = 4096;
  {
    // Migrated on a connection of its own: a migration may edit a table's SQL text, which a
    // connection that had already read the schema would not see until it reads it again.
    auto db = sql::Connection::open(impl->db_path, {.sync = options.sync, .checkpointing = sql::Checkpointing::manual});
    schema::migrate(*db);
  }
  impl->writer_db = sql::Connection::open(
      impl->db_path, {.sync = options.sync,
                      .checkpointing = sql::Checkpointing::manual,
                      .cache_kib = 16 * 1024,
                      .log_size_limit = options.log_restart_pages > 0 ? options.log_restart_pages * k_page : -1,
                      .buffer_log_writes = true});
  // Every job runs in a savepoint, which keeps the first image of each page it changes so that
  // a failed job can be undone alone. Past 64 KiB the engine spills those images to a temporary
  // file (created, written page by page and deleted every batch: two-thirds of the writer's
  // write calls); in memory they are a copy each, and die with the savepoint.
  impl->writer_db->exec("PRAGMA temp_store=MEMORY");
  impl->checkpoint_db = sql::Connection::open(
      impl->db_path, {.sync = options.sync, .checkpointing = sql::Checkpointing::manual});
  if (auto* reg = options.metrics) {
    impl->m_commits = &reg->counter("atrium_store_commits_total", "Durable (fsync'd) store commits");
    impl->m_jobs_ok = &reg->counter("atrium_store_jobs_total", "Write jobs by outcome", {{"result", "ok"}});
    impl->m_jobs_failed = &reg->counter("atrium_store_jobs_total", "Write jobs by outcome", {{"result", "error"}});
    impl->m_batch = &reg->histogram("atrium_store_commit_batch_size", "Write jobs sharing one commit",
                                    {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024});
    impl->m_commit_seconds = &reg->histogram("atrium_store_commit_seconds", "Time to commit and fsync a batch",
                                             {0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5, 1});
    impl->m_checkpoints = &reg->counter("atrium_store_checkpoints_total", "Write-ahead log copies into the database",
                                        {{"by", "checkpointer"}});
    impl->m_log_restarts = &reg->counter("atrium_store_checkpoints_total", "Write-ahead log copies into the database",
                                         {{"by", "writer_restart"}});
    impl->m_checkpoint_seconds = &reg->histogram("atrium_store_checkpoint_seconds",
                                                 "Time to copy the write-ahead log into the database and fsync it",
                                                 {0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 5});
  }
  auto* raw = impl.get();
  raw->writer_db->on_commit([raw](int pages) { raw->after_commit(pages); });
  raw->checkpointer = std::thread([raw] { raw->checkpointer_loop(); });
  raw->writer = std::thread([raw] { raw->writer_loop(); });
  return std::unique_ptr<Store>(new Store(std::move(impl)));
}

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Store::~Store() {
  {
    std::lock_guard lock(impl_->queue_mutex);
    impl_->stopping = true;
  }
  impl_->queue_cv.notify_all();
  if (impl_->writer.joinable()) impl_->writer.join();
  {
    std::lock_guard lock(impl_->checkpoint_mutex);
    impl_->checkpoint_stopping = true;
  }
  impl_->checkpoint_cv.notify_all();
  if (impl_->checkpointer.joinable()) impl_->checkpointer.join();
}

void Store::submit(Job job) {
  {
    std::lock_guard lock(impl_->queue_mutex);
    if (impl_->stopping) throw StoreError(Errc::unavailable, "store is shutting down");
    impl_->queue.push_back(std::move(job));
  }
  impl_->queue_cv.notify_one();
}

void Store::Impl::writer_loop() {
  ::pthread_setname_np(::pthread_self(), "store-writer");  // for top -H, perf and gdb
  std::size_t max = options.commit_mode == CommitMode::per_job ? 1 : std::max<std::size_t>(1, options.max_batch);
  for (;;) {
    std::vector<Job> batch;
    {
      std::unique_lock lock(queue_mutex);
      queue_cv.wait(lock, [&] { return !queue.empty() || stopping; });
      if (queue.empty()) return;  // stopping and drained
      while (!queue.empty() && batch.size() < max) {
        batch.push_back(std::move(queue.front()));
        queue.pop_front();
      }
    }
    restart_log_if_long();
    run_batch(batch);
  }
}

// Writer thread, inside COMMIT (the engine's commit hook): no use of the connection here.
void Store::Impl::after_commit(int pages) {
  if (pages < log_pages) {
    // The log started again from its beginning: everything in the old one was copied.
    log_pages_requested = 0;
    next_restart_at = 0;
  }
  log_pages = pages;
  if (log_pages - log_pages_requested < std::max(options.checkpoint_pages, 1)) return;
  log_pages_requested = log_pages;
  {
    std::lock_guard lock(checkpoint_mutex);
    checkpoint_wanted = true;
  }
  checkpoint_cv.notify_one();
}

// Writer thread, between batches. A passive checkpoint copies only what was committed before it
// started, and the log can only start again from its beginning when a commit finds it completely
// copied and unread; under a steady stream of commits neither happens by itself. So once the log
// is long, the writer copies what the checkpointer has not yet (little: it keeps up) and waits a
// moment for readers still in the log, and its next commit restarts the log.
void Store::Impl::restart_log_if_long() {
  if (options.log_restart_pages <= 0 || log_pages < options.log_restart_pages || log_pages < next_restart_at) return;
  // The checkpointer holds the engine's checkpoint lock while it copies; waiting for it here would
  // stall every job of the batch. Try again after the next batch.
  if (checkpoint_running.load(std::memory_order_acquire)) return;
  auto started = std::chrono::steady_clock::now();
  try {
    auto r = writer_db->checkpoint(sql::CheckpointMode::restart, options.log_restart_wait);
    if (r.busy || r.copied_frames < r.log_frames) {
      // A reader is still in the log (a long read transaction): try again after another
      // checkpoint's worth of pages rather than at every batch.
      next_restart_at = log_pages + std::max(options.checkpoint_pages, 1);
      log::debug("store.log_restart_busy", "log_pages", r.log_frames, "copied", r.copied_frames);
      return;
    }
  } catch (const std::exception& e) {
    next_restart_at = log_pages + std::max(options.checkpoint_pages, 1);
    log::error("store.checkpoint_failed", "by", "writer", "reason", e.what());
    return;
  }
  // The next commit restarts the log (after_commit sees it shrink); until then, do not copy again.
  next_restart_at = log_pages + 1;
  log_restarts.fetch_add(1, std::memory_order_relaxed);
  if (m_log_restarts) m_log_restarts->inc();
  if (m_checkpoint_seconds) {
    m_checkpoint_seconds->observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }
}

void Store::Impl::checkpointer_loop() {
  ::pthread_setname_np(::pthread_self(), "store-ckpt");
  for (;;) {
    {
      std::unique_lock lock(checkpoint_mutex);
      checkpoint_cv.wait(lock, [&] { return checkpoint_wanted || checkpoint_stopping; });
      if (checkpoint_stopping) return;
      checkpoint_wanted = false;
      checkpoint_running.store(true, std::memory_order_release);
    }
    auto started = std::chrono::steady_clock::now();
    try {
      // Passive: copies every page no reader still needs, beside the writer and the readers.
      checkpoint_db->checkpoint(sql::CheckpointMode::passive, std::chrono::milliseconds(0));
      checkpoints.fetch_add(1, std::memory_order_relaxed);
      if (m_checkpoints) m_checkpoints->inc();
      if (m_checkpoint_seconds) {
        m_checkpoint_seconds->observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
      }
    } catch (const std::exception& e) {
      // Disk full or an I/O error: commits go on (the log grows); the next request tries again.
      log::error("store.checkpoint_failed", "by", "checkpointer", "reason", e.what());
    }
    checkpoint_running.store(false, std::memory_order_release);
  }
}

void Store::Impl::run_batch(std::vector<Job>& batch) {
  auto started = std::chrono::steady_clock::now();
  std::vector<std::exception_ptr> outcome(batch.size());
  std::vector<std::vector<Notification>> notes(batch.size());
  auto& db = *writer_db;
  std::exception_ptr batch_failure;

  // The transaction statements are prepared once (cached), not parsed again for every job.
  try {
    db.cached("BEGIN IMMEDIATE").run();
  } catch (...) {
    batch_failure = std::current_exception();
  }

  for (std::size_t i = 0; i < batch.size() && !batch_failure; ++i) {
    WriteTxn txn(db, blobs);
    try {
      db.cached("SAVEPOINT job").run();
      batch[i].run(txn);
      db.reset_busy();
      db.cached("RELEASE job").run();
      notes[i] = std::move(txn).take_notifications();
    } catch (...) {
      outcome[i] = std::current_exception();
      try {
        db.reset_busy();
        db.cached("ROLLBACK TO job").run();
        db.cached("RELEASE job").run();
      } catch (...) {
        // The engine aborted the whole transaction (disk full, I/O error): nothing of the batch
        // survives, so every job fails.
        batch_failure = std::current_exception();
      }
    }
  }

  if (!batch_failure) {
    try {
      db.cached("COMMIT").run();  // the one fsync of the batch (WAL, synchronous=FULL)
    } catch (...) {
      batch_failure = std::current_exception();
    }
  }
  if (batch_failure) {
    try {
      db.reset_busy();
      db.cached("ROLLBACK").run();
    } catch (...) {
      // No transaction was open any more; nothing to undo.
    }
    auto why = batch_error(batch_failure);
    log::error("store.commit_failed", "jobs", batch.size(), "reason", *why);
    for (auto& o : outcome) {
      if (!o) o = std::make_exception_ptr(StoreError(Errc::unavailable, "commit failed: " + *why));
    }
  } else {
    commits.fetch_add(1, std::memory_order_relaxed);
    if (m_commits) m_commits->inc();
    if (m_batch) m_batch->observe(static_cast<double>(batch.size()));
    if (m_commit_seconds) {
      m_commit_seconds->observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    }
  }

  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (!outcome[i]) {
      jobs_ok.fetch_add(1, std::memory_order_relaxed);
      if (m_jobs_ok) m_jobs_ok->inc();
      for (const auto& n : notes[i]) hub.publish(n);
    } else if (m_jobs_failed) {
      m_jobs_failed->inc();
    }
    if (batch[i].done) batch[i].done(outcome[i]);
  }
}

Store::ReaderLease Store::lease_reader() {
  {
    std::lock_guard lock(impl_->readers_mutex);
    if (!impl_->readers.empty()) {
      auto c = std::move(impl_->readers.back());
      impl_->readers.pop_back();
      return ReaderLease(impl_.get(), std::move(c));
    }
  }
  return ReaderLease(impl_.get(), sql::Connection::open(impl_->db_path, {.sync = impl_->options.sync}));
}

Store::ReaderLease::~ReaderLease() {
  if (!conn) return;
  std::lock_guard lock(owner->readers_mutex);
  owner->readers.push_back(std::move(conn));
}

Store::ReadScope::ReadScope(sql::Connection& c) : conn(c) { conn.cached("BEGIN").run(); }

Store::ReadScope::~ReadScope() {
  try {
    conn.reset_busy();
    conn.cached("COMMIT").run();
  } catch (...) {
    try {
      conn.cached("ROLLBACK").run();
    } catch (...) {
    }
  }
}

BlobStore& Store::blobs() { return impl_->blobs; }

std::optional<std::string> Store::read_blob(std::string_view hash) {
  return read([&](ReadTxn& txn) { return storage::read_blob(txn, impl_->blobs, hash); });
}
NotifyHub& Store::notify() { return impl_->hub; }
const fs::path& Store::data_dir() const { return impl_->options.data_dir; }

WriterStats Store::writer_stats() const {
  return {impl_->commits.load(std::memory_order_relaxed), impl_->jobs_ok.load(std::memory_order_relaxed),
          impl_->checkpoints.load(std::memory_order_relaxed), impl_->log_restarts.load(std::memory_order_relaxed)};
}

Modseq WriteTxn::modseq(PrincipalId account) {
  auto it = modseqs_.find(account);
  if (it != modseqs_.end()) return it->second;
  auto& q = db().cached("UPDATE principals SET modseq = modseq + 1 WHERE id = ? RETURNING modseq");
  q.bind(1, account);
  if (!q.step()) {
    q.reset();
    throw StoreError(Errc::not_found, fmt::format("account {} does not exist", account));
  }
  Modseq m = q.column_int(0);
  q.reset();
  modseqs_.emplace(account, m);
  return m;
}

Modseq WriteTxn::log_change(PrincipalId account, CollectionId collection, std::optional<ItemId> item,
                            std::optional<Uid> uid, ChangeOp op, std::string_view name) {
  Modseq m = modseq(account);
  db().cached("INSERT INTO changes (account_id, modseq, collection_id, item_id, uid, op, name) "
              "VALUES (?, ?, ?, ?, ?, ?, ?)")
      .bind(1, account)
      .bind(2, m)
      .bind(3, collection)
      .bind(4, item)
      .bind(5, uid)
      .bind(6, static_cast<std::int64_t>(op))
      .bind(7, name.empty() ? std::optional<std::string_view>() : std::optional<std::string_view>(name))
      .run();
  db().cached("UPDATE collections SET modseq = ? WHERE id = ? AND modseq < ?").bind(1, m).bind(2, collection).bind(3, m).run();
  bool seen = false;
  for (const auto& n : notifications_) {
    if (n.account_id == account && n.collection_id == collection) seen = true;
  }
  if (!seen) notifications_.push_back({account, collection, m});
  return m;
}

std::size_t Store::collect_garbage(std::chrono::seconds grace) {
  auto cutoff = static_cast<std::int64_t>(std::time(nullptr)) - grace.count();
  // Candidate orphan files are listed outside the writer; each is re-checked inside it.
  std::vector<std::string> orphan_candidates;
  std::error_code ec;
  auto file_time_cutoff = fs::file_time_type::clock::now() - grace;
  for (auto it = fs::recursive_directory_iterator(impl_->blobs.root(), ec); !ec && it != fs::end(it); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    auto name = it->path().filename().string();
    if (!is_blob_hash(name)) continue;
    if (it->last_write_time(ec) < file_time_cutoff) orphan_candidates.push_back(name);
  }
  for (auto it = fs::directory_iterator(impl_->options.data_dir / "tmp", ec); !ec && it != fs::end(it); it.increment(ec)) {
    if (it->last_write_time(ec) < file_time_cutoff) fs::remove(it->path(), ec);
  }

  return write([&](WriteTxn& txn) {
    std::size_t removed = 0;
    std::vector<std::string> dead;
    auto& q = txn.db().cached("SELECT hash FROM blobs WHERE refcount = 0 AND updated_at < ?");
    q.bind(1, cutoff);
    while (q.step()) dead.push_back(q.column_text(0));
    q.reset();
    for (const auto& h : dead) {
      txn.db().cached("DELETE FROM blobs WHERE hash = ? AND refcount = 0").bind(1, h).run();
      txn.blobs().remove(h);
      ++removed;
    }
    std::sort(dead.begin(), dead.end());
    for (const auto& h : orphan_candidates) {
      if (std::binary_search(dead.begin(), dead.end(), h)) continue;
      auto& e = txn.db().cached("SELECT 1 FROM blobs WHERE hash = ?");
      e.bind(1, h);
      bool known = e.step();
      e.reset();
      if (!known) {
        txn.blobs().remove(h);
        ++removed;
      }
    }
    return removed;
  });
}

std::vector<std::string> Store::check_consistency() {
  return read([&](ReadTxn& txn) {
    std::vector<std::string> problems;
    auto ic = txn.db().prepare("PRAGMA integrity_check");
    while (ic.step()) {
      auto line = ic.column_text(0);
      if (line != "ok") problems.push_back("integrity: " + line);
    }
    auto fk = txn.db().prepare("PRAGMA foreign_key_check");
    while (fk.step()) problems.push_back("foreign key: " + fk.column_text(0));
    // A blob is referenced by items and by queued outbound messages (one reference each). Items
    // have no foreign key to their blob (schema v9): the reference count is what keeps it.
    auto rc = txn.db().prepare(
        "SELECT b.hash, b.refcount, COALESCE(i.n, 0) + COALESCE(o.n, 0) AS refs FROM blobs b "
        "LEFT JOIN (SELECT blob_hash, COUNT(*) AS n FROM items GROUP BY blob_hash) i ON i.blob_hash = b.hash "
        "LEFT JOIN (SELECT blob_hash, COUNT(*) AS n FROM outbound_queue GROUP BY blob_hash) o ON o.blob_hash = b.hash "
        "WHERE b.refcount != refs");
    while (rc.step()) {
      problems.push_back(fmt::format("blob {} refcount {} but {} references", rc.column_text(0), rc.column_int(1),
                                     rc.column_int(2)));
    }
    auto orphans = txn.db().prepare(
        "SELECT i.id, i.blob_hash FROM items i LEFT JOIN blobs b ON b.hash = i.blob_hash WHERE b.hash IS NULL");
    while (orphans.step()) {
      problems.push_back(fmt::format("item {} refers to missing blob {}", orphans.column_int(0), orphans.column_text(1)));
    }
    auto files = txn.db().prepare("SELECT hash FROM blobs WHERE refcount > 0 AND content IS NULL");
    while (files.step()) {
      auto h = files.column_text(0);
      if (!impl_->blobs.exists(h)) problems.push_back("blob file missing: " + h);
    }
    auto oq = txn.db().prepare(
        "SELECT id FROM outbound_queue o WHERE NOT EXISTS (SELECT 1 FROM outbound_recipients r WHERE r.queue_id = o.id)");
    while (oq.step()) problems.push_back(fmt::format("queued message {} has no recipients", oq.column_int(0)));
    auto ms = txn.db().prepare(
        "SELECT p.email FROM principals p WHERE p.modseq < (SELECT COALESCE(MAX(c.modseq), 0) FROM changes c "
        "WHERE c.account_id = p.id)");
    while (ms.step()) problems.push_back("account modseq behind its change log: " + ms.column_text(0));
    return problems;
  });
}

}  // namespace atrium::storage
