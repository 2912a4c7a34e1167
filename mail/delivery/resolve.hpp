// Recipient resolution: what one envelope address means in the directory. Users and resources,
// aliases (local or external targets), groups (every member, nested), plus-addresses and the
// domain's catch-all, expanded recursively with a depth limit and loop protection.
#pragma once

#include "storage/store.hpp"
#include "storage/types.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace atrium::mail::delivery {

// Alias and group hops followed from the envelope address before expansion stops (a hop past it
// is logged and yields nothing).
constexpr int k_max_resolve_depth = 10;

struct LocalTarget {
  storage::PrincipalId principal = 0;  // a user or resource: the account the copy belongs to
  // The mailbox the copy goes to. 0: the account has no INBOX (resources are created without
  // mailboxes); delivery creates it in the same job.
  storage::CollectionId collection = 0;
};

enum class ResolutionKind {
  local,    // the address is ours and reaches someone: `local` and/or `remote` (alias targets
            // outside our domains, i.e. forwarding) are non-empty
  remote,   // the domain is not one of ours: `remote` holds the address (domain in canonical form)
  unknown,  // nothing reaches anyone: a local domain without such an address, a group without
            // members, a loop, or a syntax no account can have (550 5.1.1)
};

struct Resolution {
  ResolutionKind kind = ResolutionKind::unknown;
  std::vector<LocalTarget> local;   // one per principal (first path found wins), discovery order
  std::vector<std::string> remote;  // distinct external addresses, discovery order
};

// Resolves `address` (an envelope path without angle brackets) in the transaction's snapshot.
// The domain matches case-insensitively; the local part the way directory::find_principal
// matches it (ASCII case folded). Order of lookups: principal, alias, plus-address
// (`user+tag@d`: the part before the first '+' names the account; a user's copy goes to its
// mailbox named `tag` (exact, else ASCII case-insensitive match) when it has one, else INBOX;
// for an alias or group the tag is ignored), then the domain's catch-all (only for the envelope
// address itself, never for an alias target or the catch-all's own target). Group membership
// reaches users and resources through any nesting; each principal appears once.
// Reads only; throws StoreError when the store cannot answer.
Resolution resolve(storage::ReadTxn& txn, std::string_view address);

}  // namespace atrium::mail::delivery
