// Sequence-set resolution: "*" substitution, ordering and merging.
#include "mail/imap/sequence_set.hpp"

#include <algorithm>
#include <cassert>

namespace atrium::imap {

std::vector<SequenceRange> normalise_ranges(std::vector<SequenceRange> ranges) {
  for (SequenceRange& r : ranges) {
    if (r.first > r.last) std::swap(r.first, r.last);
  }
  std::sort(ranges.begin(), ranges.end(),
            [](const SequenceRange& a, const SequenceRange& b) { return a.first < b.first; });
  std::vector<SequenceRange> out;
  out.reserve(ranges.size());
  for (const SequenceRange& r : ranges) {
    // Adjacent ranges merge too (3:4 and 5:9 become 3:9): the canonical form is the shortest.
    if (!out.empty() && static_cast<std::uint64_t>(out.back().last) + 1 >= r.first) {
      out.back().last = std::max(out.back().last, r.last);
    } else {
      out.push_back(r);
    }
  }
  return out;
}

std::vector<SequenceRange> SequenceSet::resolve(Bounds bounds) const {
  assert(!saved && "resolve the saved search result ($) before calling SequenceSet helpers");
  std::vector<SequenceRange> out;
  out.reserve(ranges.size());
  for (SequenceRange r : ranges) {
    if (r.first == sequence_star) r.first = bounds.largest;
    if (r.last == sequence_star) r.last = bounds.largest;
    if (r.first > r.last) std::swap(r.first, r.last);
    if (r.last == 0) continue;  // "*" alone in an empty mailbox
    if (r.first == 0) r.first = 1;
    out.push_back(r);
  }
  return normalise_ranges(std::move(out));
}

bool SequenceSet::contains(std::uint32_t n, Bounds bounds) const {
  assert(!saved && "resolve the saved search result ($) before calling SequenceSet helpers");
  if (n == 0) return false;
  for (SequenceRange r : ranges) {
    if (r.first == sequence_star) r.first = bounds.largest;
    if (r.last == sequence_star) r.last = bounds.largest;
    if (r.first > r.last) std::swap(r.first, r.last);
    if (n >= r.first && n <= r.last) return true;
  }
  return false;
}

std::uint32_t SequenceSet::highest_explicit() const {
  std::uint32_t high = 0;
  for (const SequenceRange& r : ranges) high = std::max({high, r.first, r.last});
  return high;
}

bool SequenceSet::has_star() const {
  return std::any_of(ranges.begin(), ranges.end(), [](const SequenceRange& r) {
    return r.first == sequence_star || r.last == sequence_star;
  });
}

}  // namespace atrium::imap
