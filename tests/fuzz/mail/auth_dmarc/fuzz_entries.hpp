// Entry points shared by the libFuzzer targets (clang) and auth_dmarc_fuzz_replay (every
// compiler): each runs one input through mail/auth/dmarc and aborts if an invariant breaks.
#pragma once

#include <cstddef>
#include <cstdint>

namespace atrium::mail::auth::fuzz {

// parse_record and is_dmarc_record on the input as one TXT record. Checks: a parsed record
// starts with v=DMARC1 and has its values in range; a text that does not start with v=DMARC1 is
// refused as not_dmarc (or too_long); parsing is deterministic.
int record_one_input(const std::uint8_t* data, std::size_t size);

// parse_authentication_results, authserv_id_of and remove_forged on the input as a field value
// (and as a header block). Checks: the parsed authserv-id is what authserv_id_of reads; a clean
// parse formats and re-parses to itself; removal is idempotent, keeps every byte it does not
// remove, and removes a field built from the value when its id is asked for.
int authres_one_input(const std::uint8_t* data, std::size_t size);

}  // namespace atrium::mail::auth::fuzz
