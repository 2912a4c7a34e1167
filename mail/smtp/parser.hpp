// The SMTP/LMTP command parser: one framed line in, a typed Command or a typed SyntaxError out.
// Pure (no I/O, no session state), total over arbitrary bytes, and fuzzed (tests/fuzz/mail/smtp).
#pragma once

#include "mail/smtp/command.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace atrium::smtp {

// Command line limits in octets INCLUDING the CRLF.
// RFC 5321 section 4.5.3.1.4 sets 512 for a command line; extensions may raise it. We allow
// MAIL and RCPT 4096 (room for a 256-octet path plus SIZE, BODY, SMTPUTF8, RET, ENVID (100),
// NOTIFY and ORCPT (500) with xtext escapes) and AUTH 12288 (RFC 4954 section 4).
inline constexpr std::size_t max_command_line = 512;
inline constexpr std::size_t max_mail_rcpt_line = 4096;
inline constexpr std::size_t max_auth_line = 12288;
// The framer's bound: no line may be longer than the longest command.
inline constexpr std::size_t max_any_line = max_auth_line;

// RFC 3461 bounds on the encoded (xtext) values.
inline constexpr std::size_t max_envid = 100;
inline constexpr std::size_t max_orcpt = 500;

enum class SyntaxErrorKind {
  unknown_command,      // the verb is not an SMTP/LMTP command we know
  line_too_long,        // over the verb's limit above
  invalid_character,    // NUL, another control character, or 8-bit octets outside an address
  missing_argument,     // e.g. "EHLO", "VRFY", "MAIL" without FROM:
  unexpected_argument,  // e.g. "DATA x", "QUIT x"
  bad_domain,           // EHLO/HELO/LHLO argument is neither a domain nor an address literal
  bad_path,             // MAIL/RCPT path syntax (including "<>" in RCPT)
  path_too_long,        // a path limit of RFC 5321 section 4.5.3.1
  unknown_parameter,    // an ESMTP keyword the command does not take
  bad_parameter_value,  // a known keyword with a malformed value
  duplicate_parameter,  // the same keyword twice
  bad_chunk_size,       // BDAT size missing or malformed, or a word other than LAST after it
};

struct SyntaxError {
  SyntaxErrorKind kind;
  // The verb when it was recognised, so the session can apply its table and pick the reply
  // (a bad path in MAIL is 501 5.1.7, in RCPT 501 5.1.3).
  std::optional<Verb> verb;
};

using ParseResult = std::variant<Command, SyntaxError>;

// Parses one command line without its CRLF. The verb is case-insensitive; runs of spaces
// between words and trailing spaces are tolerated; everything else follows RFC 5321 section 4.1
// and the extension RFCs. UTF-8 is accepted in paths and ESMTP values (whether it is allowed is
// the session's call: see Path::has_utf8 and MailParams::smtputf8).
ParseResult parse_command(std::string_view line);

// RFC 3461 section 4 xtext: "+XX" (upper-case hex) escapes and printable ASCII other than '+'
// and '='. Returns the decoded octets, or nullopt if `text` is not xtext. UTF-8 octets are
// accepted (RFC 6533 allows them in ORCPT/ENVID with SMTPUTF8).
std::optional<std::string> decode_xtext(std::string_view text);
// The inverse, for tests and the outbound queue: escapes '+', '=', controls, SP and 8-bit.
std::string encode_xtext(std::string_view raw);

}  // namespace atrium::smtp
