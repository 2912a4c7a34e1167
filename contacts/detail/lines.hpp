// The line layer of the vCard parser: physical lines to unfolded content lines, and one content
// line to group, name, parameters and raw value. Internal to contacts/.
#pragma once

#include "contacts/card.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace atrium::contacts::detail {

// Reads unfolded content lines. Line ends are CRLF, LF or a lone CR; a line starting with a space
// or a tab continues the previous one (RFC 6350 §3.2); empty lines are skipped. Two 2.1 habits
// also continue a line: a QUOTED-PRINTABLE value ending in "=" (a soft line break, the "=" is
// dropped) and unindented base64 lines after an ENCODING=BASE64 line. Work is linear in the input.
class LineReader {
 public:
  explicit LineReader(std::string_view text) : text_(text) {}

  enum class Status { line, end, too_long };

  // The next content line into `out`. too_long when it would exceed `max_bytes` (the reader is
  // then left mid-line and must not be used further).
  Status next(std::string& out, std::size_t max_bytes);

 private:
  // The physical line at pos_ without its terminator; `after` is where the next one starts.
  std::string_view peek(std::size_t& after) const;

  std::string_view text_;
  std::size_t pos_ = 0;
};

enum class LineError { none, syntax, too_many_params };

// Splits one content line: [group "."] name *(";" param) ":" value. Names are upper-cased, a
// bare parameter (2.1 "TEL;CELL:") gets an empty name for the caller to classify, parameter values
// lose their quotes and RFC 6868 ^-escapes. `max_params` bounds the parameter values. On error,
// `message` says what is wrong (never empty).
LineError split_content_line(std::string_view line, std::size_t max_params, Property& out, std::string& message);

// Names the bare parameters split_content_line left unnamed, as 2.1 means them: QUOTED-PRINTABLE,
// BASE64, 8BIT and 7BIT are ENCODING values (upper-cased), anything else is a TYPE.
void name_bare_params(Property& p);

// The value of the first ENCODING parameter, once bare parameters are named ("" if none): the one
// encoding the parser decodes, and the one that decides how a 2.1 value continues.
std::string_view transfer_encoding(const Property& p);

}  // namespace atrium::contacts::detail
