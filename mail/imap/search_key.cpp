// Walks over search-key trees for the executor and the dispatcher.
#include "mail/imap/search_key.hpp"

#include <algorithm>

namespace atrium::imap {
namespace {

template <class Pred>
bool any_leaf(const SearchKey& key, Pred pred) {
  if (pred(key)) return true;
  return std::any_of(key.children.begin(), key.children.end(), [&](const SearchKey& c) { return any_leaf(c, pred); });
}

}  // namespace

std::size_t search_depth(const SearchKey& key) {
  std::size_t deepest = 0;
  for (const SearchKey& c : key.children) deepest = std::max(deepest, search_depth(c) + 1);
  return deepest;
}

bool uses_sequence_numbers(const SearchKey& key) {
  return any_leaf(key, [](const SearchKey& k) { return k.op == SearchOp::sequence_set; });
}

bool uses_saved_result(const SearchKey& key) {
  return any_leaf(key, [](const SearchKey& k) {
    const auto* set = std::get_if<SequenceSet>(&k.arg);
    return set != nullptr && set->saved;
  });
}

}  // namespace atrium::imap
