// Directory rows: domains, principals, aliases, memberships, app passwords.
#include "storage/directory.hpp"

#include "storage/address.hpp"
#include "storage/blobs.hpp"
#include "storage/collections.hpp"
#include "storage/resources.hpp"

#include <fmt/format.h>

#include <ctime>
#include <set>

namespace atrium::storage::directory {
namespace {

constexpr std::string_view k_columns =
    "id, kind, email, domain_id, display_name, quota_bytes, used_bytes, resource_kind, modseq, created_at, "
    "password_hash IS NOT NULL";

Principal row(const sql::Statement& q) {
  Principal p;
  p.id = q.column_int(0);
  p.kind = static_cast<PrincipalKind>(q.column_int(1));
  p.email = q.column_text(2);
  p.domain_id = q.column_int(3);
  p.display_name = q.column_text(4);
  p.quota_bytes = q.column_int(5);
  p.used_bytes = q.column_int(6);
  if (auto rk = q.column_opt_int(7)) p.resource_kind = static_cast<ResourceKind>(*rk);
  p.modseq = q.column_int(8);
  p.created_at = q.column_int(9);
  p.has_password = q.column_int(10) != 0;
  return p;
}

std::int64_t now() { return static_cast<std::int64_t>(std::time(nullptr)); }

std::string address_or_throw(std::string_view address) {
  std::string why;
  auto a = normalise_address(address, &why);
  if (!a) throw StoreError(Errc::invalid, fmt::format("invalid address \"{}\": {}", address, why));
  return *a;
}

std::string domain_or_throw(std::string_view domain) {
  std::string why;
  auto d = normalise_domain(domain, &why);
  if (!d) throw StoreError(Errc::invalid, fmt::format("invalid domain \"{}\": {}", domain, why));
  return *d;
}

Principal principal_or_throw(ReadTxn& txn, std::string_view email) {
  auto a = address_or_throw(email);
  auto p = find_principal(txn, a);
  if (!p) throw StoreError(Errc::not_found, fmt::format("{} does not exist", a));
  return *p;
}

// A new principal or alias address must be in a local domain and not taken by either.
DomainId claim_address(ReadTxn& txn, const std::string& address) {
  auto d = find_domain(txn, address_domain(address));
  if (!d) throw StoreError(Errc::not_found, fmt::format("domain {} is not a local domain", address_domain(address)));
  if (find_principal(txn, address)) throw StoreError(Errc::conflict, fmt::format("{} already exists", address));
  if (find_alias(txn, address)) throw StoreError(Errc::conflict, fmt::format("{} already exists as an alias", address));
  return d->id;
}

PrincipalId insert_principal(WriteTxn& txn, PrincipalKind kind, const std::string& email, DomainId domain,
                             std::string_view name, std::optional<std::string_view> password_hash,
                             std::int64_t quota, std::optional<ResourceKind> rk) {
  if (name.size() > 256) throw StoreError(Errc::invalid, "name longer than 256 octets");
  if (quota < 0) throw StoreError(Errc::invalid, "quota must not be negative");
  auto& q = txn.db().cached(
      "INSERT INTO principals (kind, email, domain_id, display_name, password_hash, quota_bytes, resource_kind, "
      "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
  q.bind(1, static_cast<std::int64_t>(kind))
      .bind(2, email)
      .bind(3, domain)
      .bind(4, name)
      .bind(5, password_hash ? std::optional<std::string>(*password_hash) : std::nullopt)
      .bind(6, quota)
      .bind(7, rk ? std::optional<std::int64_t>(static_cast<std::int64_t>(*rk)) : std::nullopt)
      .bind(8, now());
  q.step();
  PrincipalId id = q.column_int(0);
  q.reset();
  return id;
}

struct DefaultMailbox {
  const char* name;
  const char* special_use;
};
constexpr DefaultMailbox k_default_mailboxes[] = {
    {"INBOX", ""}, {"Drafts", "\\Drafts"}, {"Sent", "\\Sent"},
    {"Junk", "\\Junk"}, {"Trash", "\\Trash"}, {"Archive", "\\Archive"},
};

}  // namespace

// ---- reads -------------------------------------------------------------------------------

std::vector<Domain> list_domains(ReadTxn& txn) {
  auto& q = txn.db().cached("SELECT id, name, created_at FROM domains ORDER BY name");
  std::vector<Domain> out;
  while (q.step()) out.push_back({q.column_int(0), q.column_text(1), q.column_int(2)});
  q.reset();
  return out;
}

std::optional<Domain> find_domain(ReadTxn& txn, std::string_view name) {
  auto d = normalise_domain(name);
  if (!d) return std::nullopt;
  auto& q = txn.db().cached("SELECT id, name, created_at FROM domains WHERE name = ?");
  q.bind(1, *d);
  std::optional<Domain> out;
  if (q.step()) out = Domain{q.column_int(0), q.column_text(1), q.column_int(2)};
  q.reset();
  return out;
}

bool is_local_domain(ReadTxn& txn, std::string_view domain) { return find_domain(txn, domain).has_value(); }

std::optional<std::string> get_catch_all(ReadTxn& txn, std::string_view domain) {
  auto d = normalise_domain(domain);
  if (!d) return std::nullopt;
  auto& q = txn.db().cached("SELECT catch_all FROM domains WHERE name = ?");
  q.bind(1, *d);
  std::optional<std::string> out;
  if (q.step() && !q.column_is_null(0)) out = q.column_text(0);
  q.reset();
  return out;
}

std::optional<Principal> find_principal(ReadTxn& txn, std::string_view email) {
  auto a = normalise_address(email);
  if (!a) return std::nullopt;
  auto& q = txn.db().cached(fmt::format("SELECT {} FROM principals WHERE email = ?", k_columns));
  q.bind(1, *a);
  std::optional<Principal> out;
  if (q.step()) out = row(q);
  q.reset();
  return out;
}

std::optional<Principal> get_principal(ReadTxn& txn, PrincipalId id) {
  auto& q = txn.db().cached(fmt::format("SELECT {} FROM principals WHERE id = ?", k_columns));
  q.bind(1, id);
  std::optional<Principal> out;
  if (q.step()) out = row(q);
  q.reset();
  return out;
}

std::vector<Principal> list_principals(ReadTxn& txn, std::optional<PrincipalKind> kind) {
  auto& q = txn.db().cached(
      fmt::format("SELECT {} FROM principals WHERE (? = 0 OR kind = ?) ORDER BY email", k_columns));
  std::int64_t k = kind ? static_cast<std::int64_t>(*kind) : 0;
  q.bind(1, k).bind(2, k);
  std::vector<Principal> out;
  while (q.step()) out.push_back(row(q));
  q.reset();
  return out;
}

std::vector<Alias> list_aliases(ReadTxn& txn) {
  auto& q = txn.db().cached("SELECT address, target FROM aliases ORDER BY address, target");
  std::vector<Alias> out;
  while (q.step()) {
    auto address = q.column_text(0);
    if (out.empty() || out.back().address != address) out.push_back({address, {}});
    out.back().targets.push_back(q.column_text(1));
  }
  q.reset();
  return out;
}

std::optional<Alias> find_alias(ReadTxn& txn, std::string_view address) {
  auto a = normalise_address(address);
  if (!a) return std::nullopt;
  auto& q = txn.db().cached("SELECT target FROM aliases WHERE address = ? ORDER BY target");
  q.bind(1, *a);
  Alias alias{*a, {}};
  while (q.step()) alias.targets.push_back(q.column_text(0));
  q.reset();
  if (alias.targets.empty()) return std::nullopt;
  return alias;
}

std::vector<Principal> group_members(ReadTxn& txn, PrincipalId group) {
  auto& q = txn.db().cached(fmt::format(
      "SELECT {} FROM principals WHERE id IN (SELECT member_id FROM memberships WHERE group_id = ?) ORDER BY email",
      k_columns));
  q.bind(1, group);
  std::vector<Principal> out;
  while (q.step()) out.push_back(row(q));
  q.reset();
  return out;
}

std::vector<PrincipalId> groups_of(ReadTxn& txn, PrincipalId principal) {
  // UNION (not UNION ALL) makes the recursion stop on a membership cycle.
  auto& q = txn.db().cached(
      "WITH RECURSIVE up(id) AS (SELECT group_id FROM memberships WHERE member_id = ? "
      "UNION SELECT m.group_id FROM memberships m JOIN up ON m.member_id = up.id) SELECT id FROM up");
  q.bind(1, principal);
  std::vector<PrincipalId> out;
  while (q.step()) out.push_back(q.column_int(0));
  q.reset();
  return out;
}

std::vector<AppPassword> list_app_passwords(ReadTxn& txn, PrincipalId user) {
  auto& q = txn.db().cached(
      "SELECT id, label, created_at, last_used_at FROM app_passwords WHERE principal_id = ? ORDER BY label");
  q.bind(1, user);
  std::vector<AppPassword> out;
  while (q.step()) out.push_back({q.column_int(0), q.column_text(1), q.column_int(2), q.column_opt_int(3)});
  q.reset();
  return out;
}

// ---- writes ------------------------------------------------------------------------------

DomainId add_domain(WriteTxn& txn, std::string_view name) {
  auto d = domain_or_throw(name);
  if (find_domain(txn, d)) throw StoreError(Errc::conflict, fmt::format("domain {} already exists", d));
  auto& q = txn.db().cached("INSERT INTO domains (name, created_at) VALUES (?, ?) RETURNING id");
  q.bind(1, d).bind(2, now());
  q.step();
  DomainId id = q.column_int(0);
  q.reset();
  return id;
}

void del_domain(WriteTxn& txn, std::string_view name) {
  auto d = find_domain(txn, domain_or_throw(name));
  if (!d) throw StoreError(Errc::not_found, fmt::format("domain {} does not exist", domain_or_throw(name)));
  auto& q = txn.db().cached(
      "SELECT (SELECT COUNT(*) FROM principals WHERE domain_id = ?) + (SELECT COUNT(*) FROM aliases WHERE domain_id = ?)");
  q.bind(1, d->id).bind(2, d->id);
  q.step();
  auto n = q.column_int(0);
  q.reset();
  if (n > 0) {
    throw StoreError(Errc::conflict,
                     fmt::format("domain {} still has {} accounts or aliases; delete them first", d->name, n));
  }
  txn.db().cached("DELETE FROM domains WHERE id = ?").bind(1, d->id).run();
}

void set_catch_all(WriteTxn& txn, std::string_view domain, std::optional<std::string_view> target) {
  auto d = find_domain(txn, domain_or_throw(domain));
  if (!d) throw StoreError(Errc::not_found, fmt::format("domain {} is not a local domain", domain_or_throw(domain)));
  std::optional<std::string> t;
  if (target) {
    t = address_or_throw(*target);
    if (is_local_domain(txn, address_domain(*t)) && !find_principal(txn, *t) && !find_alias(txn, *t)) {
      throw StoreError(Errc::not_found, fmt::format("{} is neither an account nor an alias", *t));
    }
  }
  txn.db().cached("UPDATE domains SET catch_all = ? WHERE id = ?").bind(1, t).bind(2, d->id).run();
}

PrincipalId add_user(WriteTxn& txn, const NewUser& u) {
  auto email = address_or_throw(u.email);
  if (u.password_hash.empty()) throw StoreError(Errc::invalid, "a user needs a password");
  DomainId domain = claim_address(txn, email);
  PrincipalId id = insert_principal(txn, PrincipalKind::user, email, domain, u.display_name, u.password_hash,
                                    u.quota_bytes, std::nullopt);
  for (const auto& mb : k_default_mailboxes) {
    collections::create(txn, Actor::system(), {id, CollectionKind::mailbox, mb.name, mb.special_use});
  }
  resources::ensure_default_collections(txn, id);
  return id;
}

PrincipalId add_group(WriteTxn& txn, const NewGroup& g) {
  auto email = address_or_throw(g.email);
  DomainId domain = claim_address(txn, email);
  PrincipalId id = insert_principal(txn, PrincipalKind::group, email, domain, g.display_name, std::nullopt, 0, std::nullopt);
  for (const auto& m : g.members) add_member(txn, email, m);
  return id;
}

PrincipalId add_resource(WriteTxn& txn, const NewResource& r) {
  auto email = address_or_throw(r.email);
  if (r.display_name.empty()) throw StoreError(Errc::invalid, "a resource needs a name");
  DomainId domain = claim_address(txn, email);
  auto id = insert_principal(txn, PrincipalKind::resource, email, domain, r.display_name, std::nullopt, 0, r.kind);
  resources::ensure_default_collections(txn, id);
  return id;
}

void del_principal(WriteTxn& txn, std::string_view email) {
  auto p = principal_or_throw(txn, email);
  // Drop blob references held by the account's items before the rows cascade away.
  std::vector<std::string> hashes;
  auto& q = txn.db().cached("SELECT blob_hash FROM items WHERE account_id = ?");
  q.bind(1, p.id);
  while (q.step()) hashes.push_back(q.column_text(0));
  q.reset();
  for (const auto& h : hashes) blob_unref(txn, h);
  txn.db().cached("DELETE FROM items WHERE account_id = ?").bind(1, p.id).run();
  txn.db().cached("DELETE FROM collections WHERE account_id = ?").bind(1, p.id).run();
  // The account's change rows go, but one row records the deletion (the search index drops the
  // account's database on it). It is written first: change-log ids must only ever grow, since
  // readers of the log (the indexer) keep their place by id, and a row inserted after deleting
  // the newest rows would take an id they have already passed.
  txn.db()
      .cached("INSERT INTO changes (account_id, modseq, collection_id, op) VALUES (?, 0, 0, ?)")
      .bind(1, p.id)
      .bind(2, static_cast<std::int64_t>(ChangeOp::account_deleted))
      .run();
  auto marker = txn.db().last_insert_id();
  txn.db().cached("DELETE FROM changes WHERE account_id = ? AND id < ?").bind(1, p.id).bind(2, marker).run();
  txn.db().cached("DELETE FROM principals WHERE id = ?").bind(1, p.id).run();
}

void set_password_hash(WriteTxn& txn, std::string_view email, std::string_view password_hash) {
  auto p = principal_or_throw(txn, email);
  if (p.kind != PrincipalKind::user) throw StoreError(Errc::invalid, fmt::format("{} is not a user", p.email));
  if (password_hash.empty()) throw StoreError(Errc::invalid, "a user needs a password");
  txn.db().cached("UPDATE principals SET password_hash = ? WHERE id = ?").bind(1, password_hash).bind(2, p.id).run();
}

void set_quota(WriteTxn& txn, std::string_view email, std::int64_t quota_bytes) {
  auto p = principal_or_throw(txn, email);
  if (quota_bytes < 0) throw StoreError(Errc::invalid, "quota must not be negative");
  txn.db().cached("UPDATE principals SET quota_bytes = ? WHERE id = ?").bind(1, quota_bytes).bind(2, p.id).run();
}

void add_app_password(WriteTxn& txn, std::string_view email, std::string_view label, std::string_view secret_hash) {
  auto p = principal_or_throw(txn, email);
  if (p.kind != PrincipalKind::user) throw StoreError(Errc::invalid, fmt::format("{} is not a user", p.email));
  if (label.empty() || label.size() > 64) throw StoreError(Errc::invalid, "label must be 1 to 64 characters");
  for (unsigned char c : label) {
    if (c < 0x20 || c == 0x7f) throw StoreError(Errc::invalid, "control character in label");
  }
  auto& e = txn.db().cached("SELECT 1 FROM app_passwords WHERE principal_id = ? AND label = ?");
  e.bind(1, p.id).bind(2, label);
  bool exists = e.step();
  e.reset();
  if (exists) throw StoreError(Errc::conflict, fmt::format("{} already has an app password labelled \"{}\"", p.email, label));
  txn.db()
      .cached("INSERT INTO app_passwords (principal_id, label, secret_hash, created_at) VALUES (?, ?, ?, ?)")
      .bind(1, p.id).bind(2, label).bind(3, secret_hash).bind(4, now())
      .run();
}

void del_app_password(WriteTxn& txn, std::string_view email, std::string_view label) {
  auto p = principal_or_throw(txn, email);
  txn.db().cached("DELETE FROM app_passwords WHERE principal_id = ? AND label = ?").bind(1, p.id).bind(2, label).run();
  if (txn.db().changes() == 0) {
    throw StoreError(Errc::not_found, fmt::format("{} has no app password labelled \"{}\"", p.email, label));
  }
}

void add_alias(WriteTxn& txn, std::string_view address, const std::vector<std::string>& targets) {
  auto a = address_or_throw(address);
  if (targets.empty()) throw StoreError(Errc::invalid, "an alias needs at least one target");
  if (targets.size() > 1000) throw StoreError(Errc::invalid, "an alias may have at most 1000 targets");
  auto existing = find_alias(txn, a);
  DomainId domain;
  if (existing) {
    domain = find_domain(txn, address_domain(a))->id;
  } else {
    domain = claim_address(txn, a);
  }
  for (const auto& t : targets) {
    auto target = address_or_throw(t);
    if (target == a) throw StoreError(Errc::invalid, "an alias cannot point at itself");
    txn.db()
        .cached("INSERT INTO aliases (address, target, domain_id) VALUES (?, ?, ?) ON CONFLICT (address, target) DO NOTHING")
        .bind(1, a).bind(2, target).bind(3, domain)
        .run();
  }
}

void del_alias(WriteTxn& txn, std::string_view address) {
  auto a = address_or_throw(address);
  txn.db().cached("DELETE FROM aliases WHERE address = ?").bind(1, a).run();
  if (txn.db().changes() == 0) throw StoreError(Errc::not_found, fmt::format("alias {} does not exist", a));
}

void add_member(WriteTxn& txn, std::string_view group, std::string_view member) {
  auto g = principal_or_throw(txn, group);
  if (g.kind != PrincipalKind::group) throw StoreError(Errc::invalid, fmt::format("{} is not a group", g.email));
  auto m = principal_or_throw(txn, member);
  if (m.id == g.id) throw StoreError(Errc::invalid, "a group cannot contain itself");
  if (m.kind == PrincipalKind::group) {
    for (PrincipalId above : groups_of(txn, g.id)) {
      if (above == m.id) {
        throw StoreError(Errc::invalid, fmt::format("{} already contains {}: that would be a loop", m.email, g.email));
      }
    }
  }
  txn.db()
      .cached("INSERT INTO memberships (group_id, member_id) VALUES (?, ?) ON CONFLICT (group_id, member_id) DO NOTHING")
      .bind(1, g.id).bind(2, m.id)
      .run();
}

void del_member(WriteTxn& txn, std::string_view group, std::string_view member) {
  auto g = principal_or_throw(txn, group);
  if (g.kind != PrincipalKind::group) throw StoreError(Errc::invalid, fmt::format("{} is not a group", g.email));
  auto m = principal_or_throw(txn, member);
  txn.db().cached("DELETE FROM memberships WHERE group_id = ? AND member_id = ?").bind(1, g.id).bind(2, m.id).run();
  if (txn.db().changes() == 0) throw StoreError(Errc::not_found, fmt::format("{} is not a member of {}", m.email, g.email));
}

}  // namespace atrium::storage::directory
