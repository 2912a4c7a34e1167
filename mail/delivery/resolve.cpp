// Recursive expansion of an envelope address through the directory.
#include "mail/delivery/resolve.hpp"

#include "core/log/log.hpp"
#include "storage/access.hpp"
#include "storage/address.hpp"
#include "storage/collections.hpp"
#include "storage/directory.hpp"

#include <set>

namespace atrium::mail::delivery {
namespace {

using storage::Collection;
using storage::CollectionKind;
using storage::Principal;
using storage::PrincipalKind;

enum class CatchAll { allowed, forbidden };

bool same_ascii_ci(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

class Expander {
 public:
  Expander(storage::ReadTxn& txn, Resolution& out) : txn_(txn), out_(out) {}

  // `raw` keeps the sender's case: a plus tag names a mailbox, and mailbox names are case-sensitive.
  void address(std::string_view raw, int depth, CatchAll catch_all) {
    if (!within_depth(raw, depth)) return;
    auto norm = storage::normalise_address(raw);
    if (!norm) return;  // quoted, routed or otherwise no address an account or alias can have
    std::string domain(storage::address_domain(*norm));
    if (!storage::directory::is_local_domain(txn_, domain)) {
      add_remote(*norm);
      return;
    }
    if (!visited_.insert(*norm).second) return;  // alias loop, or reached twice

    if (auto p = storage::directory::find_principal(txn_, *norm)) {
      principal(*p, depth, {});
      return;
    }
    if (auto alias = storage::directory::find_alias(txn_, *norm)) {
      for (const auto& target : alias->targets) address(target, depth + 1, CatchAll::forbidden);
      return;
    }
    // Plus-addressing: the first '+' splits account and tag (an account whose own name holds a
    // '+' was matched exactly above).
    std::string_view raw_local = raw.substr(0, raw.rfind('@'));
    auto plus = raw_local.find('+');
    if (plus != std::string_view::npos && plus > 0) {
      std::string base = std::string(raw_local.substr(0, plus)) + "@" + domain;
      std::string_view tag = raw_local.substr(plus + 1);
      if (auto p = storage::directory::find_principal(txn_, base)) {
        if (visited_.insert(*storage::normalise_address(base)).second) principal(*p, depth, tag);
        return;
      }
      if (storage::directory::find_alias(txn_, base)) {
        address(base, depth, CatchAll::forbidden);
        return;
      }
    }
    if (catch_all == CatchAll::allowed) {
      if (auto target = storage::directory::get_catch_all(txn_, domain)) {
        address(*target, depth + 1, CatchAll::forbidden);
      }
    }
  }

 private:
  bool within_depth(std::string_view what, int depth) {
    if (depth <= k_max_resolve_depth) return true;
    log::warn("delivery.resolve_depth", "address", what, "limit", k_max_resolve_depth);
    return false;
  }

  void principal(const Principal& p, int depth, std::string_view tag) {
    switch (p.kind) {
      case PrincipalKind::user:
      case PrincipalKind::resource:
        if (seen_principals_.insert(p.id).second) out_.local.push_back({p.id, mailbox_for(p, tag)});
        return;
      case PrincipalKind::group:
        for (const auto& member : storage::directory::group_members(txn_, p.id)) {
          if (!within_depth(member.email, depth + 1)) return;
          if (visited_.insert(member.email).second) principal(member, depth + 1, {});
        }
        return;
    }
  }

  storage::CollectionId mailbox_for(const Principal& p, std::string_view tag) {
    auto system = storage::Actor::system();
    if (!tag.empty() && p.kind == PrincipalKind::user) {
      if (auto c = storage::collections::find(txn_, system, p.id, CollectionKind::mailbox, tag)) return c->id;
      for (const Collection& c : storage::collections::list(txn_, system, p.id, CollectionKind::mailbox)) {
        if (same_ascii_ci(c.name, tag)) return c.id;
      }
    }
    auto inbox = storage::collections::find(txn_, system, p.id, CollectionKind::mailbox, "INBOX");
    return inbox ? inbox->id : 0;
  }

  void add_remote(const std::string& address) {
    if (seen_remote_.insert(address).second) out_.remote.push_back(address);
  }

  storage::ReadTxn& txn_;
  Resolution& out_;
  std::set<std::string> visited_;  // canonical addresses already expanded
  std::set<storage::PrincipalId> seen_principals_;
  std::set<std::string> seen_remote_;
};

}  // namespace

Resolution resolve(storage::ReadTxn& txn, std::string_view address) {
  Resolution out;
  auto at = address.rfind('@');
  if (at == std::string_view::npos) return out;
  auto domain = storage::normalise_domain(address.substr(at + 1));
  if (!domain) return out;
  if (!storage::directory::is_local_domain(txn, *domain)) {
    out.kind = ResolutionKind::remote;
    out.remote.push_back(std::string(address.substr(0, at)) + "@" + *domain);
    return out;
  }
  Expander(txn, out).address(address, 0, CatchAll::allowed);
  out.kind = out.local.empty() && out.remote.empty() ? ResolutionKind::unknown : ResolutionKind::local;
  return out;
}

}  // namespace atrium::mail::delivery
