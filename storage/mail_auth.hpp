// Mail authentication state kept in the store: DKIM signing keys per domain and selector (the
// private key stays in the store like every other secret of an account, so a backup of the store
// is complete), and the MTA-STS policy cache of RFC 8461 §5.1.
#pragma once

#include "storage/store.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace atrium::storage::mail_auth {

struct DkimKey {
  std::string domain;       // lower case
  std::string selector;
  std::string algorithm;    // "rsa-sha256" or "ed25519-sha256"
  std::string private_key;  // PEM
  std::string dns_record;   // the TXT value to publish at <selector>._domainkey.<domain>
  std::int64_t created_at = 0;
};

// Adds or replaces the key of (domain, selector). Throws StoreError(invalid) for an empty
// domain/selector/key or an unknown algorithm.
void put_dkim_key(WriteTxn& txn, const DkimKey& key);
// Keys of `domain` (every key when nullopt), newest first.
std::vector<DkimKey> dkim_keys(ReadTxn& txn, const std::optional<std::string>& domain);
// False when there was no such key.
bool remove_dkim_key(WriteTxn& txn, const std::string& domain, const std::string& selector);

struct MtaStsEntry {
  std::string domain;
  std::string policy_id;  // the id= of the _mta-sts TXT record the policy was fetched for
  std::string policy;     // the policy file as fetched
  std::int64_t fetched_at = 0;
  std::int64_t expires_at = 0;  // fetched_at + max_age
};

std::optional<MtaStsEntry> mta_sts_policy(ReadTxn& txn, const std::string& domain);
void put_mta_sts_policy(WriteTxn& txn, const MtaStsEntry& entry);

}  // namespace atrium::storage::mail_auth
