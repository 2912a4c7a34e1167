// Syntax of the addresses the directory holds: RFC 5321 mailboxes (dot-atom or quoted local
// parts are not accepted for accounts; UTF-8 local parts are, per RFC 6531) and domain names.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace atrium::storage {

// A domain in canonical form (lowercase, no trailing dot), or nullopt with `why` set.
// LDH labels of 1..63 octets, 253 octets at most, at least two labels.
std::optional<std::string> normalise_domain(std::string_view domain, std::string* why = nullptr);

// An address in canonical form: local part kept as given but for ASCII case folded to lowercase
// (we treat local parts case-insensitively, as every major server does); domain normalised.
// Refuses quoted local parts, source routes, '%' and '!' routing, control characters, and
// anything over 254 octets (local part 64).
std::optional<std::string> normalise_address(std::string_view address, std::string* why = nullptr);

// The domain of a normalised address (after the last '@').
std::string_view address_domain(std::string_view normalised);
std::string_view address_local(std::string_view normalised);

}  // namespace atrium::storage
