// Property requests shared by the REPORT parsers, and calendar-data / address-data options.
#include "dav/xml/report_props.hpp"

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

Result<calendar::CalendarDataRequest::Comp> parse_comp(const Element& e) {
  const std::string* name = e.attribute("name");
  if (!name || name->empty()) return Error{ErrorKind::invalid_value, "CALDAV:comp without name"};
  calendar::CalendarDataRequest::Comp comp;
  comp.name = upper(*name);
  comp.all_props = false;
  comp.all_comps = false;
  for (const Element& c : e.children) {
    if (c.name.ns != ns::caldav) continue;
    if (c.name.local == "allprop") {
      comp.all_props = true;
    } else if (c.name.local == "prop") {
      const std::string* pn = c.attribute("name");
      if (!pn || pn->empty()) return Error{ErrorKind::invalid_value, "CALDAV:prop without name"};
      comp.props.push_back(upper(*pn));
    } else if (c.name.local == "allcomp") {
      comp.all_comps = true;
    } else if (c.name.local == "comp") {
      auto sub = parse_comp(c);
      if (auto* err = std::get_if<Error>(&sub)) return std::move(*err);
      comp.comps.push_back(std::move(std::get<calendar::CalendarDataRequest::Comp>(sub)));
    }
  }
  if (comp.all_props) comp.props.clear();
  if (comp.all_comps) comp.comps.clear();
  return comp;
}

}  // namespace

std::vector<QName> prop_names(const Element& prop) {
  std::vector<QName> out;
  out.reserve(prop.children.size());
  for (const Element& c : prop.children) out.push_back(c.name);
  return out;
}

std::vector<std::string> hrefs(const Element& parent) {
  std::vector<std::string> out;
  for (const Element* h : parent.children_named(ns::dav, "href")) out.push_back(h->trimmed_text());
  return out;
}

Result<calendar::CalendarDataRequest> parse_calendar_data_request(const Element& e) {
  calendar::CalendarDataRequest req;
  if (const std::string* ct = e.attribute("content-type"); ct && *ct != "text/calendar") {
    return Error{ErrorKind::unsupported_data_type, "calendar-data content-type " + *ct};
  }
  if (const std::string* v = e.attribute("version"); v && *v != "2.0") {
    return Error{ErrorKind::unsupported_data_type, "calendar-data version " + *v};
  }
  for (const Element& c : e.children) {
    if (c.name.ns != ns::caldav) continue;
    if (c.name.local == "comp") {
      auto comp = parse_comp(c);
      if (auto* err = std::get_if<Error>(&comp)) return std::move(*err);
      req.comp = std::move(std::get<calendar::CalendarDataRequest::Comp>(comp));
      continue;
    }
    std::optional<calendar::TimeRange>* slot = nullptr;
    if (c.name.local == "expand") slot = &req.expand;
    if (c.name.local == "limit-recurrence-set") slot = &req.limit_recurrence_set;
    if (c.name.local == "limit-freebusy-set") slot = &req.limit_freebusy_set;
    if (!slot) continue;
    auto range = parse_time_range(c, RangeEnds::both, ErrorKind::invalid_value);
    if (auto* err = std::get_if<Error>(&range)) return std::move(*err);
    *slot = std::get<calendar::TimeRange>(range);
  }
  return req;
}

Result<AddressDataRequest> parse_address_data_request(const Element& e) {
  AddressDataRequest req;
  if (const std::string* ct = e.attribute("content-type")) {
    if (*ct != "text/vcard") return Error{ErrorKind::unsupported_data_type, "address-data content-type " + *ct};
    req.content_type = *ct;
  }
  if (const std::string* v = e.attribute("version")) {
    if (*v != "3.0" && *v != "4.0") return Error{ErrorKind::unsupported_data_type, "address-data version " + *v};
    req.version = *v;
  }
  bool any_prop = false;
  bool allprop = false;
  for (const Element& c : e.children) {
    if (c.name.ns != ns::carddav) continue;
    if (c.name.local == "allprop") allprop = true;
    if (c.name.local == "prop") {
      const std::string* pn = c.attribute("name");
      if (!pn || pn->empty()) return Error{ErrorKind::invalid_value, "CARDDAV:prop without name"};
      any_prop = true;
      req.props.push_back(upper(*pn));
    }
  }
  req.all_props = allprop || !any_prop;
  if (req.all_props) req.props.clear();
  return req;
}

Result<PropRequest> parse_prop_request(const Element& parent, PropChoice choice) {
  PropRequest req;
  if (choice == PropChoice::any) {
    if (parent.child(ns::dav, "allprop")) {
      req.kind = PropRequestKind::allprop;
      if (const Element* include = parent.child(ns::dav, "include")) req.props = prop_names(*include);
      return req;
    }
    if (parent.child(ns::dav, "propname")) {
      req.kind = PropRequestKind::propname;
      return req;
    }
  }
  const Element* prop = parent.child(ns::dav, "prop");
  if (!prop) return req;
  for (const Element& c : prop->children) {
    req.props.push_back(c.name);
    if (c.is(ns::caldav, "calendar-data")) {
      auto cd = parse_calendar_data_request(c);
      if (auto* err = std::get_if<Error>(&cd)) return std::move(*err);
      req.calendar_data = std::move(std::get<calendar::CalendarDataRequest>(cd));
    } else if (c.is(ns::carddav, "address-data")) {
      auto ad = parse_address_data_request(c);
      if (auto* err = std::get_if<Error>(&ad)) return std::move(*err);
      req.address_data = std::move(std::get<AddressDataRequest>(ad));
    }
  }
  return req;
}

}  // namespace atrium::dav::xml
