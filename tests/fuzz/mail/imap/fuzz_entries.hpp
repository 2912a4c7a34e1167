// Entry points shared by the libFuzzer targets (clang) and imap_fuzz_replay (every compiler):
// each runs one input through mail/imap and aborts if an invariant breaks.
#pragma once

#include <cstddef>
#include <cstdint>

namespace atrium::imap::fuzz {

// parse_command on the input as one framed command, in both wire charsets. Checks: the result
// is deterministic, errors stay inside the input, accepted commands hold only well-formed values
// (valid mailbox names, non-empty sets and lists, bounded search depth, APPEND content inside
// the input), and strings and mailbox names re-encoded by response.hpp parse back unchanged.
int parser_one_input(const std::uint8_t* data, std::size_t size);

// The Framer over a stream, then parse_command on each command. Byte 0 picks the options (small
// limits, LITERAL-), byte 1 the cut pattern; the rest is client input. Checks: the events do not
// depend on the cuts, limits hold, literal spans point at data after "}\r\n", every framed
// command parses without harm.
int framer_one_input(const std::uint8_t* data, std::size_t size);

// Modified UTF-7, dates and sequence sets. Checks: accepted modified UTF-7 re-encodes to itself,
// valid UTF-8 names round-trip, formatted dates parse back to the same instant, resolved
// sequence sets are ordered and disjoint and agree with contains().
int names_one_input(const std::uint8_t* data, std::size_t size);

}  // namespace atrium::imap::fuzz
