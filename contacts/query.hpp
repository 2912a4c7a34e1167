// addressbook-query evaluation (RFC 6352 §10.5): does a card match a typed filter.
#pragma once

#include "contacts/card.hpp"
#include "contacts/filter.hpp"

namespace atrium::contacts {

// Whether `card` matches `filter`:
//  - filter: its prop-filters combined by `test` (anyof: one passes; allof: all pass); no
//    prop-filter at all matches;
//  - prop-filter: the properties of that name (and group, if it names one). is-not-defined:
//    none exists. Otherwise one must exist and, when there are text-matches or param-filters, one
//    single property must pass them combined by the prop-filter's `test` (as Cyrus does; the
//    calendar-query evaluator reads CalDAV the same way);
//  - text-match: on the unescaped value. For structured and list properties (N, ADR, ORG,
//    GENDER, CLIENTPIDMAP, NICKNAME, CATEGORIES) the whole value ("Doe;John;;;") or any one
//    component ("John") may match, so that starts-with and equals work on the part a client
//    searches; a "tel:" URI also matches as tel_text() renders it. negate-condition applies to that
//    result, so "does not contain x" holds for a property none of whose parts contains x;
//  - param-filter: on the parameters of that name of the same property; a text-match compares
//    each value (TYPE=work,voice is "work" and "voice"), negation as above.
// Work is linear in card size times filter size.
bool matches(const Card& card, const Filter& filter);

}  // namespace atrium::contacts
