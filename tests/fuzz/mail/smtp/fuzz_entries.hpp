// Entry points shared by the libFuzzer targets (clang) and smtp_fuzz_replay (every compiler):
// each runs one input through mail/smtp and aborts if an invariant breaks.
#pragma once

#include <cstddef>
#include <cstdint>

namespace atrium::smtp::fuzz {

// parse_command, parse_path and xtext on the input as one command line. Checks: canonical
// mailboxes re-parse to themselves, xtext round-trips.
int parser_one_input(const std::uint8_t* data, std::size_t size);

// DataReader. Byte 0 picks the framing (bit 0), a size limit (bits 1-2) and the cut pattern
// (bits 3-7); the rest is message content. Checks: the result does not depend on the cuts,
// nothing past the terminator is consumed, clean output has only CRLF line endings.
int data_reader_one_input(const std::uint8_t* data, std::size_t size);

// A whole Session against the fake backend. Byte 0 picks the options (mode, TLS, small limits),
// byte 1 seeds the packet sizes and, when odd, a random backend; the rest is client input.
// Checks: the session contract (requests last in their batch, nothing after Close) and that
// every reply line is "ddd" + SP or "-".
int session_one_input(const std::uint8_t* data, std::size_t size);

}  // namespace atrium::smtp::fuzz
