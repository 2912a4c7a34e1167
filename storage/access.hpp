// Authorisation: the one place that answers "may this actor do R on collection C". Every
// collection and item operation in the store takes an Actor and asks here first, so no protocol
// can reach another account's data without an ACL grant.
#pragma once

#include "storage/store.hpp"
#include "storage/types.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atrium::storage {

// Rights after RFC 4314 (IMAP ACL); DAV privileges and EAS map onto the same set.
enum Right : std::uint32_t {
  right_lookup = 1u << 0,             // l: see that the collection exists
  right_read = 1u << 1,               // r: read items
  right_seen = 1u << 2,               // s: keep \Seen
  right_write = 1u << 3,              // w: change flags/keywords other than \Seen and \Deleted, edit items
  right_insert = 1u << 4,             // i: add items
  right_post = 1u << 5,               // p: submit mail to the collection's address
  right_create = 1u << 6,             // k: create child collections
  right_delete_collection = 1u << 7,  // x: delete or rename the collection
  right_delete_items = 1u << 8,       // t: mark items deleted / delete DAV resources
  right_expunge = 1u << 9,            // e: expunge
  right_admin = 1u << 10,             // a: change the ACL
};
using Rights = std::uint32_t;
constexpr Rights all_rights = (1u << 11) - 1;

// "lrswipkxtea" letters for the rights set; parsing refuses unknown letters.
std::string rights_to_string(Rights r);
std::optional<Rights> rights_from_string(std::string_view letters);

// Who is acting. `system` is the server itself (local delivery, the admin CLI); every
// protocol session acts as the principal it authenticated.
class Actor {
 public:
  static Actor system() { return Actor(0); }
  static Actor principal(PrincipalId id) { return Actor(id); }
  bool is_system() const { return id_ == 0; }
  PrincipalId id() const { return id_; }

 private:
  explicit Actor(PrincipalId id) : id_(id) {}
  PrincipalId id_;
};

struct AclEntry {
  PrincipalId grantee = 0;
  std::string grantee_email;
  Rights rights = 0;
};

// The rights `actor` has on `c`: everything for the system and the owner; otherwise the union
// of grants to the actor and to every group it belongs to (nested groups included).
Rights effective_rights(ReadTxn& txn, const Actor& actor, const Collection& c);

// Throws StoreError(not_found) when the actor may not even see the collection (its existence is
// not revealed), StoreError(access_denied) when it may see it but lacks `needed`.
void require_rights(ReadTxn& txn, const Actor& actor, const Collection& c, Rights needed);

// Replaces the grant of `grantee` on the collection (0 removes it). Needs right_admin.
void set_acl(WriteTxn& txn, const Actor& actor, CollectionId collection, PrincipalId grantee, Rights rights);
// The collection's grants. Needs right_admin or right_lookup (RFC 4314 MYRIGHTS/GETACL split is
// the protocol's business; the store returns entries to anyone who may administer).
std::vector<AclEntry> get_acl(ReadTxn& txn, const Actor& actor, CollectionId collection);

}  // namespace atrium::storage
