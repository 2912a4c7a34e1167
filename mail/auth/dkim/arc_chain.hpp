// The ARC Sets of a message as validation and sealing read them: instances, structure, parsed
// seals. Internal to atrium_mail_auth_dkim.
#pragma once

#include "mail/auth/dkim/arc.hpp"
#include "mail/auth/dkim/canon.hpp"
#include "mail/auth/dkim/keys.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atrium::mail::auth::arc::detail {

// An ARC-Seal's tags (RFC 8617 section 4.1.3).
struct Seal {
  std::optional<dkim::Algorithm> algorithm;
  std::string b;  // decoded
  ChainStatus cv = ChainStatus::none;
  std::string d, s;
  std::string error;  // empty when well-formed
};

// Field indexes of one instance's fields.
struct SetFields {
  std::size_t aar = 0, ams = 0, seal = 0;
};

struct Chain {
  int highest = 0;                // N; 0 without ARC fields
  std::optional<std::string> structure_error;  // set when the chain fails before any signature check
  bool latest_says_fail = false;  // the AS with instance N has cv=fail
  std::vector<SetFields> sets;    // instance k at [k-1]; filled when the structure is valid
  std::vector<Seal> seals;        // parsed ARC-Seals, same order
};

// The instance of an ARC-Authentication-Results field ("i=N;" first), or nullopt.
std::optional<int> aar_instance(std::string_view raw);

// Parses an ARC-Seal field's value.
Seal parse_seal(std::string_view raw);

// The ARC-Seal hash input (RFC 8617 section 5.1.1): `fields` (the ARC Sets before this seal,
// each as AAR, AMS, AS in increasing instance order) relaxed, then `self` (the seal with its b=
// value emptied) relaxed and without its CRLF.
std::string seal_hash_input(const std::vector<dkim::HeaderField>& fields, std::string_view self);

// Collects and checks the ARC Sets of `message` (RFC 8617 section 5.2 steps 1 to 3).
Chain read_chain(const dkim::SplitMessage& message);

}  // namespace atrium::mail::auth::arc::detail
