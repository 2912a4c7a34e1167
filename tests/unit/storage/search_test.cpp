// The full-text index: words, indexing from the change log (adds, moves, expunges, deleted
// mailboxes), waiting for the indexer, the cursor across restarts and the full rebuild.
#include "storage/messages.hpp"
#include "storage/search/index.hpp"
#include "storage/search/words.hpp"
#include "test_support.hpp"

#include <xapian.h>

#include <atomic>
#include <fstream>
#include <random>
#include <thread>

namespace atrium::storage::search {
namespace {

using namespace std::chrono_literals;
using storage::testing::StoreTest;

TEST(SearchWords, SplitLowerCaseAndBound) {
  EXPECT_EQ(words("Hello, World! user@Example.COM"), (std::vector<std::string>{"hello", "world", "user", "example", "com"}));
  EXPECT_EQ(words("Ärger über Straße"), (std::vector<std::string>{"ärger", "über", "straße"}));
  EXPECT_EQ(words("snake_case 42x"), (std::vector<std::string>{"snake_case", "42x"}));
  // Ideographs are words of their own; kana too.
  EXPECT_EQ(words("東京タワー"), (std::vector<std::string>{"東", "京", "タ", "ワ", "ー"}));
  // Invalid UTF-8 separates words and never reaches a term.
  EXPECT_EQ(words("ab\xff\xfe" "cd"), (std::vector<std::string>{"ab", "cd"}));
  EXPECT_TRUE(words(" ,.;--- ").empty());
  auto longest = words(std::string(200, 'a'));
  ASSERT_EQ(longest.size(), 1u);
  EXPECT_EQ(longest[0].size(), k_max_word_bytes);
  // A multi-byte character is never cut.
  auto wide = words(std::string(100, 'a').substr(0, 63) + "ééé");
  ASSERT_EQ(wide.size(), 1u);
  EXPECT_EQ(wide[0], std::string(63, 'a'));
}

// Splitting every character through Xapian's Unicode tables, as words were split before the
// ASCII fast path: the reference the fast path must agree with.
std::vector<std::string> reference_words(std::string_view text) {
  std::vector<std::string> out;
  std::string current;
  auto flush = [&] {
    if (!current.empty()) out.push_back(current);
    current.clear();
  };
  auto add = [&](unsigned ch) {
    char buf[4];
    unsigned n = Xapian::Unicode::to_utf8(ch, buf);
    if (current.size() + n <= k_max_word_bytes) current.append(buf, n);
  };
  for (Xapian::Utf8Iterator it(text.data(), text.size()); it != Xapian::Utf8Iterator(); ++it) {
    unsigned ch = it.strict_deref();
    if ((ch & 0x80000000u) != 0 || !Xapian::Unicode::is_wordchar(ch)) {
      flush();
    } else if ((ch >= 0x3040 && ch <= 0x30FF) || (ch >= 0x4E00 && ch <= 0x9FFF)) {
      flush();
      add(ch);
      flush();
    } else {
      add(Xapian::Unicode::tolower(ch));
    }
  }
  flush();
  return out;
}

TEST(SearchWords, AsciiAgreesWithUnicodeTables) {
  for (int c = 0; c < 128; ++c) {
    std::string text = std::string("x") + static_cast<char>(c) + "y";
    EXPECT_EQ(words(text), reference_words(text)) << "character " << c;
  }
}

TEST(SearchWords, MixedTextAgreesWithUnicodeTables) {
  // ASCII, Latin-1 letters, Greek, kana and ideographs, invalid bytes, long runs.
  const std::vector<std::string> pieces = {"a",  "Z",  "0",  "_",  " ",  "-",  "@",  "\r\n", "é",  "Ä",
                                           "ß",  "Σ",  "ω",  "タ", "東", "\xff", "\xc3", "\xe2\x82", "€", "İ",
                                           std::string(70, 'q'), std::string(40, 'K')};
  std::mt19937 rng(7);
  std::uniform_int_distribution<std::size_t> pick(0, pieces.size() - 1), length(0, 40);
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    for (std::size_t n = length(rng); n > 0; --n) text += pieces[pick(rng)];
    ASSERT_EQ(words(text), reference_words(text)) << "text " << ::testing::PrintToString(text);
  }
}

// Test documents: "Subject: <line>\n<body>" becomes a subject field and a body field.
std::optional<Document> test_extract(ItemKind kind, std::string_view content) {
  if (kind != ItemKind::message) return std::nullopt;
  Document d;
  auto nl = content.find('\n');
  d.texts.emplace_back(Field::subject, std::string(content.substr(0, nl)));
  if (nl != std::string_view::npos) d.texts.emplace_back(Field::body, std::string(content.substr(nl + 1)));
  d.texts.emplace_back(Field::from, "Alice Example <alice@example.test>");
  return d;
}

class SearchIndexTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    user_ = add_user("s@example.test");
    box_ = inbox(user_).id;
    archive_ = store_->read([&](ReadTxn& t) {
      return collections::find(t, Actor::system(), user_, CollectionKind::mailbox, "Archive")->id;
    });
    start();
  }
  void TearDown() override {
    index_.reset();
    StoreTest::TearDown();
  }
  void start() {
    index_.reset();
    index_ = std::make_unique<Index>(*store_, IndexOptions{.dir = dir_ / "search", .extract = test_extract, .batch = 3});
    index_->start();
  }
  Actor me() const { return Actor::principal(user_); }
  Uid add(CollectionId c, const std::string& content) { return add_message(user_, c, content).uid; }
  std::vector<Uid> find(CollectionId c, Scope scope, std::string_view q) {
    EXPECT_TRUE(index_->wait_current(user_, 10s));
    auto r = index_->find(user_, c, scope, q);
    EXPECT_TRUE(r.has_value()) << q;
    return r.value_or(std::vector<Uid>{});
  }
  PrincipalId user_ = 0;
  CollectionId box_ = 0, archive_ = 0;
  std::unique_ptr<Index> index_;
};

TEST_F(SearchIndexTest, FindsByWordPrefixPerScopeAndWaitsForTheIndexer) {
  add(box_, "Quarterly report\nThe numbers for Q3 are attached.");
  add(box_, "Lunch\nShall we meet at noon? Quarterly planning later.");
  add(box_, "Reports\nnothing here");
  // Every add is visible to the very next search: find() waits for the indexer.
  EXPECT_EQ(find(box_, Scope::subject, "quarterly"), (std::vector<Uid>{1}));
  EXPECT_EQ(find(box_, Scope::text, "quarterly"), (std::vector<Uid>{1, 2}));
  EXPECT_EQ(find(box_, Scope::text, "QUARTER"), (std::vector<Uid>{1, 2})) << "case-insensitive word prefix";
  EXPECT_EQ(find(box_, Scope::body, "quarterly"), (std::vector<Uid>{2})) << "the body only";
  EXPECT_EQ(find(box_, Scope::subject, "report"), (std::vector<Uid>{1, 3}));
  EXPECT_EQ(find(box_, Scope::text, "numbers attached"), (std::vector<Uid>{1})) << "every word, any order";
  EXPECT_EQ(find(box_, Scope::text, "numbers lunch"), (std::vector<Uid>{}));
  EXPECT_EQ(find(box_, Scope::body, "port"), (std::vector<Uid>{})) << "prefix, not substring";
  EXPECT_EQ(find(box_, Scope::from, "alice@example"), (std::vector<Uid>{1, 2, 3}));
  EXPECT_EQ(find(box_, Scope::to, "alice"), (std::vector<Uid>{}));
  EXPECT_EQ(find(archive_, Scope::text, "quarterly"), (std::vector<Uid>{})) << "one mailbox at a time";
  EXPECT_FALSE(index_->find(user_, box_, Scope::text, "...").has_value()) << "no words: the caller scans";
}

TEST_F(SearchIndexTest, FollowsMovesExpungesAndDeletedMailboxes) {
  add(box_, "one\nalpha");
  add(box_, "two\nalpha beta");
  add(box_, "three\nalpha gamma");
  EXPECT_EQ(find(box_, Scope::body, "alpha"), (std::vector<Uid>{1, 2, 3}));

  store_->write([&](WriteTxn& t) {
    return messages::transfer(t, me(), box_, std::vector<Uid>{2}, archive_, messages::Transfer::move);
  });
  EXPECT_EQ(find(box_, Scope::body, "alpha"), (std::vector<Uid>{1, 3}));
  EXPECT_EQ(find(archive_, Scope::body, "beta"), (std::vector<Uid>{1})) << "moved, with its new UID";

  store_->write([&](WriteTxn& t) {
    return messages::transfer(t, me(), box_, std::vector<Uid>{3}, archive_, messages::Transfer::copy);
  });
  EXPECT_EQ(find(archive_, Scope::body, "alpha"), (std::vector<Uid>{1, 2}));

  store_->write([&](WriteTxn& t) {
    messages::store_flags(t, me(), box_, std::vector<Uid>{1}, {messages::FlagOp::add, flag_deleted, {}, {}});
    return messages::expunge(t, me(), box_);
  });
  EXPECT_EQ(find(box_, Scope::body, "alpha"), (std::vector<Uid>{3}));

  store_->write([&](WriteTxn& t) { collections::remove(t, me(), archive_); });
  EXPECT_EQ(find(archive_, Scope::body, "alpha"), (std::vector<Uid>{})) << "a deleted mailbox takes its documents";
  auto stats = index_->stats();
  EXPECT_EQ(stats.indexed, 4u) << "three adds and one copy; the move only updated the document";
  EXPECT_EQ(find(box_, Scope::body, "alpha"), (std::vector<Uid>{3}));
}

// A deleted account's database goes with it; an account created later with the same id (SQLite
// gives the highest id again once it is free) starts with an empty one.
TEST_F(SearchIndexTest, ADeletedAccountTakesItsDatabaseAndAReusedIdStartsEmpty) {
  add(box_, "one\nalpha secret");
  EXPECT_EQ(find(box_, Scope::body, "secret"), (std::vector<Uid>{1}));
  ASSERT_TRUE(std::filesystem::exists(dir_ / "search" / std::to_string(user_)));
  auto old_id = user_;
  store_->write([](WriteTxn& t) { directory::del_principal(t, "s@example.test"); });
  ASSERT_TRUE(index_->wait_current(old_id, 10s));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "search" / std::to_string(old_id)));

  user_ = add_user("t@example.test");
  box_ = inbox(user_).id;
  add(box_, "two\nalpha public");
  EXPECT_EQ(find(box_, Scope::body, "alpha"), (std::vector<Uid>{1}));
  EXPECT_EQ(find(box_, Scope::body, "secret"), (std::vector<Uid>{}));
  EXPECT_TRUE(store_->check_consistency().empty());
}

TEST_F(SearchIndexTest, KeepsItsCursorAcrossRestartsAndRebuildsWithoutOne) {
  add(box_, "first\nzebra");
  EXPECT_EQ(find(box_, Scope::body, "zebra"), (std::vector<Uid>{1}));
  index_.reset();
  add(box_, "second\nzebra crossing");  // committed while no indexer runs
  start();
  EXPECT_EQ(find(box_, Scope::body, "zebra"), (std::vector<Uid>{1, 2}));
  EXPECT_EQ(index_->stats().indexed, 1u) << "only the change after the cursor";

  index_.reset();
  std::filesystem::remove(dir_ / "search" / "cursor");
  for (int i = 0; i < 7; ++i) add(box_, "more\nzebra " + std::to_string(i));  // several build batches
  start();
  std::vector<Uid> all{1, 2, 3, 4, 5, 6, 7, 8, 9};
  EXPECT_EQ(find(box_, Scope::body, "zebra"), all);
  EXPECT_EQ(index_->stats().indexed, 9u) << "the rebuild indexes every stored message";
  EXPECT_TRUE(index_->stats().initial_build_done);

  // A damaged cursor file means a rebuild too, never a crash.
  index_.reset();
  std::ofstream(dir_ / "search" / "cursor") << "garbage";
  start();
  EXPECT_EQ(find(box_, Scope::body, "crossing"), (std::vector<Uid>{2}));
}

// A prepared document answers as the index does.
TEST_F(SearchIndexTest, PreparedDocumentsMatchAsTheIndexFinds) {
  const std::string contents[] = {"Quarterly report\nThe numbers for Q3 are attached.",
                                  "Lunch\nShall we meet at noon? Quarterly planning later.", "Reports\nnothing here"};
  for (const auto& c : contents) add(box_, c);
  const std::pair<Scope, const char*> queries[] = {
      {Scope::subject, "quarterly"}, {Scope::text, "quarterly"}, {Scope::text, "QUARTER"}, {Scope::body, "quarterly"},
      {Scope::subject, "report"},    {Scope::text, "numbers attached"}, {Scope::text, "numbers lunch"},
      {Scope::body, "port"},         {Scope::from, "alice@example"},    {Scope::to, "alice"},
      {Scope::text, "q3"},           {Scope::body, "no"},               {Scope::text, "."}};
  for (const auto& [scope, q] : queries) {
    ASSERT_TRUE(index_->wait_current(user_, 10s));
    std::vector<Uid> expected = index_->find(user_, box_, scope, q).value_or(std::vector<Uid>{});
    std::vector<Uid> got;
    for (Uid uid = 1; uid <= 3; ++uid) {
      Prepared doc(*test_extract(ItemKind::message, contents[uid - 1]));
      EXPECT_EQ(doc.matches(scope, q), matches(*test_extract(ItemKind::message, contents[uid - 1]), scope, q));
      if (doc.matches(scope, q)) got.push_back(uid);
    }
    EXPECT_EQ(got, expected) << q;
  }
}

// Content for Index::prepared, as a search reads it.
std::function<std::optional<std::string>()> bytes(std::string content) {
  return [content = std::move(content)] { return std::optional<std::string>(content); };
}

// What a search extracted for an item the indexer had not reached is indexed as it is: the
// content is extracted once. A quick (partial) document is not enough for the indexer.
TEST_F(SearchIndexTest, TheIndexerReusesWhatASearchExtracted) {
  index_.reset();
  int full_calls = 0, quick_calls = 0;
  IndexOptions options{.dir = dir_ / "search"};
  options.extract = [&](ItemKind kind, std::string_view content) {
    ++full_calls;
    return test_extract(kind, content);
  };
  options.extract_quick = [&](ItemKind kind, std::string_view content) {
    ++quick_calls;
    auto d = test_extract(kind, content);
    if (d && content.find("attachment") != std::string_view::npos) d->partial = true;
    return d;
  };
  index_ = std::make_unique<Index>(*store_, options);
  const std::string plain = "Plain\nwords only", attached = "With attachment\nsee the attachment",
                    searched_twice = "Again\nasked twice";
  const std::string hash_plain = store_->blobs().put(plain).hash, hash_attached = store_->blobs().put(attached).hash,
                    hash_twice = store_->blobs().put(searched_twice).hash;
  add(box_, plain);
  add(box_, attached);
  add(box_, searched_twice);
  add(box_, "Never searched\nbefore indexing");
  using E = Index::Extraction;
  auto quick = index_->prepared(ItemKind::message, hash_plain, bytes(plain), E::quick);
  ASSERT_TRUE(quick);
  EXPECT_FALSE(quick->partial());
  EXPECT_TRUE(quick->matches(Scope::body, "word"));
  auto partial = index_->prepared(ItemKind::message, hash_attached, bytes(attached), E::quick);
  ASSERT_TRUE(partial);
  EXPECT_TRUE(partial->partial());
  index_->prepared(ItemKind::message, hash_twice, bytes(searched_twice), E::full);
  EXPECT_EQ(index_->prepared(ItemKind::message, hash_twice, bytes(searched_twice), E::quick)->partial(), false)
      << "the full document serves a quick request";
  EXPECT_EQ(quick_calls, 2);
  EXPECT_EQ(full_calls, 1);
  EXPECT_EQ(index_->prepared(ItemKind::event, "no-such-hash", bytes("x"), E::full), nullptr) << "not indexed: nothing";
  full_calls = 0;
  index_->start();
  ASSERT_TRUE(index_->wait_current(user_, 10s));
  // The plain and the twice-asked documents were reused; the partial one and the unsearched one
  // were extracted by the indexer.
  EXPECT_EQ(index_->stats().reused, 2u);
  EXPECT_EQ(full_calls, 2);
  EXPECT_EQ(find(box_, Scope::body, "attachment"), (std::vector<Uid>{2}));
  EXPECT_EQ(find(box_, Scope::text, "words"), (std::vector<Uid>{1}));
  EXPECT_EQ(find(box_, Scope::subject, "again"), (std::vector<Uid>{3}));
}

TEST_F(SearchIndexTest, PreparedDocumentsStayWithinTheirMemoryBound) {
  index_.reset();
  int full_calls = 0;
  IndexOptions options{.dir = dir_ / "search", .prepared_cache_bytes = 1};
  options.extract = [&](ItemKind kind, std::string_view content) {
    ++full_calls;
    return test_extract(kind, content);
  };
  index_ = std::make_unique<Index>(*store_, options);
  const std::string content = "Big\nenough to exceed one byte";
  const std::string hash = store_->blobs().put(content).hash;
  index_->prepared(ItemKind::message, hash, bytes(content), Index::Extraction::full);
  index_->prepared(ItemKind::message, hash, bytes(content), Index::Extraction::full);
  EXPECT_EQ(full_calls, 2) << "nothing kept";
}

TEST_F(SearchIndexTest, MessagesArrivingOneByOneShareACommitThatASearchBringsForward) {
  // A linger far longer than the test: only a waiting search can end it.
  index_.reset();
  index_ = std::make_unique<Index>(
      *store_, IndexOptions{.dir = dir_ / "search", .extract = test_extract, .batch = 3, .commit_linger = 600s});
  index_->start();
  // SetUp's indexer may have been stopped before it wrote its cursor: then this one rebuilds
  // first, and a rebuild racing the messages below would commit once per step.
  ASSERT_TRUE(index_->wait_current(user_, 10s));
  const auto before = index_->stats().commits;
  for (int i = 0; i < 30; ++i) add(box_, "one of many\nmessage number" + std::to_string(i));
  ASSERT_TRUE(index_->wait_current(user_, 10s)) << "the waiting search did not end the linger";
  EXPECT_EQ(index_->stats().indexed, 30u);
  EXPECT_LE(index_->stats().commits - before, 2u) << "30 messages, each its own store commit";
  EXPECT_EQ(find(box_, Scope::subject, "many").size(), 30u);
}

// While the rest of the process keeps the cores busy, new mail waits for the indexer; a search
// that needs it ends the wait at once, and once the load is gone the indexer catches up alone.
TEST_F(SearchIndexTest, IndexingWaitsWhileTheServerIsBusyUnlessASearchNeedsIt) {
  index_.reset();
  // A quarter of one core counts as busy here, whatever the machine: one spinning thread is.
  const double quarter_core = 0.25 / std::max(1u, std::thread::hardware_concurrency());
  index_ = std::make_unique<Index>(*store_, IndexOptions{.dir = dir_ / "search", .extract = test_extract,
                                                         .defer_load = quarter_core, .max_defer = 600s});
  std::atomic<bool> spin{true};
  std::thread load([&] {
    volatile std::uint64_t n = 0;
    while (spin.load(std::memory_order_relaxed)) n = n + 1;
  });
  index_->start();
  std::this_thread::sleep_for(300ms);  // the indexer has seen the load
  add(box_, "busy\nwhile the server is loaded");
  std::this_thread::sleep_for(1s);
  auto stats = index_->stats();
  EXPECT_EQ(stats.indexed, 0u) << "indexed under load";
  EXPECT_GE(stats.deferrals, 1u);

  auto asked = std::chrono::steady_clock::now();
  EXPECT_EQ(find(box_, Scope::subject, "busy"), (std::vector<Uid>{1}));
  EXPECT_LT(std::chrono::steady_clock::now() - asked, 5s) << "the search waited for the load to end";

  spin = false;
  load.join();
  add(box_, "quiet\nafter the load");
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (index_->stats().indexed < 2 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(20ms);
  EXPECT_EQ(index_->stats().indexed, 2u) << "not indexed once the load was gone";
}

TEST_F(SearchIndexTest, WaitTimesOutWhileTheIndexerIsStopped) {
  index_.reset();
  index_ = std::make_unique<Index>(*store_, IndexOptions{.dir = dir_ / "search", .extract = test_extract});
  add(box_, "x\ny");  // never indexed: start() was not called
  EXPECT_FALSE(index_->wait_current(user_, 50ms));
}

}  // namespace
}  // namespace atrium::storage::search
