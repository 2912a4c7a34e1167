// DAV:principal-property-search: property-search list, returned props, scope.
#include "dav/xml/principal_search.hpp"

#include "dav/xml/report_props.hpp"
#include "dav/xml/sync_collection.hpp"

#include <utility>

namespace atrium::dav::xml {

Result<PrincipalPropertySearch> parse_principal_property_search(const Element& root) {
  PrincipalPropertySearch out;
  if (const std::string* t = root.attribute("test")) {
    if (*t == "anyof") {
      out.test = FilterTest::anyof;
    } else if (*t != "allof") {
      return Error{ErrorKind::invalid_value, "test " + *t};
    }
  }
  for (const Element* ps : root.children_named(ns::dav, "property-search")) {
    const Element* prop = ps->child(ns::dav, "prop");
    const Element* match = ps->child(ns::dav, "match");
    if (!prop || !match) return Error{ErrorKind::missing_element, "property-search needs prop and match"};
    PropertySearch s{prop_names(*prop), match->trimmed_text()};
    if (const std::string* mt = match->attribute("match-type")) {
      if (*mt == "starts-with") {
        s.match_type = calendar::MatchType::starts_with;
      } else if (*mt == "equals") {
        s.match_type = calendar::MatchType::equals;
      } else if (*mt == "ends-with") {
        s.match_type = calendar::MatchType::ends_with;
      } else if (*mt != "contains") {
        return Error{ErrorKind::invalid_value, "match-type " + *mt};
      }
    }
    out.searches.push_back(std::move(s));
  }
  if (out.searches.empty()) return Error{ErrorKind::missing_element, "principal-property-search without property-search"};
  if (const Element* prop = root.child(ns::dav, "prop")) out.props = prop_names(*prop);
  out.apply_to_principal_collection_set = root.child(ns::dav, "apply-to-principal-collection-set") != nullptr;
  auto limit = parse_nresults(root.child(ns::dav, "limit"), ns::dav);
  if (auto* err = std::get_if<Error>(&limit)) return std::move(*err);
  out.limit = std::get<std::optional<std::uint32_t>>(limit);
  return out;
}

Result<CalendarserverPrincipalSearch> parse_calendarserver_principal_search(const Element& root) {
  CalendarserverPrincipalSearch out;
  if (const std::string* c = root.attribute("context")) out.context = *c;
  for (const Element* t : root.children_named(ns::calendarserver, "search-token")) {
    std::string token = t->trimmed_text();
    if (!token.empty()) out.tokens.push_back(std::move(token));
  }
  if (out.tokens.empty()) return Error{ErrorKind::missing_element, "calendarserver-principal-search without search-token"};
  if (const Element* prop = root.child(ns::dav, "prop")) out.props = prop_names(*prop);
  auto limit = parse_nresults(root.child(ns::calendarserver, "limit"), ns::calendarserver);
  if (auto* err = std::get_if<Error>(&limit)) return std::move(*err);
  out.limit = std::get<std::optional<std::uint32_t>>(limit);
  return out;
}

}  // namespace atrium::dav::xml
