// matches(): addressbook-query filters over a Card (RFC 6352 §10.5), text matching by
// calendar/collation (one implementation of RFC 4790 for CalDAV and CardDAV).
#include "contacts/query.hpp"

#include "calendar/collation.hpp"
#include "core/text/ascii.hpp"

#include <algorithm>

namespace atrium::contacts {
namespace {

// Structured values (';' between components, ',' inside one) and comma lists.
bool is_structured(std::string_view name) {
  return name == "N" || name == "ADR" || name == "ORG" || name == "GENDER" || name == "CLIENTPIDMAP";
}

bool is_list(std::string_view name) { return name == "NICKNAME" || name == "CATEGORIES"; }

// `raw` cut where `separator` is not escaped; the parts stay escaped.
std::vector<std::string_view> split_raw(std::string_view raw, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\\') {
      ++i;
      continue;
    }
    if (raw[i] == separator) {
      parts.push_back(raw.substr(start, i - start));
      start = i + 1;
    }
  }
  parts.push_back(raw.substr(std::min(start, raw.size())));
  return parts;
}

// The strings a text-match is tried on for one property: the whole unescaped value, then its
// parts (components, and the values inside a component, such as ADR's street lines).
std::vector<std::string> candidates(const Property& p) {
  std::vector<std::string> out{p.text()};
  auto add = [&](std::string_view raw) {
    std::string part = unescape(raw);
    if (!part.empty()) out.push_back(std::move(part));
  };
  if (is_structured(p.name)) {
    for (std::string_view component : split_raw(p.value, ';')) {
      add(component);
      const std::vector<std::string_view> values = split_raw(component, ',');
      if (values.size() > 1) {
        for (std::string_view v : values) add(v);
      }
    }
  } else if (is_list(p.name)) {
    for (std::string_view v : split_raw(p.value, ',')) add(v);
  } else if (p.name == "TEL") {
    std::string number = tel_text(out.front());
    if (number != out.front()) out.push_back(std::move(number));
  }
  return out;
}

bool text_ok(const TextMatch& m, const std::vector<std::string>& values) {
  const calendar::TextMatch positive{.text = m.text, .collation = m.collation, .match = m.match, .negate = false};
  const bool found =
      std::any_of(values.begin(), values.end(), [&](const std::string& v) { return calendar::text_matches(positive, v); });
  return found != m.negate;
}

bool param_ok(const ParamFilter& f, const Property& p) {
  bool defined = false;
  std::vector<std::string> values;
  for (const Parameter& x : p.params) {
    if (!text::iequals(x.name, f.name)) continue;
    defined = true;
    for (const std::string& v : x.values) {
      values.push_back(v);
      // A quoted list (TYPE="work,voice") is tried whole and value by value.
      if (v.find(',') == std::string::npos) continue;
      std::size_t start = 0;
      while (true) {
        const std::size_t comma = v.find(',', start);
        values.push_back(v.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
    }
  }
  if (f.is_not_defined) return !defined;
  if (!defined) return false;
  if (!f.text) return true;
  return text_ok(*f.text, values);
}

// One property against the text-matches and param-filters of `f`, combined by its test.
bool prop_ok(const PropFilter& f, const Property& p) {
  const bool allof = f.test == FilterTest::allof;
  std::vector<std::string> values;
  if (!f.texts.empty()) values = candidates(p);
  for (const TextMatch& t : f.texts) {
    const bool ok = text_ok(t, values);
    if (ok != allof) return ok;
  }
  for (const ParamFilter& pf : f.params) {
    const bool ok = param_ok(pf, p);
    if (ok != allof) return ok;
  }
  return allof;
}

bool prop_filter_ok(const Card& card, const PropFilter& f) {
  bool any = false;
  for (const Property& p : card.properties) {
    if (!is_named(p, f.name)) continue;
    any = true;
    if (f.is_not_defined) return false;
    if (f.texts.empty() && f.params.empty()) return true;
    if (prop_ok(f, p)) return true;
  }
  return f.is_not_defined && !any;
}

}  // namespace

bool matches(const Card& card, const Filter& filter) {
  if (filter.props.empty()) return true;
  const bool allof = filter.test == FilterTest::allof;
  for (const PropFilter& f : filter.props) {
    const bool ok = prop_filter_ok(card, f);
    if (ok != allof) return ok;
  }
  return allof;
}

}  // namespace atrium::contacts
