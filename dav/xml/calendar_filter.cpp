// CALDAV:filter → calendar::Filter: comp-filter / prop-filter / param-filter / text-match.
#include "dav/xml/calendar_filter.hpp"

#include "dav/xml/time_range.hpp"

#include <utility>

namespace atrium::dav::xml {
namespace {

std::string upper(std::string s) {
  for (char& c : s) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return s;
}

Result<std::string> required_name(const Element& e) {
  const std::string* name = e.attribute("name");
  if (!name || name->empty()) return Error{ErrorKind::invalid_filter, e.name.local + " without name"};
  return upper(*name);
}

Error unexpected(const Element& parent, const Element& child) {
  return Error{ErrorKind::invalid_filter, "unexpected " + child.name.local + " in " + parent.name.local};
}

Result<calendar::ParamFilter> parse_param_filter(const Element& e) {
  calendar::ParamFilter f;
  auto name = required_name(e);
  if (auto* err = std::get_if<Error>(&name)) return std::move(*err);
  f.name = std::move(std::get<std::string>(name));
  for (const Element& c : e.children) {
    if (c.name.ns != ns::caldav) continue;
    if (c.name.local == "is-not-defined") {
      f.is_not_defined = true;
    } else if (c.name.local == "text-match" && !f.text) {
      auto tm = parse_text_match(c, {});
      if (auto* err = std::get_if<Error>(&tm)) return std::move(*err);
      f.text = std::move(std::get<calendar::TextMatch>(tm));
    } else {
      return unexpected(e, c);
    }
  }
  if (f.is_not_defined && f.text) return Error{ErrorKind::invalid_filter, "param-filter: is-not-defined with text-match"};
  return f;
}

Result<calendar::PropFilter> parse_prop_filter(const Element& e) {
  calendar::PropFilter f;
  auto name = required_name(e);
  if (auto* err = std::get_if<Error>(&name)) return std::move(*err);
  f.name = std::move(std::get<std::string>(name));
  for (const Element& c : e.children) {
    if (c.name.ns != ns::caldav) continue;
    if (c.name.local == "is-not-defined") {
      f.is_not_defined = true;
    } else if (c.name.local == "time-range" && !f.time_range) {
      auto tr = parse_time_range(c, RangeEnds::at_least_one, ErrorKind::invalid_filter);
      if (auto* err = std::get_if<Error>(&tr)) return std::move(*err);
      f.time_range = std::get<calendar::TimeRange>(tr);
    } else if (c.name.local == "text-match" && !f.text) {
      auto tm = parse_text_match(c, {});
      if (auto* err = std::get_if<Error>(&tm)) return std::move(*err);
      f.text = std::move(std::get<calendar::TextMatch>(tm));
    } else if (c.name.local == "param-filter") {
      auto pf = parse_param_filter(c);
      if (auto* err = std::get_if<Error>(&pf)) return std::move(*err);
      f.params.push_back(std::move(std::get<calendar::ParamFilter>(pf)));
    } else {
      return unexpected(e, c);
    }
  }
  if (f.is_not_defined && (f.time_range || f.text || !f.params.empty())) {
    return Error{ErrorKind::invalid_filter, "prop-filter: is-not-defined with other tests"};
  }
  return f;
}

Result<calendar::CompFilter> parse_comp_filter(const Element& e) {
  calendar::CompFilter f;
  auto name = required_name(e);
  if (auto* err = std::get_if<Error>(&name)) return std::move(*err);
  f.name = std::move(std::get<std::string>(name));
  for (const Element& c : e.children) {
    if (c.name.ns != ns::caldav) continue;
    if (c.name.local == "is-not-defined") {
      f.is_not_defined = true;
    } else if (c.name.local == "time-range" && !f.time_range) {
      auto tr = parse_time_range(c, RangeEnds::at_least_one, ErrorKind::invalid_filter);
      if (auto* err = std::get_if<Error>(&tr)) return std::move(*err);
      f.time_range = std::get<calendar::TimeRange>(tr);
    } else if (c.name.local == "prop-filter") {
      auto pf = parse_prop_filter(c);
      if (auto* err = std::get_if<Error>(&pf)) return std::move(*err);
      f.props.push_back(std::move(std::get<calendar::PropFilter>(pf)));
    } else if (c.name.local == "comp-filter") {
      auto cf = parse_comp_filter(c);
      if (auto* err = std::get_if<Error>(&cf)) return std::move(*err);
      f.comps.push_back(std::move(std::get<calendar::CompFilter>(cf)));
    } else {
      return unexpected(e, c);
    }
  }
  if (f.is_not_defined && (f.time_range || !f.props.empty() || !f.comps.empty())) {
    return Error{ErrorKind::invalid_filter, "comp-filter: is-not-defined with other tests"};
  }
  return f;
}

}  // namespace

std::optional<calendar::Collation> parse_collation(std::string_view name) {
  if (name == "i;ascii-casemap") return calendar::Collation::ascii_casemap;
  if (name == "i;unicode-casemap") return calendar::Collation::unicode_casemap;
  if (name == "i;octet") return calendar::Collation::octet;
  return std::nullopt;
}

Result<calendar::TextMatch> parse_text_match(const Element& e, const TextMatchRules& rules) {
  calendar::TextMatch m;
  m.text = e.text();
  m.collation = rules.default_collation;
  if (const std::string* c = e.attribute("collation")) {
    auto col = parse_collation(*c);
    if (!col) return Error{ErrorKind::unsupported_collation, "collation " + *c};
    m.collation = *col;
  }
  if (const std::string* n = e.attribute("negate-condition")) {
    if (*n == "yes") {
      m.negate = true;
    } else if (*n != "no") {
      return Error{ErrorKind::invalid_filter, "negate-condition " + *n};
    }
  }
  if (const std::string* t = e.attribute("match-type")) {
    if (*t == "equals") {
      m.match = calendar::MatchType::equals;
    } else if (*t == "contains") {
      m.match = calendar::MatchType::contains;
    } else if (*t == "starts-with") {
      m.match = calendar::MatchType::starts_with;
    } else if (*t == "ends-with") {
      m.match = calendar::MatchType::ends_with;
    } else {
      return Error{ErrorKind::invalid_filter, "match-type " + *t};
    }
  }
  return m;
}

Result<calendar::Filter> parse_calendar_filter(const Element& e) {
  const auto comps = e.children_named(ns::caldav, "comp-filter");
  if (comps.size() != 1) return Error{ErrorKind::invalid_filter, "CALDAV:filter needs exactly one comp-filter"};
  auto root = parse_comp_filter(*comps.front());
  if (auto* err = std::get_if<Error>(&root)) return std::move(*err);
  calendar::Filter f{std::move(std::get<calendar::CompFilter>(root))};
  if (f.root.name != "VCALENDAR") return Error{ErrorKind::invalid_filter, "top comp-filter is not VCALENDAR"};
  return f;
}

}  // namespace atrium::dav::xml
