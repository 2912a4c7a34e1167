// Maps POP3 session requests onto the store: the lock registry, INBOX listings, blob reads in
// bounded pieces for large messages, and the DELE commit as one writer job.
#include "server/pop3_backend.hpp"

#include "core/log/log.hpp"
#include "storage/async.hpp"
#include "storage/blobs.hpp"
#include "storage/collections.hpp"
#include "storage/messages.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <deque>
#include <system_error>

#include <fmt/format.h>

namespace atrium::server {
namespace {

// Chunk size for reading large blob files; the driver asks for pieces of its own size after
// the first.
constexpr std::size_t k_first_chunk = 64 * 1024;
// Read-ahead: POP3 clients retrieve in listing order (RETR 1, 2, 3 ...), so once a session
// reads in order, the store read for one small message also fetches the next few, and their
// RETRs need no thread hop and no read transaction of their own. Bounded per session; a client
// that jumps around reads one message at a time.
constexpr std::size_t k_read_ahead_bytes = 512 * 1024;
constexpr std::size_t k_read_ahead_messages = 32;

// One session's maildrop: the lock, and each listed message's blob.
struct LeasedMaildrop final : pop3::MaildropLease {
  struct Entry {
    storage::Uid uid = 0;
    std::int64_t size = 0;
    std::string blob;
  };

  LeasedMaildrop(MaildropLocks::Lock l, storage::PrincipalId a) : lock(std::move(l)), account(a) {}

  const Entry* find(storage::Uid uid) const {
    auto it = std::lower_bound(entries.begin(), entries.end(), uid,
                               [](const Entry& e, storage::Uid u) { return e.uid < u; });
    return it != entries.end() && it->uid == uid ? &*it : nullptr;
  }

  // The content read ahead for `uid`, taken out of the cache (and everything before it
  // dropped), or nullopt.
  std::optional<std::string> take_ahead(storage::Uid uid) {
    auto it = std::find_if(ahead.begin(), ahead.end(), [uid](const auto& a) { return a.first == uid; });
    if (it == ahead.end()) return std::nullopt;
    std::string content = std::move(it->second);
    ahead.erase(ahead.begin(), it + 1);
    return content;
  }

  MaildropLocks::Lock lock;
  storage::PrincipalId account;
  storage::CollectionId inbox = 0;
  std::vector<Entry> entries;  // ascending UID
  // Contents read ahead, in listing order. Touched by the session's coroutine and by the pool
  // job it awaits, never at the same time.
  std::deque<std::pair<storage::Uid, std::string>> ahead;
  std::size_t next_in_order = 0;  // index in `entries` after the last message asked for
};

// A blob file read front to back with plain read(2): no buffering of our own beyond the
// caller's piece, so memory stays at one piece per session.
class BlobFileReader final : public pop3::MessageReader {
 public:
  static std::unique_ptr<BlobFileReader> open(const std::filesystem::path& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return nullptr;
    return std::unique_ptr<BlobFileReader>(new BlobFileReader(fd));
  }
  ~BlobFileReader() override { ::close(fd_); }
  BlobFileReader(const BlobFileReader&) = delete;
  BlobFileReader& operator=(const BlobFileReader&) = delete;

  bool read(std::string& out, std::size_t max) override {
    const std::size_t before = out.size();
    out.resize(before + max);
    for (;;) {
      ssize_t n = ::read(fd_, out.data() + before, max);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        out.resize(before);
        throw std::system_error(errno, std::generic_category(), "reading a blob file");
      }
      out.resize(before + static_cast<std::size_t>(n));
      return n > 0;
    }
  }

 private:
  explicit BlobFileReader(int fd) : fd_(fd) {}
  int fd_;
};

enum class ReadAhead { no, yes };

// The content of `entry`; for a small message, with ReadAhead::yes, also the next few, into
// maildrop.ahead.
pop3::MessageContent read_message(storage::Store& store, LeasedMaildrop& maildrop,
                                  const LeasedMaildrop::Entry& entry, ReadAhead read_ahead) {
  pop3::MessageContent content;
  const std::size_t inline_max = store.blobs().inline_max();
  // Blobs above the inline limit are files: stream those. A small blob (or a large one that is
  // not a file after all) is read whole; it is at most the inline limit, 256 KiB by default.
  if (static_cast<std::size_t>(entry.size) > inline_max) {
    if (auto file = BlobFileReader::open(store.blobs().path_of(entry.blob))) {
      if (file->read(content.head, k_first_chunk)) content.rest = std::move(file);
      return content;
    }
  }
  maildrop.ahead.clear();
  store.read([&](storage::ReadTxn& t) {
    auto blob = storage::read_blob(t, store.blobs(), entry.blob);
    if (!blob) {
      content.status = pop3::RetrieveStatus::gone;
      return;
    }
    content.head = std::move(*blob);
    if (read_ahead == ReadAhead::no) return;
    std::size_t bytes = 0;
    const LeasedMaildrop::Entry* end = maildrop.entries.data() + maildrop.entries.size();
    for (const LeasedMaildrop::Entry* next = &entry + 1; next != end; ++next) {
      const auto size = static_cast<std::size_t>(next->size);
      if (maildrop.ahead.size() == k_read_ahead_messages || size > inline_max || bytes + size > k_read_ahead_bytes) {
        break;
      }
      auto ahead = storage::read_blob(t, store.blobs(), next->blob);
      if (!ahead) break;
      bytes += size;
      maildrop.ahead.emplace_back(next->uid, std::move(*ahead));
    }
  });
  return content;
}

}  // namespace

// ---- MaildropLocks ----

MaildropLocks::Lock::Lock(Lock&& other) noexcept
    : state_(std::move(other.state_)), account_(other.account_) {}

MaildropLocks::Lock& MaildropLocks::Lock::operator=(Lock&& other) noexcept {
  if (this != &other) {
    release();
    state_ = std::move(other.state_);
    account_ = other.account_;
  }
  return *this;
}

MaildropLocks::Lock::~Lock() { release(); }

void MaildropLocks::Lock::release() noexcept {
  if (!state_) return;
  {
    std::lock_guard guard(state_->mutex);
    state_->held.erase(account_);
  }
  state_.reset();
}

std::optional<MaildropLocks::Lock> MaildropLocks::try_lock(storage::PrincipalId account) {
  std::lock_guard guard(state_->mutex);
  if (!state_->held.insert(account).second) return std::nullopt;
  return Lock(state_, account);
}

bool MaildropLocks::held(storage::PrincipalId account) const {
  std::lock_guard guard(state_->mutex);
  return state_->held.contains(account);
}

// ---- Pop3Backend ----

Pop3Backend::Pop3Backend(storage::Store& store, auth::Authenticator& authenticator, MaildropLocks& locks)
    : store_(store), authenticator_(authenticator), locks_(locks) {}

std::string Pop3Backend::unique_id(std::uint32_t uidvalidity, storage::Uid uid) {
  return fmt::format("{}.{}", uidvalidity, uid);
}

pop3::AuthResult Pop3Backend::authenticate(const pop3::Authenticate& request, const net::ConnectionInfo& peer,
                                           std::chrono::milliseconds& delay) {
  auto r = authenticator_.login(request.authcid, request.password, peer.remote_address.to_string(), peer.protocol);
  delay = r.delay;
  pop3::AuthResult out;
  switch (r.status) {
    case auth::LoginResult::Status::ok:
      out.outcome = pop3::AuthOutcome::success;
      out.principal = r.canonical_email;
      out.account = r.principal_id;
      break;
    case auth::LoginResult::Status::bad_credentials: out.outcome = pop3::AuthOutcome::invalid_credentials; break;
    case auth::LoginResult::Status::throttled:
    case auth::LoginResult::Status::unavailable: out.outcome = pop3::AuthOutcome::temporary_failure; break;
  }
  return out;
}

asio::awaitable<pop3::OpenedMaildrop> Pop3Backend::open_maildrop(const pop3::OpenMaildrop& request,
                                                                 runtime::BlockingPool& pool) {
  auto lock = locks_.try_lock(request.account);
  if (!lock) {
    log::info("pop3.in_use", "user", request.principal);
    co_return pop3::OpenedMaildrop{{pop3::MaildropStatus::in_use, {}}, nullptr};
  }
  auto list = [this, &request, &lock]() -> pop3::OpenedMaildrop {
    pop3::OpenedMaildrop out;
    // Owns the lock from here: returning without it (a failure) releases it.
    auto maildrop = std::make_unique<LeasedMaildrop>(std::move(*lock), request.account);
    try {
      const auto actor = storage::Actor::principal(request.account);
      const bool found = store_.read([&](storage::ReadTxn& t) {
        auto inbox = storage::collections::find(t, actor, request.account, storage::CollectionKind::mailbox, "INBOX");
        if (!inbox) return false;
        maildrop->inbox = inbox->id;
        auto listed = storage::messages::list(t, actor, inbox->id);
        maildrop->entries.reserve(listed.size());
        out.result.messages.reserve(listed.size());
        for (auto& m : listed) {
          out.result.messages.push_back(pop3::MaildropMessage{static_cast<std::uint64_t>(m.uid),
                                                              static_cast<std::uint64_t>(m.size),
                                                              unique_id(inbox->uidvalidity, m.uid)});
          maildrop->entries.push_back({m.uid, m.size, std::move(m.blob_hash)});
        }
        return true;
      });
      if (!found) {
        log::warn("pop3.no_inbox", "user", request.principal);
        out.result = {pop3::MaildropStatus::missing, {}};
        return out;
      }
    } catch (const std::exception& e) {
      log::warn("pop3.maildrop_failed", "user", request.principal, "reason", e.what());
      out.result = {pop3::MaildropStatus::temporary_failure, {}};
      return out;
    }
    out.result.status = pop3::MaildropStatus::opened;
    out.lease = std::move(maildrop);
    return out;
  };
  co_return co_await runtime::run_blocking(pool, list);
}

asio::awaitable<pop3::MessageContent> Pop3Backend::open_message(pop3::MaildropLease& lease,
                                                                const pop3::Retrieve& request,
                                                                runtime::BlockingPool& pool) {
  auto& maildrop = static_cast<LeasedMaildrop&>(lease);
  const auto uid = static_cast<storage::Uid>(request.key);
  const LeasedMaildrop::Entry* entry = maildrop.find(uid);
  if (entry == nullptr) {
    pop3::MessageContent gone;
    gone.status = pop3::RetrieveStatus::gone;
    co_return gone;
  }
  const auto index = static_cast<std::size_t>(entry - maildrop.entries.data());
  ReadAhead read_ahead = ReadAhead::no;
  if (index == maildrop.next_in_order) read_ahead = ReadAhead::yes;
  maildrop.next_in_order = index + 1;
  if (auto ahead = maildrop.take_ahead(uid)) {
    pop3::MessageContent cached;
    cached.head = std::move(*ahead);
    co_return cached;
  }
  auto read = [this, &maildrop, entry, read_ahead]() -> pop3::MessageContent {
    try {
      return read_message(store_, maildrop, *entry, read_ahead);
    } catch (const std::exception& e) {
      log::warn("pop3.message_unavailable", "blob", entry->blob, "reason", e.what());
      pop3::MessageContent failed;
      failed.status = pop3::RetrieveStatus::temporary_failure;
      return failed;
    }
  };
  co_return co_await runtime::run_blocking(pool, read);
}

asio::awaitable<pop3::CommitStatus> Pop3Backend::commit(pop3::MaildropLease& lease, const pop3::Commit& request) {
  const auto& maildrop = static_cast<const LeasedMaildrop&>(lease);
  std::vector<storage::Uid> uids(request.keys.begin(), request.keys.end());
  const storage::PrincipalId account = maildrop.account;
  const storage::CollectionId inbox = maildrop.inbox;
  const std::size_t requested = uids.size();
  try {
    // A named job, not a lambda temporary inside the co_await expression: GCC 12 mishandles
    // the lifetime of captures in such temporaries.
    auto job = [account, inbox, uids = std::move(uids)](storage::WriteTxn& txn) {
      return storage::messages::remove(txn, storage::Actor::principal(account), inbox, uids);
    };
    auto removed = co_await storage::async_write(store_, std::move(job), asio::use_awaitable);
    log::info("pop3.update", "account", account, "deleted", requested, "removed", removed.size());
    co_return pop3::CommitStatus::committed;
  } catch (const std::exception& e) {
    log::warn("pop3.update_failed", "account", account, "deleted", requested, "reason", e.what());
  }
  co_return pop3::CommitStatus::temporary_failure;
}

}  // namespace atrium::server
