// CALDAV:filter (RFC 4791 §9.7) into calendar::Filter, and the text-match element CalDAV and
// CardDAV share.
#pragma once

#include "calendar/filter.hpp"
#include "dav/xml/document.hpp"
#include "dav/xml/error.hpp"

#include <optional>
#include <string_view>

namespace atrium::dav::xml {

// "i;ascii-casemap", "i;unicode-casemap", "i;octet" (RFC 4790); nullopt for anything else.
std::optional<calendar::Collation> parse_collation(std::string_view name);

struct TextMatchRules {
  calendar::Collation default_collation = calendar::Collation::ascii_casemap;  // CalDAV; CardDAV: unicode_casemap
};

// A CALDAV:text-match or CARDDAV:text-match: text (untrimmed), collation, negate-condition
// ("yes"/"no") and match-type (RFC 6352 §10.5.4; CalDAV has none, but accepting it costs nothing). Errors: unknown collation (unsupported_collation); bad negate-condition
// or match-type (invalid_filter).
Result<calendar::TextMatch> parse_text_match(const Element& e, const TextMatchRules& rules);

// `e` is CALDAV:filter. It must hold exactly one CALDAV:comp-filter named VCALENDAR; names are
// upper-cased; every time-range needs start or end in UTC form. Grammar errors and bad time
// ranges are invalid_filter, unknown collations unsupported_collation.
Result<calendar::Filter> parse_calendar_filter(const Element& e);

}  // namespace atrium::dav::xml
