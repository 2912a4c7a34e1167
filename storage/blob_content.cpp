#include "storage/blob_content.hpp"

#include "storage/store.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <utility>

namespace atrium::storage {

std::optional<BlobContent> BlobContent::map(const std::filesystem::path& file) {
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return std::nullopt;
  }
  BlobContent out;
  if (st.st_size > 0) {
    void* p = ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
      ::close(fd);
      return std::nullopt;
    }
    // Read front to back by the MIME parser and by FETCH.
    ::madvise(p, static_cast<std::size_t>(st.st_size), MADV_SEQUENTIAL);
    out.mapped_ = static_cast<const char*>(p);
    out.size_ = static_cast<std::size_t>(st.st_size);
  }
  ::close(fd);
  return out;
}

BlobContent::BlobContent(BlobContent&& other) noexcept
    : owned_(std::move(other.owned_)), mapped_(std::exchange(other.mapped_, nullptr)), size_(std::exchange(other.size_, 0)) {}

BlobContent& BlobContent::operator=(BlobContent&& other) noexcept {
  if (this != &other) {
    release();
    owned_ = std::move(other.owned_);
    mapped_ = std::exchange(other.mapped_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

BlobContent::~BlobContent() { release(); }

void BlobContent::release() noexcept {
  if (mapped_) ::munmap(const_cast<char*>(mapped_), size_);
  mapped_ = nullptr;
  size_ = 0;
}

std::optional<BlobContent> open_blob(ReadTxn& txn, const BlobStore& blobs, std::string_view hash) {
  auto& q = txn.db().cached("SELECT content IS NULL, content FROM blobs WHERE hash = ?");
  q.bind(1, hash);
  if (!q.step()) {
    q.reset();
    return std::nullopt;
  }
  bool is_file = q.column_int(0) != 0;
  std::optional<BlobContent> out;
  if (!is_file) out.emplace(q.column_blob(1));
  q.reset();
  if (is_file) out = BlobContent::map(blobs.path_of(hash));
  return out;
}

}  // namespace atrium::storage
