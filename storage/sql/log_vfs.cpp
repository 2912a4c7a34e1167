// A VFS over the platform's default that gathers each commit's writes to the write-ahead log and
// hands them to the file in one call.
//
// The engine writes a commit's log as two calls per page (a 24-byte frame header, then the page),
// so a batch of ten deliveries costs about a hundred write calls before its one fsync; buffered,
// it costs four. Writes to a log file are kept in memory while they are contiguous and reach the
// file together, in calls of up to 64 KiB, before anything else is done to the log (sync, read,
// size, truncate, file control, close) and when the buffer is full or a write does not continue
// the buffered run. Every other file is the platform VFS's own, untouched.
//
// Why this is safe: a commit is visible to readers and acknowledged only after the engine has
// synced the log (synchronous=FULL), and the sync writes the buffer first; a reader opens the log
// through its own file and reads only frames a synced commit published. Without syncs
// (synchronous=OFF) nothing would write the buffer at a commit, so sqlite.cpp uses this VFS only
// with Sync::full.
#include "storage/sql/log_vfs.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <mutex>
#include <new>
#include <string>

namespace atrium::storage::sql {
namespace {

constexpr std::size_t k_max_buffer = std::size_t{4} << 20;  // a commit larger than this writes in parts
// The platform VFS takes the length of one write call modulo 128 KiB; the engine's own largest
// write is a 64 KiB page.
constexpr std::size_t k_max_write = std::size_t{64} << 10;

sqlite3_vfs g_vfs;
sqlite3_vfs* g_base = nullptr;

// The file object the engine sees for a log: our part, then the platform VFS's file object.
struct LogFile {
  sqlite3_file head;   // pMethods = &k_log_methods
  std::string buffer;  // pending bytes, contiguous from `start`
  sqlite3_int64 start;
};

// The platform VFS's object follows ours directly and needs pointer alignment.
static_assert(sizeof(LogFile) % alignof(std::max_align_t) == 0);

LogFile* as_log(sqlite3_file* f) { return reinterpret_cast<LogFile*>(f); }
sqlite3_file* real(sqlite3_file* f) { return reinterpret_cast<sqlite3_file*>(as_log(f) + 1); }

int flush(sqlite3_file* file) {
  auto* f = as_log(file);
  auto* r = real(file);
  int rc = SQLITE_OK;
  for (std::size_t done = 0; done < f->buffer.size() && rc == SQLITE_OK; done += k_max_write) {
    auto n = std::min(k_max_write, f->buffer.size() - done);
    rc = r->pMethods->xWrite(r, f->buffer.data() + done, static_cast<int>(n),
                             f->start + static_cast<sqlite3_int64>(done));
  }
  f->buffer.clear();
  return rc;
}

int log_write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
  auto* f = as_log(file);
  const auto n = static_cast<std::size_t>(amount);
  if (!f->buffer.empty() && (offset != f->start + static_cast<sqlite3_int64>(f->buffer.size()) ||
                             f->buffer.size() + n > k_max_buffer)) {
    if (int rc = flush(file); rc != SQLITE_OK) return rc;
  }
  if (f->buffer.empty()) f->start = offset;
  try {
    f->buffer.append(static_cast<const char*>(data), n);
  } catch (const std::bad_alloc&) {
    return SQLITE_NOMEM;
  }
  return SQLITE_OK;
}

int log_close(sqlite3_file* file) {
  int rc = flush(file);
  int rc2 = real(file)->pMethods->xClose(real(file));
  as_log(file)->buffer.~basic_string();
  return rc != SQLITE_OK ? rc : rc2;
}

// Everything else the engine does to the log sees the buffered bytes written first.
int log_read(sqlite3_file* file, void* out, int amount, sqlite3_int64 offset) {
  if (int rc = flush(file); rc != SQLITE_OK) return rc;
  return real(file)->pMethods->xRead(real(file), out, amount, offset);
}
int log_truncate(sqlite3_file* file, sqlite3_int64 size) {
  if (int rc = flush(file); rc != SQLITE_OK) return rc;
  return real(file)->pMethods->xTruncate(real(file), size);
}
int log_sync(sqlite3_file* file, int flags) {
  if (int rc = flush(file); rc != SQLITE_OK) return rc;
  return real(file)->pMethods->xSync(real(file), flags);
}
int log_file_size(sqlite3_file* file, sqlite3_int64* size) {
  if (int rc = flush(file); rc != SQLITE_OK) return rc;
  return real(file)->pMethods->xFileSize(real(file), size);
}
int log_file_control(sqlite3_file* file, int op, void* arg) {
  if (int rc = flush(file); rc != SQLITE_OK) return rc;
  return real(file)->pMethods->xFileControl(real(file), op, arg);
}
int log_lock(sqlite3_file* file, int level) { return real(file)->pMethods->xLock(real(file), level); }
int log_unlock(sqlite3_file* file, int level) { return real(file)->pMethods->xUnlock(real(file), level); }
int log_check_reserved(sqlite3_file* file, int* out) {
  return real(file)->pMethods->xCheckReservedLock(real(file), out);
}
int log_sector_size(sqlite3_file* file) { return real(file)->pMethods->xSectorSize(real(file)); }
int log_device_characteristics(sqlite3_file* file) {
  return real(file)->pMethods->xDeviceCharacteristics(real(file));
}

// Version 1: the engine maps and shares memory only through the database file, never the log.
const sqlite3_io_methods k_log_methods = {
    1,           log_close,     log_read,          log_write,          log_truncate,
    log_sync,    log_file_size, log_lock,          log_unlock,         log_check_reserved,
    log_file_control, log_sector_size, log_device_characteristics,
};

int vfs_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  if ((flags & SQLITE_OPEN_WAL) == 0) {
    // Not a log: the file object is the platform VFS's own (szOsFile covers it).
    return g_base->xOpen(g_base, name, file, flags, out_flags);
  }
  auto* f = as_log(file);
  f->head.pMethods = nullptr;  // until the log is open: the engine then never calls our xClose
  auto* r = real(file);
  std::memset(r, 0, static_cast<std::size_t>(g_base->szOsFile));
  int rc = g_base->xOpen(g_base, name, r, flags, out_flags);
  if (rc != SQLITE_OK) {
    if (r->pMethods) r->pMethods->xClose(r);
    return rc;
  }
  new (&f->buffer) std::string;
  f->start = 0;
  f->head.pMethods = &k_log_methods;
  return SQLITE_OK;
}

}  // namespace

const char* log_buffering_vfs() {
  static std::once_flag once;
  static const char* name = nullptr;
  std::call_once(once, [] {
    g_base = sqlite3_vfs_find(nullptr);
    if (!g_base) return;
    // Everything but xOpen is the platform VFS's: its methods find what they need through the
    // VFS object they are given (pAppData, mxPathname), which this copy keeps.
    g_vfs = *g_base;
    g_vfs.pNext = nullptr;
    g_vfs.zName = "atrium-log-buffer";
    g_vfs.szOsFile = static_cast<int>(sizeof(LogFile)) + g_base->szOsFile;
    g_vfs.xOpen = vfs_open;
    if (sqlite3_vfs_register(&g_vfs, 0) == SQLITE_OK) name = g_vfs.zName;
  });
  return name;
}

}  // namespace atrium::storage::sql
