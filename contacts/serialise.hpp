// Writing a Card as vCard text (RFC 6350 §3.2): CRLF line ends, lines folded at 75 octets.
#pragma once

#include "contacts/card.hpp"

#include <string>

namespace atrium::contacts {

// The card as text: BEGIN, VERSION (a 2.1 card is written as 3.0, the syntax parse() normalised
// it to), the properties in order, END. Lines are folded so that none is longer than 75 octets
// without its CRLF, never inside a UTF-8 sequence. Parameter values are quoted when they hold
// ',', ';' or ':' and RFC 6868-escaped ('^', '"', line feed). A line break inside a value is
// written as "\n" and names keep only name characters, so no card, however built, can inject a
// content line.
std::string to_vcard(const Card& card);

// One content line, unfolded and without CRLF (for tests and logs).
std::string content_line(const Property& property);

}  // namespace atrium::contacts
