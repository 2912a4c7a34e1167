// The typed form of a CardDAV addressbook-query filter (RFC 6352 §10.5) and of the address-data
// request of a report (§10.4): dav/ parses XML into these, contacts/ evaluates them. No XML here.
#pragma once

#include "calendar/filter.hpp"
#include "contacts/card.hpp"

#include <optional>
#include <string>
#include <vector>

namespace atrium::contacts {

// Collations and match types are CalDAV's (RFC 4790 names; RFC 6352 §10.5.4 adds the match types
// CalDAV never uses), evaluated by the same code (calendar/collation.hpp).
using Collation = calendar::Collation;
using MatchType = calendar::MatchType;

// How the tests of a filter or of a prop-filter combine (attribute "test").
enum class FilterTest { anyof, allof };

// CARDDAV:text-match. CardDAV's default collation is i;unicode-casemap (RFC 6352 §8.3), not
// CalDAV's i;ascii-casemap, hence a type of its own.
struct TextMatch {
  std::string text;  // UTF-8
  Collation collation = Collation::unicode_casemap;
  MatchType match = MatchType::contains;
  bool negate = false;  // negate-condition="yes"
};

// CARDDAV:param-filter: is-not-defined, or a text-match, or (neither) "is defined".
struct ParamFilter {
  std::string name;  // upper-cased, e.g. "TYPE"
  bool is_not_defined = false;
  std::optional<TextMatch> text;
};

// CARDDAV:prop-filter. `name` may carry a group ("ITEM1.EMAIL"): then only that group matches;
// without one, the property matches in any group (as RFC 6352 §10.4.2 says for CARDDAV:prop).
struct PropFilter {
  std::string name;  // upper-cased, e.g. "EMAIL", "FN", "UID"
  FilterTest test = FilterTest::anyof;
  bool is_not_defined = false;
  std::vector<TextMatch> texts;
  std::vector<ParamFilter> params;
};

// CARDDAV:filter. No prop-filter matches every card.
struct Filter {
  FilterTest test = FilterTest::anyof;
  std::vector<PropFilter> props;
};

// CARDDAV:prop inside CARDDAV:address-data: one property to return; novalue="yes" returns its
// name and parameters with an empty value. `name` may carry a group, as in PropFilter.
struct PropSelector {
  std::string name;  // upper-cased
  bool novalue = false;
};

// CARDDAV:address-data in a report's prop (RFC 6352 §10.4).
struct AddressDataRequest {
  // The version asked for; nullopt: the card's own (a 2.1 card is written as 3.0). dav/ decides
  // what an absent version attribute means.
  std::optional<Version> version;
  // nullopt: every property (CARDDAV:allprop, or no CARDDAV:prop at all).
  std::optional<std::vector<PropSelector>> props;
};

}  // namespace atrium::contacts
