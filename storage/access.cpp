// ACL decisions over owners, grants and group membership.
#include "storage/access.hpp"

#include "storage/collections.hpp"
#include "storage/directory.hpp"

#include <fmt/format.h>

namespace atrium::storage {
namespace {
constexpr std::string_view k_letters = "lrswipkxtea";
}

std::string rights_to_string(Rights r) {
  std::string out;
  for (std::size_t i = 0; i < k_letters.size(); ++i) {
    if (r & (1u << i)) out += k_letters[i];
  }
  return out;
}

std::optional<Rights> rights_from_string(std::string_view letters) {
  Rights r = 0;
  for (char c : letters) {
    auto pos = k_letters.find(c);
    if (pos == std::string_view::npos) return std::nullopt;
    r |= 1u << pos;
  }
  return r;
}

Rights effective_rights(ReadTxn& txn, const Actor& actor, const Collection& c) {
  if (actor.is_system() || actor.id() == c.account_id) return all_rights;
  Rights r = 0;
  auto& q = txn.db().cached("SELECT rights FROM acl WHERE collection_id = ? AND grantee_id = ?");
  auto grant_of = [&](PrincipalId who) {
    q.bind(1, c.id).bind(2, who);
    if (q.step()) r |= static_cast<Rights>(q.column_int(0));
    q.reset();
  };
  grant_of(actor.id());
  for (PrincipalId g : directory::groups_of(txn, actor.id())) grant_of(g);
  return r;
}

void require_rights(ReadTxn& txn, const Actor& actor, const Collection& c, Rights needed) {
  Rights have = effective_rights(txn, actor, c);
  if (!(have & right_lookup)) throw StoreError(Errc::not_found, "no such collection");
  if ((have & needed) != needed) {
    throw StoreError(Errc::access_denied,
                     fmt::format("permission denied: need \"{}\" on {}", rights_to_string(needed & ~have), c.name));
  }
}

void set_acl(WriteTxn& txn, const Actor& actor, CollectionId collection, PrincipalId grantee, Rights rights) {
  auto c = collections::load(txn, collection);
  if (!c) throw StoreError(Errc::not_found, "no such collection");
  require_rights(txn, actor, *c, right_admin);
  if (!directory::get_principal(txn, grantee)) throw StoreError(Errc::not_found, "no such principal");
  if (grantee == c->account_id) throw StoreError(Errc::invalid, "the owner's rights cannot be changed");
  if (rights == 0) {
    txn.db().cached("DELETE FROM acl WHERE collection_id = ? AND grantee_id = ?").bind(1, collection).bind(2, grantee).run();
  } else {
    txn.db()
        .cached("INSERT INTO acl (collection_id, grantee_id, rights) VALUES (?, ?, ?) "
                "ON CONFLICT (collection_id, grantee_id) DO UPDATE SET rights = excluded.rights")
        .bind(1, collection)
        .bind(2, grantee)
        .bind(3, static_cast<std::int64_t>(rights & all_rights))
        .run();
  }
  txn.log_change(c->account_id, collection, std::nullopt, std::nullopt, ChangeOp::collection_updated);
}

std::vector<AclEntry> get_acl(ReadTxn& txn, const Actor& actor, CollectionId collection) {
  auto c = collections::load(txn, collection);
  if (!c) throw StoreError(Errc::not_found, "no such collection");
  require_rights(txn, actor, *c, right_admin);
  std::vector<AclEntry> out;
  auto& q = txn.db().cached(
      "SELECT a.grantee_id, p.email, a.rights FROM acl a JOIN principals p ON p.id = a.grantee_id "
      "WHERE a.collection_id = ? ORDER BY p.email");
  q.bind(1, collection);
  while (q.step()) out.push_back({q.column_int(0), q.column_text(1), static_cast<Rights>(q.column_int(2))});
  q.reset();
  return out;
}

}  // namespace atrium::storage
