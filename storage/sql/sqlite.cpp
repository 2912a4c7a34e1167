// The SQLite engine behind storage::sql. Maps SQLite result codes to storage::Errc.
#include "storage/sql/sql.hpp"

#include "storage/sql/log_vfs.hpp"

#include <sqlite3.h>

#include <fmt/format.h>

#include <functional>
#include <mutex>
#include <string_view>
#include <unordered_map>

namespace atrium::storage::sql {
namespace {

Errc classify(int rc) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_NOMEM:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
      return Errc::unavailable;
    case SQLITE_CONSTRAINT:
      return Errc::conflict;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Errc::corrupt;
    default:
      return Errc::unavailable;
  }
}

// Process-wide engine settings, before the first connection: without memory statistics (which
// nothing here reads) the engine takes no global lock on every allocation and free.
void configure_engine() {
  static std::once_flag once;
  std::call_once(once, [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);  // SQLITE_MISUSE if already initialised: harmless
  });
}

[[noreturn]] void fail(sqlite3* db, int rc, std::string_view what) {
  const char* msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  throw StoreError(classify(rc), fmt::format("{}: {}", what, msg));
}


}  // namespace

struct Statement::Impl {
  sqlite3* db = nullptr;
  sqlite3_stmt* stmt = nullptr;
  ~Impl() { sqlite3_finalize(stmt); }
};

Statement::Statement(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Statement::Statement(Statement&&) noexcept = default;
Statement& Statement::operator=(Statement&&) noexcept = default;
Statement::~Statement() = default;

Statement& Statement::bind(int index, std::int64_t v) {
  int rc = sqlite3_bind_int64(impl_->stmt, index, v);
  if (rc != SQLITE_OK) fail(impl_->db, rc, "bind");
  return *this;
}

Statement& Statement::bind(int index, std::string_view v) {
  int rc = sqlite3_bind_text64(impl_->stmt, index, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK) fail(impl_->db, rc, "bind");
  return *this;
}

Statement& Statement::bind(int index, Bytes v) {
  int rc = sqlite3_bind_blob64(impl_->stmt, index, v.data.data(), v.data.size(), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) fail(impl_->db, rc, "bind");
  return *this;
}

Statement& Statement::bind(int index, std::nullopt_t) {
  int rc = sqlite3_bind_null(impl_->stmt, index);
  if (rc != SQLITE_OK) fail(impl_->db, rc, "bind");
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(impl_->stmt);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  std::string sql = sqlite3_sql(impl_->stmt) ? sqlite3_sql(impl_->stmt) : "";
  sqlite3_reset(impl_->stmt);
  fail(impl_->db, rc, sql.substr(0, 60));
}

void Statement::run() {
  while (step()) {
  }
}

void Statement::reset() {
  sqlite3_reset(impl_->stmt);
  sqlite3_clear_bindings(impl_->stmt);
}

std::int64_t Statement::column_int(int col) const { return sqlite3_column_int64(impl_->stmt, col); }

std::string Statement::column_text(int col) const {
  auto* p = reinterpret_cast<const char*>(sqlite3_column_text(impl_->stmt, col));
  int n = sqlite3_column_bytes(impl_->stmt, col);
  return p ? std::string(p, static_cast<std::size_t>(n)) : std::string();
}

std::string Statement::column_blob(int col) const {
  auto* p = static_cast<const char*>(sqlite3_column_blob(impl_->stmt, col));
  int n = sqlite3_column_bytes(impl_->stmt, col);
  return p ? std::string(p, static_cast<std::size_t>(n)) : std::string();
}

bool Statement::column_is_null(int col) const { return sqlite3_column_type(impl_->stmt, col) == SQLITE_NULL; }

std::optional<std::int64_t> Statement::column_opt_int(int col) const {
  if (column_is_null(col)) return std::nullopt;
  return column_int(col);
}

// Looks statements up by a view of their text, so a cache hit allocates nothing.
struct SqlHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

struct Connection::Impl {
  sqlite3* db = nullptr;
  int busy_timeout_ms = 0;
  std::unordered_map<std::string, Statement, SqlHash, std::equal_to<>> cache;
  std::function<void(int)> on_commit;
  // The value open_value opened, and which column it belongs to (for reopening another row).
  sqlite3_blob* value = nullptr;
  std::string value_table, value_column;
  void close_value() {
    if (value) sqlite3_blob_close(value);
    value = nullptr;
  }
  ~Impl() {
    close_value();
    cache.clear();
    sqlite3_close_v2(db);
  }
};

Connection::Connection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Connection::~Connection() = default;

std::unique_ptr<Connection> Connection::open(const std::filesystem::path& file, const ConnectionOptions& options) {
  configure_engine();
  auto impl = std::make_unique<Impl>();
  int flags = SQLITE_OPEN_NOMUTEX | (options.read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE));
  const char* vfs = options.buffer_log_writes && options.sync == Sync::full && !options.read_only
                        ? log_buffering_vfs()
                        : nullptr;
  int rc = sqlite3_open_v2(file.c_str(), &impl->db, flags, vfs);
  if (rc != SQLITE_OK) {
    std::string msg = impl->db ? sqlite3_errmsg(impl->db) : sqlite3_errstr(rc);
    throw StoreError(classify(rc), fmt::format("open {}: {}", file.string(), msg));
  }
  sqlite3_extended_result_codes(impl->db, 1);
  sqlite3_busy_timeout(impl->db, options.busy_timeout_ms);
  impl->busy_timeout_ms = options.busy_timeout_ms;
  std::unique_ptr<Connection> c(new Connection(std::move(impl)));
  if (!options.read_only) c->exec("PRAGMA journal_mode=WAL");
  c->exec(options.sync == Sync::full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=OFF");
  c->exec("PRAGMA foreign_keys=ON");
  if (options.checkpointing == Checkpointing::manual) c->exec("PRAGMA wal_autocheckpoint=0");
  if (options.cache_kib > 0) c->exec(fmt::format("PRAGMA cache_size=-{}", options.cache_kib));
  if (options.log_size_limit >= 0) c->exec(fmt::format("PRAGMA journal_size_limit={}", options.log_size_limit));
  return c;
}

Statement Connection::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(impl_->db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt,
                              nullptr);
  if (rc != SQLITE_OK) fail(impl_->db, rc, fmt::format("prepare {}", sql.substr(0, 80)));
  auto s = std::make_unique<Statement::Impl>();
  s->db = impl_->db;
  s->stmt = stmt;
  return Statement(std::move(s));
}

Statement& Connection::cached(std::string_view sql) {
  auto it = impl_->cache.find(sql);
  if (it == impl_->cache.end()) {
    it = impl_->cache.emplace(std::string(sql), prepare(sql)).first;
  } else {
    it->second.reset();
  }
  return it->second;
}

void Connection::exec(std::string_view sql) {
  std::string text(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(impl_->db, text.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    throw StoreError(classify(rc), fmt::format("{}: {}", text.substr(0, 60), msg));
  }
}

std::int64_t Connection::last_insert_id() const { return sqlite3_last_insert_rowid(impl_->db); }
int Connection::changes() const { return sqlite3_changes(impl_->db); }

CheckpointResult Connection::checkpoint(CheckpointMode mode, std::chrono::milliseconds wait) {
  CheckpointResult out;
  int emode = mode == CheckpointMode::restart ? SQLITE_CHECKPOINT_RESTART : SQLITE_CHECKPOINT_PASSIVE;
  if (mode == CheckpointMode::restart) sqlite3_busy_timeout(impl_->db, static_cast<int>(wait.count()));
  int rc = sqlite3_wal_checkpoint_v2(impl_->db, nullptr, emode, &out.log_frames, &out.copied_frames);
  if (mode == CheckpointMode::restart) sqlite3_busy_timeout(impl_->db, impl_->busy_timeout_ms);
  if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) {
    out.busy = true;
  } else if (rc != SQLITE_OK) {
    fail(impl_->db, rc, "checkpoint");
  }
  return out;
}

void Connection::on_commit(std::function<void(int log_frames)> fn) {
  impl_->on_commit = std::move(fn);
  if (!impl_->on_commit) {
    sqlite3_wal_hook(impl_->db, nullptr, nullptr);
    return;
  }
  sqlite3_wal_hook(
      impl_->db,
      [](void* arg, sqlite3*, const char*, int frames) {
        static_cast<Impl*>(arg)->on_commit(frames);
        return SQLITE_OK;
      },
      impl_.get());
}

std::optional<std::size_t> Connection::open_value(const std::string& table, const std::string& column,
                                                  std::int64_t rowid) {
  auto& d = *impl_;
  if (d.value && d.value_table == table && d.value_column == column) {
    if (sqlite3_blob_reopen(d.value, rowid) == SQLITE_OK) {
      return static_cast<std::size_t>(sqlite3_blob_bytes(d.value));
    }
    d.close_value();  // a failed reopen leaves the handle aborted
  } else {
    d.close_value();
  }
  int rc = sqlite3_blob_open(d.db, "main", table.c_str(), column.c_str(), rowid, 0, &d.value);
  if (rc != SQLITE_OK) {
    d.close_value();
    // No such row, or a NULL (or numeric) value: SQLITE_ERROR. Anything else is the database's.
    if ((rc & 0xff) == SQLITE_ERROR) return std::nullopt;
    fail(d.db, rc, "open value of " + table + "." + column);
  }
  d.value_table = table;
  d.value_column = column;
  return static_cast<std::size_t>(sqlite3_blob_bytes(d.value));
}

void Connection::read_value(std::size_t offset, std::size_t n, char* out) {
  auto& d = *impl_;
  if (!d.value) throw StoreError(Errc::invalid, "read_value without an open value");
  int rc = sqlite3_blob_read(d.value, out, static_cast<int>(n), static_cast<int>(offset));
  if (rc != SQLITE_OK) fail(d.db, rc, "read value of " + d.value_table + "." + d.value_column);
}

void Connection::reset_busy() {
  impl_->close_value();
  for (sqlite3_stmt* s = sqlite3_next_stmt(impl_->db, nullptr); s; s = sqlite3_next_stmt(impl_->db, s)) {
    if (sqlite3_stmt_busy(s)) sqlite3_reset(s);
  }
}

}  // namespace atrium::storage::sql
