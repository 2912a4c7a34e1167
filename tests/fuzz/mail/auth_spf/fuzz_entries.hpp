// Entry points shared by the libFuzzer targets (clang) and spf_fuzz_replay (every compiler): each
// runs one input through mail/auth/spf and aborts if an invariant breaks.
#pragma once

#include <cstddef>
#include <cstdint>

namespace atrium::mail::auth::spf::fuzz {

// parse_record on the input as one TXT record. Checks: a parse succeeds only for "v=spf1" records
// within the size limit, every mechanism's text is a term of the input, CIDR lengths are in range,
// error offsets lie inside the input, and every domain-spec expands to a bounded name.
int record_one_input(const std::uint8_t* data, std::size_t size);

// parse_macro_string / parse_domain_spec on the input after byte 0, which picks the context and
// a set of macro values (bit 0: explanation context; bits 1-2: values, including long and
// non-ASCII ones). Checks: a valid domain-spec is a valid macro string, expansion is
// deterministic, upper-case letters expand only to RFC 3986 unreserved characters and %XX, and
// expand_domain never returns more than 253 octets when the name has a dot to drop at.
int macro_one_input(const std::uint8_t* data, std::size_t size);

// check_host with the input as the TXT record of example.com, in a small fixed zone (includes,
// loops, MX and PTR data, a failing name). Byte 0 picks the client address and identity.
// Checks: the limits hold (at most 11 counted terms, 3 void lookups), the resolver sees a bounded
// number of queries, and a fail outcome is the only one with an explanation.
int check_one_input(const std::uint8_t* data, std::size_t size);

}  // namespace atrium::mail::auth::spf::fuzz
