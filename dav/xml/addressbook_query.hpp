// CARDDAV:addressbook-query REPORT bodies (RFC 6352 §8.6, §10.3, §10.5) and the typed CardDAV
// filter (no contacts module yet, so the types live here; contacts/ will evaluate them).
#pragma once

#include "calendar/filter.hpp"
#include "dav/xml/document.hpp"
#include "dav/xml/error.hpp"
#include "dav/xml/report_props.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace atrium::dav::xml {

// How the tests of a filter or prop-filter combine (RFC 6352 §10.5, attribute "test").
enum class FilterTest { anyof, allof };

// Text matching is the same as CalDAV's; the default collation differs (i;unicode-casemap).
using CardTextMatch = calendar::TextMatch;

struct CardParamFilter {
  std::string name;  // upper-cased, e.g. "TYPE"
  bool is_not_defined = false;
  std::optional<CardTextMatch> text;

};

struct CardPropFilter {
  std::string name;  // upper-cased, e.g. "EMAIL", "FN", "UID"
  FilterTest test = FilterTest::anyof;
  bool is_not_defined = false;
  std::vector<CardTextMatch> texts;
  std::vector<CardParamFilter> params;

};

// No prop-filter matches every card.
struct CardFilter {
  FilterTest test = FilterTest::anyof;
  std::vector<CardPropFilter> props;

};

struct AddressbookQuery {
  PropRequest prop;  // prop.address_data set when CARDDAV:address-data was asked
  CardFilter filter;
  std::optional<std::uint32_t> limit;  // CARDDAV:limit/CARDDAV:nresults
};

// `root` is CARDDAV:addressbook-query. CARDDAV:filter is required (missing_element). test values
// other than anyof/allof, bad match-type or negate-condition are invalid_filter; unknown
// collations unsupported_collation.
Result<AddressbookQuery> parse_addressbook_query(const Element& root);

}  // namespace atrium::dav::xml
