// An address object resource (RFC 6352 §5.1): one vCard parsed and validated from the bytes of a
// CardDAV PUT, with the errors mapped to the CardDAV preconditions (RFC 6352 §6.3.2.1).
#pragma once

#include "contacts/card.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

namespace atrium::contacts {

// Bounds on what parsing one resource may cost; every step of the parser is linear in the input.
struct ParseLimits {
  std::size_t max_bytes = 1u << 20;       // whole resource (CARDDAV:max-resource-size), 1 MiB
  std::size_t max_line_bytes = 1u << 20;  // one unfolded content line (an inline PHOTO is one line)
  std::size_t max_properties = 20000;     // content lines (an Apple group has one per member)
  std::size_t max_params = 64;            // parameter values on one content line
};

enum class ParseErrorCode {
  not_vcard,            // no BEGIN:VCARD where the resource starts
  too_large,            // over ParseLimits::max_bytes
  invalid,              // a vCard, but malformed (syntax, not UTF-8, unterminated, nested, ...)
  limit_exceeded,       // over max_line_bytes, max_properties or max_params
  unsupported_version,  // VERSION other than 2.1, 3.0 or 4.0
  unsupported_charset,  // a CHARSET parameter we cannot decode on a non-ASCII value
  multiple_cards,       // more than one vCard (RFC 6352 §5.1: one per resource)
  missing_uid,          // no UID, or an empty one (RFC 6352 §5.1; several UIDs are invalid)
  missing_fn,           // a 4.0 card without FN (RFC 6350 §6.2.1)
};

std::string_view to_string(ParseErrorCode code);

// The CardDAV precondition a PUT answers with (RFC 6352 §6.3.2.1), without namespace:
// "supported-address-data", "valid-address-data" or "max-resource-size". no-uid-conflict is the
// caller's, since only the store knows the other resources of the collection.
std::string_view precondition(ParseErrorCode code);

struct ParseError {
  ParseErrorCode code;
  std::string message;  // for humans (a DAV:error description or a log line); never empty
};

using ParseResult = std::variant<Card, ParseError>;

// Parses `bytes` as one address object resource. Never throws on bad input; work and memory are
// bounded by `limits`. Accepted, beside RFC 6350 and RFC 2426:
//  - line ends CRLF, LF or CR; folding with a space or a tab; a UTF-8 BOM; blank lines;
//  - vCard 2.1 quirks: bare parameters ("TEL;CELL;VOICE:" -> TYPE=CELL, TYPE=VOICE; a bare
//    QUOTED-PRINTABLE or BASE64 -> ENCODING), QUOTED-PRINTABLE values with soft line breaks
//    (decoded; line breaks in them become "\n"), BASE64 bodies continued on unindented lines,
//    ENCODING=BASE64 (-> b), 8BIT and 7BIT (dropped);
//  - CHARSET: UTF-8 and US-ASCII dropped, ISO-8859-1 and Windows-1252 converted to UTF-8 (then
//    dropped); other charsets only on ASCII values. A 2.1 value that is not UTF-8 and names no
//    charset is read as Windows-1252, as Outlook writes it;
//  - control characters other than tab in values are dropped (Radicale does the same);
//  - a 3.0 PHOTO;ENCODING=b whose value is a data: URI (InfCloud) keeps only the base64 data.
// Refused: anything after END:VCARD but blank lines (a second vCard is multiple_cards), nested
// BEGIN, a missing END, VERSION absent or repeated, UID repeated, a value or parameter that is not
// UTF-8. Required: a UID that is not empty, in every version (RFC 6352 §5.1; Radicale and Cyrus
// refuse a vCard without it too); FN only in 4.0 (RFC 6350 makes it mandatory, and 4.0 writers
// always send it). A 3.0 or 2.1 card without FN is accepted, as Radicale does, because some
// exports omit it for company-only entries; convert() to 4.0 then fills it in.
ParseResult parse(std::string_view bytes, const ParseLimits& limits = {});

}  // namespace atrium::contacts
