// Entry points shared by the libFuzzer targets (clang) and dkim_fuzz_replay (every compiler):
// each runs one input through mail/auth/dkim and aborts if an invariant breaks.
#pragma once

#include <cstddef>
#include <cstdint>

namespace atrium::mail::auth::dkim::fuzz {

// The input as a whole message: parse_signatures, verify_with_keys and the ARC validator (with a
// fixed Ed25519 key published for "fz._domainkey.example.org", so inputs naming it reach the
// crypto), and both body canonicalizations. Checks: at most max_signatures, every signature's
// raw text is its field in the message, canonical bodies are fixed points.
int message_one_input(const std::uint8_t* data, std::size_t size);

// The input as a tag list and as a key record, and as base64. Checks: tag spans lie inside the
// input and hold the trimmed value; decoded base64 re-encodes to the same bytes.
int record_one_input(const std::uint8_t* data, std::size_t size);

}  // namespace atrium::mail::auth::dkim::fuzz
