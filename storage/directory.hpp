// The directory: domains, principals (users, groups, resources), aliases, memberships, app
// passwords, and credential checks. Every refusal throws StoreError with a message fit to show an
// administrator (invalid / not_found / conflict) and changes nothing.
#pragma once

#include "storage/store.hpp"
#include "storage/types.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atrium::storage::directory {

// ---- reads -------------------------------------------------------------------------------
std::vector<Domain> list_domains(ReadTxn& txn);
std::optional<Domain> find_domain(ReadTxn& txn, std::string_view name);
bool is_local_domain(ReadTxn& txn, std::string_view domain);
// The domain's catch-all address (see set_catch_all), canonical; nullopt when none is set or the
// domain is not local.
std::optional<std::string> get_catch_all(ReadTxn& txn, std::string_view domain);

// Looks a principal up by its primary address (any case).
std::optional<Principal> find_principal(ReadTxn& txn, std::string_view email);
std::optional<Principal> get_principal(ReadTxn& txn, PrincipalId id);
// All principals (of one kind when given), ordered by address.
std::vector<Principal> list_principals(ReadTxn& txn, std::optional<PrincipalKind> kind = std::nullopt);

std::vector<Alias> list_aliases(ReadTxn& txn);
std::optional<Alias> find_alias(ReadTxn& txn, std::string_view address);
// Direct members of a group, ordered by address.
std::vector<Principal> group_members(ReadTxn& txn, PrincipalId group);
// Every group `principal` belongs to, directly or through nested groups (for ACL checks).
std::vector<PrincipalId> groups_of(ReadTxn& txn, PrincipalId principal);
std::vector<AppPassword> list_app_passwords(ReadTxn& txn, PrincipalId user);

// ---- writes ------------------------------------------------------------------------------
DomainId add_domain(WriteTxn& txn, std::string_view name);
// Refuses while principals or aliases of the domain exist.
void del_domain(WriteTxn& txn, std::string_view name);
// Catch-all: mail to a local part of `domain` that is no principal, alias or plus-address goes
// to `target` (resolved like an alias target, never through another catch-all) instead of being
// refused with 550 5.1.1. nullopt clears it. A local target must exist now (principal or alias),
// so a typo is refused; one deleted later makes such mail unknown again. Remote targets are
// allowed (the mail is forwarded through the outbound queue). Refuses a domain that is not local.
void set_catch_all(WriteTxn& txn, std::string_view domain, std::optional<std::string_view> target);

struct NewUser {
  std::string email;
  std::string password_hash;  // PHC string from auth::hash_password; never a clear password
  std::string display_name;
  std::int64_t quota_bytes = 0;  // 0 = unlimited
};
// Creates the user with its default mailboxes (INBOX, Drafts, Sent, Junk, Trash, Archive with
// their special-use attributes). Refuses an address that is not in a local domain or that is
// already a principal or an alias.
PrincipalId add_user(WriteTxn& txn, const NewUser& user);

struct NewGroup {
  std::string email;
  std::string display_name;
  std::vector<std::string> members;  // principal addresses
};
PrincipalId add_group(WriteTxn& txn, const NewGroup& group);

struct NewResource {
  std::string email;
  std::string display_name;
  ResourceKind kind = ResourceKind::room;
};
PrincipalId add_resource(WriteTxn& txn, const NewResource& resource);

// Deletes a principal of any kind with its collections, items (blob references dropped),
// change log, memberships, ACL grants and app passwords.
void del_principal(WriteTxn& txn, std::string_view email);
void set_password_hash(WriteTxn& txn, std::string_view email, std::string_view password_hash);
void set_quota(WriteTxn& txn, std::string_view email, std::int64_t quota_bytes);
// `secret_hash` from auth::hash_app_password. Refuses a duplicate label for the same user.
void add_app_password(WriteTxn& txn, std::string_view email, std::string_view label, std::string_view secret_hash);
void del_app_password(WriteTxn& txn, std::string_view email, std::string_view label);

// An alias's address must be in a local domain and not be a principal. Targets are addresses,
// local or remote; adding to an existing alias adds targets.
void add_alias(WriteTxn& txn, std::string_view address, const std::vector<std::string>& targets);
void del_alias(WriteTxn& txn, std::string_view address);

// Members may be users, resources or groups; a group may not contain itself, directly or
// through nesting.
void add_member(WriteTxn& txn, std::string_view group, std::string_view member);
void del_member(WriteTxn& txn, std::string_view group, std::string_view member);

}  // namespace atrium::storage::directory
