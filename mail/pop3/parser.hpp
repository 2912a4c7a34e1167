// The POP3 command parser: one framed line in, a typed Command or a typed SyntaxError out.
// Pure (no I/O, no session state), total over arbitrary bytes, and fuzzed (tests/fuzz/mail/pop3).
#pragma once

#include "core/auth/sasl.hpp"
#include "mail/pop3/command.hpp"

#include <cstddef>
#include <optional>
#include <string_view>
#include <variant>

namespace atrium::pop3 {

// Line limits in octets INCLUDING the CRLF.
// RFC 2449 section 4 bounds a command line at 255 octets. USER, PASS and AUTH get more: app
// passwords, long UTF-8 passwords and PLAIN initial responses for them do not fit in 255, and
// refusing them breaks real clients for no gain. A SASL response line is bounded by what
// core/auth accepts.
inline constexpr std::size_t max_command_line = 255;
inline constexpr std::size_t max_credentials_line = 1024;
inline constexpr std::size_t max_sasl_line = auth::sasl_max_response_chars + 2;
// The framer's bound: no line may be longer than the longest of these.
inline constexpr std::size_t max_any_line = max_sasl_line;

enum class SyntaxErrorKind {
  unknown_command,      // not a POP3 command we know (APOP included)
  line_too_long,        // over the verb's limit above
  invalid_character,    // NUL or another control character; 8-bit octets outside USER/PASS
  missing_argument,     // e.g. "RETR", "USER"
  unexpected_argument,  // e.g. "STAT 1", "RETR 1 2"
  bad_number,           // a message number or line count that is not decimal digits
};

struct SyntaxError {
  SyntaxErrorKind kind;
  // The verb when it was recognised, so the session can apply its table first (a syntax error
  // in a command not allowed in this state is answered as "not allowed").
  std::optional<Verb> verb;
};

using ParseResult = std::variant<Command, SyntaxError>;

// Parses one command line without its line ending. The verb is case-insensitive; runs of spaces
// between arguments and trailing spaces are tolerated, except in PASS, whose argument is the
// rest of the line as sent (RFC 1939 section 7 allows spaces in passwords). USER and PASS may
// carry UTF-8; every other argument is printable ASCII.
ParseResult parse_command(std::string_view line);

}  // namespace atrium::pop3
