// Small response-encoding helpers the executor uses: strings as quoted or literal, nstring and
// compact sequence sets.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atrium::imap::wire {

// Whether 8-bit (UTF-8) text may travel in a quoted string (IMAP4rev2 / UTF8=ACCEPT) or must
// be a literal.
enum class Utf8 { allowed, literal };

// `s` as a quoted string when that is possible (no CR, LF, NUL; 8-bit only when allowed;
// backslash and quote escaped), else as a literal "{n}\r\n..." (literal8 "~{n}" when it holds NUL).
std::string string(std::string_view s, Utf8 utf8);
// NIL for nullopt.
std::string nstring(const std::optional<std::string>& s, Utf8 utf8);
// "1:3,5,7:9" for ascending numbers.
std::string sequence_set(const std::vector<std::uint32_t>& sorted);

}  // namespace atrium::imap::wire
