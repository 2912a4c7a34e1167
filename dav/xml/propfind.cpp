// PROPFIND: allprop (+ include), propname, or a list of property names.
#include "dav/xml/propfind.hpp"

#include <algorithm>

namespace atrium::dav::xml {

Result<Propfind> parse_propfind(std::string_view body, const ParseLimits& limits) {
  if (body.size() <= limits.max_bytes && is_blank(body)) return Propfind{};
  auto doc = parse_document(body, limits);
  if (auto* err = std::get_if<Error>(&doc)) return std::move(*err);
  const Element& root = std::get<Element>(doc);
  if (!root.is(ns::dav, "propfind")) return Error{ErrorKind::unexpected_root, "expected DAV:propfind, got " + clark(root.name)};
  Propfind out;
  if (root.child(ns::dav, "allprop")) {
    if (const Element* include = root.child(ns::dav, "include")) out.props = prop_names(*include);
    return out;
  }
  if (root.child(ns::dav, "propname")) {
    out.kind = PropRequestKind::propname;
    return out;
  }
  const Element* prop = root.child(ns::dav, "prop");
  if (!prop) return Error{ErrorKind::missing_element, "DAV:propfind needs allprop, propname or prop"};
  out.kind = PropRequestKind::prop;
  for (QName& n : prop_names(*prop)) {
    if (std::find(out.props.begin(), out.props.end(), n) == out.props.end()) out.props.push_back(std::move(n));
  }
  return out;
}

}  // namespace atrium::dav::xml
