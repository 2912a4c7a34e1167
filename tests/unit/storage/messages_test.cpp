// Mailbox operations: listing, flags with UNCHANGEDSINCE, expunge, copy/move, status, \Recent,
// subscriptions.
#include "storage/messages.hpp"
#include "test_support.hpp"

namespace atrium::storage {
namespace {

using testing::StoreTest;

class MessagesTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    user_ = add_user("m@example.test");
    box_ = inbox(user_).id;
    archive_ = store_->read([&](ReadTxn& t) {
      return collections::find(t, Actor::system(), user_, CollectionKind::mailbox, "Archive")->id;
    });
  }
  Uid add(CollectionId c, const std::string& body, std::uint32_t flags = 0) {
    auto blob = store_->blobs().stage(body);
    return store_->write([&](WriteTxn& t) {
      return items::add(t, me(), {.collection = c, .kind = ItemKind::message, .blob = blob, .flags = flags,
                                  .meta = MessageMeta{"<id@x>", "subject " + body, "", ""}}).uid;
    });
  }
  Actor me() const { return Actor::principal(user_); }
  std::vector<Uid> uids(CollectionId c) {
    std::vector<Uid> out;
    for (const auto& s : store_->read([&](ReadTxn& t) { return messages::list(t, me(), c); })) out.push_back(s.uid);
    return out;
  }
  PrincipalId user_ = 0;
  CollectionId box_ = 0, archive_ = 0;
};

TEST_F(MessagesTest, ListAndFetchInUidOrderWithMetadata) {
  for (int i = 0; i < 200; ++i) add(box_, "m" + std::to_string(i));
  EXPECT_EQ(uids(box_).size(), 200u);
  std::vector<Uid> want = {150, 3, 3, 1, 200, 999, 77};
  auto got = store_->read([&](ReadTxn& t) { return messages::fetch(t, me(), box_, want); });
  ASSERT_EQ(got.size(), 5u);
  std::vector<Uid> order;
  for (const auto& d : got) order.push_back(d.summary.uid);
  EXPECT_EQ(order, (std::vector<Uid>{1, 3, 77, 150, 200}));
  EXPECT_EQ(got[1].meta.subject, "subject m2");
  EXPECT_EQ(got[1].summary.size, 2);
  EXPECT_GT(got[1].summary.saved_at, 0);
}

TEST_F(MessagesTest, FlagsAddRemoveReplaceAndUnchangedSince) {
  add(box_, "a");
  add(box_, "b");
  std::vector<Uid> both = {1, 2};
  auto r = store_->write([&](WriteTxn& t) {
    return messages::store_flags(t, me(), box_, both, {messages::FlagOp::add, flag_seen, {"$Label1", "Work"}});
  });
  ASSERT_EQ(r.changed.size(), 2u);
  EXPECT_EQ(r.changed[0].flags, flag_seen);
  EXPECT_EQ(r.changed[0].keywords, "$Label1 Work");
  Modseq after_add = r.changed[0].modseq;

  // Adding what is there already changes nothing and takes no modseq.
  r = store_->write([&](WriteTxn& t) {
    return messages::store_flags(t, me(), box_, both, {messages::FlagOp::add, flag_seen, {"work"}});
  });
  EXPECT_TRUE(r.changed.empty());

  r = store_->write([&](WriteTxn& t) {
    return messages::store_flags(t, me(), box_, std::vector<Uid>{2}, {messages::FlagOp::remove, flag_seen, {"WORK"}});
  });
  ASSERT_EQ(r.changed.size(), 1u);
  EXPECT_EQ(r.changed[0].flags, 0u);
  EXPECT_EQ(r.changed[0].keywords, "$Label1");

  // UNCHANGEDSINCE: message 2 changed after `after_add`, message 1 did not.
  r = store_->write([&](WriteTxn& t) {
    return messages::store_flags(t, me(), box_, both,
                                 {messages::FlagOp::replace, flag_flagged, {}, after_add});
  });
  EXPECT_EQ(r.modified, (std::vector<Uid>{2}));
  ASSERT_EQ(r.changed.size(), 1u);
  EXPECT_EQ(r.changed[0].uid, 1);
  EXPECT_EQ(r.changed[0].flags, flag_flagged);
  EXPECT_EQ(r.changed[0].keywords, "");

  auto changes = store_->read([&](ReadTxn& t) { return items::changes_since(t, me(), box_, after_add, 100); });
  EXPECT_EQ(changes.size(), 2u);
}

TEST_F(MessagesTest, FlagRightsFollowRfc4314) {
  add(box_, "a");
  auto other = add_user("o@example.test");
  store_->write([&](WriteTxn& t) { set_acl(t, me(), box_, other, right_lookup | right_read | right_seen); });
  auto as_other = [&](std::uint32_t flags) {
    return store_->write([&](WriteTxn& t) {
      return messages::store_flags(t, Actor::principal(other), box_, std::vector<Uid>{1},
                                   {messages::FlagOp::add, flags, {}});
    });
  };
  EXPECT_EQ(as_other(flag_seen).changed.size(), 1u);
  try {
    as_other(flag_deleted);
    FAIL() << "\\Deleted needs the t right";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.code(), Errc::access_denied);
  }
}

TEST_F(MessagesTest, ExpungeRemovesOnlyDeletedAndLeavesTombstones) {
  for (int i = 0; i < 5; ++i) add(box_, "x" + std::to_string(i), i % 2 ? std::uint32_t{flag_deleted} : 0u);
  Modseq before = store_->read([&](ReadTxn& t) { return collections::load(t, box_)->modseq; });
  // UID EXPUNGE of 1:3 only takes 2 (4 is \Deleted but outside).
  auto gone = store_->write([&](WriteTxn& t) {
    return messages::expunge(t, me(), box_, std::span<const Uid>(std::vector<Uid>{1, 2, 3}));
  });
  EXPECT_EQ(gone, (std::vector<Uid>{2}));
  gone = store_->write([&](WriteTxn& t) { return messages::expunge(t, me(), box_); });
  EXPECT_EQ(gone, (std::vector<Uid>{4}));
  EXPECT_EQ(uids(box_), (std::vector<Uid>{1, 3, 5}));
  auto changes = store_->read([&](ReadTxn& t) { return items::changes_since(t, me(), box_, before, 100); });
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].op, ChangeOp::item_deleted);
  EXPECT_EQ(changes[0].uid, 2);
  EXPECT_TRUE(store_->check_consistency().empty());
}

TEST_F(MessagesTest, RemoveTakesExactlyTheGivenUids) {
  for (int i = 0; i < 4; ++i) add(box_, "r" + std::to_string(i));
  auto gone = store_->write([&](WriteTxn& t) { return messages::remove(t, me(), box_, std::vector<Uid>{4, 2, 9}); });
  EXPECT_EQ(gone, (std::vector<Uid>{2, 4}));
  EXPECT_EQ(uids(box_), (std::vector<Uid>{1, 3}));
  EXPECT_TRUE(store_->check_consistency().empty());
}

TEST_F(MessagesTest, CopyKeepsFlagsAndSharesTheBlobMoveKeepsTheItem) {
  add(box_, "one", flag_seen);
  add(box_, "two");
  add(archive_, "already there");
  auto copied = store_->write([&](WriteTxn& t) {
    return messages::transfer(t, me(), box_, std::vector<Uid>{1, 2}, archive_, messages::Transfer::copy);
  });
  EXPECT_EQ(copied.source_uids, (std::vector<Uid>{1, 2}));
  EXPECT_EQ(copied.target_uids, (std::vector<Uid>{2, 3}));
  auto in_archive = store_->read([&](ReadTxn& t) { return messages::list(t, me(), archive_); });
  ASSERT_EQ(in_archive.size(), 3u);
  EXPECT_EQ(in_archive[1].flags, flag_seen);
  EXPECT_EQ(in_archive[1].blob_hash, sha256_hex("one"));
  auto meta = store_->read([&](ReadTxn& t) { return messages::fetch(t, me(), archive_, std::vector<Uid>{2}); });
  EXPECT_EQ(meta.at(0).meta.subject, "subject one");

  auto before = store_->read([&](ReadTxn& t) { return messages::fetch(t, me(), box_, std::vector<Uid>{2}); });
  auto moved = store_->write([&](WriteTxn& t) {
    return messages::transfer(t, me(), box_, std::vector<Uid>{2}, archive_, messages::Transfer::move);
  });
  EXPECT_EQ(moved.target_uids, (std::vector<Uid>{4}));
  EXPECT_EQ(uids(box_), (std::vector<Uid>{1}));
  auto after = store_->read([&](ReadTxn& t) { return messages::fetch(t, me(), archive_, std::vector<Uid>{4}); });
  EXPECT_EQ(after.at(0).summary.id, before.at(0).summary.id) << "a move within an account keeps the item";
  EXPECT_EQ(after.at(0).meta.subject, "subject two");
  auto st = store_->read([&](ReadTxn& t) { return messages::status(t, me(), archive_); });
  EXPECT_EQ(st.messages, 4);
  EXPECT_EQ(st.uidnext, 5);
  EXPECT_TRUE(store_->check_consistency().empty());
}

// Threads are assigned on insert from the thread keys (own Message-ID, In-Reply-To, References),
// whatever order the messages arrive in, per account, and never change afterwards.
TEST_F(MessagesTest, ThreadsJoinOnAnySharedKeyAndCopiesKeepTheirThread) {
  auto add_keyed = [&](CollectionId c, const std::string& body, std::vector<std::string> keys) {
    auto blob = store_->blobs().stage(body);
    return store_->write([&](WriteTxn& t) {
      MessageMeta meta{"<" + (keys.empty() ? body : keys[0]) + ">", body, "", ""};
      meta.thread_keys = std::move(keys);
      return items::add(t, me(), {.collection = c, .kind = ItemKind::message, .blob = blob, .meta = meta}).uid;
    });
  };
  add_keyed(box_, "root", {"root@x"});                          // uid 1
  add_keyed(box_, "reply", {"reply@x", "root@x"});              // uid 2: In-Reply-To root
  add_keyed(box_, "other", {"other@x"});                        // uid 3
  add_keyed(box_, "child-first", {"late@x", "reply@x"});        // uid 4: refers to the reply only
  add_keyed(box_, "orphan-reply", {"o2@x", "o1@x"});            // uid 5: its parent arrives later
  add_keyed(box_, "orphan-parent", {"o1@x"});                   // uid 6
  add_keyed(box_, "no-id", {});                                 // uid 7: no keys at all
  auto details = store_->read([&](ReadTxn& t) {
    std::vector<Uid> all = {1, 2, 3, 4, 5, 6, 7};
    return messages::fetch(t, me(), box_, all);
  });
  ASSERT_EQ(details.size(), 7u);
  std::vector<std::int64_t> thread;
  for (const auto& d : details) thread.push_back(d.meta.thread_id);
  for (auto id : thread) EXPECT_GT(id, 0);
  EXPECT_EQ(thread[1], thread[0]);
  EXPECT_EQ(thread[3], thread[0]);
  EXPECT_NE(thread[2], thread[0]);
  EXPECT_EQ(thread[5], thread[4]);
  EXPECT_NE(thread[4], thread[0]);
  EXPECT_NE(thread[6], thread[0]);
  EXPECT_NE(thread[6], thread[2]);

  auto in_thread = [&](CollectionId c, std::int64_t t) {
    return store_->read([&](ReadTxn& r) { return messages::thread_uids(r, me(), c, t); });
  };
  EXPECT_EQ(in_thread(box_, thread[0]), (std::vector<Uid>{1, 2, 4}));
  EXPECT_EQ(in_thread(box_, thread[4]), (std::vector<Uid>{5, 6}));
  EXPECT_TRUE(in_thread(box_, 999999).empty());

  // A copy in the same account stays in its thread; a later reply to it joins that thread too.
  std::vector<Uid> one = {2};
  store_->write([&](WriteTxn& t) { return messages::transfer(t, me(), box_, one, archive_, messages::Transfer::copy); });
  EXPECT_EQ(in_thread(archive_, thread[0]), (std::vector<Uid>{1}));
  add_keyed(archive_, "reply-2", {"r2@x", "reply@x"});
  EXPECT_EQ(in_thread(archive_, thread[0]), (std::vector<Uid>{1, 2}));

  // Thread keys are per account: the same ids in another account start threads of their own.
  auto other = add_user("t2@example.test");
  auto other_box = inbox(other).id;
  auto blob = store_->blobs().stage("elsewhere");
  store_->write([&](WriteTxn& t) {
    MessageMeta meta{"<e@x>", "elsewhere", "", ""};
    meta.thread_keys = {"e@x", "root@x"};
    return items::add(t, Actor::principal(other), {.collection = other_box, .kind = ItemKind::message, .blob = blob, .meta = meta});
  });
  auto theirs = store_->read([&](ReadTxn& t) {
    std::vector<Uid> first = {1};
    return messages::fetch(t, Actor::principal(other), other_box, first);
  });
  ASSERT_EQ(theirs.size(), 1u);
  EXPECT_NE(theirs[0].meta.thread_id, thread[0]);
  EXPECT_TRUE(store_->check_consistency().empty());
}

TEST_F(MessagesTest, StatusCountsAndRecentIsClaimedOnce) {
  add(box_, "a", flag_seen);
  add(box_, "bb", flag_deleted);
  add(box_, "ccc");
  auto st = store_->read([&](ReadTxn& t) { return messages::status(t, me(), box_); });
  EXPECT_EQ(st.messages, 3);
  EXPECT_EQ(st.unseen, 2);
  EXPECT_EQ(st.deleted, 1);
  EXPECT_EQ(st.size, 6);
  EXPECT_EQ(st.recent, 3);
  EXPECT_EQ(st.uidnext, 4);

  EXPECT_EQ(store_->write([&](WriteTxn& t) { return messages::claim_recent(t, me(), box_); }), 0);
  EXPECT_EQ(store_->write([&](WriteTxn& t) { return messages::claim_recent(t, me(), box_); }), 3);
  add(box_, "dddd");
  EXPECT_EQ(store_->read([&](ReadTxn& t) { return messages::status(t, me(), box_); }).recent, 1);
}

TEST_F(MessagesTest, SubscriptionsFollowRenames) {
  store_->write([&](WriteTxn& t) {
    messages::subscribe(t, user_, "Work");
    messages::subscribe(t, user_, "Work/2026");
    messages::subscribe(t, user_, "Workshop");
    messages::subscribe(t, user_, "Work");  // twice is once
    messages::subscribe(t, user_, "Does/Not/Exist");
  });
  store_->write([&](WriteTxn& t) { messages::rename_subscriptions(t, user_, "Work", "Jobs"); });
  auto subs = store_->read([&](ReadTxn& t) { return messages::subscriptions(t, user_); });
  EXPECT_EQ(subs, (std::vector<std::string>{"Does/Not/Exist", "Jobs", "Jobs/2026", "Workshop"}));
  store_->write([&](WriteTxn& t) { messages::unsubscribe(t, user_, "Jobs"); });
  EXPECT_EQ(store_->read([&](ReadTxn& t) { return messages::subscriptions(t, user_); }).size(), 3u);
}

TEST(Keywords, SplitAndJoinDropDuplicatesCaseInsensitively) {
  EXPECT_EQ(messages::split_keywords("  a  B b $x "), (std::vector<std::string>{"a", "B", "$x"}));
  EXPECT_EQ(messages::join_keywords({"Work", "", "work", "$Junk"}), "Work $Junk");
}

}  // namespace
}  // namespace atrium::storage
