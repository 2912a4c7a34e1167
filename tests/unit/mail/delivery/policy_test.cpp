// RCPT-time and MAIL FROM-time policy: who the MX, submission and LMTP accept, and which
// sender addresses an authenticated user may use.
#include "mail/delivery/policy.hpp"

#include "fixture.hpp"

#include <thread>

namespace atrium::mail::delivery {
namespace {

using testing::DeliveryTest;

class PolicyTest : public DeliveryTest {
 protected:
  RecipientVerdict rcpt(RecipientMode mode, const std::string& address) {
    return RecipientPolicy(*store_).check(mode, address).verdict;
  }
  SenderVerdict sender(PrincipalId user, const std::string& address) {
    return SenderPolicy(*store_).check(user, address);
  }
};

TEST_F(PolicyTest, TheMxAcceptsOnlyOurAddresses) {
  add_user("a@example.test");
  alias("fwd@example.test", {"out@remote.test"});
  auto m = RecipientMode::mx;
  auto ok = RecipientPolicy(*store_).check(m, "A@example.test");
  EXPECT_EQ(ok.verdict, RecipientVerdict::accept);
  EXPECT_EQ(ok.resolution.local.size(), 1u);
  EXPECT_EQ(rcpt(m, "a+whatever@example.test"), RecipientVerdict::accept);
  EXPECT_EQ(rcpt(m, "fwd@example.test"), RecipientVerdict::accept);  // forwarding is ours to do
  EXPECT_EQ(rcpt(m, "nobody@example.test"), RecipientVerdict::unknown_user);
  EXPECT_EQ(rcpt(m, "someone@remote.test"), RecipientVerdict::relay_denied);
}

TEST_F(PolicyTest, TheMxRefusesRoutingTricksAsRelaying) {
  add_user("a@example.test");
  auto m = RecipientMode::mx;
  EXPECT_EQ(rcpt(m, "victim%remote.test@example.test"), RecipientVerdict::relay_denied);
  EXPECT_EQ(rcpt(m, "remote.test!victim@example.test"), RecipientVerdict::relay_denied);
  EXPECT_EQ(rcpt(m, "\"victim@remote.test\"@example.test"), RecipientVerdict::relay_denied);
  EXPECT_EQ(rcpt(m, "@example.test:victim@remote.test"), RecipientVerdict::relay_denied);
  EXPECT_EQ(rcpt(m, "victim%remote.test@remote.test"), RecipientVerdict::relay_denied);
  // Submission is the user's own business; the local domain still has no such user.
  EXPECT_EQ(rcpt(RecipientMode::submission, "victim%remote.test@example.test"), RecipientVerdict::unknown_user);
}

TEST_F(PolicyTest, SubmissionMayAddressAnyoneAndLmtpOnlyUs) {
  add_user("a@example.test");
  EXPECT_EQ(rcpt(RecipientMode::submission, "someone@remote.test"), RecipientVerdict::accept);
  EXPECT_EQ(rcpt(RecipientMode::submission, "a@example.test"), RecipientVerdict::accept);
  EXPECT_EQ(rcpt(RecipientMode::submission, "nobody@example.test"), RecipientVerdict::unknown_user);
  EXPECT_EQ(rcpt(RecipientMode::lmtp, "a@example.test"), RecipientVerdict::accept);
  EXPECT_EQ(rcpt(RecipientMode::lmtp, "someone@remote.test"), RecipientVerdict::unknown_user);
  EXPECT_EQ(rcpt(RecipientMode::lmtp, "nobody@example.test"), RecipientVerdict::unknown_user);
}

TEST_F(PolicyTest, AFullMailboxIsATemporaryRefusalUnlessSomeoneElseCanTakeIt) {
  auto a = add_user("a@example.test");
  add_user("b@example.test");
  group("team@example.test", {"a@example.test", "b@example.test"});
  quota("a@example.test", 10);
  EXPECT_EQ(rcpt(RecipientMode::mx, "a@example.test"), RecipientVerdict::accept);  // 0 of 10 used
  add_message(a, inbox(a).id, "0123456789");  // exactly full
  EXPECT_EQ(rcpt(RecipientMode::mx, "a@example.test"), RecipientVerdict::quota_full);
  EXPECT_EQ(rcpt(RecipientMode::lmtp, "a@example.test"), RecipientVerdict::quota_full);
  EXPECT_EQ(rcpt(RecipientMode::mx, "team@example.test"), RecipientVerdict::accept);
  quota("a@example.test", 0);  // unlimited
  EXPECT_EQ(rcpt(RecipientMode::mx, "a@example.test"), RecipientVerdict::accept);
}

TEST_F(PolicyTest, AUserMaySendAsItselfItsAliasesAndPlusAddresses) {
  auto a = add_user("a@example.test");
  auto b = add_user("b@example.test");
  alias("sales@example.test", {"a@example.test", "b@example.test"});
  alias("bonly@example.test", {"b@example.test"});
  alias("chain@example.test", {"sales@example.test"});

  EXPECT_EQ(sender(a, "a@example.test"), SenderVerdict::allowed);
  EXPECT_EQ(sender(a, "A@Example.TEST"), SenderVerdict::allowed);
  EXPECT_EQ(sender(a, "a+newsletters@example.test"), SenderVerdict::allowed);
  EXPECT_EQ(sender(a, "sales@example.test"), SenderVerdict::allowed);
  EXPECT_EQ(sender(a, "sales+eu@example.test"), SenderVerdict::allowed);
  EXPECT_EQ(sender(b, "sales@example.test"), SenderVerdict::allowed);

  EXPECT_EQ(sender(a, "b@example.test"), SenderVerdict::denied);
  EXPECT_EQ(sender(a, "b+x@example.test"), SenderVerdict::denied);
  EXPECT_EQ(sender(a, "bonly@example.test"), SenderVerdict::denied);
  EXPECT_EQ(sender(a, "chain@example.test"), SenderVerdict::denied);  // only aliases pointing at a itself
  EXPECT_EQ(sender(a, "a@remote.test"), SenderVerdict::denied);
  EXPECT_EQ(sender(a, ""), SenderVerdict::denied);
  EXPECT_EQ(sender(a, "+a@example.test"), SenderVerdict::denied);
  EXPECT_EQ(sender(a, "garbage"), SenderVerdict::denied);
  EXPECT_EQ(sender(9999, "a@example.test"), SenderVerdict::denied);
}

TEST(RecipientCache, RemembersAcceptancePerModeUntilItExpires) {
  RecipientCache cache(std::chrono::milliseconds(50), 100);
  EXPECT_FALSE(cache.accepted(RecipientMode::mx, "a@example.test"));
  cache.remember(RecipientMode::mx, "a@example.test");
  EXPECT_TRUE(cache.accepted(RecipientMode::mx, "a@example.test"));
  EXPECT_FALSE(cache.accepted(RecipientMode::lmtp, "a@example.test")) << "a decision holds for its mode only";
  EXPECT_FALSE(cache.accepted(RecipientMode::mx, "b@example.test"));
  std::this_thread::sleep_for(std::chrono::milliseconds(80));
  EXPECT_FALSE(cache.accepted(RecipientMode::mx, "a@example.test"));
}

TEST(RecipientCache, StaysBoundedByEmptyingWhenFull) {
  RecipientCache cache(std::chrono::seconds(60), 3);
  for (const char* a : {"1@x.test", "2@x.test", "3@x.test"}) cache.remember(RecipientMode::mx, a);
  EXPECT_TRUE(cache.accepted(RecipientMode::mx, "1@x.test"));
  cache.remember(RecipientMode::mx, "4@x.test");
  EXPECT_FALSE(cache.accepted(RecipientMode::mx, "1@x.test"));
  EXPECT_TRUE(cache.accepted(RecipientMode::mx, "4@x.test"));
}

}  // namespace
}  // namespace atrium::mail::delivery
