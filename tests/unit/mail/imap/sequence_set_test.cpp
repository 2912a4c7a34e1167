// SequenceSet: "*" resolution, ordering, merging, membership and iteration.
#include "mail/imap/sequence_set.hpp"
#include "tests/unit/mail/imap/builders.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <vector>

namespace atrium::imap {
namespace {

using namespace testing;
using Bounds = SequenceSet::Bounds;

TEST(SequenceSet, ResolveSortsMergesAndReplacesStar) {
  EXPECT_EQ(set({{9, 12}, {1, 5}, {7, 7}, {4, 6}}).resolve(Bounds{100}),
            (std::vector<SequenceRange>{{1, 7}, {9, 12}}));
  EXPECT_EQ(set({{4, 2}}).resolve(Bounds{10}), (std::vector<SequenceRange>{{2, 4}}));
  EXPECT_EQ(set({{3, star}}).resolve(Bounds{10}), (std::vector<SequenceRange>{{3, 10}}));
  // "n:*" includes the last message even when n is above it (RFC 9051 section 6.4.8).
  EXPECT_EQ(set({{50, star}}).resolve(Bounds{10}), (std::vector<SequenceRange>{{10, 50}}));
  EXPECT_EQ(set({{star, star}}).resolve(Bounds{10}), (std::vector<SequenceRange>{{10, 10}}));
  // Nothing is in use: "*" alone selects nothing, "1:*" only what it names explicitly.
  EXPECT_TRUE(set({{star, star}}).resolve(Bounds{0}).empty());
  EXPECT_EQ(set({{1, star}}).resolve(Bounds{0}), (std::vector<SequenceRange>{{1, 1}}));
  // Adjacent ranges merge; numbers above `largest` are kept (they match no UID).
  EXPECT_EQ(set({{1, 2}, {3, 4}, {20, 30}}).resolve(Bounds{5}), (std::vector<SequenceRange>{{1, 4}, {20, 30}}));
  constexpr auto max = std::numeric_limits<std::uint32_t>::max();
  EXPECT_EQ(set({{max, max}, {1, max}}).resolve(Bounds{3}), (std::vector<SequenceRange>{{1, max}}));
}

TEST(SequenceSet, Contains) {
  const SequenceSet s = set({{2, 4}, {7, star}});
  EXPECT_FALSE(s.contains(1, Bounds{10}));
  EXPECT_TRUE(s.contains(3, Bounds{10}));
  EXPECT_FALSE(s.contains(5, Bounds{10}));
  EXPECT_TRUE(s.contains(10, Bounds{10}));
  EXPECT_FALSE(s.contains(11, Bounds{10}));
  EXPECT_FALSE(s.contains(0, Bounds{10}));
  EXPECT_TRUE(set({{star, 3}}).contains(5, Bounds{6}));
}

TEST(SequenceSet, ForEachVisitsEachNumberOnceUpToLargest) {
  std::vector<std::uint32_t> seen;
  set({{5, 3}, {4, 4}, {9, star}, {1, 1}, {20, 30}}).for_each(Bounds{11}, [&](std::uint32_t n) { seen.push_back(n); });
  EXPECT_EQ(seen, (std::vector<std::uint32_t>{1, 3, 4, 5, 9, 10, 11}));
  seen.clear();
  set({{1, star}}).for_each(Bounds{0}, [&](std::uint32_t n) { seen.push_back(n); });
  EXPECT_TRUE(seen.empty());
}

TEST(SequenceSet, ExplicitNumbersAndStar) {
  EXPECT_EQ(set({{3, star}, {8, 2}}).highest_explicit(), 8u);
  EXPECT_EQ(set({{star, star}}).highest_explicit(), 0u);
  EXPECT_EQ(saved().highest_explicit(), 0u);
  EXPECT_TRUE(set({{1, star}}).has_star());
  EXPECT_FALSE(set({{1, 2}}).has_star());
}

TEST(SequenceSet, NormaliseRanges) {
  EXPECT_EQ(normalise_ranges({{5, 1}, {6, 6}, {10, 8}}), (std::vector<SequenceRange>{{1, 6}, {8, 10}}));
  EXPECT_TRUE(normalise_ranges({}).empty());
}

}  // namespace
}  // namespace atrium::imap
