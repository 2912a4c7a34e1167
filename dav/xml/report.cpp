// REPORT dispatch table: (namespace, local name) → parser.
#include "dav/xml/report.hpp"

#include <utility>

namespace atrium::dav::xml {
namespace {

template <class T>
Result<Report> widen(Result<T>&& r) {
  if (auto* err = std::get_if<Error>(&r)) return std::move(*err);
  return Report{std::move(std::get<T>(r))};
}

Result<Report> principal_search_property_set(const Element&) { return Report{PrincipalSearchPropertySet{}}; }

struct Entry {
  std::string_view ns;
  std::string_view local;
  Result<Report> (*parse)(const Element&);
};

const Entry reports[] = {
    {ns::caldav, "calendar-query", [](const Element& e) { return widen(parse_calendar_query(e)); }},
    {ns::caldav, "calendar-multiget", [](const Element& e) { return widen(parse_calendar_multiget(e)); }},
    {ns::caldav, "free-busy-query", [](const Element& e) { return widen(parse_free_busy_query(e)); }},
    {ns::dav, "sync-collection", [](const Element& e) { return widen(parse_sync_collection(e)); }},
    {ns::carddav, "addressbook-query", [](const Element& e) { return widen(parse_addressbook_query(e)); }},
    {ns::carddav, "addressbook-multiget", [](const Element& e) { return widen(parse_addressbook_multiget(e)); }},
    {ns::dav, "expand-property", [](const Element& e) { return widen(parse_expand_property(e)); }},
    {ns::dav, "principal-property-search", [](const Element& e) { return widen(parse_principal_property_search(e)); }},
    {ns::dav, "principal-search-property-set", principal_search_property_set},
    {ns::calendarserver, "calendarserver-principal-search",
     [](const Element& e) { return widen(parse_calendarserver_principal_search(e)); }},
};

}  // namespace

Result<Report> parse_report(const Element& root) {
  for (const Entry& r : reports) {
    if (root.is(r.ns, r.local)) return r.parse(root);
  }
  return Error{ErrorKind::unsupported_report, clark(root.name)};
}

Result<Report> parse_report(std::string_view body, const ParseLimits& limits) {
  if (body.size() <= limits.max_bytes && is_blank(body)) return Error{ErrorKind::unsupported_report, "empty body"};
  auto doc = parse_document(body, limits);
  if (auto* err = std::get_if<Error>(&doc)) return std::move(*err);
  return parse_report(std::get<Element>(doc));
}

}  // namespace atrium::dav::xml
