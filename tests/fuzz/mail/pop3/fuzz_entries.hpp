// Entry points shared by the libFuzzer targets (clang) and pop3_fuzz_replay (every compiler):
// each runs one input through mail/pop3 and aborts if an invariant breaks.
#pragma once

#include <cstddef>
#include <cstdint>

namespace atrium::pop3::fuzz {

// parse_command on the input as one command line. Checks: a parsed command's verb name parses
// back to the same verb; numbers never exceed what the line could hold.
int parser_one_input(const std::uint8_t* data, std::size_t size);

// MessageEncoder. Byte 0 picks a TOP limit (bit 0: RETR or TOP, bits 1-3: lines) and byte 1 the
// cut pattern; the rest is stored content. Checks: the output does not depend on the cuts, has
// only CRLF line endings, ends in exactly one terminator line, and no line but the terminator
// is a lone "."; without a limit, un-stuffing it gives the input with normalised line endings.
int encoder_one_input(const std::uint8_t* data, std::size_t size);

// A whole Session against the fake backend. Byte 0 picks the options (TLS, cleartext, small
// error limit), byte 1 seeds the packet sizes and, when odd, a random backend; the rest is
// client input. Checks: the session contract (requests last in their batch, nothing after
// Close) and that every status line starts with "+OK", "-ERR" or "+ ".
int session_one_input(const std::uint8_t* data, std::size_t size);

}  // namespace atrium::pop3::fuzz
