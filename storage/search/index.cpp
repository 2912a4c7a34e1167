#include "storage/search/index.hpp"

#include "core/cache/lru.hpp"
#include "core/log/log.hpp"
#include "storage/blob_content.hpp"
#include "storage/blobs.hpp"
#include "storage/search/words.hpp"

#include <xapian.h>

#include <fcntl.h>
#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <fstream>
#include <limits>
#include <list>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

namespace atrium::storage::search {
namespace {

namespace fs = std::filesystem;

// Term prefixes (Xapian convention: upper-case ASCII, so they never collide with a lower-cased
// word). Every word is indexed once, under its field's prefix; the whole-text scope is the union
// of all of them.
constexpr std::string_view k_mailbox_prefix = "C";
constexpr Xapian::valueno k_slot_uid = 0;
constexpr Xapian::valueno k_slot_mailbox = 1;
constexpr std::size_t k_open_writers = 64;
constexpr std::uint64_t k_commit_documents = 8192;
constexpr std::chrono::seconds k_commit_interval{5};
// How often the indexer looks at the server's load while it defers to it.
constexpr std::chrono::milliseconds k_load_sample{100};

std::string_view field_prefix(Field f) {
  switch (f) {
    case Field::from: return "XF";
    case Field::to: return "XT";
    case Field::cc: return "XC";
    case Field::bcc: return "XB";
    case Field::subject: return "S";
    case Field::header: return "H";
    case Field::body:
    case Field::attachment: return "B";
  }
  return "B";
}

constexpr std::string_view k_all_prefixes[] = {"XF", "XT", "XC", "XB", "S", "H", "B"};

std::vector<std::string_view> scope_prefixes(Scope s) {
  switch (s) {
    case Scope::text: return {std::begin(k_all_prefixes), std::end(k_all_prefixes)};
    case Scope::from: return {field_prefix(Field::from)};
    case Scope::to: return {field_prefix(Field::to)};
    case Scope::cc: return {field_prefix(Field::cc)};
    case Scope::bcc: return {field_prefix(Field::bcc)};
    case Scope::subject: return {field_prefix(Field::subject)};
    case Scope::body: return {field_prefix(Field::body)};
  }
  return {};
}

// The documents (ascending) with a term that starts with `prefix` + `word`: the union of the
// posting lists of every such term.
std::vector<Xapian::docid> docs_with_prefix(const Xapian::Database& db, const std::vector<std::string_view>& prefixes,
                                            const std::string& word) {
  std::vector<Xapian::docid> out;
  std::size_t lists = 0;
  for (auto prefix : prefixes) {
    std::string start = std::string(prefix) + word;
    for (auto t = db.allterms_begin(start); t != db.allterms_end(start); ++t) {
      // No two prefixes collide: each is upper-case ASCII, no prefix is the start of another,
      // and a word never starts with an upper-case ASCII letter.
      const std::string& term = *t;
      ++lists;
      for (auto p = db.postlist_begin(term); p != db.postlist_end(term); ++p) out.push_back(*p);
    }
  }
  if (lists > 1) {
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
  }
  return out;
}

std::string mailbox_term(CollectionId id) { return std::string(k_mailbox_prefix) + std::to_string(id); }

// The cursor file: "<change id>" once the index is complete up to that change, or
// "building <change id> <item id>" while the first full build is under way (it resumes after the
// item id and ends at the change id).
struct Cursor {
  bool building = true;
  std::int64_t change = 0;
  std::int64_t item = 0;
};

std::optional<Cursor> read_cursor(const fs::path& file) {
  std::ifstream in(file);
  if (!in) return std::nullopt;
  std::string first;
  in >> first;
  Cursor c;
  try {
    if (first == "building") {
      in >> c.change >> c.item;
      if (!in) return std::nullopt;
      return c;
    }
    std::size_t used = 0;
    c.change = std::stoll(first, &used);
    if (used != first.size() || c.change < 0) return std::nullopt;
    c.building = false;
    return c;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// Writes the cursor durably: temporary file, fsync, rename.
void write_cursor(const fs::path& file, const Cursor& c) {
  std::string text = c.building ? "building " + std::to_string(c.change) + " " + std::to_string(c.item) + "\n"
                                : std::to_string(c.change) + "\n";
  fs::path tmp = file;
  tmp += ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot write " + tmp.string());
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) throw std::runtime_error("cannot write " + tmp.string());
  fs::rename(tmp, file);
}

struct ItemRow {
  PrincipalId account = 0;
  CollectionId collection = 0;
  Uid uid = 0;
  ItemKind kind = ItemKind::message;
  std::string blob_hash;
};

std::optional<ItemRow> item_row(ReadTxn& txn, ItemId id) {
  auto& q = txn.db().cached("SELECT account_id, collection_id, uid, kind, blob_hash FROM items WHERE id = ?");
  q.bind(1, id);
  std::optional<ItemRow> out;
  if (q.step()) {
    out = ItemRow{q.column_int(0), q.column_int(1), q.column_int(2), static_cast<ItemKind>(q.column_int(3)),
                  q.column_text(4)};
  }
  q.reset();
  return out;
}

// What one batch must do to one account's database.
struct AccountWork {
  bool gone = false;                    // the account was deleted: drop its database first
  std::set<ItemId> items;               // make each agree with its current row
  std::vector<CollectionId> dropped;    // deleted mailboxes: remove their documents first
};

}  // namespace

struct Index::Impl {
  Store& store;
  IndexOptions options;
  fs::path cursor_file;

  mutable std::mutex mutex;
  std::condition_variable wake;      // the indexer waits here for work
  mutable std::condition_variable progressed;  // searches wait here for the indexer
  bool stopping = false;
  bool pending = false;
  Cursor cursor;
  IndexStats stats;
  std::atomic<int> waiters{0};  // searches blocked in wait_current
  // Counted by the indexer thread alone, published into `stats` with each cursor move.
  std::uint64_t indexed = 0;
  std::uint64_t removed = 0;
  std::uint64_t commits = 0;
  std::uint64_t deferrals = 0;

  // Open writable databases, most recently used first. Only the indexer thread touches these.
  std::list<std::pair<PrincipalId, std::unique_ptr<Xapian::WritableDatabase>>> writers;

  NotifyHub::Subscription subscription;
  std::thread thread;

  Impl(Store& s, IndexOptions o) : store(s), options(std::move(o)), cursor_file(options.dir / "cursor") {}

  fs::path account_dir(PrincipalId account) const { return options.dir / std::to_string(account); }

  Xapian::WritableDatabase& writer(PrincipalId account) {
    for (auto it = writers.begin(); it != writers.end(); ++it) {
      if (it->first == account) {
        writers.splice(writers.begin(), writers, it);
        return *writers.front().second;
      }
    }
    if (writers.size() >= k_open_writers) writers.pop_back();
    // Xapian's own commit fsyncs in order (tables, then the version file), so a crash at any
    // moment leaves the last committed revision intact.
    auto db = std::make_unique<Xapian::WritableDatabase>(account_dir(account).string(), Xapian::DB_CREATE_OR_OPEN);
    writers.emplace_front(account, std::move(db));
    return *writers.front().second;
  }

  Xapian::Document build(const Prepared& d, CollectionId mailbox, Uid uid, const std::string& blob_hash) {
    Xapian::Document doc;
    for (const std::string& term : d.terms()) doc.add_boolean_term(term);
    doc.add_boolean_term(mailbox_term(mailbox));
    doc.add_value(k_slot_uid, Xapian::sortable_serialise(static_cast<double>(uid)));
    doc.add_value(k_slot_mailbox, Xapian::sortable_serialise(static_cast<double>(mailbox)));
    doc.set_data(blob_hash);
    return doc;
  }

  // Documents searches prepared for items not indexed yet, by blob hash.
  mutable cache::Lru<Prepared> prepared_cache{options.prepared_cache_bytes, [](const Prepared& p) { return p.bytes(); }};
  std::uint64_t reused = 0;  // indexer thread

  static bool remove(Xapian::WritableDatabase& db, Xapian::docid id) {
    try {
      db.delete_document(id);
      return true;
    } catch (const Xapian::DocNotFoundError&) {
      return false;
    }
  }

  // Makes `account`'s database agree with the store for the items and mailboxes in `work`.
  void reconcile(ReadTxn& txn, PrincipalId account, const AccountWork& work) {
    auto& db = writer(account);
    for (CollectionId c : work.dropped) db.delete_document(mailbox_term(c));
    for (ItemId id : work.items) {
      if (id <= 0 || static_cast<std::uint64_t>(id) > std::numeric_limits<Xapian::docid>::max()) {
        log::error("search.item_id_out_of_range", "item", id);
        continue;
      }
      auto docid = static_cast<Xapian::docid>(id);
      auto row = item_row(txn, id);
      if (!row || row->account != account) {
        if (remove(db, docid)) ++removed;
        continue;
      }
      std::optional<Xapian::Document> existing;
      // Item ids only grow: one above the highest document id is new mail, never looked up (a
      // lookup that misses costs an exception).
      if (docid <= db.get_lastdocid()) {
        try {
          existing = db.get_document(docid);
        } catch (const Xapian::DocNotFoundError&) {
        }
      }
      if (existing && existing->get_data() == row->blob_hash) {
        // Same content: only the mailbox or UID may have changed (a move, or a flag change).
        auto old_mailbox = static_cast<CollectionId>(Xapian::sortable_unserialise(existing->get_value(k_slot_mailbox)));
        auto old_uid = static_cast<Uid>(Xapian::sortable_unserialise(existing->get_value(k_slot_uid)));
        if (old_mailbox == row->collection && old_uid == row->uid) continue;
        if (old_mailbox != row->collection) {
          try {
            existing->remove_term(mailbox_term(old_mailbox));
          } catch (const Xapian::InvalidArgumentError&) {
          }
          existing->add_boolean_term(mailbox_term(row->collection));
        }
        existing->add_value(k_slot_uid, Xapian::sortable_serialise(static_cast<double>(row->uid)));
        existing->add_value(k_slot_mailbox, Xapian::sortable_serialise(static_cast<double>(row->collection)));
        db.replace_document(docid, *existing);
        continue;
      }
      // A search may have made the full document already.
      std::shared_ptr<const Prepared> prepared = prepared_cache.take(row->blob_hash);
      if (prepared && prepared->partial()) prepared = nullptr;
      if (prepared) {
        ++reused;
      } else {
        auto content = open_blob(txn, store.blobs(), row->blob_hash);  // mapped when a file
        std::optional<Document> d;
        if (content) d = options.extract(row->kind, content->view());
        if (!d) {
          if (!content) log::warn("search.blob_missing", "item", id);
          if (existing) remove(db, docid);
          continue;
        }
        prepared = std::make_shared<const Prepared>(*d);
      }
      db.replace_document(docid, build(*prepared, row->collection, row->uid, row->blob_hash));
      ++indexed;
    }
  }

  // Applies `per_account` to the open databases (not yet committed) in one read transaction;
  // adds the accounts to `touched`.
  void apply(std::map<PrincipalId, AccountWork>& per_account, std::set<PrincipalId>& touched) {
    if (per_account.empty()) return;
    for (const auto& [account, work] : per_account) {
      if (work.gone) forget(account, touched);
    }
    auto has_work = [](const AccountWork& w) { return !w.items.empty() || !w.dropped.empty(); };
    store.read([&](ReadTxn& txn) {
      for (const auto& [account, work] : per_account) {
        if (has_work(work)) reconcile(txn, account, work);
      }
      return 0;
    });
    for (const auto& kv : per_account) {
      if (has_work(kv.second)) touched.insert(kv.first);
    }
  }

  // A deleted account: its database is closed and its folder removed (the text of its mail must
  // not outlive it, and a later account given the same id must start empty).
  void forget(PrincipalId account, std::set<PrincipalId>& touched) {
    writers.remove_if([&](const auto& w) { return w.first == account; });
    touched.erase(account);
    std::error_code ec;
    fs::remove_all(account_dir(account), ec);
    if (ec) log::warn("search.remove_failed", "account", account, "reason", ec.message());
  }

  void commit(const std::set<PrincipalId>& touched) {
    for (PrincipalId account : touched) {
      writer(account).commit();
      ++commits;
    }
  }

  // Whether a commit should end the chunks gathered since `started`: a search is waiting and the
  // log is read to its end, enough documents are pending, or enough time has passed. Xapian
  // rewrites every posting list a commit touches, so larger commits index much faster. A waiting
  // search needs everything up to its change, so a commit before the end of the log would only
  // make it wait longer (one per chunk when the indexer had fallen behind).
  bool commit_due(std::uint64_t work_before, std::chrono::steady_clock::time_point started, bool read_to_end) {
    if (read_to_end && waiters.load() > 0) return true;
    if (indexed + removed - work_before >= k_commit_documents) return true;
    if (std::chrono::steady_clock::now() - started >= k_commit_interval) return true;
    std::lock_guard lock(mutex);
    return stopping;
  }

  // Deferral under load (IndexOptions::defer_load). The load is the CPU time of the process less
  // the indexer's own, over the last k_load_sample at least.
  std::optional<std::chrono::steady_clock::time_point> deferring_since;  // cleared when caught up
  std::chrono::steady_clock::time_point load_sampled_at{};
  double load_sampled_cpu = 0;
  bool load_busy = false;
  const double cores = std::max(1u, std::thread::hardware_concurrency());

  static double cpu_seconds(int who) {
    rusage ru{};
    if (::getrusage(who, &ru) != 0) return 0;
    auto seconds = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6; };
    return seconds(ru.ru_utime) + seconds(ru.ru_stime);
  }

  bool server_busy(std::chrono::steady_clock::time_point now) {
    if (now - load_sampled_at < k_load_sample) return load_busy;
    double others = cpu_seconds(RUSAGE_SELF) - cpu_seconds(RUSAGE_THREAD);
    if (load_sampled_at != std::chrono::steady_clock::time_point{}) {
      double wall = std::chrono::duration<double>(now - load_sampled_at).count();
      load_busy = (others - load_sampled_cpu) / wall >= options.defer_load * cores;
    }
    load_sampled_at = now;
    load_sampled_cpu = others;
    return load_busy;
  }

  // Whether to leave the change log alone for now (indexer thread).
  bool should_defer() {
    if (options.max_defer.count() <= 0 || options.defer_load <= 0 || waiters.load() > 0) return false;
    auto now = std::chrono::steady_clock::now();
    if (deferring_since && now - *deferring_since >= options.max_defer) return false;  // catch up first
    if (!server_busy(now)) return false;
    if (!deferring_since) {
      deferring_since = now;
      std::lock_guard lock(mutex);
      stats.deferrals = ++deferrals;
    }
    return true;
  }

  // Waits one load sample, or less when a search starts waiting; false when the indexer stops.
  bool pause_for_load() {
    std::unique_lock lock(mutex);
    wake.wait_for(lock, k_load_sample, [&] { return stopping || waiters.load() > 0; });
    return !stopping;
  }

  // Waits, up to `options.commit_linger` after `started`, for more changes; false when the commit
  // should be made now (the time is up, a search waits, or the indexer stops).
  bool linger(std::chrono::steady_clock::time_point started) {
    std::unique_lock lock(mutex);
    wake.wait_until(lock, started + options.commit_linger, [&] { return stopping || pending || waiters.load() > 0; });
    if (stopping || waiters.load() > 0 || !pending) return false;
    pending = false;
    return true;
  }

  void advance(const Cursor& c) {
    write_cursor(cursor_file, c);
    {
      std::lock_guard lock(mutex);
      cursor = c;
      stats.cursor = c.building ? 0 : c.change;
      stats.initial_build_done = !c.building;
      stats.indexed = indexed;
      stats.removed = removed;
      stats.reused = reused;
      stats.commits = commits;
      stats.deferrals = deferrals;
    }
    progressed.notify_all();
  }

  // Starts a full build: the databases are removed and every stored item is indexed again.
  Cursor begin_build() {
    writers.clear();
    for (const auto& entry : fs::directory_iterator(options.dir)) {
      if (entry.is_directory()) fs::remove_all(entry.path());
    }
    Cursor c;
    c.building = true;
    c.change = store.read([](ReadTxn& txn) {
      auto& q = txn.db().cached("SELECT coalesce(max(id), 0) FROM changes");
      q.step();
      auto v = q.column_int(0);
      q.reset();
      return v;
    });
    c.item = 0;
    write_cursor(cursor_file, c);
    log::info("search.rebuild_started", "changes", c.change);
    return c;
  }

  // One step of the full build (chunks of items up to a commit); false once every item is done.
  bool build_step(Cursor& c) {
    std::set<PrincipalId> touched;
    auto started = std::chrono::steady_clock::now();
    auto work_before = indexed + removed;
    for (;;) {
      std::map<PrincipalId, AccountWork> per_account;
      std::int64_t last = c.item;
      store.read([&](ReadTxn& txn) {
        auto& q = txn.db().cached("SELECT id, account_id FROM items WHERE id > ? ORDER BY id LIMIT ?");
        q.bind(1, c.item).bind(2, static_cast<std::int64_t>(options.batch));
        while (q.step()) {
          last = q.column_int(0);
          per_account[q.column_int(1)].items.insert(last);
        }
        q.reset();
        return 0;
      });
      if (per_account.empty()) break;
      apply(per_account, touched);
      c.item = last;
      if (commit_due(work_before, started, false)) break;  // a search waits for the whole build
    }
    if (touched.empty()) return false;
    commit(touched);
    advance(c);
    return true;
  }

  // One step over the change log (chunks of rows up to a commit); returns the rows consumed.
  std::size_t log_step() {
    std::int64_t last;
    {
      std::lock_guard lock(mutex);
      last = cursor.change;
    }
    std::set<PrincipalId> touched;
    auto started = std::chrono::steady_clock::now();
    auto work_before = indexed + removed;
    std::size_t total = 0;
    for (;;) {
      std::map<PrincipalId, AccountWork> per_account;
      std::size_t n = 0;
      store.read([&](ReadTxn& txn) {
        auto& q = txn.db().cached(
            "SELECT id, account_id, collection_id, item_id, op FROM changes WHERE id > ? ORDER BY id LIMIT ?");
        q.bind(1, last).bind(2, static_cast<std::int64_t>(options.batch));
        while (q.step()) {
          ++n;
          last = q.column_int(0);
          auto op = static_cast<ChangeOp>(q.column_int(4));
          auto& work = per_account[q.column_int(1)];
          if (op == ChangeOp::account_deleted) {
            // What came before no longer exists; what follows belongs to a new account that was
            // given the same id.
            work = AccountWork{.gone = true};
          } else if (op == ChangeOp::collection_deleted) {
            // Items touched earlier in this chunk are reconciled after the drop, from their rows.
            work.dropped.push_back(q.column_int(2));
          } else if (auto item = q.column_opt_int(3)) {
            work.items.insert(*item);
          }
        }
        q.reset();
        return 0;
      });
      total += n;
      std::erase_if(per_account, [](const auto& kv) {
        return !kv.second.gone && kv.second.items.empty() && kv.second.dropped.empty();
      });
      apply(per_account, touched);
      bool read_to_end = n < options.batch;
      if (commit_due(work_before, started, read_to_end)) break;
      // Under load, the chunks applied so far wait uncommitted (a commit per pause would cost more
      // than the pause saves); a waiting search ends the pause and gets its commit.
      while (should_defer() && pause_for_load()) {}
      if (commit_due(work_before, started, read_to_end)) break;
      if (read_to_end && (touched.empty() || !linger(started))) break;  // caught up
    }
    if (total == 0) return 0;
    commit(touched);
    advance(Cursor{false, last, 0});
    return total;
  }

  void run() {
    ::pthread_setname_np(::pthread_self(), "search-index");  // for top -H, perf and gdb
    // Indexing yields to the work clients wait for (deliveries, commands): a lower priority for
    // this thread alone (Linux applies nice per thread). A search waits for it, so it still runs.
    if (::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 10) != 0) {
      log::debug("search.nice_failed", "errno", errno);
    }
    std::optional<Cursor> stored;
    bool failed = false;
    while (true) {
      {
        std::unique_lock lock(mutex);
        if (stopping) return;
        if (failed) {
          // Retry after a pause (a full disk, a damaged database): never spin.
          wake.wait_for(lock, std::chrono::seconds(5), [&] { return stopping; });
          if (stopping) return;
        }
      }
      failed = false;
      try {
        if (!stored) {
          stored = read_cursor(cursor_file);
          if (!stored) stored = begin_build();
          {
            std::lock_guard lock(mutex);
            cursor = *stored;
          }
          if (!stored->building) {
            std::lock_guard lock(mutex);
            stats.cursor = stored->change;
            stats.initial_build_done = true;
          }
        }
        if (stored->building) {
          if (build_step(*stored)) continue;
          stored->building = false;
          advance(*stored);
          log::info("search.rebuild_done", "documents", indexed);
          continue;
        }
        if (should_defer()) {
          pause_for_load();
          continue;
        }
        if (log_step() > 0) continue;
        if (deferring_since) {  // caught up after waiting for a burst to pass
          auto lag = std::chrono::steady_clock::now() - *deferring_since;
          log::info("search.caught_up", "lag_ms", std::chrono::duration_cast<std::chrono::milliseconds>(lag).count());
          deferring_since.reset();
        }
        std::unique_lock lock(mutex);
        wake.wait_for(lock, options.poll, [&] { return stopping || pending; });
        pending = false;
      } catch (const std::exception& e) {
        std::lock_guard lock(mutex);
        ++stats.failures;
        failed = true;
        log::error("search.index_failed", "reason", e.what());
        writers.clear();
        stored.reset();  // re-read the cursor: it only moves after a batch is durable
      }
    }
  }
};

Index::Index(Store& store, IndexOptions options) : impl_(std::make_unique<Impl>(store, std::move(options))) {
  fs::create_directories(impl_->options.dir);
  // What is on disk is complete up to the cursor already, before the indexer starts.
  if (auto c = read_cursor(impl_->cursor_file); c && !c->building) {
    impl_->cursor = *c;
    impl_->stats.cursor = c->change;
    impl_->stats.initial_build_done = true;
  }
}

void Index::start() {
  Impl* impl = impl_.get();
  if (impl->thread.joinable()) return;
  impl->subscription = impl->store.notify().subscribe(0, [impl](const Notification&) {
    // Only the first notification since the indexer last looked wakes it (see ImipWatcher).
    {
      std::lock_guard lock(impl->mutex);
      if (impl->pending) return;
      impl->pending = true;
    }
    impl->wake.notify_one();
  });
  impl->thread = std::thread([impl] { impl->run(); });
}

Index::~Index() {
  impl_->subscription = {};
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
  if (impl_->thread.joinable()) impl_->thread.join();
  impl_->writers.clear();
}

bool Index::wait_current(PrincipalId account, std::chrono::milliseconds timeout) {
  std::int64_t target = impl_->store.read([&](ReadTxn& txn) {
    auto& q = txn.db().cached("SELECT id FROM changes WHERE account_id = ? ORDER BY modseq DESC LIMIT 1");
    q.bind(1, account);
    std::int64_t v = q.step() ? q.column_int(0) : 0;
    q.reset();
    return v;
  });
  auto current = [&] { return !impl_->cursor.building && impl_->cursor.change >= target; };
  std::unique_lock lock(impl_->mutex);
  if (current()) return true;
  // Counted while waiting, so the indexer commits what it has instead of gathering more.
  ++impl_->waiters;
  impl_->wake.notify_all();  // an indexer lingering before its commit commits now
  bool ok = impl_->progressed.wait_for(lock, timeout, current);
  --impl_->waiters;
  return ok;
}

std::optional<std::vector<Uid>> Index::find(PrincipalId account, CollectionId mailbox, Scope scope,
                                            std::string_view query) const {
  auto terms = words(query);
  if (terms.empty()) return std::nullopt;
  auto dir = impl_->account_dir(account);
  std::error_code ec;
  if (!fs::exists(dir / "iamglass", ec)) return std::vector<Uid>{};  // nothing indexed for this account
  auto prefixes = scope_prefixes(scope);
  for (int attempt = 0;; ++attempt) {
    try {
      Xapian::Database db(dir.string());
      // Every word: the union of its prefix terms' posting lists; the words: their intersection.
      std::vector<Xapian::docid> docs;
      for (std::size_t i = 0; i < terms.size(); ++i) {
        auto next = docs_with_prefix(db, prefixes, terms[i]);
        if (i == 0) {
          docs = std::move(next);
        } else {
          std::vector<Xapian::docid> both;
          std::set_intersection(docs.begin(), docs.end(), next.begin(), next.end(), std::back_inserter(both));
          docs = std::move(both);
        }
        if (docs.empty()) break;
      }
      // Documents to UIDs in `mailbox`, reading the value streams in docid order.
      std::vector<Uid> out;
      auto boxes = db.valuestream_begin(k_slot_mailbox);
      auto uids = db.valuestream_begin(k_slot_uid);
      std::string wanted = Xapian::sortable_serialise(static_cast<double>(mailbox));
      auto at = [&](Xapian::ValueIterator& it, Xapian::valueno slot, Xapian::docid id) {
        if (it == db.valuestream_end(slot)) return false;
        if (it.get_docid() < id) it.skip_to(id);
        return it != db.valuestream_end(slot) && it.get_docid() == id;
      };
      for (auto id : docs) {
        if (!at(boxes, k_slot_mailbox, id) || *boxes != wanted || !at(uids, k_slot_uid, id)) continue;
        out.push_back(static_cast<Uid>(Xapian::sortable_unserialise(*uids)));
      }
      std::sort(out.begin(), out.end());
      return out;
    } catch (const Xapian::DatabaseModifiedError&) {
      if (attempt >= 3) return std::nullopt;
    } catch (const Xapian::Error& e) {
      log::warn("search.query_failed", "account", account, "reason", e.get_description());
      return std::nullopt;
    }
  }
}

std::shared_ptr<const Prepared> Index::prepared(ItemKind kind, const std::string& blob_hash,
                                                const std::function<std::optional<std::string>()>& content,
                                                Extraction how) const {
  const bool quick = how == Extraction::quick && impl_->options.extract_quick;
  if (auto doc = impl_->prepared_cache.get(blob_hash); doc && (quick || !doc->partial())) return doc;
  auto bytes = content();
  if (!bytes) return nullptr;
  const auto& fn = quick ? impl_->options.extract_quick : impl_->options.extract;
  auto d = fn(kind, *bytes);
  if (!d) return nullptr;
  if (!quick) d->partial = false;
  auto doc = std::make_shared<const Prepared>(*d);
  // A full document replaces a partial one, never the other way round.
  impl_->prepared_cache.put(blob_hash, doc, [](const Prepared& old) { return old.partial(); });
  return doc;
}

Prepared::Prepared(const Document& doc) : partial_(doc.partial) {
  std::string term;
  for (const auto& [field, text] : doc.texts) {
    auto prefix = field_prefix(field);
    for_each_word(text, [&](std::string_view w) {
      term.assign(prefix);
      term += w;
      terms_.push_back(term);
    });
  }
  std::sort(terms_.begin(), terms_.end());
  terms_.erase(std::unique(terms_.begin(), terms_.end()), terms_.end());
  terms_.shrink_to_fit();
  bytes_ = sizeof(*this) + terms_.capacity() * sizeof(std::string);
  for (const auto& t : terms_) bytes_ += t.capacity() > 15 ? t.capacity() + 1 : 0;
}

bool Prepared::matches(Scope scope, std::string_view query) const {
  auto wanted = words(query);
  if (wanted.empty()) return false;
  auto prefixes = scope_prefixes(scope);
  std::string key;
  return std::all_of(wanted.begin(), wanted.end(), [&](const std::string& w) {
    return std::any_of(prefixes.begin(), prefixes.end(), [&](std::string_view prefix) {
      key.assign(prefix);
      key += w;
      auto it = std::lower_bound(terms_.begin(), terms_.end(), key);
      return it != terms_.end() && it->starts_with(key);
    });
  });
}

bool matches(const Document& doc, Scope scope, std::string_view query) { return Prepared(doc).matches(scope, query); }

IndexStats Index::stats() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->stats;
}

}  // namespace atrium::storage::search
