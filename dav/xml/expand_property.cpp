// DAV:expand-property: nested DAV:property name/namespace pairs.
#include "dav/xml/expand_property.hpp"

#include <utility>

namespace atrium::dav::xml {
namespace {

Result<std::vector<ExpandProperty>> parse_properties(const Element& parent) {
  std::vector<ExpandProperty> out;
  for (const Element* p : parent.children_named(ns::dav, "property")) {
    const std::string* name = p->attribute("name");
    if (!name || name->empty()) return Error{ErrorKind::missing_element, "DAV:property without name"};
    const std::string* space = p->attribute("namespace");
    ExpandProperty e{{space ? *space : std::string(ns::dav), *name}, {}};
    auto children = parse_properties(*p);
    if (auto* err = std::get_if<Error>(&children)) return std::move(*err);
    e.children = std::move(std::get<std::vector<ExpandProperty>>(children));
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace

Result<ExpandPropertyReport> parse_expand_property(const Element& root) {
  auto props = parse_properties(root);
  if (auto* err = std::get_if<Error>(&props)) return std::move(*err);
  return ExpandPropertyReport{std::move(std::get<std::vector<ExpandProperty>>(props))};
}

}  // namespace atrium::dav::xml
