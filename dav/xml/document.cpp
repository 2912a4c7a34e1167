// Safe parsing with pugixml plus a prefix resolver (pugixml itself is not namespace-aware).
#include "dav/xml/document.hpp"

#include "core/auth/utf8.hpp"

#include <pugixml.hpp>

#include <cstdint>
#include <optional>
#include <utility>

namespace atrium::dav::xml {
namespace {

bool is_xml_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Strict UTF-8 (no overlongs, no surrogates, at most U+10FFFF) that is also XML 1.0 Char:
// no C0 controls other than TAB, LF, CR, and no U+FFFE/U+FFFF.
bool valid_xml_utf8(std::string_view s) {
  std::size_t i = 0;
  char32_t cp = 0;
  while (i < s.size()) {
    if (!auth::utf8_next(s, i, cp)) return false;
    if (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') return false;
    if (cp == 0xFFFE || cp == 0xFFFF) return false;
  }
  return true;
}

// UTF-16 with a BOM (LE or BE) to UTF-8; nullopt on an odd length or a lone surrogate.
std::optional<std::string> utf16_to_utf8(std::string_view s) {
  if (s.size() % 2 != 0) return std::nullopt;
  const bool little = static_cast<unsigned char>(s[0]) == 0xFF;
  auto unit = [&](std::size_t i) -> std::uint32_t {
    const auto a = static_cast<unsigned char>(s[i]);
    const auto b = static_cast<unsigned char>(s[i + 1]);
    return little ? (a | (b << 8)) : ((a << 8) | b);
  };
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 2; i < s.size(); i += 2) {
    std::uint32_t cp = unit(i);
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      if (i + 3 >= s.size()) return std::nullopt;
      const std::uint32_t lo = unit(i + 2);
      if (lo < 0xDC00 || lo > 0xDFFF) return std::nullopt;
      cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
      i += 2;
    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
      return std::nullopt;
    }
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  return out;
}

bool has_utf16_bom(std::string_view s) {
  auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  return s.size() >= 2 && ((b(0) == 0xFE && b(1) == 0xFF) || (b(0) == 0xFF && b(1) == 0xFE));
}

// What pugixml lets through but XML forbids or we refuse, found on the raw text outside
// comments, CDATA sections and processing instructions: a DOCTYPE (or any other markup
// declaration), and '&' that does not start one of the five predefined entities or a character
// reference (pugixml would keep "&foo;" as text; without a DTD no other entity can exist).
// It also counts start tags, so that an element flood is refused before any tree is built (each
// element costs a few hundred bytes in pugixml's tree and ours).
std::optional<Error> scan_markup(std::string_view s, std::size_t max_elements) {
  std::size_t i = 0;
  std::size_t elements = 0;
  auto skip_past = [&](std::string_view end) {
    const std::size_t at = s.find(end, i);
    i = at == std::string_view::npos ? s.size() : at + end.size();
  };
  while (i < s.size()) {
    const char c = s[i];
    if (c == '<') {
      const std::string_view rest = s.substr(i);
      if (rest.starts_with("<!--")) {
        i += 4;
        skip_past("-->");
      } else if (rest.starts_with("<![CDATA[")) {
        i += 9;
        skip_past("]]>");
      } else if (rest.starts_with("<?")) {
        i += 2;
        skip_past("?>");
      } else if (rest.starts_with("<!")) {
        return Error{ErrorKind::doctype, "DOCTYPE and markup declarations are not allowed"};
      } else {
        if (!rest.starts_with("</") && ++elements > max_elements) {
          return Error{ErrorKind::too_large, "more than " + std::to_string(max_elements) + " elements"};
        }
        ++i;
      }
      continue;
    }
    if (c == '&') {
      const std::string_view rest = s.substr(i + 1);
      std::size_t len = 0;
      for (std::string_view name : {"amp;", "lt;", "gt;", "quot;", "apos;"}) {
        if (rest.starts_with(name)) len = name.size();
      }
      if (len == 0 && rest.starts_with("#")) {
        std::size_t k = 1;
        const bool hex = rest.size() > 1 && rest[1] == 'x';
        if (hex) ++k;
        const std::size_t digits_from = k;
        while (k < rest.size() && k < 12 &&
               ((rest[k] >= '0' && rest[k] <= '9') ||
                (hex && ((rest[k] >= 'a' && rest[k] <= 'f') || (rest[k] >= 'A' && rest[k] <= 'F'))))) {
          ++k;
        }
        if (k > digits_from && k < rest.size() && rest[k] == ';') len = k + 1;
      }
      if (len == 0) return Error{ErrorKind::malformed, "undefined entity or bare '&'"};
      i += 1 + len;
      continue;
    }
    ++i;
  }
  return std::nullopt;
}

// XML 1.0 NCName, with every non-ASCII character accepted (as pugixml does): a prefix or local
// name must start with a letter or '_' so that it survives re-serialisation on its own.
bool valid_ncname(std::string_view n) {
  if (n.empty()) return false;
  auto start = [](unsigned char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c >= 0x80; };
  if (!start(static_cast<unsigned char>(n[0]))) return false;
  for (char ch : n.substr(1)) {
    const auto c = static_cast<unsigned char>(ch);
    if (!start(c) && !(c >= '0' && c <= '9') && c != '-' && c != '.') return false;
  }
  return true;
}

struct Binding {
  std::string prefix;  // empty = the default namespace
  std::string uri;
};

class Resolver {
 public:
  explicit Resolver(std::size_t max_depth) : max_depth_(max_depth) {}

  std::optional<Error> convert(const pugi::xml_node& node, Element& out, std::size_t depth) {
    if (depth > max_depth_) return Error{ErrorKind::too_deep, "nesting deeper than " + std::to_string(max_depth_)};
    const std::size_t mark = scope_.size();
    // Declarations first: they apply to the element's own name and attributes.
    for (const pugi::xml_attribute& a : node.attributes()) {
      const std::string_view n = a.name();
      if (n == "xmlns") {
        scope_.push_back({std::string(), a.value()});
      } else if (n.starts_with("xmlns:")) {
        std::string prefix(n.substr(6));
        if (!valid_ncname(prefix) || *a.value() == '\0') {
          return Error{ErrorKind::malformed, "bad namespace declaration " + std::string(n)};
        }
        if (prefix == "xmlns" || (prefix == "xml" && a.value() != ns::xml)) {
          return Error{ErrorKind::malformed, "reserved prefix " + prefix};
        }
        scope_.push_back({std::move(prefix), a.value()});
      }
    }
    auto name = resolve(node.name(), /*is_attribute=*/false);
    if (!name) return Error{ErrorKind::malformed, "bad name or unbound prefix in element " + std::string(node.name())};
    out.name = std::move(*name);
    for (const pugi::xml_attribute& a : node.attributes()) {
      const std::string_view n = a.name();
      if (n == "xmlns" || n.starts_with("xmlns:")) continue;
      auto an = resolve(n, /*is_attribute=*/true);
      if (!an) return Error{ErrorKind::malformed, "bad name or unbound prefix in attribute " + std::string(n)};
      if (!valid_xml_utf8(a.value())) return Error{ErrorKind::malformed, "bad character in attribute"};
      for (const Attribute& seen : out.attributes) {
        if (seen.name == *an) return Error{ErrorKind::malformed, "duplicate attribute " + std::string(n)};
      }
      out.attributes.push_back({std::move(*an), a.value()});
    }
    for (const pugi::xml_node& c : node.children()) {
      switch (c.type()) {
        case pugi::node_pcdata:
        case pugi::node_cdata: {
          const std::string_view v = c.value();
          if (!valid_xml_utf8(v)) return Error{ErrorKind::malformed, "bad character in text"};
          out.text_runs.back().append(v);
          break;
        }
        case pugi::node_element: {
          Element& child = out.children.emplace_back();
          if (auto err = convert(c, child, depth + 1)) return err;
          out.text_runs.emplace_back();
          break;
        }
        case pugi::node_doctype:
          return Error{ErrorKind::doctype, "DOCTYPE is not allowed"};
        default:
          break;  // comments and processing instructions are not kept
      }
    }
    scope_.resize(mark);
    return std::nullopt;
  }

 private:
  std::optional<QName> resolve(std::string_view qname, bool is_attribute) const {
    const auto colon = qname.find(':');
    if (colon == std::string_view::npos) {
      if (!valid_ncname(qname)) return std::nullopt;
      if (is_attribute) return QName{std::string(), std::string(qname)};
      return QName{lookup(""), std::string(qname)};
    }
    const std::string_view prefix = qname.substr(0, colon);
    const std::string_view local = qname.substr(colon + 1);
    if (!valid_ncname(prefix) || !valid_ncname(local)) return std::nullopt;
    if (prefix == "xml") return QName{std::string(ns::xml), std::string(local)};
    if (prefix == "xmlns") return std::nullopt;
    for (auto it = scope_.rbegin(); it != scope_.rend(); ++it) {
      if (it->prefix == prefix) return QName{it->uri, std::string(local)};
    }
    return std::nullopt;
  }

  std::string lookup(std::string_view prefix) const {
    for (auto it = scope_.rbegin(); it != scope_.rend(); ++it) {
      if (it->prefix == prefix) return it->uri;
    }
    return {};
  }

  std::size_t max_depth_;
  std::vector<Binding> scope_;
};

void append_escaped(std::string& out, std::string_view s, bool attribute) {
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '\r': out += "&#13;"; break;
      case '"':
        out += attribute ? "&quot;" : "\"";
        break;
      case '\t':
        out += attribute ? "&#9;" : "\t";
        break;
      case '\n':
        out += attribute ? "&#10;" : "\n";
        break;
      default: out += c;
    }
  }
}

void serialise(const Element& e, std::string_view parent_default, bool is_root, std::string& out) {
  out += '<';
  out += e.name.local;
  if (is_root || e.name.ns != parent_default) {
    out += " xmlns=\"";
    append_escaped(out, e.name.ns, true);
    out += '"';
  }
  int generated = 0;
  for (const Attribute& a : e.attributes) {
    out += ' ';
    if (a.name.ns == ns::xml) {
      out += "xml:";
    } else if (!a.name.ns.empty()) {
      const std::string prefix = "a" + std::to_string(generated++);
      out += "xmlns:" + prefix + "=\"";
      append_escaped(out, a.name.ns, true);
      out += "\" " + prefix + ":";
    }
    out += a.name.local;
    out += "=\"";
    append_escaped(out, a.value, true);
    out += '"';
  }
  bool empty = e.children.empty();
  for (const std::string& run : e.text_runs) empty = empty && run.empty();
  if (empty) {
    out += "/>";
    return;
  }
  out += '>';
  for (std::size_t i = 0; i < e.children.size(); ++i) {
    if (i < e.text_runs.size()) append_escaped(out, e.text_runs[i], false);
    serialise(e.children[i], e.name.ns, false, out);
  }
  if (e.text_runs.size() > e.children.size()) {
    for (std::size_t i = e.children.size(); i < e.text_runs.size(); ++i) append_escaped(out, e.text_runs[i], false);
  }
  out += "</";
  out += e.name.local;
  out += '>';
}

void collect_text(const Element& e, std::string& out) {
  for (std::size_t i = 0; i < e.text_runs.size(); ++i) {
    out += e.text_runs[i];
    if (i < e.children.size()) collect_text(e.children[i], out);
  }
  for (std::size_t i = e.text_runs.size(); i < e.children.size(); ++i) collect_text(e.children[i], out);
}

}  // namespace

const Element* Element::child(std::string_view ns, std::string_view local) const {
  for (const Element& c : children) {
    if (c.is(ns, local)) return &c;
  }
  return nullptr;
}

std::vector<const Element*> Element::children_named(std::string_view ns, std::string_view local) const {
  std::vector<const Element*> out;
  for (const Element& c : children) {
    if (c.is(ns, local)) out.push_back(&c);
  }
  return out;
}

const std::string* Element::attribute(std::string_view local) const {
  for (const Attribute& a : attributes) {
    if (a.name.ns.empty() && a.name.local == local) return &a.value;
  }
  return nullptr;
}

std::string Element::text() const {
  std::string out;
  for (const std::string& run : text_runs) out += run;
  return out;
}

std::string Element::trimmed_text() const {
  const std::string all = text();
  std::size_t b = 0;
  std::size_t e = all.size();
  while (b < e && is_xml_space(all[b])) ++b;
  while (e > b && is_xml_space(all[e - 1])) --e;
  return all.substr(b, e - b);
}

std::string Element::text_content() const {
  std::string out;
  collect_text(*this, out);
  return out;
}

bool is_blank(std::string_view body) {
  for (char c : body) {
    if (!is_xml_space(c)) return false;
  }
  return true;
}

Result<Element> parse_document(std::string_view body, const ParseLimits& limits) {
  if (body.size() > limits.max_bytes) {
    return Error{ErrorKind::too_large, "body over " + std::to_string(limits.max_bytes) + " octets"};
  }
  std::string converted;
  if (has_utf16_bom(body)) {
    auto utf8 = utf16_to_utf8(body);
    if (!utf8) return Error{ErrorKind::malformed, "bad UTF-16"};
    converted = std::move(*utf8);
    body = converted;
  } else if (body.starts_with("\xEF\xBB\xBF")) {
    body.remove_prefix(3);
  }
  if (!valid_xml_utf8(body)) return Error{ErrorKind::malformed, "not UTF-8 XML characters"};
  if (auto err = scan_markup(body, limits.max_elements)) return std::move(*err);
  pugi::xml_document doc;
  // parse_fragment keeps text outside the root so that it can be refused below; the checks there
  // restore document rules (exactly one root element).
  const unsigned flags = pugi::parse_default | pugi::parse_ws_pcdata | pugi::parse_doctype | pugi::parse_fragment;
  const pugi::xml_parse_result parsed = doc.load_buffer(body.data(), body.size(), flags, pugi::encoding_utf8);
  if (!parsed) return Error{ErrorKind::malformed, parsed.description()};
  pugi::xml_node root;
  for (const pugi::xml_node& n : doc.children()) {
    switch (n.type()) {
      case pugi::node_element:
        if (root) return Error{ErrorKind::malformed, "more than one root element"};
        root = n;
        break;
      case pugi::node_doctype:
        return Error{ErrorKind::doctype, "DOCTYPE is not allowed"};
      case pugi::node_pcdata:
        if (!is_blank(n.value())) return Error{ErrorKind::malformed, "text outside the root element"};
        break;
      case pugi::node_cdata:
        return Error{ErrorKind::malformed, "CDATA outside the root element"};
      default:
        break;
    }
  }
  if (!root) return Error{ErrorKind::malformed, "no root element"};
  Element out;
  Resolver resolver(limits.max_depth);
  if (auto err = resolver.convert(root, out, 1)) return std::move(*err);
  return out;
}

std::string serialise_fragment(const Element& e) {
  std::string out;
  serialise(e, "", true, out);
  return out;
}

std::string escape_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  append_escaped(out, text, false);
  return out;
}

std::string escape_attribute(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  append_escaped(out, text, true);
  return out;
}

}  // namespace atrium::dav::xml
