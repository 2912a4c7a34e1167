// Content-addressed blob files: data/blobs/xx/yy/<sha256>. A blob is written once, durably
// (temp file, fsync, rename, fsync directory), before any metadata that references it commits.
// Reference counts live in the database (see blob_ref/blob_unref), so one message delivered to
// 500 group members is one file.
#pragma once

#include "storage/types.hpp"

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace atrium::storage {

class WriteTxn;

class BlobStore {
 public:
  // `root` is data_dir/blobs; temporary files go to data_dir/tmp (same file system).
  BlobStore(std::filesystem::path root, std::filesystem::path tmp);

  // Stores `content` durably and returns its reference. When a blob with this hash already
  // exists nothing is written. Blocking (file I/O and fsync): call off the I/O threads.
  // Throws StoreError(unavailable) on I/O failure (disk full...).
  BlobRef put(std::string_view content);

  // The whole content, or nullopt when the file is missing. Blocking.
  std::optional<std::string> read(std::string_view hash) const;
  std::filesystem::path path_of(std::string_view hash) const;
  bool exists(std::string_view hash) const;
  // Removes the file if present (garbage collection only).
  void remove(std::string_view hash);

  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;
  std::filesystem::path tmp_;
};

// Lowercase hex SHA-256.
std::string sha256_hex(std::string_view content);
bool is_blob_hash(std::string_view s);

// Takes one reference to `blob` in this job. A new row checks that the file exists, so a blob
// collected between put() and this job is never referenced (StoreError(unavailable): put again).
void blob_ref(WriteTxn& txn, const BlobRef& blob);
// Drops one reference; at zero the row stays until garbage collection's grace has passed.
void blob_unref(WriteTxn& txn, std::string_view hash);

}  // namespace atrium::storage
