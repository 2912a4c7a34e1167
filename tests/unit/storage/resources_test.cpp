// DAV resources in the store: conditional create/replace/delete, UID uniqueness, quota on
// replace, the time-range index, client properties and names on tombstones.
#include "storage/resources.hpp"

#include "tests/unit/storage/test_support.hpp"

#include <gtest/gtest.h>

namespace atrium::storage {
namespace {

class ResourcesTest : public testing::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    user_ = add_user("alice@example.test");
    cal_ = store_->write([&](WriteTxn& t) {
      return collections::create(t, Actor::principal(user_), {user_, CollectionKind::calendar, "cal", ""});
    });
  }
  resources::PutResult put(const std::string& name, const std::string& uid, const std::string& body,
                           std::optional<std::int64_t> start = {}, std::optional<std::int64_t> end = {},
                           resources::Precondition pre = {}) {
    items::NewItem item{.collection = cal_.id, .kind = ItemKind::event, .blob = store_->blobs().put(body), .name = name};
    item.meta = EventMeta{uid, "VEVENT", start, end};
    return store_->write([&](WriteTxn& t) { return resources::put(t, Actor::principal(user_), item, pre); });
  }
  std::vector<std::string> in_range(std::optional<std::int64_t> s, std::optional<std::int64_t> e) {
    return store_->read([&](ReadTxn& t) {
      std::vector<std::string> names;
      for (const auto& i : resources::in_time_range(t, Actor::principal(user_), cal_.id, s, e)) names.push_back(i.name);
      return names;
    });
  }
  std::int64_t used() {
    return store_->read([&](ReadTxn& t) { return directory::get_principal(t, user_)->used_bytes; });
  }

  PrincipalId user_ = 0;
  Collection cal_;
};

TEST_F(ResourcesTest, CreateThenReplaceKeepsTheRowAndChargesTheDifference) {
  auto base = used();
  auto a = put("a.ics", "uid-a", std::string(100, 'x'));
  EXPECT_EQ(a.status, resources::PutStatus::created);
  EXPECT_EQ(used(), base + 100);
  auto b = put("a.ics", "uid-a", std::string(40, 'y'));
  EXPECT_EQ(b.status, resources::PutStatus::replaced);
  EXPECT_EQ(b.id, a.id);
  EXPECT_GT(b.modseq, a.modseq);
  EXPECT_EQ(used(), base + 40);
  auto changes = store_->read([&](ReadTxn& t) {
    return items::changes_since(t, Actor::principal(user_), cal_.id, 0, 100);
  });
  ASSERT_GE(changes.size(), 2u);
  EXPECT_EQ(changes.back().op, ChangeOp::item_updated);
  EXPECT_EQ(changes.back().name, "a.ics");
}

TEST_F(ResourcesTest, AUidBelongsToOneResourceOfTheCollection) {
  put("a.ics", "same", "A");
  auto r = put("b.ics", "same", "B");
  EXPECT_EQ(r.status, resources::PutStatus::uid_conflict);
  EXPECT_EQ(r.conflict, "a.ics");
  // Replacing a.ics itself with the same UID is fine.
  EXPECT_EQ(put("a.ics", "same", "A2").status, resources::PutStatus::replaced);
}

TEST_F(ResourcesTest, PreconditionsSeeTheCurrentRowInsideTheWrite) {
  auto create_only = [](const Item* cur) { return cur == nullptr; };
  EXPECT_EQ(put("a.ics", "u", "A", {}, {}, create_only).status, resources::PutStatus::created);
  EXPECT_EQ(put("a.ics", "u", "B", {}, {}, create_only).status, resources::PutStatus::precondition_failed);
  auto status = store_->write([&](WriteTxn& t) {
    return resources::remove(t, Actor::principal(user_), cal_.id, "a.ics", [](const Item*) { return false; });
  });
  EXPECT_EQ(status, resources::RemoveStatus::precondition_failed);
  status = store_->write([&](WriteTxn& t) { return resources::remove(t, Actor::principal(user_), cal_.id, "a.ics", {}); });
  EXPECT_EQ(status, resources::RemoveStatus::removed);
  auto changes = store_->read([&](ReadTxn& t) {
    return items::changes_since(t, Actor::principal(user_), cal_.id, 0, 100);
  });
  EXPECT_EQ(changes.back().op, ChangeOp::item_deleted);
  EXPECT_EQ(changes.back().name, "a.ics");  // the tombstone names the href that went away
}

TEST_F(ResourcesTest, TimeRangeIndexNeverMissesAnOverlap) {
  put("early.ics", "1", "1", 100, 200);
  put("late.ics", "2", "2", 1000, 1100);
  put("open-end.ics", "3", "3", 500, std::nullopt);  // an infinite RRULE
  put("no-dates.ics", "4", "4", std::nullopt, std::nullopt);
  auto names = in_range(150, 160);
  EXPECT_EQ(names, (std::vector<std::string>{"early.ics", "no-dates.ics"}));
  names = in_range(600, 700);
  EXPECT_EQ(names, (std::vector<std::string>{"open-end.ics", "no-dates.ics"}));
  names = in_range(std::nullopt, 120);
  EXPECT_EQ(names, (std::vector<std::string>{"early.ics", "no-dates.ics"}));
  names = in_range(1050, std::nullopt);
  EXPECT_EQ(names, (std::vector<std::string>{"late.ics", "open-end.ics", "no-dates.ics"}));
}

TEST_F(ResourcesTest, InstancesOfRecurringObjectsSurviveTheRoundTrip) {
  auto put_meta = [&](const std::string& name, EventMeta meta) {
    items::NewItem item{.collection = cal_.id, .kind = ItemKind::event, .blob = store_->blobs().put(name), .name = name};
    item.meta = std::move(meta);
    return store_->write([&](WriteTxn& t) { return resources::put(t, Actor::principal(user_), item, {}); });
  };
  EventMeta recurring{"uid-r", "VEVENT", 100, 5000, false};
  recurring.instances = std::vector<std::pair<std::int64_t, std::int64_t>>{
      {100, 200}, {1000, 1000}, {-5, 7}, {std::int64_t{1} << 40, (std::int64_t{1} << 40) + 1}};
  EventMeta empty_set{"uid-e", "VEVENT", 1, 2, false};
  empty_set.instances.emplace();
  auto r = put_meta("r.ics", recurring);
  auto e = put_meta("e.ics", empty_set);
  auto n = put_meta("n.ics", EventMeta{"uid-n", "VEVENT", 1, 2, true});
  store_->read([&](ReadTxn& t) {
    EXPECT_EQ(resources::event_meta(t, r.id)->instances, recurring.instances);
    ASSERT_TRUE(resources::event_meta(t, e.id)->instances);
    EXPECT_TRUE(resources::event_meta(t, e.id)->instances->empty());
    EXPECT_FALSE(resources::event_meta(t, n.id)->instances);
    EXPECT_TRUE(resources::event_meta(t, n.id)->exact);
    for (const auto& ev : resources::indexed_events(t, Actor::principal(user_), cal_.id, std::nullopt, std::nullopt)) {
      if (ev.item.name == "r.ics") {
        EXPECT_EQ(ev.meta.instances, recurring.instances);
      }
    }
  });
  // A replaced object's instances are replaced with it.
  EventMeta changed{"uid-r", "VEVENT", 100, 200, false};
  changed.instances = std::vector<std::pair<std::int64_t, std::int64_t>>{{100, 200}};
  put_meta("r.ics", changed);
  store_->read([&](ReadTxn& t) { EXPECT_EQ(resources::event_meta(t, r.id)->instances, changed.instances); });
}

TEST_F(ResourcesTest, PropertiesAreSetRemovedBoundedAndNeedWriteRights) {
  auto actor = Actor::principal(user_);
  store_->write([&](WriteTxn& t) {
    resources::set_properties(t, actor, cal_.id, "", {{"{DAV:}displayname", "<displayname xmlns=\"DAV:\">W</displayname>", "W"}}, {});
  });
  auto props = store_->read([&](ReadTxn& t) { return resources::properties(t, actor, cal_.id, ""); });
  ASSERT_EQ(props.size(), 1u);
  EXPECT_EQ(props[0].value, "W");
  store_->write([&](WriteTxn& t) { resources::set_properties(t, actor, cal_.id, "", {}, {"{DAV:}displayname"}); });
  props = store_->read([&](ReadTxn& t) { return resources::properties(t, actor, cal_.id, ""); });
  EXPECT_TRUE(props.empty());

  std::vector<resources::Property> many;
  for (int i = 0; i < 300; ++i) many.push_back({"{urn:x}p" + std::to_string(i), "<p/>", ""});
  EXPECT_THROW(store_->write([&](WriteTxn& t) { resources::set_properties(t, actor, cal_.id, "", many, {}); }),
               StoreError);

  auto bob = add_user("bob@example.test");
  EXPECT_THROW(store_->write([&](WriteTxn& t) {
                 resources::set_properties(t, Actor::principal(bob), cal_.id, "", {{"{DAV:}displayname", "<x/>", "x"}}, {});
               }),
               StoreError);
}

}  // namespace
}  // namespace atrium::storage
