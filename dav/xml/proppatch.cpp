// PROPPATCH: ordered set/remove instructions.
#include "dav/xml/proppatch.hpp"

namespace atrium::dav::xml {

std::optional<std::string> lang_in_scope(const Element& e, const std::optional<std::string>& inherited) {
  for (const Attribute& a : e.attributes) {
    if (a.name.ns == ns::xml && a.name.local == "lang") return a.value;
  }
  return inherited;
}

std::vector<PropertyValue> property_values(const Element& prop, const std::optional<std::string>& inherited_lang) {
  const std::optional<std::string> lang = lang_in_scope(prop, inherited_lang);
  std::vector<PropertyValue> out;
  out.reserve(prop.children.size());
  for (const Element& c : prop.children) {
    if (lang && !lang_in_scope(c, std::nullopt)) {
      Element copy = c;
      copy.attributes.push_back({{std::string(ns::xml), "lang"}, *lang});
      out.push_back({c.name, serialise_fragment(copy), c.text_content()});
    } else {
      out.push_back({c.name, serialise_fragment(c), c.text_content()});
    }
  }
  return out;
}

Result<Proppatch> parse_proppatch(std::string_view body, const ParseLimits& limits) {
  auto doc = parse_document(body, limits);
  if (auto* err = std::get_if<Error>(&doc)) return std::move(*err);
  const Element& root = std::get<Element>(doc);
  if (!root.is(ns::dav, "propertyupdate")) {
    return Error{ErrorKind::unexpected_root, "expected DAV:propertyupdate, got " + clark(root.name)};
  }
  Proppatch out;
  for (const Element& c : root.children) {
    PatchOp op;
    if (c.is(ns::dav, "set")) {
      op = PatchOp::set;
    } else if (c.is(ns::dav, "remove")) {
      op = PatchOp::remove;
    } else {
      continue;
    }
    const auto lang = lang_in_scope(c, lang_in_scope(root, std::nullopt));
    for (const Element* prop : c.children_named(ns::dav, "prop")) {
      for (PropertyValue& v : property_values(*prop, lang)) out.instructions.push_back({op, std::move(v)});
    }
  }
  if (out.instructions.empty()) return Error{ErrorKind::missing_element, "DAV:propertyupdate without properties"};
  return out;
}

}  // namespace atrium::dav::xml
