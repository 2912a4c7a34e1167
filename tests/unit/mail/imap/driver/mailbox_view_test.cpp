// The selected-mailbox view against changes made by other sessions through the store.
#include "mail/imap/driver/mailbox_view.hpp"

#include "storage/collections.hpp"
#include "test_support.hpp"

namespace atrium::imap {
namespace {

using namespace storage;
using storage::testing::StoreTest;

class MailboxViewTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    user_ = add_user("v@example.test");
    box_ = inbox(user_);
  }
  Actor me() const { return Actor::principal(user_); }
  Uid add(std::uint32_t flags = 0) {
    auto blob = store_->blobs().stage("message " + std::to_string(++n_));
    return store_->write([&](WriteTxn& t) {
      return items::add(t, me(), {.collection = box_.id, .kind = ItemKind::message, .blob = blob, .flags = flags}).uid;
    });
  }
  MailboxView open() {
    return store_->read([&](ReadTxn& t) {
      return MailboxView(t, me(), *collections::get(t, me(), box_.id), Access::read_write);
    });
  }
  ViewUpdate refresh(MailboxView& v, MailboxView::Expunges e = MailboxView::Expunges::tell) {
    return store_->read([&](ReadTxn& t) { return v.refresh(t, me(), e); });
  }
  void set_deleted(std::vector<Uid> uids) {
    store_->write([&](WriteTxn& t) {
      messages::store_flags(t, me(), box_.id, uids, {messages::FlagOp::add, flag_deleted, {}});
    });
  }
  std::vector<Uid> expunge() {
    return store_->write([&](WriteTxn& t) { return messages::expunge(t, me(), box_.id); });
  }

  PrincipalId user_ = 0;
  Collection box_;
  int n_ = 0;
};

TEST_F(MailboxViewTest, SequenceNumbersFollowUids) {
  for (int i = 0; i < 4; ++i) add();
  auto v = open();
  EXPECT_EQ(v.exists(), 4u);
  EXPECT_EQ(v.sequence_of(3), 3u);
  EXPECT_FALSE(v.sequence_of(9));
  EXPECT_EQ(v.max_uid(), 4);
  EXPECT_EQ(v.recent_count(), 4u);
  v.set_recent_mark(2);
  EXPECT_EQ(v.recent_count(), 2u);
  EXPECT_FALSE(v.is_recent(2));
  EXPECT_FALSE(refresh(v).any());
}

TEST_F(MailboxViewTest, ArrivalsFlagChangesAndExpungesBySomeoneElse) {
  for (int i = 0; i < 5; ++i) add();
  auto v = open();
  add();
  add();
  set_deleted({2, 4});
  expunge();
  store_->write([&](WriteTxn& t) {
    messages::store_flags(t, me(), box_.id, std::vector<Uid>{1, 6}, {messages::FlagOp::add, flag_seen, {}});
  });

  // During a FETCH by sequence number the expunges wait; arrivals are told.
  auto u = refresh(v, MailboxView::Expunges::hold);
  EXPECT_TRUE(u.expunged.empty());
  EXPECT_EQ(u.exists, 7u) << "5 announced (2 of them gone but not yet told) + 2 new";
  // Message 6 is new to this session: EXISTS announces it, the client asks for its flags.
  ASSERT_EQ(u.flag_changes.size(), 1u);
  EXPECT_EQ(u.flag_changes[0].uid, 1);
  EXPECT_EQ(v.sequence_of(4), 4u) << "held expunges keep their sequence numbers";

  u = refresh(v);
  EXPECT_EQ(u.expunged, (std::vector<Uid>{2, 4}));
  EXPECT_EQ(u.exists, 0u);
  EXPECT_TRUE(u.flag_changes.empty());
  EXPECT_EQ(v.uids(), (std::vector<Uid>{1, 3, 5, 6, 7}));
}

TEST_F(MailboxViewTest, ExpungeSequenceNumbersAreValidAsAnnounced) {
  std::vector<Uid> view = {1, 3, 5, 6, 7};
  EXPECT_EQ(expunge_sequence_numbers(view, std::vector<Uid>{3, 6, 7}), (std::vector<std::uint32_t>{5, 4, 2}));
}

TEST_F(MailboxViewTest, OwnReportedFlagChangesAreNotRepeated) {
  add();
  add();
  auto v = open();
  auto r = store_->write([&](WriteTxn& t) {
    return messages::store_flags(t, me(), box_.id, std::vector<Uid>{1}, {messages::FlagOp::add, flag_flagged, {}});
  });
  v.reported(r.changed);
  EXPECT_FALSE(refresh(v).any());
}

TEST_F(MailboxViewTest, AMessageThatCameAndWentIsNeverAnnounced) {
  add();
  auto v = open();
  add(flag_deleted);
  expunge();
  auto u = refresh(v);
  EXPECT_FALSE(u.any());
  EXPECT_EQ(v.exists(), 1u);
}

TEST_F(MailboxViewTest, DeletedMailboxIsReported) {
  auto archive = store_->read([&](ReadTxn& t) { return *collections::find(t, me(), user_, CollectionKind::mailbox, "Archive"); });
  auto v = store_->read([&](ReadTxn& t) { return MailboxView(t, me(), archive, Access::read_only); });
  store_->write([&](WriteTxn& t) { collections::remove(t, me(), archive.id); });
  EXPECT_TRUE(refresh(v).mailbox_gone);
}

}  // namespace
}  // namespace atrium::imap
