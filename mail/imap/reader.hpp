// The parser's lexical layer (internal to mail/imap): a cursor over one command's bytes that
// reads the tokens of RFC 9051 section 9 (atoms, strings, literals, numbers, sequence sets,
// flags, dates, mailbox names). Errors are sticky: the first failure is recorded, and from then
// on every read returns an empty value and consumes nothing, so parsers can read a whole
// production and check ok() once; every loop must also test ok() to stop.
#pragma once

#include "mail/imap/command.hpp"
#include "mail/imap/parser.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace atrium::imap::detail {

// Character classes of RFC 9051 section 9.
bool is_atom_char(char c);     // ATOM-CHAR
bool is_astring_char(char c);  // ASTRING-CHAR: ATOM-CHAR or "]"
bool is_list_char(char c);     // list-char: ATOM-CHAR, "%", "*" or "]"
bool is_tag_char(char c);      // ASTRING-CHAR except "+"

// "\" followed by `name` (system flags, flag extensions, special-use attributes).
std::string backslashed(std::string_view name);

class Reader {
 public:
  Reader(std::string_view input, const ParserOptions& options) : in_(input), options_(options) {}

  const ParserOptions& options() const { return options_; }
  bool ok() const { return !error_.has_value(); }
  std::optional<ParseErrorKind> error() const { return error_; }
  std::size_t error_offset() const { return error_offset_; }
  std::size_t offset() const { return pos_; }

  // Records `kind` unless an error is already recorded. Always returns false.
  bool fail(ParseErrorKind kind);
  // The same, reporting the error at `offset` (the start of a token already read).
  bool fail_at(ParseErrorKind kind, std::size_t offset);
  // Fails with the kind that fits the next octet: missing_argument at the end,
  // invalid_character before a control or 8-bit octet, `otherwise` before anything else.
  bool fail_here(ParseErrorKind otherwise);

  // ---- single octets (after a failure: peek() is '\0' and nothing is taken) ----
  bool at_end() const { return pos_ >= in_.size(); }
  char peek() const { return ok() && pos_ < in_.size() ? in_[pos_] : '\0'; }
  char peek_at(std::size_t ahead) const { return ok() && pos_ + ahead < in_.size() ? in_[pos_ + ahead] : '\0'; }
  bool next_is(char c) const { return ok() && pos_ < in_.size() && in_[pos_] == c; }
  bool take(char c);
  bool expect(char c, ParseErrorKind kind);
  // Exactly one SP (missing_argument at the end, expected_space otherwise).
  bool sp();
  // Trailing SPs, then the end of the input; unexpected_argument otherwise.
  bool finish();
  // Whether one SP follows and then another token (not the end, not a second SP): how optional
  // trailing arguments are recognised without mistaking tolerated trailing spaces for one.
  bool more_after_space() const {
    return next_is(' ') && pos_ + 1 < in_.size() && in_[pos_ + 1] != ' ';
  }
  // Consumes the longest run of octets satisfying `pred` (possibly empty).
  std::string_view take_while(bool (*pred)(char));

  // ---- tokens ----
  // 1*(ALPHA / DIGIT / "." / "-"): keywords such as RFC822.SIZE or DELETED-STORAGE.
  // Possibly empty; never fails.
  std::string_view word();
  // The word() that comes next, without consuming it.
  std::string_view peek_word() const;
  // Consumes the keyword `kw` (any letter case) when it is the next whole word.
  bool take_keyword(std::string_view kw);
  // 1*ATOM-CHAR; fails with `kind` (or missing_argument at the end) when empty.
  std::string_view atom(ParseErrorKind kind = ParseErrorKind::bad_argument);
  std::string astring();
  std::string string();  // quoted / literal
  std::optional<std::string> nstring();
  // APPEND data: a literal or (when `literal8` says so) "~{n}"; the view points into the input.
  struct LiteralData {
    std::string_view content;
    bool binary = false;  // it was literal8
  };
  LiteralData literal_data();

  // mailbox: an astring decoded per options().charset, checked, INBOX upper-cased.
  std::string mailbox();
  // The same without the INBOX rewrite (LIST and LSUB references).
  std::string mailbox_name();
  // list-mailbox: 1*list-char / string, decoded and checked like a mailbox (no INBOX rewrite).
  std::string list_pattern();

  // number (32-bit), nz-number, number64 / mod-sequence values (63-bit), failing with `kind`.
  std::uint32_t number(ParseErrorKind kind = ParseErrorKind::bad_number);
  std::uint32_t nz_number(ParseErrorKind kind = ParseErrorKind::bad_number);
  std::uint64_t number64(ParseErrorKind kind = ParseErrorKind::bad_number);
  std::uint64_t nz_number64(ParseErrorKind kind = ParseErrorKind::bad_number);

  SequenceSet sequence_set();
  Flag flag();
  std::vector<Flag> flag_list();  // "(" [flag *(SP flag)] ")"
  Date date();                    // date-text, optionally quoted
  DateTime date_time();           // DQUOTE date-time DQUOTE

 private:
  std::string quoted();
  std::string_view literal(bool allow_binary, bool& binary);
  std::string decode_name(std::string raw);
  std::uint64_t digits(std::uint64_t max, bool nonzero, ParseErrorKind kind);

  std::string_view in_;
  const ParserOptions& options_;
  std::size_t pos_ = 0;
  std::optional<ParseErrorKind> error_;
  std::size_t error_offset_ = 0;
};

}  // namespace atrium::imap::detail
