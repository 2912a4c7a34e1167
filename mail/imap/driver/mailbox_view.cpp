// The selected-mailbox view: sequence numbers, and changes read back from the change log.
#include "mail/imap/driver/mailbox_view.hpp"

#include "storage/collections.hpp"
#include "storage/items.hpp"

#include <algorithm>
#include <set>

namespace atrium::imap {
namespace {

// More changes than this since the last refresh: compare whole listings instead.
constexpr std::size_t k_change_window = 20000;

bool contains(const std::vector<Uid>& sorted, Uid uid) { return std::binary_search(sorted.begin(), sorted.end(), uid); }

}  // namespace

std::vector<std::uint32_t> expunge_sequence_numbers(std::span<const Uid> view_before, std::span<const Uid> expunged) {
  // Announcing the highest first keeps every number valid as announced: a lower message's
  // number is not changed by removing a higher one. Clients accept any order, and this one
  // needs no renumbering arithmetic.
  std::vector<std::uint32_t> out;
  for (auto it = expunged.rbegin(); it != expunged.rend(); ++it) {
    auto pos = std::lower_bound(view_before.begin(), view_before.end(), *it);
    if (pos != view_before.end() && *pos == *it) out.push_back(static_cast<std::uint32_t>(pos - view_before.begin()) + 1);
  }
  return out;
}

MailboxView::MailboxView(storage::ReadTxn& txn, const storage::Actor& actor, const storage::Collection& mailbox,
                         Access access)
    : MailboxView(mailbox, access, storage::messages::list(txn, actor, mailbox.id)) {}

MailboxView::MailboxView(const storage::Collection& mailbox, Access access,
                         const std::vector<storage::messages::Summary>& messages)
    : mailbox_(mailbox), access_(access) {
  uids_.reserve(messages.size());
  for (const auto& s : messages) uids_.push_back(s.uid);
  uidnext_ = mailbox.uidnext;
  modseq_ = mailbox.modseq;
  recent_mark_ = mailbox.recent_uid;
}

std::optional<std::uint32_t> MailboxView::sequence_of(Uid uid) const {
  auto pos = std::lower_bound(uids_.begin(), uids_.end(), uid);
  if (pos == uids_.end() || *pos != uid) return std::nullopt;
  return static_cast<std::uint32_t>(pos - uids_.begin()) + 1;
}

std::uint32_t MailboxView::recent_count() const {
  auto first = std::upper_bound(uids_.begin(), uids_.end(), recent_mark_);
  return static_cast<std::uint32_t>(uids_.end() - first);
}

ViewUpdate MailboxView::refresh(storage::ReadTxn& txn, const storage::Actor& actor, Expunges expunges) {
  ViewUpdate update;
  auto current = storage::collections::get(txn, actor, mailbox_.id);
  if (!current) {
    update.mailbox_gone = true;
    return update;
  }

  std::set<Uid> gone, updated, arrived;
  if (current->modseq > modseq_) {
    auto changes = storage::items::changes_since(txn, actor, mailbox_.id, modseq_, k_change_window);
    if (changes.size() < k_change_window) {
      for (const auto& c : changes) {
        if (!c.uid) continue;
        Uid u = *c.uid;
        switch (c.op) {
          case storage::ChangeOp::item_deleted:
            if (contains(uids_, u)) gone.insert(u);
            arrived.erase(u);
            updated.erase(u);
            break;
          case storage::ChangeOp::item_created:
            if (u >= uidnext_ && !contains(uids_, u)) arrived.insert(u);
            break;
          case storage::ChangeOp::item_updated:
            if (contains(uids_, u)) updated.insert(u);
            break;
          default: break;
        }
      }
    } else {
      // Long away (or a mass change): compare listings.
      auto all = storage::messages::list(txn, actor, mailbox_.id);
      std::vector<Uid> present;
      for (const auto& s : all) {
        present.push_back(s.uid);
        if (s.uid >= uidnext_ && !contains(uids_, s.uid)) {
          arrived.insert(s.uid);
        } else if (s.modseq > modseq_ && contains(uids_, s.uid)) {
          updated.insert(s.uid);
        }
      }
      for (Uid u : uids_) {
        if (!std::binary_search(present.begin(), present.end(), u)) gone.insert(u);
      }
    }
  }
  for (Uid u : gone) {
    updated.erase(u);
    if (!contains(held_expunges_, u)) held_expunges_.insert(std::upper_bound(held_expunges_.begin(), held_expunges_.end(), u), u);
  }

  if (expunges == Expunges::tell && !held_expunges_.empty()) {
    update.expunged = std::move(held_expunges_);
    held_expunges_.clear();
    std::vector<Uid> kept;
    kept.reserve(uids_.size());
    std::set_difference(uids_.begin(), uids_.end(), update.expunged.begin(), update.expunged.end(),
                        std::back_inserter(kept));
    uids_ = std::move(kept);
  }

  if (!arrived.empty()) {
    // Only those still present, in UID order (a message may have come and gone in between).
    std::vector<Uid> wanted(arrived.begin(), arrived.end());
    std::size_t before = uids_.size();
    for (const auto& d : storage::messages::fetch(txn, actor, mailbox_.id, wanted, storage::messages::Meta::without)) {
      uids_.push_back(d.summary.uid);
    }
    std::sort(uids_.begin(), uids_.end());
    if (uids_.size() > before) update.exists = exists();
  }

  if (!updated.empty()) {
    std::vector<Uid> wanted(updated.begin(), updated.end());
    for (auto& d : storage::messages::fetch(txn, actor, mailbox_.id, wanted, storage::messages::Meta::without)) {
      auto self = std::find_if(self_reported_.begin(), self_reported_.end(),
                               [&](const auto& p) { return p.first == d.summary.uid && p.second >= d.summary.modseq; });
      if (self != self_reported_.end()) continue;
      update.flag_changes.push_back(std::move(d.summary));
    }
  }
  self_reported_.clear();
  modseq_ = current->modseq;
  uidnext_ = current->uidnext;
  mailbox_ = *current;
  return update;
}

void MailboxView::reported(std::span<const storage::messages::Summary> changed) {
  for (const auto& s : changed) self_reported_.emplace_back(s.uid, s.modseq);
}

void MailboxView::forget(std::span<const Uid> expunged) {
  std::vector<Uid> sorted(expunged.begin(), expunged.end());
  std::sort(sorted.begin(), sorted.end());
  std::vector<Uid> kept;
  std::set_difference(uids_.begin(), uids_.end(), sorted.begin(), sorted.end(), std::back_inserter(kept));
  uids_ = std::move(kept);
  std::vector<Uid> held;
  std::set_difference(held_expunges_.begin(), held_expunges_.end(), sorted.begin(), sorted.end(),
                      std::back_inserter(held));
  held_expunges_ = std::move(held);
}

}  // namespace atrium::imap
