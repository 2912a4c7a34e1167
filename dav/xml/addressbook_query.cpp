// CARDDAV:addressbook-query: prop request, filter (anyof/allof), limit.
#include "dav/xml/addressbook_query.hpp"

#include "dav/xml/calendar_filter.hpp"
#include "dav/xml/sync_collection.hpp"

#include <utility>

namespace atrium::dav::xml {
namespace {

const TextMatchRules card_rules{calendar::Collation::unicode_casemap};

std::string upper(std::string s) {
  for (char& c : s) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return s;
}

Result<FilterTest> parse_test(const Element& e) {
  const std::string* t = e.attribute("test");
  if (!t || *t == "anyof") return FilterTest::anyof;
  if (*t == "allof") return FilterTest::allof;
  return Error{ErrorKind::invalid_filter, "test " + *t};
}

Result<std::string> required_name(const Element& e) {
  const std::string* name = e.attribute("name");
  if (!name || name->empty()) return Error{ErrorKind::invalid_filter, e.name.local + " without name"};
  return upper(*name);
}

Result<CardParamFilter> parse_param_filter(const Element& e) {
  CardParamFilter f;
  auto name = required_name(e);
  if (auto* err = std::get_if<Error>(&name)) return std::move(*err);
  f.name = std::move(std::get<std::string>(name));
  for (const Element& c : e.children) {
    if (c.name.ns != ns::carddav) continue;
    if (c.name.local == "is-not-defined") {
      f.is_not_defined = true;
    } else if (c.name.local == "text-match" && !f.text) {
      auto tm = parse_text_match(c, card_rules);
      if (auto* err = std::get_if<Error>(&tm)) return std::move(*err);
      f.text = std::move(std::get<calendar::TextMatch>(tm));
    } else {
      return Error{ErrorKind::invalid_filter, "unexpected " + c.name.local + " in param-filter"};
    }
  }
  if (f.is_not_defined && f.text) return Error{ErrorKind::invalid_filter, "param-filter: is-not-defined with text-match"};
  return f;
}

Result<CardPropFilter> parse_prop_filter(const Element& e) {
  CardPropFilter f;
  auto name = required_name(e);
  if (auto* err = std::get_if<Error>(&name)) return std::move(*err);
  f.name = std::move(std::get<std::string>(name));
  auto test = parse_test(e);
  if (auto* err = std::get_if<Error>(&test)) return std::move(*err);
  f.test = std::get<FilterTest>(test);
  for (const Element& c : e.children) {
    if (c.name.ns != ns::carddav) continue;
    if (c.name.local == "is-not-defined") {
      f.is_not_defined = true;
    } else if (c.name.local == "text-match") {
      auto tm = parse_text_match(c, card_rules);
      if (auto* err = std::get_if<Error>(&tm)) return std::move(*err);
      f.texts.push_back(std::move(std::get<calendar::TextMatch>(tm)));
    } else if (c.name.local == "param-filter") {
      auto pf = parse_param_filter(c);
      if (auto* err = std::get_if<Error>(&pf)) return std::move(*err);
      f.params.push_back(std::move(std::get<CardParamFilter>(pf)));
    } else {
      return Error{ErrorKind::invalid_filter, "unexpected " + c.name.local + " in prop-filter"};
    }
  }
  if (f.is_not_defined && (!f.texts.empty() || !f.params.empty())) {
    return Error{ErrorKind::invalid_filter, "prop-filter: is-not-defined with other tests"};
  }
  return f;
}

}  // namespace

Result<AddressbookQuery> parse_addressbook_query(const Element& root) {
  AddressbookQuery q;
  auto prop = parse_prop_request(root, PropChoice::any);
  if (auto* err = std::get_if<Error>(&prop)) return std::move(*err);
  q.prop = std::move(std::get<PropRequest>(prop));
  const Element* filter = root.child(ns::carddav, "filter");
  if (!filter) return Error{ErrorKind::missing_element, "addressbook-query without CARDDAV:filter"};
  auto test = parse_test(*filter);
  if (auto* err = std::get_if<Error>(&test)) return std::move(*err);
  q.filter.test = std::get<FilterTest>(test);
  for (const Element& c : filter->children) {
    if (c.name.ns != ns::carddav) continue;
    if (!c.is(ns::carddav, "prop-filter")) {
      return Error{ErrorKind::invalid_filter, "unexpected " + c.name.local + " in filter"};
    }
    auto pf = parse_prop_filter(c);
    if (auto* err = std::get_if<Error>(&pf)) return std::move(*err);
    q.filter.props.push_back(std::move(std::get<CardPropFilter>(pf)));
  }
  auto limit = parse_nresults(root.child(ns::carddav, "limit"), ns::carddav);
  if (auto* err = std::get_if<Error>(&limit)) return std::move(*err);
  q.limit = std::get<std::optional<std::uint32_t>>(limit);
  return q;
}

}  // namespace atrium::dav::xml
