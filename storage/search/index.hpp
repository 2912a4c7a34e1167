// The full-text index: one Xapian database per account under <data_dir>/search/<account id>,
// fed from the change log by one indexer thread, so every protocol's writes are indexed the same
// way and the index can always be rebuilt from the store.
//
// The indexer reads the change log in order after its cursor (a file next to the databases,
// written after the databases it covers are committed). For each item a batch touches it makes
// the index agree with the item's current row: a message that exists is indexed (or, when only
// its mailbox or UID changed, its document is updated), one that is gone is removed, and a deleted
// mailbox takes its documents with it. Replaying a change is harmless, so a crash between a
// database commit and the cursor write costs only repeated work. With no cursor (a new data
// directory, or the search folder removed) the indexer first indexes every stored message.
//
// A search first waits until the indexer has passed the account's newest change, so it sees
// every commit made before it; when that takes longer than the caller allows, it reports so and
// the caller scans instead. Matching is by word prefix: every word of the query must begin a word
// of the field, in any order (see docs/protocols.md).
#pragma once

#include "storage/store.hpp"
#include "storage/types.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace atrium::storage::search {

// Where a piece of an item's text belongs. `header` is the rest of the header (decoded), which
// only the whole-text scope searches; `attachment` is text from attachments, searched with the
// body. The whole-text scope searches every field.
enum class Field : std::uint8_t { from, to, cc, bcc, subject, header, body, attachment };

// What a search looks in.
enum class Scope : std::uint8_t { text, from, to, cc, bcc, subject, body };

struct Document {
  std::vector<std::pair<Field, std::string>> texts;
  // Made without parts the full extraction may add (attachments left to external decoders): a
  // query that does not match may still match the full document.
  bool partial = false;
};

// Turns an item's content into its indexed text; nullopt for items that are not indexed. Runs on
// the indexer thread; must not throw for any input.
using Extractor = std::function<std::optional<Document>(ItemKind kind, std::string_view content)>;

struct IndexOptions {
  std::filesystem::path dir;            // usually <data_dir>/search
  Extractor extract;
  // For `Index::prepared`: the same document without what is slow to make (attachments decoded by
  // external programs), for a search that reads the few items the indexer has not reached; empty:
  // `extract`.
  Extractor extract_quick;
  std::size_t batch = 512;              // change-log rows per indexer step at most
  std::chrono::milliseconds poll{2000}; // re-reads the change log this often even without a notification
  // Caught up with the change log, the indexer waits this long for more changes before it commits
  // (a waiting search ends the wait): a commit writes new database files and fsyncs them whatever
  // it holds, so mail arriving message by message must not pay for one each.
  std::chrono::milliseconds commit_linger{1000};
  std::size_t prepared_cache_bytes = 32u << 20;  // documents kept for searches and the indexer
  // Indexing is background work and yields to bursts: while the server's other threads keep at
  // least `defer_load` of the machine's cores busy (a flood of deliveries, a busy hour of IMAP),
  // the indexer waits, for `max_defer` at most; then it catches up completely before it may wait
  // again. A waiting search ends the wait at once. A zero `max_defer` or `defer_load`: never wait.
  double defer_load = 0.25;
  std::chrono::milliseconds max_defer{30000};
};

struct IndexStats {
  std::int64_t cursor = 0;              // last change-log row indexed
  std::uint64_t indexed = 0;            // documents (re)built since start
  std::uint64_t removed = 0;
  std::uint64_t failures = 0;           // batches that failed and were retried
  std::uint64_t reused = 0;             // documents indexed from what a search had extracted
  std::uint64_t deferrals = 0;          // times the indexer began to wait for the server's load to drop
  std::uint64_t commits = 0;            // database commits (one per touched account and step)
  bool initial_build_done = false;
};

// A document as the index holds it: its sorted, distinct terms (field prefix + word), so that
// matching is a lookup per query word rather than a pass over the text.
class Prepared {
 public:
  explicit Prepared(const Document& doc);
  // Whether `find` would return this document for `scope` and `query`: every word of the query
  // begins a word of the scope's fields. False when the query has no words.
  bool matches(Scope scope, std::string_view query) const;
  bool partial() const { return partial_; }
  const std::vector<std::string>& terms() const { return terms_; }
  std::size_t bytes() const { return bytes_; }

 private:
  std::vector<std::string> terms_;
  bool partial_ = false;
  std::size_t bytes_ = 0;
};

// Whether `find` would return a document like `doc` for `scope` and `query` (Prepared::matches
// without keeping the terms). Pure.
bool matches(const Document& doc, Scope scope, std::string_view query);

class Index {
 public:
  // Creates `dir` when missing. Throws when it cannot.
  Index(Store& store, IndexOptions options);
  // Stops the indexer thread (the batch in hand is finished first).
  ~Index();
  // Starts the indexer thread (a server starts it once it runs as its final user, so the files
  // it creates belong to that user). Until then the index answers for what it held at its last
  // cursor, and searches for anything newer wait.
  void start();
  Index(const Index&) = delete;
  Index& operator=(const Index&) = delete;

  // Blocks until every change of `account` committed before the call is indexed; false when
  // that did not happen within `timeout`. Safe from any thread.
  bool wait_current(PrincipalId account, std::chrono::milliseconds timeout);

  // The UIDs (ascending) of the messages in `mailbox` whose `scope` has every word of `query` as
  // a word prefix. nullopt when the index cannot answer: the query has no words (punctuation
  // only) or the account's database cannot be read. Call wait_current first. Safe from any
  // thread; each call opens its own reader.
  std::optional<std::vector<Uid>> find(PrincipalId account, CollectionId mailbox, Scope scope,
                                       std::string_view query) const;

  IndexStats stats() const;

  // The document the indexer makes of an item, prepared for a caller that matches items not
  // indexed yet the way the index would: `quick` without the slow parts (`extract_quick`;
  // Prepared::partial says when something was left out), `full` exactly the indexer's. Documents
  // made here are kept by blob hash (up to a memory bound, least recently used out first), so the
  // next search and the indexer itself use them instead of extracting the content again; the
  // indexer drops each one it has indexed. nullptr for content that is not indexed. Any thread.
  enum class Extraction { quick, full };
  // `content` reads the item's bytes; it is called only when nothing suitable is kept.
  std::shared_ptr<const Prepared> prepared(ItemKind kind, const std::string& blob_hash,
                                           const std::function<std::optional<std::string>()>& content,
                                           Extraction how) const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace atrium::storage::search
