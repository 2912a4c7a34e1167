// Safe, namespace-aware parsing of a DAV request body into a small element tree. pugixml does the
// tokenising; this layer refuses DTDs, bounds size and depth, checks UTF-8 and resolves every
// prefix and default namespace, so callers only ever see (namespace URI, local name) pairs.
#pragma once

#include "dav/xml/error.hpp"
#include "dav/xml/names.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace atrium::dav::xml {

struct ParseLimits {
  std::size_t max_bytes = 1024 * 1024;  // whole body, in octets
  std::size_t max_depth = 32;           // the root element is depth 1
  // Start tags in the whole body: bounds the memory a body can make us spend (a multiget of
  // 10,000 hrefs is about 10,000 elements).
  std::size_t max_elements = 50000;
};

struct Attribute {
  QName name;  // unprefixed attributes are in no namespace (ns empty)
  std::string value;
};

// One element with its namespaces resolved. Namespace declarations (xmlns, xmlns:p) are consumed
// by the resolver and do not appear in `attributes`. Comments and processing instructions are
// dropped; CDATA is text.
struct Element {
  QName name;
  std::vector<Attribute> attributes;
  std::vector<Element> children;
  // Character data in document order: text_runs[i] precedes children[i] and the last run follows
  // the last child, so text_runs.size() == children.size() + 1. Whitespace is kept verbatim.
  std::vector<std::string> text_runs{std::string()};

  bool is(std::string_view ns, std::string_view local) const { return name.ns == ns && name.local == local; }
  // The first child with that name, or nullptr.
  const Element* child(std::string_view ns, std::string_view local) const;
  // Every child with that name, in document order.
  std::vector<const Element*> children_named(std::string_view ns, std::string_view local) const;
  // The value of the unprefixed attribute `local`, or nullptr.
  const std::string* attribute(std::string_view local) const;
  // The element's own character data (all runs joined), not its descendants'.
  std::string text() const;
  // text() without leading and trailing XML whitespace.
  std::string trimmed_text() const;
  // All character data of the element and its descendants, in document order (XPath string()).
  std::string text_content() const;
};

// Parses `body` as one XML document. Refuses: more than limits.max_bytes octets or
// limits.max_elements start tags (too_large),
// a DOCTYPE or any other markup declaration (doctype), nesting deeper than limits.max_depth
// (too_deep); invalid UTF-8 or XML characters, an entity other than the five predefined ones
// (there is no DTD to define any), a bare '&', an unbound prefix, an empty prefix binding, text
// outside the root, more than one root, or anything pugixml rejects (malformed). UTF-16 with a
// BOM is converted first; a UTF-8 BOM is skipped.
Result<Element> parse_document(std::string_view body, const ParseLimits& limits = {});

// True when `body` is empty or XML whitespace only (PROPFIND's "no body" means allprop).
bool is_blank(std::string_view body);

// Serialises `e` as a self-contained XML fragment: every element declares its namespace as the
// default namespace where it differs from its parent's (the root always declares it), namespaced
// attributes get generated prefixes a0, a1, …; the output can be embedded anywhere in another
// document without prefix clashes and re-parses to the same names, attributes and text.
std::string serialise_fragment(const Element& e);

// Escapes character data for element content: & < > and \r (as &#13;, so it survives a parse).
std::string escape_text(std::string_view text);
// Escapes an attribute value (double-quoted): & < > " and \t \n \r as character references.
std::string escape_attribute(std::string_view text);

}  // namespace atrium::dav::xml
