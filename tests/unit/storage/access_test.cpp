// Authorisation decisions: owners, grants, groups, and what a stranger may learn.
#include "storage/access.hpp"
#include "test_support.hpp"

namespace atrium::storage {
namespace {

using testing::StoreTest;

class AccessTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    owner = add_user("owner@example.test");
    reader = add_user("reader@example.test");
    stranger = add_user("stranger@example.test");
    store_->write([](WriteTxn& t) {
      directory::add_group(t, {"team@example.test", "Team", {"reader@example.test"}});
      directory::add_group(t, {"all@example.test", "Everyone", {"team@example.test"}});
    });
    shared = store_->write([&](WriteTxn& t) {
      return collections::create(t, Actor::principal(owner), {owner, CollectionKind::calendar, "Team calendar", ""});
    });
  }
  Rights rights_of(PrincipalId who) {
    return store_->read([&](ReadTxn& t) { return effective_rights(t, Actor::principal(who), shared); });
  }
  PrincipalId group(const char* email) {
    return store_->read([&](ReadTxn& t) { return directory::find_principal(t, email)->id; });
  }
  PrincipalId owner = 0, reader = 0, stranger = 0;
  Collection shared;
};

TEST_F(AccessTest, OwnerAndSystemHaveEveryRightStrangersNone) {
  EXPECT_EQ(rights_of(owner), all_rights);
  EXPECT_EQ(store_->read([&](ReadTxn& t) { return effective_rights(t, Actor::system(), shared); }), all_rights);
  EXPECT_EQ(rights_of(stranger), 0u);
}

TEST_F(AccessTest, AStrangerCannotSeeListReadOrWriteAnotherAccount) {
  auto actor = Actor::principal(stranger);
  EXPECT_FALSE(store_->read([&](ReadTxn& t) { return collections::get(t, actor, shared.id); }).has_value());
  EXPECT_TRUE(store_->read([&](ReadTxn& t) { return collections::list(t, actor, owner); }).empty());
  try {
    store_->read([&](ReadTxn& t) { return items::list(t, actor, shared.id); });
    FAIL();
  } catch (const StoreError& e) {
    EXPECT_EQ(e.code(), Errc::not_found);  // existence is not revealed
  }
  auto blob = store_->blobs().put("BEGIN:VCALENDAR");
  EXPECT_THROW(store_->write([&](WriteTxn& t) {
                 items::add(t, actor, {.collection = shared.id, .kind = ItemKind::event, .blob = blob, .name = "x.ics"});
               }),
               StoreError);
  EXPECT_THROW(store_->write([&](WriteTxn& t) { set_acl(t, actor, shared.id, stranger, all_rights); }), StoreError);
  EXPECT_THROW(store_->write([&](WriteTxn& t) {
                 collections::create(t, actor, {owner, CollectionKind::mailbox, "Planted", ""});
               }),
               StoreError);
}

TEST_F(AccessTest, AGrantThroughANestedGroupGivesExactlyTheGrantedRights) {
  auto all = group("all@example.test");
  store_->write([&](WriteTxn& t) { set_acl(t, Actor::principal(owner), shared.id, all, right_lookup | right_read); });
  EXPECT_EQ(rights_of(reader), right_lookup | right_read);  // reader ∈ team ∈ all
  EXPECT_EQ(rights_of(stranger), 0u);
  auto actor = Actor::principal(reader);
  EXPECT_NO_THROW(store_->read([&](ReadTxn& t) { return items::list(t, actor, shared.id); }));
  auto blob = store_->blobs().put("BEGIN:VCALENDAR");
  try {
    store_->write([&](WriteTxn& t) {
      items::add(t, actor, {.collection = shared.id, .kind = ItemKind::event, .blob = blob, .name = "y.ics"});
    });
    FAIL();
  } catch (const StoreError& e) {
    EXPECT_EQ(e.code(), Errc::access_denied);
  }
  // Revoking the grant takes the rights away again.
  store_->write([&](WriteTxn& t) { set_acl(t, Actor::principal(owner), shared.id, all, 0); });
  EXPECT_EQ(rights_of(reader), 0u);
}

TEST_F(AccessTest, DirectAndGroupGrantsCombineAndAdminRightAllowsDelegation) {
  store_->write([&](WriteTxn& t) {
    set_acl(t, Actor::principal(owner), shared.id, group("team@example.test"), right_lookup | right_read);
    set_acl(t, Actor::principal(owner), shared.id, reader, right_insert | right_admin);
  });
  EXPECT_EQ(rights_of(reader), right_lookup | right_read | right_insert | right_admin);
  // With "a" the reader may grant others, but never change the owner's rights.
  store_->write([&](WriteTxn& t) { set_acl(t, Actor::principal(reader), shared.id, stranger, right_lookup); });
  EXPECT_EQ(rights_of(stranger), right_lookup);
  EXPECT_THROW(store_->write([&](WriteTxn& t) { set_acl(t, Actor::principal(reader), shared.id, owner, 0); }), StoreError);
  auto acl = store_->read([&](ReadTxn& t) { return get_acl(t, Actor::principal(owner), shared.id); });
  ASSERT_EQ(acl.size(), 3u);
  EXPECT_EQ(acl[0].grantee_email, "reader@example.test");
}

TEST(Rights, RoundTripThroughRfc4314Letters) {
  EXPECT_EQ(rights_to_string(all_rights), "lrswipkxtea");
  EXPECT_EQ(rights_from_string("lr").value(), right_lookup | right_read);
  EXPECT_FALSE(rights_from_string("lrz").has_value());
}

}  // namespace
}  // namespace atrium::storage
