// Content-addressed blobs. Small ones (up to StoreOptions::inline_blob_max) are stored in their
// database row by the job that first references them, so the group commit's one fsync makes them
// durable too. Larger ones are files, data/blobs/xx/yy/<sha256>, written once and durably (temp
// file, fsync, rename, fsync directory) before any metadata that references them commits.
// Reference counts live in the database (see blob_ref/blob_unref), so one message delivered to
// 500 group members is stored once.
#pragma once

#include "core/cache/lru.hpp"
#include "storage/types.hpp"

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace atrium::storage {

class ReadTxn;
class WriteTxn;

class BlobStore {
 public:
  // `root` is data_dir/blobs; temporary files go to data_dir/tmp (same file system).
  // `prefix_cache_bytes` bounds prefixes() (0: keep none).
  BlobStore(std::filesystem::path root, std::filesystem::path tmp, std::size_t inline_max = 0,
            std::size_t prefix_cache_bytes = std::size_t{32} << 20);

  // Prepares `content` for a write job. Up to the inline limit nothing is written: the returned
  // reference carries the content and blob_ref() stores it in the job's transaction. Above it,
  // this is put(). Call off the I/O threads (hashing; file I/O for large blobs).
  BlobRef stage(std::string content);

  // Stores `content` durably as a file and returns its reference. When a file with this hash
  // already exists nothing is written. Blocking (file I/O and fsync): call off the I/O threads.
  // Throws StoreError(unavailable) on I/O failure (disk full...).
  BlobRef put(std::string_view content);

  // The whole content of a blob file, or nullopt when the file is missing. Blocking. Use
  // read_blob() to read any blob, inline or file.
  std::optional<std::string> read(std::string_view hash) const;
  std::filesystem::path path_of(std::string_view hash) const;
  bool exists(std::string_view hash) const;
  // Removes the file if present (garbage collection only).
  void remove(std::string_view hash);

  const std::filesystem::path& root() const { return root_; }
  std::size_t inline_max() const { return inline_max_; }

  // Blob prefixes already read (the header blocks of a message list's FETCH), by hash, least
  // recently used out first. The content under a hash never changes, so a kept prefix stays right
  // whatever the transaction that asks. Thread-safe. See open_blob_prefix().
  struct Prefix {
    std::string bytes;
    bool whole = false;  // `bytes` is the entire blob
  };
  cache::Lru<Prefix>& prefixes() const { return *prefixes_; }

 private:
  std::filesystem::path root_;
  std::filesystem::path tmp_;
  std::size_t inline_max_;
  std::unique_ptr<cache::Lru<Prefix>> prefixes_;
};

// Lowercase hex SHA-256.
std::string sha256_hex(std::string_view content);
bool is_blob_hash(std::string_view s);

// Takes one reference to `blob` in this job, storing a staged blob's content in its row when the
// database does not hold the blob yet. A file-backed first reference checks that the file exists,
// so a blob collected between put() and this job is never referenced (StoreError(unavailable):
// put again).
void blob_ref(WriteTxn& txn, const BlobRef& blob);
// Drops one reference; at zero the row stays until garbage collection's grace has passed.
void blob_unref(WriteTxn& txn, std::string_view hash);

// The whole content of a referenced blob, inline or file; nullopt when the store has no such blob.
std::optional<std::string> read_blob(ReadTxn& txn, const BlobStore& blobs, std::string_view hash);

}  // namespace atrium::storage
