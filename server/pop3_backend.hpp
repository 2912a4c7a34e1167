// The POP3 sessions' backend over the store: logins through the shared Authenticator, the
// maildrop lock registry, INBOX listings, message content from blobs, and DELE applied at QUIT.
#pragma once

#include "core/auth/authenticator.hpp"
#include "mail/pop3/driver/driver.hpp"
#include "storage/store.hpp"

#include <memory>
#include <mutex>
#include <optional>
#include <set>

namespace atrium::server {

// Which accounts have a POP3 session holding their maildrop (RFC 1939 section 8: exclusive
// access from login to the end of UPDATE). In-process, because one server owns the store;
// shared by the pop3 and pop3s listeners. IMAP sessions neither take nor check it.
// Thread-safe; a Lock may outlive the registry object (they share the state).
class MaildropLocks {
  struct State {
    std::mutex mutex;
    std::set<storage::PrincipalId> held;
  };

 public:
  // Held until destroyed (or moved from).
  class Lock {
   public:
    Lock(Lock&& other) noexcept;
    Lock& operator=(Lock&& other) noexcept;
    Lock(const Lock&) = delete;
    Lock& operator=(const Lock&) = delete;
    ~Lock();
    storage::PrincipalId account() const { return account_; }

   private:
    friend class MaildropLocks;
    Lock(std::shared_ptr<State> state, storage::PrincipalId account) : state_(std::move(state)), account_(account) {}
    void release() noexcept;
    std::shared_ptr<State> state_;
    storage::PrincipalId account_ = 0;
  };

  MaildropLocks() : state_(std::make_shared<State>()) {}

  // A lock on `account`'s maildrop, or nullopt while another session holds it.
  std::optional<Lock> try_lock(storage::PrincipalId account);
  // Whether some session holds `account`'s maildrop (for tests and diagnostics).
  bool held(storage::PrincipalId account) const;

 private:
  std::shared_ptr<State> state_;
};

// The maildrop is the account's INBOX as listed at login (UID order). Unique-ids are
// "<UIDVALIDITY>.<UID>": stable across sessions and restarts, the same message IMAP names by
// that UID, and new ones if the mailbox is ever recreated with a new UIDVALIDITY.
class Pop3Backend : public pop3::Backend {
 public:
  // All three must outlive the backend and its sessions' leases.
  Pop3Backend(storage::Store& store, auth::Authenticator& authenticator, MaildropLocks& locks);

  pop3::AuthResult authenticate(const pop3::Authenticate& request, const net::ConnectionInfo& peer,
                                std::chrono::milliseconds& delay) override;
  asio::awaitable<pop3::OpenedMaildrop> open_maildrop(const pop3::OpenMaildrop& request,
                                                      runtime::BlockingPool& pool) override;
  asio::awaitable<pop3::MessageContent> open_message(pop3::MaildropLease& lease, const pop3::Retrieve& request,
                                                     runtime::BlockingPool& pool) override;
  // messages::remove in one writer job: the items go, each with an item_deleted tombstone in
  // the change log, so IMAP sessions see EXPUNGEs. Messages already gone are skipped.
  asio::awaitable<pop3::CommitStatus> commit(pop3::MaildropLease& lease, const pop3::Commit& request) override;

  // The unique-id of message `uid` in a mailbox with this UIDVALIDITY.
  static std::string unique_id(std::uint32_t uidvalidity, storage::Uid uid);

 private:
  storage::Store& store_;
  auth::Authenticator& authenticator_;
  MaildropLocks& locks_;
};

}  // namespace atrium::server
