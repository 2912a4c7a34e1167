// The session's internals, shared by the files that implement its commands (one per command
// family). Not part of the executor's interface.
#pragma once

#include "mail/imap/driver/session.hpp"
#include "mail/imap/mailbox_name.hpp"
#include "storage/access.hpp"
#include "storage/async.hpp"
#include "storage/collections.hpp"
#include "storage/messages.hpp"

#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace atrium::imap {

struct NotAuthenticated {};
struct Account {
  storage::PrincipalId principal = 0;
  std::string email;
  storage::Actor actor() const { return storage::Actor::principal(principal); }
};
struct Authenticated {
  Account account;
};
// Commits to an account, counted by the notify hub from a subscription made before the view they
// guard was read: while the count is what it was when the view was last refreshed, nothing was
// committed to the account since, and announce_changes need not read the store.
struct CommitCount {
  std::shared_ptr<std::atomic<std::uint64_t>> commits = std::make_shared<std::atomic<std::uint64_t>>(0);
  storage::NotifyHub::Subscription subscription;
  std::uint64_t seen = 0;                              // the count the view is up to date with
  std::chrono::steady_clock::time_point refreshed{};  // when the view was last read (or earlier)

  // Starts counting now, with the view taken as read now: call before reading it.
  static CommitCount watch(storage::NotifyHub& hub, storage::PrincipalId account);
  std::uint64_t count() const { return commits->load(std::memory_order_acquire); }
};

struct Selected {
  Account account;
  std::unique_ptr<MailboxView> view;
  CommitCount commits;
};
struct LoggedOut {};
using State = std::variant<NotAuthenticated, Authenticated, Selected, LoggedOut>;

// Extensions a client turned on (ENABLE, or implicitly: CONDSTORE by SELECT (CONDSTORE) or any
// command that uses modseqs).
struct Enabled {
  bool imap4rev2 = false;
  bool utf8_accept = false;
  bool condstore = false;
  bool qresync = false;
};

// The canonical name of a command in replies ("UID FETCH completed").
std::string command_label(const Command& command);

// RFC 8474 object ids: stable, opaque, 1-255 of [A-Za-z0-9_-].
std::string mailbox_object_id(storage::CollectionId id);  // MAILBOXID
std::string email_object_id(const std::string& blob_hash);  // EMAILID: the same for the same message
std::string thread_object_id(std::int64_t thread_id);       // THREADID: "T" and the store's thread id
std::optional<std::int64_t> parse_thread_object_id(std::string_view objectid);  // nullopt: not one of ours

struct Session::Impl {
  Services& services;
  SessionOptions options;
  Channel& channel;
  net::ConnectionInfo peer;
  State state;
  Enabled enabled;
  std::string out;                 // pending output, flushed after every command
  std::vector<storage::Uid> saved;  // SEARCHRES "$" (RFC 5182): UIDs
  bool saved_valid = false;
  int bad_in_a_row = 0;

  Impl(Services& s, SessionOptions o, Channel& c, net::ConnectionInfo p)
      : services(s), options(std::move(o)), channel(c), peer(std::move(p)) {}

  // ---- state ----
  Account* account();
  const Account* account() const { return const_cast<Impl*>(this)->account(); }
  Selected* selected();
  WireCharset charset() const {
    return enabled.imap4rev2 || enabled.utf8_accept ? WireCharset::utf8 : WireCharset::modified_utf7;
  }
  bool rev1() const { return !enabled.imap4rev2; }
  bool modseqs_on() const { return enabled.condstore || enabled.qresync; }

  // ---- output ----
  void untagged(std::string_view line);  // "* " + line + CRLF
  void tagged(const std::string& tag, std::string_view status, std::string_view line);
  asio::awaitable<bool> flush();
  std::string capability_list() const;

  // ---- store access (never on the I/O thread) ----
  template <class F>
  auto read(F fn) -> asio::awaitable<std::invoke_result_t<F, storage::ReadTxn&>> {
    co_return co_await runtime::run_blocking(services.store_pool, [&] { return services.store.read(fn); });
  }
  // Waits for the group commit on a store-pool thread, so `fn` may capture by reference.
  // GCC 12 destroys a lambda temporary inside a co_await expression twice: pass lambdas that
  // capture by reference ([&]) or named ones, never a temporary holding strings or pointers.
  template <class F>
  auto write(F fn) -> asio::awaitable<std::invoke_result_t<F, storage::WriteTxn&>> {
    co_return co_await runtime::run_blocking(services.store_pool, [&] { return services.store.write(std::move(fn)); });
  }

  // ---- mailboxes ----
  // The store name for a wire name already decoded to UTF-8 ("INBOX" normalised).
  static std::string store_name(const std::string& name) { return normalise_inbox(name); }
  // The mailbox `name` of the logged-in account, or nullopt.
  asio::awaitable<std::optional<storage::Collection>> find_mailbox(const std::string& name);
  // A mailbox name ready to send (quoted or literal, in the connection's charset).
  std::string wire_mailbox(std::string_view name) const;

  // ---- the selected mailbox ----
  // Reads changes and writes untagged EXPUNGE/VANISHED, EXISTS, RECENT and FETCH FLAGS.
  // `after_commit` skips the store when the hub counted no commit to the account since the last
  // refresh (see CommitCount); `always` reads it (IDLE, woken by its own subscription, which the
  // hub may call before the count's).
  enum class Announce { all, no_expunges };
  enum class Refresh { after_commit, always };
  asio::awaitable<void> announce_changes(Announce what, bool uid_command, Refresh refresh = Refresh::after_commit);
  void announce_expunged(const std::vector<storage::Uid>& expunged, const std::vector<storage::Uid>& view_before);
  std::string flag_list(std::uint32_t flags, const std::string& keywords, bool recent) const;
  std::string fetch_flags_line(const MailboxView& view, const storage::messages::Summary& s, bool with_uid) const;

  // Resolves a sequence set (sequence numbers or UIDs, "$" included) to the UIDs of messages in
  // the view, ascending. For sequence numbers beyond EXISTS, sets `*bad`.
  std::vector<storage::Uid> resolve(const SequenceSet& set, bool uid, bool* bad) const;

  // ---- errors ----
  // NO/BAD text and response code for a store failure.
  void store_failure(const std::string& tag, const std::exception& e, std::string_view what);
};

// Flags as the client names them -> system flag bits and keywords. \Recent is dropped (it
// cannot be set); other backslash flags are refused (nullopt).
struct ParsedFlags {
  std::uint32_t bits = 0;
  std::vector<std::string> keywords;
};
std::optional<ParsedFlags> parse_flags(const std::vector<Flag>& flags);

// "* STATUS" line text for one mailbox (STATUS and LIST-STATUS).
std::string status_line(Session::Impl& s, const std::string& name, const std::vector<StatusItem>& items,
                        const storage::messages::Status& st, storage::CollectionId id);

// Command families (one file each).
asio::awaitable<void> run_any_state(Session::Impl& s, const Command& c);
asio::awaitable<void> run_login(Session::Impl& s, const Command& c);
asio::awaitable<void> run_mailbox(Session::Impl& s, const Command& c);
asio::awaitable<void> run_select(Session::Impl& s, const Command& c);
asio::awaitable<void> run_list(Session::Impl& s, const Command& c);
asio::awaitable<void> run_append(Session::Impl& s, const Command& c);
asio::awaitable<void> run_message(Session::Impl& s, const Command& c);
asio::awaitable<void> run_fetch(Session::Impl& s, const Command& c);
asio::awaitable<void> run_search(Session::Impl& s, const Command& c);
asio::awaitable<void> run_idle(Session::Impl& s, const Command& c);

}  // namespace atrium::imap
