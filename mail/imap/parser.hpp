// The IMAP command parser: one framed command in (framer.hpp), a typed Command or a typed
// ParseError out. Pure (no I/O, no session state), total over arbitrary bytes, bounded in
// recursion, and fuzzed (tests/fuzz/mail/imap). It checks syntax only: whether a command is
// allowed in the session's state or with its enabled extensions is the dispatcher's business
// (command_table.hpp).
#pragma once

#include "mail/imap/command.hpp"
#include "mail/imap/mailbox_name.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace atrium::imap {

struct ParserOptions {
  // modified_utf7 until IMAP4rev2 or UTF8=ACCEPT is enabled, then utf8. Decides how mailbox
  // names are decoded, and whether 8-bit quoted strings must be UTF-8.
  WireCharset charset = WireCharset::modified_utf7;
  // Deepest nesting of parentheses, NOT and OR in search criteria. Each level costs a stack
  // frame, so this bounds the parser's stack use.
  std::size_t max_search_depth = 32;
};

// Why a command was refused. Every kind is answered "tag BAD <text>" ("* BAD" without a tag),
// except bad_mailbox_name, which the executor may answer NO instead (the syntax was right, the
// name is not a valid one).
enum class ParseErrorKind : std::uint8_t {
  missing_tag,          // no valid tag: the reply is "* BAD"
  missing_command,      // a tag and nothing else
  unknown_command,      // not a command we know (including X- commands and "UID <other>")
  invalid_character,    // NUL or another control character, or bad UTF-8 where UTF-8 is required
  expected_space,       // a missing or doubled SP between arguments
  unexpected_argument,  // more arguments than the command takes
  missing_argument,     // the command ended early
  bad_argument,         // an argument of the wrong form (atom, parenthesis, keyword)
  bad_string,           // a malformed quoted string
  bad_literal,          // a malformed literal, literal8 where not allowed, NUL in a literal
  bad_number,           // not a number, out of range, or zero where the grammar wants nz-number
  bad_sequence_set,
  bad_mailbox_name,     // invalid modified UTF-7 or UTF-8, or a control character in a name
  bad_date,
  bad_flag,
  bad_search_key,
  search_too_deep,      // over ParserOptions::max_search_depth
  bad_fetch_attribute,
  bad_section,          // BODY[...] / BINARY[...] section or partial
  bad_modifier,         // unknown, repeated or misused command modifiers and parameters
  bad_list_option,
  bad_status_item,
  too_many_items,       // over a protocol limit (ID pairs and lengths)
};

struct ParseError {
  ParseErrorKind kind = ParseErrorKind::missing_tag;
  std::string tag;                     // empty when none was readable: answer "* BAD"
  std::optional<CommandName> command;  // once the name was recognised
  bool uid = false;                    // the UID prefix was seen
  std::size_t offset = 0;              // where in the input the error was detected (for logs)

  // The text of the BAD reply (parse_error_text).
  std::string_view text() const;

  friend bool operator==(const ParseError&, const ParseError&) = default;
};

using ParseResult = std::variant<Command, ParseError>;

// Parses one command: its bytes as the framer delivers them (literal data embedded after each
// "{n}\r\n" marker, no final CRLF). Command names and keywords are case-insensitive; arguments
// are separated by exactly one SP; trailing spaces are tolerated. The returned Command may point
// into `bytes` (AppendMessage::content only).
ParseResult parse_command(std::string_view bytes, const ParserOptions& options = {});

// The human-readable text of a BAD reply for `kind` (no CRLF, no tag).
std::string_view parse_error_text(ParseErrorKind kind);

// Parses a sequence set on its own (for tests and the executor's saved-result handling).
std::optional<SequenceSet> parse_sequence_set(std::string_view text);

}  // namespace atrium::imap
