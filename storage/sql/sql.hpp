// A small portable SQL interface: connections, prepared statements, typed columns.
// The store's repositories are written against this with portable SQL (RETURNING, ON CONFLICT,
// partial indexes are all shared by SQLite and PostgreSQL); the SQLite engine lives in
// sqlite.cpp, with its file layer for the writer in log_vfs.cpp: the only files that include
// <sqlite3.h>.
#pragma once

#include "storage/types.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace atrium::storage::sql {

class Connection;

// Binary content for a BLOB column (a text bind would claim UTF-8).
struct Bytes {
  std::string_view data;
};

// A prepared statement. Bind parameters are 1-based as in SQL (`?`). Not thread-safe; belongs to
// the connection that prepared it. Errors throw StoreError with a class from the engine's code.
class Statement {
 public:
  Statement(Statement&&) noexcept;
  Statement& operator=(Statement&&) noexcept;
  ~Statement();

  Statement& bind(int index, std::int64_t v);
  Statement& bind(int index, std::string_view v);  // copied: the view may die after bind()
  Statement& bind(int index, const char* v) { return bind(index, std::string_view(v)); }
  Statement& bind(int index, const std::string& v) { return bind(index, std::string_view(v)); }
  Statement& bind(int index, Bytes v);              // copied, like text
  Statement& bind(int index, std::nullopt_t);
  template <class T>
  Statement& bind(int index, const std::optional<T>& v) {
    return v ? bind(index, *v) : bind(index, std::nullopt);
  }

  // Advances to the next row; false when there are no more rows.
  bool step();
  // Runs a statement that returns no rows (or ignores them).
  void run();
  // Ready to run again with new bindings.
  void reset();

  std::int64_t column_int(int col) const;
  std::string column_text(int col) const;
  std::string column_blob(int col) const;  // a BLOB (or text) column's bytes; empty for NULL
  bool column_is_null(int col) const;
  std::optional<std::int64_t> column_opt_int(int col) const;

 private:
  friend class Connection;
  struct Impl;
  explicit Statement(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

enum class Sync { full, off };  // `off` is for throw-away test stores only

// Who copies the write-ahead log back into the database file. `automatic`: the engine, on the
// committing thread, whenever the log has grown past its default size. `manual`: only
// Connection::checkpoint (the store runs it on a thread of its own, so commits never wait for it).
enum class Checkpointing { automatic, manual };

struct ConnectionOptions {
  Sync sync = Sync::full;
  bool read_only = false;
  int busy_timeout_ms = 10000;
  Checkpointing checkpointing = Checkpointing::automatic;
  // Page cache of this connection in KiB; 0 = the engine's default (2 MiB).
  int cache_kib = 0;
  // After the log restarts from its beginning, its file is truncated to this size; -1 = never.
  std::int64_t log_size_limit = -1;
  // Gather each commit's log writes and hand them to the file in 64 KiB calls at the commit's
  // fsync (log_vfs.cpp). Only with Sync::full, where every commit syncs; ignored otherwise.
  bool buffer_log_writes = false;
};

enum class CheckpointMode {
  passive,  // copies what no reader still needs; never waits, never blocks a writer or a reader
  restart,  // also waits (up to a bound) for the write lock and for readers to leave the log, so
            // that the next commit writes the log from its beginning instead of growing it
};

struct CheckpointResult {
  bool busy = false;       // a restart could not get the lock or outwait a reader in time
  int log_frames = 0;      // pages in the log
  int copied_frames = 0;   // of those, pages now in the database file (all of them: fully copied)
};

// One database connection. Not thread-safe: one thread uses it at a time.
class Connection {
 public:
  // Opens (creating if needed) and applies the store's settings: WAL journal, FULL sync (every
  // commit fsyncs the WAL before returning), foreign keys on, a busy timeout.
  static std::unique_ptr<Connection> open(const std::filesystem::path& file, const ConnectionOptions& options);
  ~Connection();

  Statement prepare(std::string_view sql);
  // Cached prepared statement: the same SQL text reuses one compiled statement. The returned
  // reference is valid until the next call with the same text; it has been reset.
  Statement& cached(std::string_view sql);
  void exec(std::string_view sql);  // one or more statements, no parameters, no rows
  std::int64_t last_insert_id() const;
  int changes() const;  // rows changed by the last statement
  // Resets every statement still mid-iteration, so none holds a read snapshot past its transaction
  // (and releases the open BLOB value, see open_value).
  void reset_busy();
  // Opens `column` of `table`'s row `rowid` for reading byte ranges of it without loading the
  // whole value: the pages past what read_value asks for are never read. Returns the value's size,
  // or nullopt when there is no such row or the value is NULL (or not a BLOB or text). One value
  // is open per connection; opening the next row of the same column reuses the handle, and
  // reset_busy() releases it, so it never outlives the transaction. Throws StoreError on I/O
  // errors.
  std::optional<std::size_t> open_value(const std::string& table, const std::string& column, std::int64_t rowid);
  // Bytes [offset, offset + n) of the open value into `out`; the range must lie within it.
  void read_value(std::size_t offset, std::size_t n, char* out);

  // Copies the write-ahead log into the database file (and fsyncs it). `wait` bounds a restart's
  // waiting for the write lock and for readers; the connection's own busy timeout is restored
  // afterwards. Throws StoreError on I/O failure, never for a busy lock (see `busy`). Call
  // outside a transaction of this connection.
  CheckpointResult checkpoint(CheckpointMode mode, std::chrono::milliseconds wait);
  // `fn(log_frames)` runs on the committing thread after every commit of this connection that
  // wrote to the log, with the log's size in pages. It must not use the connection. Replaces the
  // previous observer; with Checkpointing::automatic it also replaces the engine's checkpoints.
  void on_commit(std::function<void(int log_frames)> fn);

 private:
  struct Impl;
  explicit Connection(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace atrium::storage::sql
