// RFC 5322 address lists (From, To, Cc, ...): mailboxes, display names, groups, comments and the
// obsolete route syntax, read leniently as IMAP ENVELOPE and search need them.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atrium::mail::mime {

struct Address {
  enum class Kind {
    mailbox,      // name, route, mailbox, domain as found (any may be missing in broken mail)
    group_start,  // `mailbox` holds the group's display name
    group_end,
  };
  Kind kind = Kind::mailbox;
  std::optional<std::string> name;     // display name: quotes removed, words joined by one space,
                                       // RFC 2047 words left as written; or the comment after a
                                       // bare addr-spec ("a@b.example (Name)")
  std::optional<std::string> route;    // obsolete source route "@a.example,@b.example"
  std::optional<std::string> mailbox;  // local part, quotes removed
  std::optional<std::string> domain;   // domain, or "[literal]" with its brackets
};

// At most this many entries (mailboxes and group markers) are returned per value.
inline constexpr std::size_t max_addresses = 10000;

// Parses an address-list header value. Never fails: unreadable text between commas is skipped,
// a phrase without an address becomes a mailbox with only a name, a missing '>' or ';' is
// tolerated. An empty or blank value yields an empty list. Every group_start has its group_end.
std::vector<Address> parse_address_list(std::string_view value);

}  // namespace atrium::mail::mime
