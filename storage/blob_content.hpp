// A blob's bytes for reading without copying a large one into the heap: inline blobs (small) are
// held in memory, blob files are mapped read-only. Blob files are immutable and a mapping stays
// valid even if garbage collection unlinks the file, so a holder may outlive its transaction.
#pragma once

#include "storage/blobs.hpp"

#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace atrium::storage {

class ReadTxn;

class BlobContent {
 public:
  explicit BlobContent(std::string bytes) : owned_(std::move(bytes)) {}
  // Maps `file` read-only; nullopt when it cannot be opened.
  static std::optional<BlobContent> map(const std::filesystem::path& file);

  BlobContent(BlobContent&& other) noexcept;
  BlobContent& operator=(BlobContent&& other) noexcept;
  BlobContent(const BlobContent&) = delete;
  BlobContent& operator=(const BlobContent&) = delete;
  ~BlobContent();

  std::string_view view() const { return mapped_ ? std::string_view(mapped_, size_) : std::string_view(owned_); }
  bool mapped() const { return mapped_ != nullptr; }

 private:
  BlobContent() = default;
  void release() noexcept;
  std::string owned_;
  const char* mapped_ = nullptr;
  std::size_t size_ = 0;
};

// A referenced blob's content, inline or file (mapped); nullopt when the store has no such blob.
std::optional<BlobContent> open_blob(ReadTxn& txn, const BlobStore& blobs, std::string_view hash);

// The first bytes of a referenced blob: read in steps (4 KiB, then doubling) until
// `enough(prefix)` is true or the blob ends, so that of a blob kept in the database only the pages
// holding them are read (a message's header, not its attachments). A file blob is mapped whole
// (the kernel reads only the pages touched). nullopt when the store has no such blob.
// The prefix read is kept in blobs.prefixes(); while it is, a request it satisfies is answered
// from there without reading the store (the caller asks only for hashes its items refer to).
std::optional<BlobContent> open_blob_prefix(ReadTxn& txn, const BlobStore& blobs, std::string_view hash,
                                            const std::function<bool(std::string_view prefix)>& enough);

}  // namespace atrium::storage
