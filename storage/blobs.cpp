// Durable content-addressed blob files and their reference counts.
#include "storage/blobs.hpp"

#include "storage/blob_content.hpp"
#include "storage/store.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <random>
#include <sstream>

namespace atrium::storage {
namespace {

[[noreturn]] void io_fail(const std::string& what) {
  throw StoreError(Errc::unavailable, fmt::format("{}: {}", what, std::strerror(errno)));
}

void fsync_dir(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) io_fail("open dir " + dir.string());
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) io_fail("fsync dir " + dir.string());
}

// Creates `dir` (one level below an existing parent) durably: the new entry is fsync'd in the parent.
void ensure_dir(const std::filesystem::path& dir) {
  if (::mkdir(dir.c_str(), 0750) == 0) {
    fsync_dir(dir.parent_path());
  } else if (errno != EEXIST) {
    io_fail("mkdir " + dir.string());
  }
}

std::string random_suffix() {
  std::random_device rd;
  return fmt::format("{:016x}", (static_cast<std::uint64_t>(rd()) << 32) | rd());
}

}  // namespace

std::string sha256_hex(std::string_view content) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(content.data(), content.size(), digest, &len, EVP_sha256(), nullptr) != 1) {
    throw StoreError(Errc::unavailable, "sha256 failed");
  }
  static constexpr char hex[] = "0123456789abcdef";
  std::string out(len * 2, '0');
  for (unsigned i = 0; i < len; ++i) {
    out[2 * i] = hex[digest[i] >> 4];
    out[2 * i + 1] = hex[digest[i] & 0xf];
  }
  return out;
}

bool is_blob_hash(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

BlobStore::BlobStore(std::filesystem::path root, std::filesystem::path tmp, std::size_t inline_max,
                     std::size_t prefix_cache_bytes)
    : root_(std::move(root)),
      tmp_(std::move(tmp)),
      inline_max_(inline_max),
      prefixes_(std::make_unique<cache::Lru<Prefix>>(prefix_cache_bytes,
                                                     [](const Prefix& p) { return p.bytes.size() + sizeof(Prefix); })) {}

BlobRef BlobStore::stage(std::string content) {
  if (content.size() > inline_max_) return put(content);
  BlobRef ref{sha256_hex(content), static_cast<std::int64_t>(content.size()), nullptr};
  ref.content = std::make_shared<const std::string>(std::move(content));
  return ref;
}

std::filesystem::path BlobStore::path_of(std::string_view hash) const {
  std::string h(hash);
  return root_ / h.substr(0, 2) / h.substr(2, 2) / h;
}

bool BlobStore::exists(std::string_view hash) const {
  struct stat st {};
  return ::stat(path_of(hash).c_str(), &st) == 0;
}

BlobRef BlobStore::put(std::string_view content) {
  BlobRef ref{sha256_hex(content), static_cast<std::int64_t>(content.size()), nullptr};
  auto final_path = path_of(ref.hash);
  if (exists(ref.hash)) return ref;

  auto tmp_path = tmp_ / (ref.hash + "." + random_suffix());
  int fd = ::open(tmp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
  if (fd < 0) io_fail("create " + tmp_path.string());
  std::size_t off = 0;
  while (off < content.size()) {
    ssize_t n = ::write(fd, content.data() + off, content.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      int saved = errno;
      ::close(fd);
      ::unlink(tmp_path.c_str());
      errno = saved;
      io_fail("write " + tmp_path.string());
    }
    off += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    int saved = errno;
    ::close(fd);
    ::unlink(tmp_path.c_str());
    errno = saved;
    io_fail("fsync " + tmp_path.string());
  }
  ::close(fd);
  ensure_dir(final_path.parent_path().parent_path());
  ensure_dir(final_path.parent_path());
  if (::rename(tmp_path.c_str(), final_path.c_str()) != 0) {
    int saved = errno;
    ::unlink(tmp_path.c_str());
    errno = saved;
    io_fail("rename " + final_path.string());
  }
  fsync_dir(final_path.parent_path());
  return ref;
}

std::optional<std::string> BlobStore::read(std::string_view hash) const {
  std::ifstream in(path_of(hash), std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return std::move(ss).str();
}

void BlobStore::remove(std::string_view hash) {
  if (!is_blob_hash(hash)) return;
  ::unlink(path_of(hash).c_str());
}

void blob_ref(WriteTxn& txn, const BlobRef& blob) {
  if (!is_blob_hash(blob.hash)) throw StoreError(Errc::invalid, "not a blob hash");
  if (blob.content && static_cast<std::int64_t>(blob.content->size()) != blob.size) {
    throw StoreError(Errc::invalid, "staged blob size mismatch");
  }
  // A row that exists keeps its storage; a new row takes the staged content, if any.
  auto& q = txn.db().cached(
      "INSERT INTO blobs (hash, size, refcount, updated_at, content) VALUES (?, ?, 1, ?, ?) "
      "ON CONFLICT (hash) DO UPDATE SET refcount = blobs.refcount + 1, updated_at = excluded.updated_at "
      "RETURNING refcount, content IS NULL");
  q.bind(1, blob.hash).bind(2, blob.size).bind(3, static_cast<std::int64_t>(std::time(nullptr)));
  if (blob.content) {
    q.bind(4, sql::Bytes{*blob.content});
  } else {
    q.bind(4, std::nullopt);
  }
  q.step();
  std::int64_t refs = q.column_int(0);
  bool is_file = q.column_int(1) != 0;
  q.reset();
  // A first reference to a file must find it: garbage collection may have removed an
  // unreferenced blob between put() and this job.
  if (refs == 1 && is_file && !txn.blobs().exists(blob.hash)) {
    if (!blob.content) {
      throw StoreError(Errc::unavailable, "blob " + blob.hash + " vanished before it was referenced; store it again");
    }
    txn.db().cached("UPDATE blobs SET content = ? WHERE hash = ?").bind(1, sql::Bytes{*blob.content}).bind(2, blob.hash).run();
  }
}

void blob_unref(WriteTxn& txn, std::string_view hash) {
  auto& q = txn.db().cached(
      "UPDATE blobs SET refcount = refcount - 1, updated_at = ? WHERE hash = ? AND refcount > 0");
  q.bind(1, static_cast<std::int64_t>(std::time(nullptr))).bind(2, hash).run();
  if (txn.db().changes() != 1) throw StoreError(Errc::corrupt, "blob refcount underflow for " + std::string(hash));
}

}  // namespace atrium::storage

namespace atrium::storage {

std::optional<std::string> read_blob(ReadTxn& txn, const BlobStore& blobs, std::string_view hash) {
  auto content = open_blob(txn, blobs, hash);
  if (!content) return std::nullopt;
  return std::string(content->view());
}

}  // namespace atrium::storage
