// Blob dedup, durability layout, reference counts and garbage collection.
#include "storage/blob_content.hpp"
#include "storage/blobs.hpp"
#include "test_support.hpp"

#include <fstream>

namespace atrium::storage {
namespace {

using testing::StoreTest;

std::int64_t refcount(Store& s, const std::string& hash) {
  return s.read([&](ReadTxn& t) {
    auto& q = t.db().cached("SELECT refcount FROM blobs WHERE hash = ?");
    q.bind(1, hash);
    return q.step() ? q.column_int(0) : std::int64_t{-1};
  });
}

TEST(BlobHash, IsLowercaseHexSha256) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_TRUE(is_blob_hash(sha256_hex("")));
  EXPECT_FALSE(is_blob_hash("../../etc/passwd"));
}

TEST_F(StoreTest, IdenticalContentIsStoredOnceAndCountedPerReference) {
  auto a = add_user("a@example.test");
  auto b = add_user("b@example.test");
  std::string body = "From: x\r\n\r\nthe same message to two people\r\n";
  add_message(a, inbox(a).id, body);
  add_message(b, inbox(b).id, body);
  auto hash = sha256_hex(body);
  EXPECT_EQ(refcount(*store_, hash), 2);
  EXPECT_EQ(store_->blobs().read(hash).value(), body);
  EXPECT_EQ(store_->blobs().path_of(hash), dir_ / "blobs" / hash.substr(0, 2) / hash.substr(2, 2) / hash);
  std::size_t files = 0;
  for (auto& e : std::filesystem::recursive_directory_iterator(dir_ / "blobs")) files += e.is_regular_file();
  EXPECT_EQ(files, 1u);
  EXPECT_TRUE(std::filesystem::is_empty(dir_ / "tmp"));
}

TEST_F(StoreTest, GarbageCollectionRemovesOnlyUnreferencedBlobsPastTheGrace) {
  auto user = add_user("g@example.test");
  auto box = inbox(user);
  auto keep = add_message(user, box.id, "keep me");
  auto drop = add_message(user, box.id, "drop me");
  store_->write([&](WriteTxn& t) { items::remove(t, Actor::principal(user), drop.id); });
  auto drop_hash = sha256_hex("drop me");
  EXPECT_EQ(refcount(*store_, drop_hash), 0);

  // Within the grace period nothing goes: a job may be about to reference it again.
  EXPECT_EQ(store_->collect_garbage(std::chrono::hours(1)), 0u);
  EXPECT_TRUE(store_->blobs().exists(drop_hash));

  // An orphan file with no row at all (a crash between put() and the commit).
  auto orphan = store_->blobs().put("orphaned by a crash");
  EXPECT_EQ(store_->collect_garbage(std::chrono::seconds(-5)), 2u);
  EXPECT_FALSE(store_->blobs().exists(drop_hash));
  EXPECT_FALSE(store_->blobs().exists(orphan.hash));
  EXPECT_EQ(refcount(*store_, drop_hash), -1);
  EXPECT_TRUE(store_->blobs().exists(sha256_hex("keep me")));
  EXPECT_TRUE(store_->check_consistency().empty());
  (void)keep;
}

TEST_F(StoreTest, ReferencingABlobWhoseFileVanishedFailsInsteadOfDangling) {
  auto user = add_user("v@example.test");
  auto blob = store_->blobs().put("short-lived");
  store_->blobs().remove(blob.hash);
  try {
    store_->write([&](WriteTxn& t) {
      items::add(t, Actor::system(), {.collection = inbox(user).id, .kind = ItemKind::message, .blob = blob});
    });
    FAIL() << "referenced a missing blob";
  } catch (const StoreError& e) {
    EXPECT_TRUE(e.temporary());
  }
  EXPECT_TRUE(store_->check_consistency().empty());
}

TEST_F(StoreTest, ConsistencyCheckFindsAMissingFileAndABadRefcount) {
  auto user = add_user("k@example.test");
  auto added = add_message(user, inbox(user).id, "to be damaged");
  (void)added;
  auto hash = sha256_hex("to be damaged");
  std::filesystem::remove(store_->blobs().path_of(hash));
  store_->write([&](WriteTxn& t) { t.db().exec("UPDATE blobs SET refcount = 7"); });
  auto problems = store_->check_consistency();
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_NE(problems[0].find("refcount 7 but 1"), std::string::npos) << problems[0];
  EXPECT_NE(problems[1].find("missing"), std::string::npos) << problems[1];
}

std::size_t blob_files(const std::filesystem::path& dir) {
  std::size_t files = 0;
  for (auto& e : std::filesystem::recursive_directory_iterator(dir / "blobs")) files += e.is_regular_file();
  return files;
}

TEST_F(StoreTest, SmallStagedBlobsLiveInTheirRowAndLargeOnesAreFiles) {
  store_.reset();
  store_ = Store::open({.data_dir = dir_, .inline_blob_max = 16});
  auto user = add_user("i@example.test");
  auto box = inbox(user).id;
  auto add = [&](const BlobRef& blob) {
    store_->write([&](WriteTxn& t) {
      items::add(t, Actor::system(), {.collection = box, .kind = ItemKind::message, .blob = blob});
    });
  };
  std::string small("tiny\0body", 9);  // binary content survives
  auto staged = store_->blobs().stage(small);
  ASSERT_TRUE(staged.content);
  EXPECT_EQ(staged.hash, sha256_hex(small));
  EXPECT_EQ(blob_files(dir_), 0u) << "staging writes nothing";
  add(staged);
  add(store_->blobs().stage(small));  // the second reference stores nothing new
  EXPECT_EQ(refcount(*store_, staged.hash), 2);
  EXPECT_EQ(store_->read_blob(staged.hash).value(), small);
  EXPECT_FALSE(store_->blobs().exists(staged.hash));

  std::string large(17, 'L');
  auto big = store_->blobs().stage(large);
  EXPECT_FALSE(big.content);
  EXPECT_TRUE(store_->blobs().exists(big.hash)) << "a large blob is a durable file before its job";
  add(big);
  EXPECT_EQ(store_->read_blob(big.hash).value(), large);
  EXPECT_EQ(blob_files(dir_), 1u);
  EXPECT_FALSE(store_->read_blob(sha256_hex("never stored")));
  EXPECT_TRUE(store_->check_consistency().empty());
}

TEST_F(StoreTest, APrefixOfABlobReadsOnlyWhatIsAskedFor) {
  store_.reset();
  store_ = Store::open({.data_dir = dir_, .inline_blob_max = 256 * 1024});
  auto user = add_user("p@example.test");
  auto box = inbox(user).id;
  auto add = [&](const std::string& content) {
    auto blob = store_->blobs().stage(content);
    store_->write([&](WriteTxn& t) {
      items::add(t, Actor::system(), {.collection = box, .kind = ItemKind::message, .blob = blob});
    });
    return blob.hash;
  };
  std::string big;
  for (int i = 0; big.size() < 100000; ++i) big += "line " + std::to_string(i) + " of a long value\r\n";
  const std::string small = "tiny", other = "another " + big;
  const auto big_hash = add(big), small_hash = add(small), other_hash = add(other);
  store_->read([&](ReadTxn& t) {
    std::vector<std::size_t> seen;
    auto at_least = [&](std::size_t n) {
      return [&seen, n](std::string_view prefix) {
        seen.push_back(prefix.size());
        return prefix.size() >= n;
      };
    };
    // 4 KiB, then doubling, until the predicate holds; the bytes are the value's first ones.
    auto prefix = open_blob_prefix(t, store_->blobs(), big_hash, at_least(10000));
    if (!prefix) {
      ADD_FAILURE() << "no prefix";
      return 0;
    }
    EXPECT_EQ(seen, (std::vector<std::size_t>{4096, 8192, 16384}));
    EXPECT_EQ(prefix->view(), std::string_view(big).substr(0, 16384));
    // The prefix read is kept: a request it satisfies is answered from it, without steps.
    auto kept = store_->blobs().prefixes().get(big_hash);
    EXPECT_TRUE(kept && kept->bytes == big.substr(0, 16384) && !kept->whole);
    seen.clear();
    EXPECT_EQ(open_blob_prefix(t, store_->blobs(), big_hash, at_least(5000))->view(), big.substr(0, 16384));
    EXPECT_EQ(seen, (std::vector<std::size_t>{16384}));
    // A predicate never satisfied reads it all (the kept prefix does not do); so does a value
    // smaller than the first step, which is then kept whole.
    seen.clear();
    EXPECT_EQ(open_blob_prefix(t, store_->blobs(), big_hash, at_least(1 << 30))->view(), big);
    EXPECT_EQ(seen.back(), 65536u) << "the last step stops at the value's end, not asked again";
    EXPECT_EQ(open_blob_prefix(t, store_->blobs(), small_hash, at_least(1 << 30))->view(), small);
    kept = store_->blobs().prefixes().get(small_hash);
    EXPECT_TRUE(kept && kept->bytes == small && kept->whole);
    // Rows one after the other on the same handle, and a blob that does not exist.
    EXPECT_EQ(open_blob_prefix(t, store_->blobs(), other_hash, at_least(1))->view(), other.substr(0, 4096));
    EXPECT_FALSE(open_blob_prefix(t, store_->blobs(), sha256_hex("never stored"), at_least(1)));
    return 0;
  });
  // A blob kept as a file is mapped whole; the prefix the predicate wanted is kept.
  store_.reset();
  store_ = Store::open({.data_dir = dir_, .inline_blob_max = 16});
  const std::string in_file = big + "kept as a file";
  const auto file_hash = add(in_file);
  const std::string long_file = big + big + "no end of header";
  const auto long_hash = add(long_file);
  ASSERT_TRUE(store_->blobs().exists(file_hash));
  store_->read([&](ReadTxn& t) {
    auto first_step = [](std::string_view) { return true; };
    EXPECT_EQ(open_blob_prefix(t, store_->blobs(), file_hash, first_step)->view(), in_file);
    auto kept = store_->blobs().prefixes().get(file_hash);
    EXPECT_TRUE(kept && kept->bytes == in_file.substr(0, 4096) && !kept->whole);
    EXPECT_EQ(open_blob_prefix(t, store_->blobs(), file_hash, first_step)->view(), in_file.substr(0, 4096));
    // A file whose prefix is never enough is still mapped whole, but nothing beyond the largest
    // prefix kept is looked at, and nothing is kept.
    std::size_t largest = 0;
    auto never = [&largest](std::string_view prefix) {
      largest = std::max(largest, prefix.size());
      return false;
    };
    EXPECT_EQ(open_blob_prefix(t, store_->blobs(), long_hash, never)->view(), long_file);
    EXPECT_EQ(largest, 65536u);
    EXPECT_FALSE(store_->blobs().prefixes().get(long_hash));
    return 0;
  });
}

TEST_F(StoreTest, AStagedBlobRepairsARowWhoseFileVanished) {
  auto user = add_user("r@example.test");
  auto blob = store_->blobs().put("repair me");
  store_->blobs().remove(blob.hash);
  auto staged = store_->blobs().stage("repair me");
  ASSERT_TRUE(staged.content);
  store_->write([&](WriteTxn& t) {
    items::add(t, Actor::system(), {.collection = inbox(user).id, .kind = ItemKind::message, .blob = staged});
  });
  EXPECT_EQ(store_->read_blob(blob.hash).value(), "repair me");
  EXPECT_TRUE(store_->check_consistency().empty());
}

TEST_F(StoreTest, GarbageCollectionDropsUnreferencedInlineBlobs) {
  auto user = add_user("c@example.test");
  auto staged = store_->blobs().stage("inline and then deleted");
  auto added = store_->write([&](WriteTxn& t) {
    return items::add(t, Actor::system(), {.collection = inbox(user).id, .kind = ItemKind::message, .blob = staged});
  });
  store_->write([&](WriteTxn& t) { items::remove(t, Actor::system(), added.id); });
  EXPECT_EQ(refcount(*store_, staged.hash), 0);
  EXPECT_EQ(store_->collect_garbage(std::chrono::seconds(-5)), 1u);
  EXPECT_EQ(refcount(*store_, staged.hash), -1);
  EXPECT_FALSE(store_->read_blob(staged.hash));
  EXPECT_TRUE(store_->check_consistency().empty());
}

}  // namespace
}  // namespace atrium::storage
