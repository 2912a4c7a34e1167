// calendar_data(): builds a new libical tree for the request and serialises it.
#include "calendar/output.hpp"

#include "calendar/detail/expand.hpp"
#include "core/text/ascii.hpp"

#include <algorithm>

namespace atrium::calendar {
namespace {

using detail::ComponentPtr;

void remove_properties(icalcomponent* comp, icalproperty_kind kind) {
  for (icalproperty* p : detail::properties(comp, kind)) {
    icalcomponent_remove_property(comp, p);
    icalproperty_free(p);
  }
}

// A fresh VCALENDAR carrying the source's own properties (VERSION, PRODID, CALSCALE, X-…).
ComponentPtr calendar_shell(icalcomponent* source) {
  ComponentPtr out(icalcomponent_new(ICAL_VCALENDAR_COMPONENT));
  for (icalproperty* p : detail::properties(source)) {
    icalcomponent_add_property(out.get(), icalproperty_new_clone(p));
  }
  return out;
}

void set_utc(icalcomponent* comp, icalproperty_kind kind, UtcSeconds value) {
  remove_properties(comp, kind);
  icalproperty* p = icalproperty_new(kind);
  icalproperty_set_value(p, icalvalue_new_datetime(detail::from_utc(value)));
  icalcomponent_add_property(comp, p);
}

// Instances of a recurring object as separate components, times in UTC (§9.6.5).
ComponentPtr expanded(const Object& object, const TimeRange& range, const ExpandLimits& limits) {
  const Object::Impl& impl = object.impl();
  ComponentPtr out = calendar_shell(impl.root.get());
  const detail::OccurrenceSet set = detail::occurrences(impl, object.floating(), detail::range_start(range),
                                                        detail::range_end(range), limits);
  for (const detail::Occurrence& o : set.items) {
    if (o.span.rule == detail::SpanRule::always || o.span.rule == detail::SpanRule::never) {
      icalcomponent_add_component(out.get(), icalcomponent_new_clone(o.component));
      continue;
    }
    icalcomponent* c = icalcomponent_new_clone(o.component);
    remove_properties(c, ICAL_RRULE_PROPERTY);
    remove_properties(c, ICAL_RDATE_PROPERTY);
    remove_properties(c, ICAL_EXDATE_PROPERTY);
    const bool had_dtstart = detail::first_property(c, ICAL_DTSTART_PROPERTY) != nullptr;
    const bool had_dtend = detail::first_property(c, ICAL_DTEND_PROPERTY) != nullptr;
    const bool had_due = detail::first_property(c, ICAL_DUE_PROPERTY) != nullptr;
    const bool had_duration = detail::first_property(c, ICAL_DURATION_PROPERTY) != nullptr;
    if (had_dtstart) set_utc(c, ICAL_DTSTART_PROPERTY, o.span.start);
    const bool all_day_event = !had_dtend && !had_duration && o.span.end > o.span.start &&
                               impl.kind == ComponentKind::event;
    if (had_dtend || all_day_event) set_utc(c, ICAL_DTEND_PROPERTY, o.span.end);
    if (had_due && had_dtstart) set_utc(c, ICAL_DUE_PROPERTY, o.span.end);
    if (had_due && !had_dtstart) set_utc(c, ICAL_DUE_PROPERTY, o.span.start);
    if (o.recurrence_id) set_utc(c, ICAL_RECURRENCEID_PROPERTY, *o.recurrence_id);
    icalcomponent_add_component(out.get(), c);
  }
  return out;
}

// The master and the overrides that touch the range (§9.6.6).
ComponentPtr limited(const Object& object, const TimeRange& range, const ExpandLimits& limits) {
  const Object::Impl& impl = object.impl();
  ComponentPtr out(icalcomponent_new_clone(impl.root.get()));
  const UtcSeconds s = detail::range_start(range), e = detail::range_end(range);
  const detail::OccurrenceSet set = detail::occurrences(impl, object.floating(), s, e, limits);
  // Positions in the clone match positions in the source.
  const std::vector<icalcomponent*> source = detail::object_components(impl);
  const std::vector<icalcomponent*> cloned = detail::children(out.get(), detail::ical_kind(impl.kind));
  for (std::size_t i = 0; i < source.size() && i < cloned.size(); ++i) {
    icalproperty* rp = detail::first_property(source[i], ICAL_RECURRENCEID_PROPERTY);
    if (rp == nullptr) continue;
    bool keep = std::any_of(set.items.begin(), set.items.end(),
                            [&](const detail::Occurrence& o) { return o.component == source[i]; });
    if (!keep) {
      const auto rid = detail::property_time(rp, impl.root.get(), object.floating());
      keep = rid && detail::to_utc(*rid) >= s && detail::to_utc(*rid) < e;
    }
    if (!keep) {
      icalcomponent_remove_component(out.get(), cloned[i]);
      icalcomponent_free(cloned[i]);
    }
  }
  return out;
}

bool listed(const std::vector<std::string>& names, const std::string& name) {
  return std::any_of(names.begin(), names.end(), [&](const std::string& n) { return text::iequals(n, name); });
}

// Keeps what `spec` selects of `comp` (which has spec's name), recursively (§9.6.1-9.6.4).
void select(icalcomponent* comp, const CalendarDataRequest::Comp& spec, int depth) {
  if (!spec.all_props) {
    for (icalproperty* p : detail::properties(comp)) {
      if (listed(spec.props, detail::property_name(p))) continue;
      icalcomponent_remove_property(comp, p);
      icalproperty_free(p);
    }
  }
  if (spec.all_comps) return;
  for (icalcomponent* c : detail::children(comp)) {
    const std::string name = detail::component_name(c);
    auto sub = std::find_if(spec.comps.begin(), spec.comps.end(),
                            [&](const CalendarDataRequest::Comp& s) { return text::iequals(s.name, name); });
    if (sub == spec.comps.end() || depth > 16) {
      icalcomponent_remove_component(comp, c);
      icalcomponent_free(c);
      continue;
    }
    select(c, *sub, depth + 1);
  }
}

}  // namespace

std::string calendar_data(const Object& object, const CalendarDataRequest& request, const ExpandLimits& limits) {
  ComponentPtr tree;
  if (request.expand) {
    tree = expanded(object, *request.expand, limits);
  } else if (request.limit_recurrence_set) {
    tree = limited(object, *request.limit_recurrence_set, limits);
  } else {
    tree.reset(icalcomponent_new_clone(object.impl().root.get()));
  }
  if (request.comp && text::iequals(request.comp->name, "VCALENDAR")) select(tree.get(), *request.comp, 0);
  return detail::to_text(tree.get());
}

}  // namespace atrium::calendar
