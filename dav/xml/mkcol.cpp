// Extended MKCOL and MKCALENDAR: DAV:set / DAV:prop lists, resourcetype pulled out.
#include "dav/xml/mkcol.hpp"

namespace atrium::dav::xml {
namespace {

Result<Mkcol> parse_sets(std::string_view body, const ParseLimits& limits, std::string_view root_ns,
                         std::string_view root_local) {
  if (body.size() <= limits.max_bytes && is_blank(body)) return Mkcol{};
  auto doc = parse_document(body, limits);
  if (auto* err = std::get_if<Error>(&doc)) return std::move(*err);
  const Element& root = std::get<Element>(doc);
  if (!root.is(root_ns, root_local)) {
    return Error{ErrorKind::unexpected_root,
                 "expected {" + std::string(root_ns) + "}" + std::string(root_local) + ", got " + clark(root.name)};
  }
  Mkcol out;
  for (const Element* set : root.children_named(ns::dav, "set")) {
    const Element* prop = set->child(ns::dav, "prop");
    if (!prop) return Error{ErrorKind::missing_element, "DAV:set without DAV:prop"};
    const auto lang = lang_in_scope(*set, lang_in_scope(root, std::nullopt));
    std::vector<PropertyValue> values = property_values(*prop, lang);
    for (std::size_t i = 0; i < prop->children.size(); ++i) {
      const Element& c = prop->children[i];
      if (c.is(ns::dav, "resourcetype")) {
        std::vector<QName> types;
        for (const Element& t : c.children) types.push_back(t.name);
        out.resource_type = std::move(types);
        continue;
      }
      out.props.push_back(std::move(values[i]));
    }
  }
  return out;
}

}  // namespace

Result<Mkcol> parse_mkcol(std::string_view body, const ParseLimits& limits) {
  return parse_sets(body, limits, ns::dav, "mkcol");
}

Result<Mkcol> parse_mkcalendar(std::string_view body, const ParseLimits& limits) {
  return parse_sets(body, limits, ns::caldav, "mkcalendar");
}

}  // namespace atrium::dav::xml
