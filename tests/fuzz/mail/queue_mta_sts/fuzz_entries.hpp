// Entry point shared by the libFuzzer target (clang) and mta_sts_fuzz_replay (every compiler):
// runs one input through the MTA-STS parsers and aborts if an invariant breaks.
#pragma once

#include <cstddef>
#include <cstdint>

namespace atrium::mail::queue::fuzz {

// The input as a policy body, as one TXT record, and split at LF as the TXT answer of a name.
// Checks: limits hold (size cap, max_age range, id length); an accepted policy has valid lower
// case mx patterns (none only in mode none), each matched by a host made from it, and written
// back as text it parses to the same policy; an accepted record's id re-parses the same; the
// cache plan is consistent with the policy's expiry.
int mta_sts_one_input(const std::uint8_t* data, std::size_t size);

}  // namespace atrium::mail::queue::fuzz
