// Entry points shared by the libFuzzer target (clang) and smtp_client_fuzz_replay (every
// compiler): each runs one input through the SMTP client's pure parts and aborts if an
// invariant breaks.
#pragma once

#include <cstddef>
#include <cstdint>

namespace atrium::smtp::client::fuzz {

// ReplyParser and parse_ehlo. Byte 0 picks the limits (bits 0-1 max_line, bits 2-3 max_lines)
// and the cut pattern (bits 4-7); the rest is server output. Checks: the replies do not depend
// on how the input is cut (up to the first error, after which the input is out of step), every
// reply is within the limits with a valid code and enhanced code, and re-parsing a formatted
// reply gives it back.
int reply_one_input(const std::uint8_t* data, std::size_t size);

}  // namespace atrium::smtp::client::fuzz
