// Brute-force throttling policy with an injected clock, and the address helpers it relies on.
#include "core/auth/throttle.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace atrium::auth {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

struct FakeClock {
  std::chrono::steady_clock::time_point now{std::chrono::hours(1000)};
  void advance(std::chrono::steady_clock::duration d) { now += d; }
};

ThrottleOptions options_with(FakeClock& clock) {
  ThrottleOptions o;
  o.clock = [&clock] { return clock.now; };
  return o;
}

std::string user(int i) { return "user" + std::to_string(i) + "@example.org"; }

TEST(IpNetwork, ParsesAddressesAndNetworks) {
  auto v4 = parse_ip_address("192.0.2.1");
  auto mapped = parse_ip_address("::ffff:192.0.2.1");
  ASSERT_TRUE(v4 && mapped);
  EXPECT_EQ(*v4, *mapped);
  EXPECT_TRUE(v4->is_v4());
  EXPECT_EQ(to_string(*mapped), "192.0.2.1");
  EXPECT_EQ(to_string(*parse_ip_address("[2001:DB8:0:0::1]")), "2001:db8::1");
  EXPECT_EQ(to_string(*parse_ip_address("fe80::1%eth0")), "fe80::1");
  EXPECT_FALSE(parse_ip_address(""));
  EXPECT_FALSE(parse_ip_address("192.0.2"));
  EXPECT_FALSE(parse_ip_address("192.0.2.256"));
  EXPECT_FALSE(parse_ip_address("example.org"));

  auto ten = parse_ip_network("10.0.0.0/8");
  ASSERT_TRUE(ten);
  EXPECT_TRUE(ten->contains(*parse_ip_address("10.255.1.2")));
  EXPECT_TRUE(ten->contains(*parse_ip_address("::ffff:10.0.0.1")));
  EXPECT_FALSE(ten->contains(*parse_ip_address("11.0.0.1")));
  EXPECT_FALSE(ten->contains(*parse_ip_address("::a00:1")));  // IPv4-compatible is not IPv4

  auto host = parse_ip_network("127.0.0.1");
  ASSERT_TRUE(host);
  EXPECT_TRUE(host->contains(*parse_ip_address("127.0.0.1")));
  EXPECT_FALSE(host->contains(*parse_ip_address("127.0.0.2")));

  auto v6 = parse_ip_network("2001:db8::/32");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->contains(*parse_ip_address("2001:db8:ffff::1")));
  EXPECT_FALSE(v6->contains(*parse_ip_address("2001:db9::1")));

  auto sloppy = parse_ip_network("10.1.2.3/8");  // host bits cleared
  ASSERT_TRUE(sloppy);
  EXPECT_EQ(sloppy->base, ten->base);

  auto all = parse_ip_network("0.0.0.0/0");
  ASSERT_TRUE(all);
  EXPECT_TRUE(all->contains(*parse_ip_address("203.0.113.9")));
  EXPECT_FALSE(all->contains(*parse_ip_address("2001:db8::1")));

  for (std::string_view bad : {"10.0.0.0/33", "2001:db8::/129", "10.0.0.0/", "10.0.0.0/x", "10.0.0.0/8/8", "/8", "x/8"}) {
    EXPECT_FALSE(parse_ip_network(bad)) << bad;
  }
}

TEST(ThrottleKey, PerHostForIpv4PerSlash64ForIpv6) {
  EXPECT_EQ(throttle_address_key("192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(throttle_address_key("::ffff:192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(throttle_address_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "2001:db8:1:2::/64");
  EXPECT_EQ(throttle_address_key("unix:/run/atrium.sock"), "unix:/run/atrium.sock");
}

TEST(Throttle, DelayDoublesFrom250msUpTo15s) {
  FakeClock clock;
  Throttle t(options_with(clock));
  const milliseconds expected[] = {250ms, 500ms, 1000ms, 2000ms, 4000ms, 8000ms, 15000ms, 15000ms, 15000ms};
  int i = 0;
  for (auto want : expected) {
    EXPECT_EQ(t.record_failure("198.51.100.1", user(i)), want) << "failure " << i + 1;
    ++i;
  }
  // Another address is unaffected.
  EXPECT_EQ(t.record_failure("198.51.100.2", user(0)), 250ms);
}

TEST(Throttle, FailuresDecayOutOfTheWindow) {
  FakeClock clock;
  Throttle t(options_with(clock));
  EXPECT_EQ(t.record_failure("198.51.100.1", "a"), 250ms);
  clock.advance(10min);
  EXPECT_EQ(t.record_failure("198.51.100.1", "a"), 500ms);
  clock.advance(5min);  // the first failure is now 15 min old: out of the window
  EXPECT_EQ(t.record_failure("198.51.100.1", "a"), 500ms);
  clock.advance(16min);
  EXPECT_EQ(t.record_failure("198.51.100.1", "a"), 250ms);
}

TEST(Throttle, SuccessClearsTheAddressCount) {
  FakeClock clock;
  Throttle t(options_with(clock));
  for (int i = 0; i < 5; ++i) t.record_failure("198.51.100.1", "alice@example.org");
  t.record_success("198.51.100.1", "alice@example.org");
  EXPECT_EQ(t.record_failure("198.51.100.1", "alice@example.org"), 250ms);
}

TEST(Throttle, BlocksAnAddressAfter20FailuresFor15Minutes) {
  FakeClock clock;
  Throttle t(options_with(clock));
  const std::string ip = "203.0.113.5";
  for (int i = 0; i < 19; ++i) {
    t.record_failure(ip, user(i));  // distinct accounts: only the address count matters here
    clock.advance(1s);
  }
  EXPECT_TRUE(t.check(ip, user(99)).allowed());
  t.record_failure(ip, user(19));

  Verdict v = t.check(ip, user(99));
  EXPECT_EQ(v.status, Verdict::Status::ip_blocked);
  EXPECT_EQ(v.retry_after, milliseconds(15min));
  EXPECT_EQ(t.check(ip, "anyone-else").status, Verdict::Status::ip_blocked);
  EXPECT_TRUE(t.check("203.0.113.6", user(99)).allowed());

  clock.advance(15min - 1ms);
  v = t.check(ip, user(99));
  EXPECT_EQ(v.status, Verdict::Status::ip_blocked);
  EXPECT_EQ(v.retry_after, 1ms);
  clock.advance(1ms);
  EXPECT_TRUE(t.check(ip, user(99)).allowed());
  // Afterwards the address starts afresh.
  EXPECT_EQ(t.record_failure(ip, user(99)), 250ms);
  EXPECT_TRUE(t.check(ip, user(99)).allowed());
}

TEST(Throttle, TwentyFailuresSpreadOverMoreThanTheWindowDoNotBlock) {
  FakeClock clock;
  Throttle t(options_with(clock));
  for (int i = 0; i < 40; ++i) {
    t.record_failure("203.0.113.5", user(i));
    clock.advance(48s);  // 20 failures span 19 * 48 s = 15.2 min
  }
  EXPECT_TRUE(t.check("203.0.113.5", "x").allowed());

  for (int i = 0; i < 20; ++i) {
    t.record_failure("203.0.113.7", user(i));
    clock.advance(47s);  // 19 * 47 s = 14.9 min: within the window
  }
  EXPECT_EQ(t.check("203.0.113.7", "x").status, Verdict::Status::ip_blocked);
}

TEST(Throttle, Ipv6AddressesOfOneSlash64ShareACount) {
  FakeClock clock;
  Throttle t(options_with(clock));
  for (int i = 0; i < 20; ++i) t.record_failure("2001:db8:0:1::" + std::to_string(i + 1), user(i));
  EXPECT_EQ(t.check("2001:db8:0:1:ffff::9", "x").status, Verdict::Status::ip_blocked);
  EXPECT_TRUE(t.check("2001:db8:0:2::1", "x").allowed());
}

TEST(Throttle, MappedAndPlainIpv4AreOneAddress) {
  FakeClock clock;
  Throttle t(options_with(clock));
  EXPECT_EQ(t.record_failure("192.0.2.9", "a"), 250ms);
  EXPECT_EQ(t.record_failure("::ffff:192.0.2.9", "b"), 500ms);
}

TEST(Throttle, AccountLockSparesKnownGoodAddresses) {
  FakeClock clock;
  Throttle t(options_with(clock));
  const std::string victim = "alice@example.org";
  const std::string home = "192.0.2.10";
  t.record_success(home, victim);

  // A distributed guess: 10 failures on one account, each from another address.
  for (int i = 0; i < 9; ++i) t.record_failure("198.51.100." + std::to_string(i + 1), victim);
  EXPECT_TRUE(t.check("198.51.100.200", victim).allowed());
  t.record_failure("198.51.100.10", victim);

  Verdict v = t.check("198.51.100.200", victim);
  EXPECT_EQ(v.status, Verdict::Status::account_locked);
  EXPECT_EQ(v.retry_after, milliseconds(15min));
  EXPECT_EQ(t.check("198.51.100.1", victim).status, Verdict::Status::account_locked);
  // The owner's usual address is unaffected, and so are other accounts.
  EXPECT_TRUE(t.check(home, victim).allowed());
  EXPECT_TRUE(t.check("198.51.100.200", "bob@example.org").allowed());
  // A mistyped password at home does not change that either.
  t.record_failure(home, victim);
  EXPECT_TRUE(t.check(home, victim).allowed());

  clock.advance(15min);
  EXPECT_TRUE(t.check("198.51.100.200", victim).allowed());
}

TEST(Throttle, KnownGoodIsPerAccount) {
  FakeClock clock;
  Throttle t(options_with(clock));
  t.record_success("192.0.2.10", "alice@example.org");
  for (int i = 0; i < 10; ++i) t.record_failure("198.51.100." + std::to_string(i + 1), "bob@example.org");
  EXPECT_EQ(t.check("192.0.2.10", "bob@example.org").status, Verdict::Status::account_locked);
}

TEST(Throttle, LoopbackIsThrottledUnlessExempt) {
  FakeClock clock;
  Throttle plain(options_with(clock));
  for (int i = 0; i < 20; ++i) plain.record_failure("127.0.0.1", user(i));
  EXPECT_EQ(plain.check("127.0.0.1", "x").status, Verdict::Status::ip_blocked);

  auto o = options_with(clock);
  o.exempt = {"127.0.0.0/8", "::1", "10.0.0.0/8"};
  Throttle exempt(o);
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(exempt.record_failure("127.0.0.1", "alice@example.org"), 0ms);
    EXPECT_EQ(exempt.record_failure("::1", "alice@example.org"), 0ms);
    EXPECT_EQ(exempt.record_failure("::ffff:10.9.8.7", "alice@example.org"), 0ms);
  }
  EXPECT_TRUE(exempt.check("127.0.0.1", "alice@example.org").allowed());
  EXPECT_EQ(exempt.tracked_addresses(), 0u);
  EXPECT_EQ(exempt.tracked_accounts(), 0u);
  EXPECT_EQ(exempt.record_failure("192.0.2.1", "alice@example.org"), 250ms);
}

TEST(Throttle, RejectsBadOptions) {
  ThrottleOptions o;
  o.exempt = {"10.0.0.0/8", "localhost"};
  try {
    Throttle t(o);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("localhost"), std::string::npos) << e.what();
  }
  ThrottleOptions zero;
  zero.max_tracked_keys = 0;
  EXPECT_THROW(Throttle{zero}, std::invalid_argument);
}

TEST(Throttle, MemoryIsBoundedAndBlocksSurviveAFlood) {
  FakeClock clock;
  auto o = options_with(clock);
  o.max_tracked_keys = 100;
  Throttle t(o);
  const std::string attacker = "203.0.113.66";
  for (int i = 0; i < 20; ++i) t.record_failure(attacker, "target" + std::to_string(i));
  ASSERT_EQ(t.check(attacker, "x").status, Verdict::Status::ip_blocked);

  // Many fresh addresses and accounts, each failing once.
  for (int i = 0; i < 5000; ++i) {
    t.record_failure("10." + std::to_string(i / 65536) + "." + std::to_string(i / 256 % 256) + "." +
                         std::to_string(i % 256),
                     user(i));
    ASSERT_LE(t.tracked_addresses(), 100u);
    ASSERT_LE(t.tracked_accounts(), 100u);
  }
  EXPECT_EQ(t.tracked_addresses(), 100u);
  EXPECT_EQ(t.check(attacker, "x").status, Verdict::Status::ip_blocked);

  // Oldest unblocked entries go first: an early address has been forgotten.
  clock.advance(1s);
  EXPECT_EQ(t.record_failure("10.0.0.0", "fresh"), 250ms);
}

TEST(Throttle, LongAccountNamesAreCut) {
  FakeClock clock;
  Throttle t(options_with(clock));
  std::string long_name(300, 'a');
  for (int i = 0; i < 10; ++i) t.record_failure("198.51.100." + std::to_string(i + 1), long_name + std::to_string(i));
  // All ten share their first 256 bytes, so they count as one account.
  EXPECT_EQ(t.check("198.51.100.200", long_name).status, Verdict::Status::account_locked);
  EXPECT_EQ(t.tracked_accounts(), 1u);
}

TEST(Throttle, ConcurrentUseIsSafe) {
  Throttle t;  // real clock
  std::vector<std::thread> threads;
  for (int n = 0; n < 4; ++n) {
    threads.emplace_back([&t, n] {
      for (int i = 0; i < 2000; ++i) {
        std::string ip = "192.0." + std::to_string(n) + "." + std::to_string(i % 50);
        (void)t.check(ip, user(i % 30));
        if (i % 7 == 0) {
          t.record_success(ip, user(i % 30));
        } else {
          t.record_failure(ip, user(i % 30));
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_LE(t.tracked_addresses(), 200u);
  EXPECT_LE(t.tracked_accounts(), 30u);
}

}  // namespace
}  // namespace atrium::auth
