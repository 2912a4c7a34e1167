// DAV:principal-property-search and DAV:principal-search-property-set REPORT bodies
// (RFC 3744 §9.4, §9.5), as clients use them to look up attendees and delegates.
#pragma once

#include "calendar/filter.hpp"
#include "dav/xml/addressbook_query.hpp"
#include "dav/xml/document.hpp"
#include "dav/xml/error.hpp"
#include "dav/xml/names.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace atrium::dav::xml {

// One DAV:property-search: the properties to search and the text to look for.
struct PropertySearch {
  std::vector<QName> props;
  std::string match;  // trimmed
  // Apple and CalendarServer send match-type="starts-with" (and "equals", "contains", the
  // default) on DAV:match; RFC 3744 itself only has substring matching.
  calendar::MatchType match_type = calendar::MatchType::contains;

  friend bool operator==(const PropertySearch&, const PropertySearch&) = default;
};

struct PrincipalPropertySearch {
  // The root's "test" attribute (Apple, CalendarServer); RFC 3744 semantics are allof.
  FilterTest test = FilterTest::allof;
  std::vector<PropertySearch> searches;  // at least one
  std::vector<QName> props;              // DAV:prop to return for each match (may be empty)
  bool apply_to_principal_collection_set = false;
  // CalendarServer's limit (DAV:limit/DAV:nresults) on the number of results, if given.
  std::optional<std::uint32_t> limit;

  friend bool operator==(const PrincipalPropertySearch&, const PrincipalPropertySearch&) = default;
};

// The body of principal-search-property-set carries nothing but its root.
struct PrincipalSearchPropertySet {
  friend bool operator==(const PrincipalSearchPropertySet&, const PrincipalSearchPropertySet&) = default;
};

// CS:calendarserver-principal-search, what macOS Calendar since 10.11 sends for attendee and
// location lookup instead of principal-property-search: free-text tokens matched against names
// and addresses (CalendarServer's extension; the server decides which properties to search).
struct CalendarserverPrincipalSearch {
  std::string context;              // "attendee", "location", "resource", or empty
  std::vector<std::string> tokens;  // trimmed CS:search-token texts, empty ones dropped; at least one
  std::vector<QName> props;         // DAV:prop to return for each match
  std::optional<std::uint32_t> limit;  // CS:limit/CS:nresults

  friend bool operator==(const CalendarserverPrincipalSearch&, const CalendarserverPrincipalSearch&) = default;
};

// `root` is CS:calendarserver-principal-search. At least one non-empty CS:search-token
// (missing_element); a bad nresults is invalid_value.
Result<CalendarserverPrincipalSearch> parse_calendarserver_principal_search(const Element& root);

// `root` is DAV:principal-property-search. At least one DAV:property-search with a DAV:prop and a
// DAV:match (missing_element); a bad test or match-type is invalid_value.
Result<PrincipalPropertySearch> parse_principal_property_search(const Element& root);

}  // namespace atrium::dav::xml
