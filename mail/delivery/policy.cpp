// RCPT and MAIL FROM policy over the directory.
#include "mail/delivery/policy.hpp"

#include "core/log/log.hpp"
#include "storage/address.hpp"
#include "storage/directory.hpp"

#include <algorithm>
#include <string>

namespace atrium::mail::delivery {
namespace {

// Local parts that ask the receiving host to route further: "a%b@us", "b!a@us", "a@b"@us and
// source routes (RFC 5321 §3.6.1, appendix C). A relay that honours them is an open relay.
bool routing_trick(std::string_view address) {
  auto at = address.rfind('@');
  std::string_view local = at == std::string_view::npos ? address : address.substr(0, at);
  return local.find_first_of("%!@") != std::string_view::npos;
}

bool quota_reached(storage::ReadTxn& txn, storage::PrincipalId id) {
  auto p = storage::directory::get_principal(txn, id);
  return p && p->quota_bytes > 0 && p->used_bytes >= p->quota_bytes;
}

}  // namespace

RecipientDecision check_recipient(storage::ReadTxn& txn, RecipientMode mode, std::string_view address) {
  RecipientDecision d;
  d.resolution = resolve(txn, address);
  const Resolution& res = d.resolution;
  switch (res.kind) {
    case ResolutionKind::unknown:
      d.verdict = mode == RecipientMode::mx && routing_trick(address) ? RecipientVerdict::relay_denied
                                                                      : RecipientVerdict::unknown_user;
      return d;
    case ResolutionKind::remote:
      d.verdict = mode == RecipientMode::submission ? RecipientVerdict::accept
                  : mode == RecipientMode::lmtp     ? RecipientVerdict::unknown_user
                                                    : RecipientVerdict::relay_denied;
      return d;
    case ResolutionKind::local:
      break;
  }
  bool all_full = res.remote.empty() && !res.local.empty() &&
                  std::all_of(res.local.begin(), res.local.end(),
                              [&](const LocalTarget& t) { return quota_reached(txn, t.principal); });
  d.verdict = all_full ? RecipientVerdict::quota_full : RecipientVerdict::accept;
  return d;
}

RecipientDecision RecipientPolicy::check(RecipientMode mode, std::string_view address) const {
  try {
    return store_.read([&](storage::ReadTxn& txn) { return check_recipient(txn, mode, address); });
  } catch (const std::exception& e) {
    log::warn("delivery.rcpt_check_failed", "address", address, "reason", e.what());
    return {};
  }
}

SenderVerdict check_sender(storage::ReadTxn& txn, storage::PrincipalId user, std::string_view address) {
  auto p = storage::directory::get_principal(txn, user);
  if (!p) return SenderVerdict::denied;
  auto norm = storage::normalise_address(address);
  if (!norm) return SenderVerdict::denied;

  auto owned = [&](const std::string& candidate) {
    if (candidate == p->email) return true;
    auto alias = storage::directory::find_alias(txn, candidate);
    return alias && std::find(alias->targets.begin(), alias->targets.end(), p->email) != alias->targets.end();
  };
  if (owned(*norm)) return SenderVerdict::allowed;

  std::string_view local = storage::address_local(*norm);
  auto plus = local.find('+');
  if (plus != std::string_view::npos && plus > 0) {
    std::string base = std::string(local.substr(0, plus)) + "@" + std::string(storage::address_domain(*norm));
    if (owned(base)) return SenderVerdict::allowed;
  }
  return SenderVerdict::denied;
}

SenderVerdict SenderPolicy::check(storage::PrincipalId user, std::string_view address) const {
  try {
    return store_.read([&](storage::ReadTxn& txn) { return check_sender(txn, user, address); });
  } catch (const std::exception& e) {
    log::warn("delivery.sender_check_failed", "address", address, "reason", e.what());
    return SenderVerdict::temporary_failure;
  }
}

std::string RecipientCache::key(RecipientMode mode, std::string_view address) {
  std::string k(1, static_cast<char>('0' + static_cast<int>(mode)));
  k.append(address);
  return k;
}

bool RecipientCache::accepted(RecipientMode mode, std::string_view address) {
  auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  auto it = expiry_.find(key(mode, address));
  if (it == expiry_.end()) return false;
  if (it->second > now) return true;
  expiry_.erase(it);
  return false;
}

void RecipientCache::remember(RecipientMode mode, std::string_view address) {
  auto until = std::chrono::steady_clock::now() + ttl_;
  std::lock_guard lock(mutex_);
  if (expiry_.size() >= capacity_) expiry_.clear();
  expiry_[key(mode, address)] = until;
}

}  // namespace atrium::mail::delivery
