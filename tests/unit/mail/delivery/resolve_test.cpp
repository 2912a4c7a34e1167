// Recipient resolution through users, aliases, groups, plus-addresses and catch-alls.
#include "fixture.hpp"

#include <algorithm>

namespace atrium::mail::delivery {
namespace {

using testing::DeliveryTest;

std::vector<PrincipalId> principals(const Resolution& r) {
  std::vector<PrincipalId> out;
  for (const auto& t : r.local) out.push_back(t.principal);
  std::sort(out.begin(), out.end());
  return out;
}

TEST_F(DeliveryTest, AUserResolvesToItsInboxWithTheDomainInAnyCase) {
  auto a = add_user("a@example.test");
  auto r = resolve_address("A@EXAMPLE.Test.");
  EXPECT_EQ(r.kind, ResolutionKind::local);
  ASSERT_EQ(r.local.size(), 1u);
  EXPECT_EQ(r.local[0].principal, a);
  EXPECT_EQ(r.local[0].collection, inbox(a).id);
  EXPECT_TRUE(r.remote.empty());
}

TEST_F(DeliveryTest, AnAliasResolvesToItsUser) {
  auto a = add_user("a@example.test");
  alias("info@example.test", {"a@example.test"});
  auto r = resolve_address("Info@example.test");
  EXPECT_EQ(r.kind, ResolutionKind::local);
  EXPECT_EQ(principals(r), std::vector<PrincipalId>{a});
  EXPECT_EQ(r.local[0].collection, inbox(a).id);
}

TEST_F(DeliveryTest, AnAliasToAnExternalAddressIsOursButForwards) {
  add_user("a@example.test");
  alias("fwd@example.test", {"Someone@Remote.TEST"});
  auto r = resolve_address("fwd@example.test");
  EXPECT_EQ(r.kind, ResolutionKind::local);
  EXPECT_TRUE(r.local.empty());
  EXPECT_EQ(r.remote, std::vector<std::string>{"someone@remote.test"});
}

TEST_F(DeliveryTest, AliasChainsAreFollowed) {
  auto a = add_user("a@example.test");
  alias("one@example.test", {"two@example.test"});
  alias("two@example.test", {"three@example.test", "out@remote.test"});
  alias("three@example.test", {"a@example.test"});
  auto r = resolve_address("one@example.test");
  EXPECT_EQ(r.kind, ResolutionKind::local);
  EXPECT_EQ(principals(r), std::vector<PrincipalId>{a});
  EXPECT_EQ(r.remote, std::vector<std::string>{"out@remote.test"});
}

TEST_F(DeliveryTest, AGroupResolvesToEachMember) {
  auto a = add_user("a@example.test");
  auto b = add_user("b@example.test");
  auto c = add_user("c@example.test");
  group("team@example.test", {"a@example.test", "b@example.test", "c@example.test"});
  auto r = resolve_address("team@example.test");
  EXPECT_EQ(r.kind, ResolutionKind::local);
  EXPECT_EQ(principals(r), (std::vector<PrincipalId>{a, b, c}));
  for (const auto& t : r.local) EXPECT_EQ(t.collection, inbox(t.principal).id);
}

TEST_F(DeliveryTest, NestedGroupsWithALoopStopAndDeliverOncePerMember) {
  auto a = add_user("a@example.test");
  auto b = add_user("b@example.test");
  auto outer = group("outer@example.test", {"a@example.test"});
  auto inner = group("inner@example.test", {"b@example.test"});
  store_->write([&](WriteTxn& t) { storage::directory::add_member(t, "outer@example.test", "inner@example.test"); });
  // The directory refuses loops; a database edited behind its back (or an older binary) may
  // still hold one, and resolution must not spin on it.
  store_->write([&](WriteTxn& t) {
    t.db().prepare("INSERT INTO memberships (group_id, member_id) VALUES (?, ?)").bind(1, inner).bind(2, outer).run();
  });
  auto r = resolve_address("outer@example.test");
  EXPECT_EQ(principals(r), (std::vector<PrincipalId>{a, b}));
  r = resolve_address("inner@example.test");
  EXPECT_EQ(principals(r), (std::vector<PrincipalId>{a, b}));
}

TEST_F(DeliveryTest, AliasLoopsEndAndStillReachEveryone) {
  auto a = add_user("a@example.test");
  alias("x@example.test", {"y@example.test", "a@example.test"});
  alias("y@example.test", {"x@example.test"});
  auto r = resolve_address("y@example.test");
  EXPECT_EQ(principals(r), std::vector<PrincipalId>{a});
  alias("p@example.test", {"q@example.test"});
  alias("q@example.test", {"p@example.test"});
  EXPECT_EQ(resolve_address("p@example.test").kind, ResolutionKind::unknown);
}

TEST_F(DeliveryTest, AMemberReachedTwiceGetsOneCopy) {
  auto a = add_user("a@example.test");
  auto b = add_user("b@example.test");
  group("g1@example.test", {"a@example.test", "b@example.test"});
  group("g2@example.test", {"a@example.test"});
  store_->write([&](WriteTxn& t) { storage::directory::add_member(t, "g1@example.test", "g2@example.test"); });
  alias("all@example.test", {"g1@example.test", "g2@example.test", "a@example.test", "b@example.test"});
  auto r = resolve_address("all@example.test");
  EXPECT_EQ(r.local.size(), 2u);
  EXPECT_EQ(principals(r), (std::vector<PrincipalId>{a, b}));
}

TEST_F(DeliveryTest, APlusAddressGoesIntoTheFolderNamedByTheTag) {
  auto a = add_user("a@example.test");
  auto lists = mailbox(a, "Lists");
  auto nested = mailbox(a, "Lists/rust");
  auto r = resolve_address("a+Lists@example.test");
  ASSERT_EQ(r.local.size(), 1u);
  EXPECT_EQ(r.local[0].principal, a);
  EXPECT_EQ(r.local[0].collection, lists.id);
  EXPECT_EQ(resolve_address("A+lists@Example.test").local.at(0).collection, lists.id);  // case-insensitive fallback
  EXPECT_EQ(resolve_address("a+Lists/rust@example.test").local.at(0).collection, nested.id);
}

TEST_F(DeliveryTest, APlusAddressWithoutSuchAFolderGoesToTheInbox) {
  auto a = add_user("a@example.test");
  auto other = add_user("b@example.test");
  mailbox(other, "tag");  // someone else's folder of that name does not count
  auto r = resolve_address("a+tag@example.test");
  ASSERT_EQ(r.local.size(), 1u);
  EXPECT_EQ(r.local[0].principal, a);
  EXPECT_EQ(r.local[0].collection, inbox(a).id);
  EXPECT_EQ(resolve_address("nobody+tag@example.test").kind, ResolutionKind::unknown);
}

TEST_F(DeliveryTest, APlusAddressOfAnAliasOrGroupFollowsIt) {
  auto a = add_user("a@example.test");
  alias("info@example.test", {"a@example.test"});
  group("team@example.test", {"a@example.test"});
  EXPECT_EQ(principals(resolve_address("info+x@example.test")), std::vector<PrincipalId>{a});
  EXPECT_EQ(principals(resolve_address("team+x@example.test")), std::vector<PrincipalId>{a});
}

TEST_F(DeliveryTest, TheCatchAllTakesUnknownLocalPartsOnly) {
  auto a = add_user("a@example.test");
  auto b = add_user("b@example.test");
  EXPECT_EQ(resolve_address("random@example.test").kind, ResolutionKind::unknown);
  store_->write([](WriteTxn& t) { storage::directory::set_catch_all(t, "example.test", "a@example.test"); });
  EXPECT_EQ(principals(resolve_address("random@example.test")), std::vector<PrincipalId>{a});
  EXPECT_EQ(principals(resolve_address("ghost+tag@example.test")), std::vector<PrincipalId>{a});
  EXPECT_EQ(principals(resolve_address("b@example.test")), std::vector<PrincipalId>{b});  // real ones win
  // Not for alias targets: a dead target stays dead.
  alias("old@example.test", {"gone@example.test"});
  EXPECT_EQ(resolve_address("old@example.test").kind, ResolutionKind::unknown);

  store_->write([](WriteTxn& t) { storage::directory::set_catch_all(t, "example.test", "collector@remote.test"); });
  auto r = resolve_address("random@example.test");
  EXPECT_EQ(r.kind, ResolutionKind::local);
  EXPECT_EQ(r.remote, std::vector<std::string>{"collector@remote.test"});

  store_->write([](WriteTxn& t) { storage::directory::set_catch_all(t, "example.test", std::nullopt); });
  EXPECT_EQ(resolve_address("random@example.test").kind, ResolutionKind::unknown);
}

TEST_F(DeliveryTest, UnknownAndForeignAddresses) {
  add_user("a@example.test");
  EXPECT_EQ(resolve_address("nobody@example.test").kind, ResolutionKind::unknown);
  EXPECT_EQ(resolve_address("\"a\"@example.test").kind, ResolutionKind::unknown);
  EXPECT_EQ(resolve_address("a%b@example.test").kind, ResolutionKind::unknown);
  EXPECT_EQ(resolve_address("no-at-sign").kind, ResolutionKind::unknown);
  EXPECT_EQ(resolve_address("a@bad_domain").kind, ResolutionKind::unknown);
  group("empty@example.test", {});
  EXPECT_EQ(resolve_address("empty@example.test").kind, ResolutionKind::unknown);
  auto r = resolve_address("Someone@Remote.Test");
  EXPECT_EQ(r.kind, ResolutionKind::remote);
  EXPECT_EQ(r.remote, std::vector<std::string>{"Someone@remote.test"});
}

TEST_F(DeliveryTest, ExpansionStopsAtTheDepthLimit) {
  auto a = add_user("a@example.test");
  auto chain = [&](const std::string& prefix, int hops) {
    for (int i = 0; i < hops; ++i) {
      auto next = i + 1 == hops ? std::string("a@example.test") : prefix + std::to_string(i + 1) + "@example.test";
      alias(prefix + std::to_string(i) + "@example.test", {next});
    }
    return prefix + "0@example.test";
  };
  EXPECT_EQ(principals(resolve_address(chain("ok", k_max_resolve_depth))), std::vector<PrincipalId>{a});
  EXPECT_EQ(resolve_address(chain("long", k_max_resolve_depth + 1)).kind, ResolutionKind::unknown);
}

TEST_F(DeliveryTest, AResourceWithoutMailboxesResolvesToAnInboxToCreate) {
  add_user("a@example.test");
  auto room = resource("room@example.test");
  auto r = resolve_address("room@example.test");
  ASSERT_EQ(r.local.size(), 1u);
  EXPECT_EQ(r.local[0].principal, room);
  EXPECT_EQ(r.local[0].collection, 0);
}

}  // namespace
}  // namespace atrium::mail::delivery
