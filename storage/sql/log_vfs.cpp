// A VFS over the platform's default that gathers each commit's writes to the write-ahead log and
// hands them to the file in one call.
//
// The engine writes a commit's log as two calls per page (a 24-byte frame header, then the page),
// so a batch of ten deliveries costs about a hundred write calls before its one fsync; buffered,
// it costs four. Here the
// writes to a log file are kept in memory while they are contiguous and reach the file together
// when the engine syncs, reads, sizes, truncates or closes the log (or when the buffer is full,
// or a write does not continue the buffered run), in calls of up to 64 KiB. Every other file
// passes straight through.
//
// Why this is safe: a commit is visible to readers and acknowledged only after the engine has
// synced the log (synchronous=FULL), and the sync writes the buffer first; a reader opens the log
// through its own file and reads only frames a synced commit published. Without syncs
// (synchronous=OFF) nothing would write the buffer at a commit, so sqlite.cpp uses this VFS only
// with Sync::full.
#include "storage/sql/log_vfs.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <string>

namespace atrium::storage::sql {
namespace {

constexpr std::size_t k_max_buffer = std::size_t{4} << 20;  // a commit larger than this writes in parts
constexpr std::size_t k_max_write = std::size_t{64} << 10;

sqlite3_vfs g_vfs;
sqlite3_vfs* g_base = nullptr;

// The file object the engine sees for a log: our header, then the base VFS's file object.
struct LogFile {
  sqlite3_file base_head;  // pMethods = our methods
  std::string* buffer;     // pending bytes, contiguous from `start`
  sqlite3_int64 start;
  sqlite3_file* real() { return reinterpret_cast<sqlite3_file*>(this + 1); }
};

LogFile* as_log(sqlite3_file* f) { return reinterpret_cast<LogFile*>(f); }

int flush(LogFile* f) {
  auto& buf = *f->buffer;
  auto* real = f->real();
  int rc = SQLITE_OK;
  // In pieces no larger than the engine's own largest write (a 64 KiB page): the platform VFS
  // takes the length of one write call modulo 128 KiB.
  for (std::size_t done = 0; done < buf.size() && rc == SQLITE_OK; done += k_max_write) {
    auto n = std::min(k_max_write, buf.size() - done);
    rc = real->pMethods->xWrite(real, buf.data() + done, static_cast<int>(n),
                                f->start + static_cast<sqlite3_int64>(done));
  }
  buf.clear();
  return rc;
}

int log_close(sqlite3_file* file) {
  auto* f = as_log(file);
  int rc = flush(f);
  auto* real = f->real();
  int rc2 = real->pMethods ? real->pMethods->xClose(real) : SQLITE_OK;
  delete f->buffer;
  f->buffer = nullptr;
  return rc != SQLITE_OK ? rc : rc2;
}

int log_read(sqlite3_file* file, void* out, int amount, sqlite3_int64 offset) {
  auto* f = as_log(file);
  if (int rc = flush(f); rc != SQLITE_OK) return rc;
  return f->real()->pMethods->xRead(f->real(), out, amount, offset);
}

int log_write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
  auto* f = as_log(file);
  auto& buf = *f->buffer;
  const auto n = static_cast<std::size_t>(amount);
  if (!buf.empty() && (offset != f->start + static_cast<sqlite3_int64>(buf.size()) ||
                       buf.size() + n > k_max_buffer || n > k_max_write)) {
    if (int rc = flush(f); rc != SQLITE_OK) return rc;
  }
  if (n > k_max_write) return f->real()->pMethods->xWrite(f->real(), data, amount, offset);  // never a log frame
  if (buf.empty()) f->start = offset;
  try {
    buf.append(static_cast<const char*>(data), n);
  } catch (const std::bad_alloc&) {
    return SQLITE_NOMEM;
  }
  return SQLITE_OK;
}

int log_truncate(sqlite3_file* file, sqlite3_int64 size) {
  auto* f = as_log(file);
  if (int rc = flush(f); rc != SQLITE_OK) return rc;
  return f->real()->pMethods->xTruncate(f->real(), size);
}

int log_sync(sqlite3_file* file, int flags) {
  auto* f = as_log(file);
  if (int rc = flush(f); rc != SQLITE_OK) return rc;
  return f->real()->pMethods->xSync(f->real(), flags);
}

int log_file_size(sqlite3_file* file, sqlite3_int64* size) {
  auto* f = as_log(file);
  if (int rc = flush(f); rc != SQLITE_OK) return rc;
  return f->real()->pMethods->xFileSize(f->real(), size);
}

int log_lock(sqlite3_file* file, int level) { return as_log(file)->real()->pMethods->xLock(as_log(file)->real(), level); }
int log_unlock(sqlite3_file* file, int level) {
  return as_log(file)->real()->pMethods->xUnlock(as_log(file)->real(), level);
}
int log_check_reserved(sqlite3_file* file, int* out) {
  return as_log(file)->real()->pMethods->xCheckReservedLock(as_log(file)->real(), out);
}
int log_file_control(sqlite3_file* file, int op, void* arg) {
  auto* f = as_log(file);
  // Anything that may look at the file's bytes or size sees them written.
  if (op == SQLITE_FCNTL_SIZE_HINT || op == SQLITE_FCNTL_SYNC || op == SQLITE_FCNTL_COMMIT_PHASETWO) {
    if (int rc = flush(f); rc != SQLITE_OK) return rc;
  }
  return f->real()->pMethods->xFileControl(f->real(), op, arg);
}
int log_sector_size(sqlite3_file* file) { return as_log(file)->real()->pMethods->xSectorSize(as_log(file)->real()); }
int log_device_characteristics(sqlite3_file* file) {
  return as_log(file)->real()->pMethods->xDeviceCharacteristics(as_log(file)->real());
}
// The log has no shared memory and is never memory-mapped; these exist because the method table
// is version 3 and may be asked.
int log_shm_map(sqlite3_file* file, int page, int size, int extend, void volatile** out) {
  return as_log(file)->real()->pMethods->xShmMap(as_log(file)->real(), page, size, extend, out);
}
int log_shm_lock(sqlite3_file* file, int offset, int n, int flags) {
  return as_log(file)->real()->pMethods->xShmLock(as_log(file)->real(), offset, n, flags);
}
void log_shm_barrier(sqlite3_file* file) { as_log(file)->real()->pMethods->xShmBarrier(as_log(file)->real()); }
int log_shm_unmap(sqlite3_file* file, int del) {
  return as_log(file)->real()->pMethods->xShmUnmap(as_log(file)->real(), del);
}
int log_fetch(sqlite3_file*, sqlite3_int64, int, void** out) {
  *out = nullptr;  // "not mapped": the engine reads instead
  return SQLITE_OK;
}
int log_unfetch(sqlite3_file*, sqlite3_int64, void*) { return SQLITE_OK; }

const sqlite3_io_methods k_log_methods = {
    3,         log_close,      log_read,        log_write,          log_truncate,
    log_sync,  log_file_size,  log_lock,        log_unlock,         log_check_reserved,
    log_file_control, log_sector_size, log_device_characteristics, log_shm_map, log_shm_lock,
    log_shm_barrier, log_shm_unmap, log_fetch, log_unfetch,
};

int vfs_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  if ((flags & SQLITE_OPEN_WAL) == 0) {
    // Not a log: the file object is the base VFS's own (the size reserved below covers it).
    return g_base->xOpen(g_base, name, file, flags, out_flags);
  }
  auto* f = as_log(file);
  f->base_head.pMethods = nullptr;
  f->buffer = nullptr;
  f->start = 0;
  auto* real = f->real();
  std::memset(real, 0, static_cast<std::size_t>(g_base->szOsFile));
  int rc = g_base->xOpen(g_base, name, real, flags, out_flags);
  if (rc != SQLITE_OK) {
    if (real->pMethods) real->pMethods->xClose(real);
    return rc;
  }
  f->buffer = new (std::nothrow) std::string;
  if (!f->buffer) {
    real->pMethods->xClose(real);
    return SQLITE_NOMEM;
  }
  f->base_head.pMethods = &k_log_methods;
  return SQLITE_OK;
}

int vfs_delete(sqlite3_vfs*, const char* name, int sync_dir) { return g_base->xDelete(g_base, name, sync_dir); }
int vfs_access(sqlite3_vfs*, const char* name, int flags, int* out) { return g_base->xAccess(g_base, name, flags, out); }
int vfs_full_pathname(sqlite3_vfs*, const char* name, int n, char* out) {
  return g_base->xFullPathname(g_base, name, n, out);
}
void* vfs_dl_open(sqlite3_vfs*, const char* name) { return g_base->xDlOpen(g_base, name); }
void vfs_dl_error(sqlite3_vfs*, int n, char* out) { g_base->xDlError(g_base, n, out); }
void (*vfs_dl_sym(sqlite3_vfs*, void* h, const char* sym))(void) { return g_base->xDlSym(g_base, h, sym); }
void vfs_dl_close(sqlite3_vfs*, void* h) { g_base->xDlClose(g_base, h); }
int vfs_randomness(sqlite3_vfs*, int n, char* out) { return g_base->xRandomness(g_base, n, out); }
int vfs_sleep(sqlite3_vfs*, int us) { return g_base->xSleep(g_base, us); }
int vfs_current_time(sqlite3_vfs*, double* out) { return g_base->xCurrentTime(g_base, out); }
int vfs_last_error(sqlite3_vfs*, int n, char* out) { return g_base->xGetLastError(g_base, n, out); }
int vfs_current_time_int64(sqlite3_vfs*, sqlite3_int64* out) { return g_base->xCurrentTimeInt64(g_base, out); }

}  // namespace

const char* log_buffering_vfs() {
  static std::once_flag once;
  static const char* name = nullptr;
  std::call_once(once, [] {
    g_base = sqlite3_vfs_find(nullptr);
    // The system calls and the time functions arrived with versions 2 and 3 of the structure;
    // every SQLite this builds against has them, but a base without them is not wrapped.
    if (!g_base || g_base->iVersion < 2 || !g_base->xCurrentTimeInt64) return;
    g_vfs = sqlite3_vfs{};
    g_vfs.iVersion = 2;
    g_vfs.szOsFile = static_cast<int>(sizeof(LogFile)) + g_base->szOsFile;
    g_vfs.mxPathname = g_base->mxPathname;
    g_vfs.zName = "atrium-log-buffer";
    g_vfs.xOpen = vfs_open;
    g_vfs.xDelete = vfs_delete;
    g_vfs.xAccess = vfs_access;
    g_vfs.xFullPathname = vfs_full_pathname;
    g_vfs.xDlOpen = vfs_dl_open;
    g_vfs.xDlError = vfs_dl_error;
    g_vfs.xDlSym = vfs_dl_sym;
    g_vfs.xDlClose = vfs_dl_close;
    g_vfs.xRandomness = vfs_randomness;
    g_vfs.xSleep = vfs_sleep;
    g_vfs.xCurrentTime = vfs_current_time;
    g_vfs.xGetLastError = vfs_last_error;
    g_vfs.xCurrentTimeInt64 = vfs_current_time_int64;
    if (sqlite3_vfs_register(&g_vfs, 0) == SQLITE_OK) name = g_vfs.zName;
  });
  return name;
}

}  // namespace atrium::storage::sql
