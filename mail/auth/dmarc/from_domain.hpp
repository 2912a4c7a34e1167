// The RFC5322.From domains DMARC evaluates (RFC 7489 §6.6.1), read from a raw header block.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace atrium::mail::auth::dmarc {

struct FromDomains {
  // The distinct author domains, in message order: lower case, trailing dot removed, otherwise
  // as written. A mailbox without a domain gives "", a domain literal "[192.0.2.1]" stays so;
  // evaluate() reports both as FromProblem::unusable. At most max_from_domains entries.
  std::vector<std::string> domains;
  std::size_t fields = 0;     // From fields found; RFC 5322 allows exactly one
  std::size_t mailboxes = 0;  // mailboxes across those fields (groups' members included)
};

inline constexpr std::size_t max_from_domains = 16;

// Reads the header section of `header_block` (a whole message is fine: reading stops at the
// empty line) with mail/mime's bounded reader and address parser. Never throws.
FromDomains from_domains(std::string_view header_block);

}  // namespace atrium::mail::auth::dmarc
