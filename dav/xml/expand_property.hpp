// DAV:expand-property REPORT bodies (RFC 3253 §3.8): Apple clients use it to read a principal's
// calendar-proxy groups and their members' names in one round trip.
#pragma once

#include "dav/xml/document.hpp"
#include "dav/xml/error.hpp"
#include "dav/xml/names.hpp"

#include <vector>

namespace atrium::dav::xml {

// One DAV:property: the property to return and, when it holds hrefs, the properties to return for
// each resource it names (recursively).
struct ExpandProperty {
  QName name;  // attributes name (required) and namespace (default "DAV:")
  std::vector<ExpandProperty> children;

  friend bool operator==(const ExpandProperty&, const ExpandProperty&) = default;
};

struct ExpandPropertyReport {
  std::vector<ExpandProperty> properties;

  friend bool operator==(const ExpandPropertyReport&, const ExpandPropertyReport&) = default;
};

// `root` is DAV:expand-property. A DAV:property without a name is missing_element. Nesting is
// bounded by the document's depth limit.
Result<ExpandPropertyReport> parse_expand_property(const Element& root);

}  // namespace atrium::dav::xml
