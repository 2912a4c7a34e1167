// The resolver's answer cache: what is kept, for how long, and how names match.
#include "core/dns/answer_cache.hpp"

#include <gtest/gtest.h>

namespace atrium::dns {
namespace {

using namespace std::chrono_literals;
constexpr int k_txt = 16, k_a = 1;

RawAnswer answer(Status status, std::uint32_t ttl, std::vector<std::string> rdata = {}) {
  RawAnswer a;
  a.status = status;
  a.ttl = ttl;
  a.rdata = std::move(rdata);
  return a;
}

TEST(AnswerCache, KeepsAnAnswerForItsTtl) {
  AnswerCache cache;
  const auto t0 = AnswerCache::Clock::time_point{} + 1h;
  cache.put(k_txt, "example.org", answer(Status::ok, 300, {"v=spf1 -all"}), t0);
  auto hit = cache.get(k_txt, "example.org", t0 + 299s);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->status, Status::ok);
  EXPECT_EQ(hit->rdata, std::vector<std::string>{"v=spf1 -all"});
  EXPECT_EQ(hit->ttl, 1u);  // what is left
  EXPECT_FALSE(cache.get(k_txt, "example.org", t0 + 300s));
  EXPECT_EQ(cache.hits(), 1u);
}

TEST(AnswerCache, NamesMatchInAnyCaseAndTypesApart) {
  AnswerCache cache;
  const auto t0 = AnswerCache::Clock::time_point{} + 1h;
  cache.put(k_txt, "Example.ORG.", answer(Status::ok, 60, {"x"}), t0);
  EXPECT_TRUE(cache.get(k_txt, "example.org", t0));
  EXPECT_TRUE(cache.get(k_txt, "EXAMPLE.org.", t0));
  EXPECT_FALSE(cache.get(k_a, "example.org", t0));
  EXPECT_FALSE(cache.get(k_txt, "www.example.org", t0));
}

TEST(AnswerCache, KeepsNegativeAnswersButNeverFailures) {
  AnswerCache cache;
  const auto t0 = AnswerCache::Clock::time_point{} + 1h;
  cache.put(k_txt, "none.example", answer(Status::nxdomain, 30), t0);
  cache.put(k_txt, "empty.example", answer(Status::no_data, 30), t0);
  cache.put(k_txt, "down.example", answer(Status::temporary, 30), t0);
  cache.put(k_txt, "forged.example", answer(Status::bogus, 30), t0);
  cache.put(k_txt, "zero.example", answer(Status::ok, 0, {"x"}), t0);
  ASSERT_TRUE(cache.get(k_txt, "none.example", t0));
  EXPECT_EQ(cache.get(k_txt, "none.example", t0)->status, Status::nxdomain);
  EXPECT_EQ(cache.get(k_txt, "empty.example", t0)->status, Status::no_data);
  EXPECT_FALSE(cache.get(k_txt, "down.example", t0));
  EXPECT_FALSE(cache.get(k_txt, "forged.example", t0));
  EXPECT_FALSE(cache.get(k_txt, "zero.example", t0));
}

TEST(AnswerCache, LongTtlsAreCapped) {
  AnswerCache cache(1u << 20, 600s);
  const auto t0 = AnswerCache::Clock::time_point{} + 1h;
  cache.put(k_a, "host.example", answer(Status::ok, 86400, {"\x7f\x00\x00\x01"}), t0);
  EXPECT_TRUE(cache.get(k_a, "host.example", t0 + 599s));
  EXPECT_FALSE(cache.get(k_a, "host.example", t0 + 600s));
}

TEST(AnswerCache, StaysWithinItsBytes) {
  AnswerCache cache(64u << 10);
  const auto t0 = AnswerCache::Clock::time_point{} + 1h;
  for (int i = 0; i < 1000; ++i) {
    cache.put(k_txt, "n" + std::to_string(i) + ".example", answer(Status::ok, 300, {std::string(500, 'x')}), t0);
  }
  // The newest are kept, the oldest went.
  EXPECT_TRUE(cache.get(k_txt, "n999.example", t0));
  EXPECT_FALSE(cache.get(k_txt, "n0.example", t0));
  int kept = 0;
  for (int i = 0; i < 1000; ++i) kept += cache.get(k_txt, "n" + std::to_string(i) + ".example", t0) ? 1 : 0;
  EXPECT_LT(kept, 130);  // 64 KiB over ~0.5 KiB answers
  EXPECT_GT(kept, 50);
}

}  // namespace
}  // namespace atrium::dns
