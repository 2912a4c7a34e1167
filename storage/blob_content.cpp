#include "storage/blob_content.hpp"

#include "storage/store.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
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

namespace {

// A prefix longer than this (a message whose header alone is this large) is not kept.
constexpr std::size_t k_prefix_keep_max = 64 * 1024;

// The steps of a prefix read: 4 KiB, then doubling, up to the whole blob.
std::size_t next_step(std::size_t have, std::size_t size) { return std::min(have == 0 ? 4096 : have * 2, size); }

void keep_prefix(const BlobStore& blobs, std::string_view hash, std::string_view bytes, bool whole) {
  if (bytes.size() > k_prefix_keep_max) return;
  blobs.prefixes().put(std::string(hash), std::make_shared<const BlobStore::Prefix>(
                                               BlobStore::Prefix{std::string(bytes), whole}));
}

}  // namespace

std::optional<BlobContent> open_blob_prefix(ReadTxn& txn, const BlobStore& blobs, std::string_view hash,
                                            const std::function<bool(std::string_view prefix)>& enough) {
  if (auto kept = blobs.prefixes().get(hash); kept && (kept->whole || enough(kept->bytes))) {
    return BlobContent(kept->bytes);
  }
  // typeof() reads the value's type from the record header, not the value itself.
  auto& q = txn.db().cached("SELECT rowid, typeof(content) = 'null' FROM blobs WHERE hash = ?");
  q.bind(1, hash);
  if (!q.step()) {
    q.reset();
    return std::nullopt;
  }
  const std::int64_t rowid = q.column_int(0);
  const bool is_file = q.column_int(1) != 0;
  q.reset();
  if (is_file) {
    auto mapped = BlobContent::map(blobs.path_of(hash));
    if (!mapped) return mapped;
    // What is kept is found in the same steps, up to what would be kept at most.
    auto view = mapped->view();
    std::size_t upto = 0;
    bool found = false;
    do {
      upto = next_step(upto, view.size());
      found = upto == view.size() || enough(view.substr(0, upto));
    } while (!found && upto < k_prefix_keep_max);
    if (found) keep_prefix(blobs, hash, view.substr(0, upto), upto == view.size());
    return mapped;
  }
  static const std::string k_table = "blobs", k_column = "content";
  auto size = txn.db().open_value(k_table, k_column, rowid);
  if (!size) return BlobContent(std::string());  // an empty inline blob
  std::string bytes;
  do {
    const std::size_t have = bytes.size();
    bytes.resize(next_step(have, *size));
    txn.db().read_value(have, bytes.size() - have, bytes.data() + have);
  } while (bytes.size() < *size && !enough(bytes));
  keep_prefix(blobs, hash, bytes, bytes.size() == *size);
  return BlobContent(std::move(bytes));
}

}  // namespace atrium::storage
