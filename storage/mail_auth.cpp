// DKIM keys and cached MTA-STS policies.
#include "storage/mail_auth.hpp"

namespace atrium::storage::mail_auth {

void put_dkim_key(WriteTxn& txn, const DkimKey& key) {
  if (key.domain.empty() || key.selector.empty() || key.private_key.empty()) {
    throw StoreError(Errc::invalid, "a DKIM key needs a domain, a selector and a private key");
  }
  if (key.algorithm != "rsa-sha256" && key.algorithm != "ed25519-sha256") {
    throw StoreError(Errc::invalid, "unknown DKIM algorithm " + key.algorithm);
  }
  txn.db()
      .cached("INSERT INTO dkim_keys (domain, selector, algorithm, private_key, dns_record, created_at) "
              "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (domain, selector) DO UPDATE SET algorithm = excluded.algorithm, "
              "private_key = excluded.private_key, dns_record = excluded.dns_record, created_at = excluded.created_at")
      .bind(1, key.domain)
      .bind(2, key.selector)
      .bind(3, key.algorithm)
      .bind(4, key.private_key)
      .bind(5, key.dns_record)
      .bind(6, key.created_at)
      .run();
}

std::vector<DkimKey> dkim_keys(ReadTxn& txn, const std::optional<std::string>& domain) {
  auto& q = txn.db().cached(
      "SELECT domain, selector, algorithm, private_key, dns_record, created_at FROM dkim_keys "
      "WHERE ? IS NULL OR domain = ? ORDER BY domain, created_at DESC, selector");
  q.bind(1, domain).bind(2, domain);
  std::vector<DkimKey> out;
  while (q.step()) {
    out.push_back({q.column_text(0), q.column_text(1), q.column_text(2), q.column_text(3), q.column_text(4),
                   q.column_int(5)});
  }
  q.reset();
  return out;
}

bool remove_dkim_key(WriteTxn& txn, const std::string& domain, const std::string& selector) {
  txn.db().cached("DELETE FROM dkim_keys WHERE domain = ? AND selector = ?").bind(1, domain).bind(2, selector).run();
  return txn.db().changes() > 0;
}

std::optional<MtaStsEntry> mta_sts_policy(ReadTxn& txn, const std::string& domain) {
  auto& q = txn.db().cached(
      "SELECT domain, policy_id, policy, fetched_at, expires_at FROM mta_sts_policies WHERE domain = ?");
  q.bind(1, domain);
  std::optional<MtaStsEntry> out;
  if (q.step()) out = MtaStsEntry{q.column_text(0), q.column_text(1), q.column_text(2), q.column_int(3), q.column_int(4)};
  q.reset();
  return out;
}

void put_mta_sts_policy(WriteTxn& txn, const MtaStsEntry& e) {
  txn.db()
      .cached("INSERT INTO mta_sts_policies (domain, policy_id, policy, fetched_at, expires_at) VALUES (?, ?, ?, ?, ?) "
              "ON CONFLICT (domain) DO UPDATE SET policy_id = excluded.policy_id, policy = excluded.policy, "
              "fetched_at = excluded.fetched_at, expires_at = excluded.expires_at")
      .bind(1, e.domain)
      .bind(2, e.policy_id)
      .bind(3, e.policy)
      .bind(4, e.fetched_at)
      .bind(5, e.expires_at)
      .run();
}

}  // namespace atrium::storage::mail_auth
