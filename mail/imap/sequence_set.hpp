// Message sets of IMAP commands (RFC 9051 sequence-set, RFC 5182 "$"): the parsed form and the
// helpers the executor uses to resolve "*", test membership and walk the numbers in order.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace atrium::imap {

// "*" inside a range: the largest number in use (the last message's sequence number or UID).
// Zero is never a valid nz-number, so it cannot collide with a number the client wrote.
inline constexpr std::uint32_t sequence_star = 0;

// One element of a sequence set as sent: "n" has first == last; "a:b" keeps the order written
// (RFC 9051 section 9: "2:4" and "4:2" are the same range); either end may be sequence_star.
struct SequenceRange {
  std::uint32_t first = 0;
  std::uint32_t last = 0;
  friend bool operator==(const SequenceRange&, const SequenceRange&) = default;
};

// A sequence set: either a list of ranges or "$", the result saved by the last
// SEARCH RETURN (SAVE) (RFC 5182). The parser never produces an empty list of ranges.
struct SequenceSet {
  std::vector<SequenceRange> ranges;
  bool saved = false;  // "$": `ranges` is empty and the executor substitutes the saved result

  // What "*" stands for when resolving: the largest sequence number (EXISTS) or the largest UID
  // in the mailbox; 0 when the mailbox is empty.
  struct Bounds {
    std::uint32_t largest = 0;
  };

  // The set with "*" replaced by `bounds.largest`, as ascending, disjoint, non-adjacent inclusive
  // ranges with 1 <= first <= last. Numbers above `largest` are kept: for UIDs they simply match
  // nothing, for sequence numbers the executor answers BAD (see highest_explicit). A range that
  // resolves to 0:0 (only "*" in an empty mailbox) is dropped. Must not be called when `saved`.
  std::vector<SequenceRange> resolve(Bounds bounds) const;

  // Whether `n` is in the set; same rules as resolve(). Must not be called when `saved`.
  bool contains(std::uint32_t n, Bounds bounds) const;

  // Calls `f(n)` for each n in the set with 1 <= n <= bounds.largest, ascending and once each.
  // Must not be called when `saved`.
  template <class F>
  void for_each(Bounds bounds, F&& f) const {
    for (const SequenceRange& r : resolve(bounds)) {
      if (r.first > bounds.largest) break;
      const std::uint32_t last = r.last < bounds.largest ? r.last : bounds.largest;
      for (std::uint64_t n = r.first; n <= last; ++n) f(static_cast<std::uint32_t>(n));
    }
  }

  // The largest number written explicitly (not "*"); 0 when there is none or for "$". A
  // sequence-number set whose highest_explicit() exceeds EXISTS is answered BAD (RFC 9051 9).
  std::uint32_t highest_explicit() const;

  // Whether "*" occurs anywhere.
  bool has_star() const;

  friend bool operator==(const SequenceSet&, const SequenceSet&) = default;
};

// Merges ascending-or-not, possibly overlapping ranges (no "*") into the canonical form that
// SequenceSet::resolve returns.
std::vector<SequenceRange> normalise_ranges(std::vector<SequenceRange> ranges);

}  // namespace atrium::imap
