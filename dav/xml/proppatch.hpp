// PROPPATCH request bodies (RFC 4918 §9.2, §14.19) and the property values they carry, shared
// with extended MKCOL and MKCALENDAR.
#pragma once

#include "dav/xml/document.hpp"
#include "dav/xml/error.hpp"
#include "dav/xml/names.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atrium::dav::xml {

// One property as a client sent it. Dead properties must come back byte-for-byte in meaning, with
// their namespaces, so the whole element is kept as a self-contained fragment (serialise_fragment)
// next to the plain text live properties need (displayname, calendar-color, …).
struct PropertyValue {
  QName name;
  std::string xml;   // the property element itself, re-serialised; embed as is in responses
  std::string text;  // its text content (all descendant character data), untrimmed

  friend bool operator==(const PropertyValue&, const PropertyValue&) = default;
};

enum class PatchOp { set, remove };

struct PatchInstruction {
  PatchOp op;
  PropertyValue property;  // for remove, xml is the empty element as sent and text is usually empty

  friend bool operator==(const PatchInstruction&, const PatchInstruction&) = default;
};

// Instructions in document order, one per property (a DAV:set with three properties gives three),
// to be applied in that order and atomically (RFC 4918 §9.2).
struct Proppatch {
  std::vector<PatchInstruction> instructions;

  friend bool operator==(const Proppatch&, const Proppatch&) = default;
};

// The root must be DAV:propertyupdate (unexpected_root) with at least one DAV:set or DAV:remove
// holding a non-empty DAV:prop (missing_element).
Result<Proppatch> parse_proppatch(std::string_view body, const ParseLimits& limits = {});

// The children of a DAV:prop as property values. `inherited_lang` is the xml:lang in scope at
// `prop` (from its ancestors or itself); a property without its own xml:lang gets it in its
// fragment, so the language survives as RFC 4918 §4.3 asks.
std::vector<PropertyValue> property_values(const Element& prop, const std::optional<std::string>& inherited_lang = {});

// The xml:lang `e` declares, else `inherited`.
std::optional<std::string> lang_in_scope(const Element& e, const std::optional<std::string>& inherited);

}  // namespace atrium::dav::xml
