// matches(): a recursive walk of the comp-filter tree over the libical tree.
#include "calendar/query.hpp"

#include "calendar/collation.hpp"
#include "calendar/detail/expand.hpp"
#include "core/text/ascii.hpp"

#include <algorithm>

namespace atrium::calendar {
namespace {

using detail::Occurrence;

constexpr int max_filter_depth = 16;

struct Context {
  const Object::Impl& impl;
  const Zone& floating;
  const ExpandLimits& limits;
};

bool is_object_kind(icalcomponent* c) {
  const icalcomponent_kind k = icalcomponent_isa(c);
  return k == ICAL_VEVENT_COMPONENT || k == ICAL_VTODO_COMPONENT || k == ICAL_VJOURNAL_COMPONENT;
}

// Instances of `comp` (a component of the object) matching [s, e).
std::vector<Occurrence> instances_of(const Context& ctx, icalcomponent* comp, UtcSeconds s, UtcSeconds e) {
  const detail::OccurrenceSet set = detail::occurrences(ctx.impl, ctx.floating, s, e, ctx.limits);
  std::vector<Occurrence> out;
  for (const Occurrence& o : set.items) {
    if (o.component == comp) out.push_back(o);
  }
  return out;
}

bool param_matches(icalproperty* prop, const ParamFilter& f) {
  for (icalparameter* p = icalproperty_get_first_parameter(prop, ICAL_ANY_PARAMETER); p != nullptr;
       p = icalproperty_get_next_parameter(prop, ICAL_ANY_PARAMETER)) {
    if (!text::iequals(detail::parameter_name(p), f.name)) continue;
    if (f.is_not_defined) return false;
    if (!f.text || text_matches(*f.text, detail::parameter_value(p))) return true;
  }
  return f.is_not_defined;
}

bool prop_time_matches(const Context& ctx, icalproperty* prop, const TimeRange& range) {
  const auto t = detail::property_time(prop, ctx.impl.root.get(), ctx.floating);
  if (!t) return false;
  const UtcSeconds u = detail::to_utc(*t);
  return detail::range_start(range) <= u && detail::range_end(range) > u;
}

bool prop_matches(const Context& ctx, icalcomponent* comp, const PropFilter& f) {
  for (icalproperty* p : detail::properties(comp)) {
    if (!text::iequals(detail::property_name(p), f.name)) continue;
    if (f.is_not_defined) return false;
    if (f.time_range && !prop_time_matches(ctx, p, *f.time_range)) continue;
    if (f.text && !text_matches(*f.text, detail::property_text(p))) continue;
    if (!std::all_of(f.params.begin(), f.params.end(), [&](const ParamFilter& pf) { return param_matches(p, pf); })) {
      continue;
    }
    return true;
  }
  return f.is_not_defined;
}

// Trigger times of `alarm` for an instance spanning [start, end] (RFC 5545 §3.8.6.3, REPEAT).
std::vector<UtcSeconds> triggers(const Context& ctx, icalcomponent* alarm, const detail::Span& instance) {
  std::vector<UtcSeconds> out;
  icalproperty* p = detail::first_property(alarm, ICAL_TRIGGER_PROPERTY);
  if (p == nullptr) return out;
  const icaltriggertype trig = icalproperty_get_trigger(p);
  UtcSeconds first = 0;
  if (!icaltime_is_null_time(trig.time)) {
    const auto t = detail::property_time(p, ctx.impl.root.get(), ctx.floating);
    icaltimetype tt = trig.time;
    if (t) tt = *t;
    first = detail::to_utc(tt);
  } else {
    bool related_end = false;
    if (icalparameter* rel = icalproperty_get_first_parameter(p, ICAL_RELATED_PARAMETER)) {
      related_end = icalparameter_get_related(rel) == ICAL_RELATED_END;
    }
    first = (related_end ? instance.end : instance.start) + detail::duration_seconds(trig.duration);
  }
  out.push_back(first);
  icalproperty* repeat = detail::first_property(alarm, ICAL_REPEAT_PROPERTY);
  icalproperty* every = detail::first_property(alarm, ICAL_DURATION_PROPERTY);
  if (repeat != nullptr && every != nullptr) {
    const int n = std::clamp(icalproperty_get_repeat(repeat), 0, 1000);
    const std::int64_t step = detail::duration_seconds(icalproperty_get_duration(every));
    if (step > 0) {
      for (int k = 1; k <= n; ++k) out.push_back(first + step * k);
    }
  }
  return out;
}

// The largest distance between an instance and one of its triggers, to widen the expansion.
std::int64_t trigger_reach(icalcomponent* alarm) {
  icalproperty* p = detail::first_property(alarm, ICAL_TRIGGER_PROPERTY);
  if (p == nullptr) return 0;
  const icaltriggertype trig = icalproperty_get_trigger(p);
  std::int64_t reach = icaltime_is_null_time(trig.time) ? std::abs(detail::duration_seconds(trig.duration)) : 0;
  icalproperty* repeat = detail::first_property(alarm, ICAL_REPEAT_PROPERTY);
  icalproperty* every = detail::first_property(alarm, ICAL_DURATION_PROPERTY);
  if (repeat != nullptr && every != nullptr) {
    reach += std::clamp(icalproperty_get_repeat(repeat), 0, 1000) *
             std::abs(detail::duration_seconds(icalproperty_get_duration(every)));
  }
  return reach;
}

UtcSeconds widen(UtcSeconds v, std::int64_t by) {
  UtcSeconds r = 0;
  if (__builtin_add_overflow(v, by, &r)) return by > 0 ? detail::plus_infinity : detail::minus_infinity;
  return r;
}

bool alarm_in_range(const Context& ctx, icalcomponent* parent, icalcomponent* alarm, const TimeRange& range) {
  const UtcSeconds s = detail::range_start(range), e = detail::range_end(range);
  // Widen by the trigger offsets and the longest instance (END-related triggers), not more: a
  // wider window spends the instance cap on instances whose triggers cannot be in range.
  std::int64_t longest = 0;
  for (icalcomponent* c : detail::object_components(ctx.impl)) {
    const detail::Span own = detail::own_span(c, ctx.impl.kind, ctx.impl.root.get(), ctx.floating);
    if (own.start != detail::minus_infinity && own.end != detail::plus_infinity && own.end > own.start) {
      longest = std::max<std::int64_t>(longest, own.end - own.start);
    }
  }
  const std::int64_t reach = trigger_reach(alarm) + longest + 2 * 3600;
  const UtcSeconds ws = s == detail::minus_infinity ? s : widen(s, -reach);
  const UtcSeconds we = e == detail::plus_infinity ? e : widen(e, reach);
  for (const Occurrence& o : instances_of(ctx, parent, ws, we)) {
    for (UtcSeconds t : triggers(ctx, alarm, o.span)) {
      if (s <= t && e > t) return true;
    }
  }
  return false;
}

bool comp_matches(const Context& ctx, icalcomponent* parent, const CompFilter& f, int depth);

// One component against the filter's tests other than its name.
bool component_passes(const Context& ctx, icalcomponent* parent, icalcomponent* c, const CompFilter& f, int depth) {
  if (f.time_range) {
    if (is_object_kind(c)) {
      if (instances_of(ctx, c, detail::range_start(*f.time_range), detail::range_end(*f.time_range)).empty()) {
        return false;
      }
    } else if (icalcomponent_isa(c) == ICAL_VALARM_COMPONENT && parent != nullptr && is_object_kind(parent)) {
      if (!alarm_in_range(ctx, parent, c, *f.time_range)) return false;
    } else {
      return false;  // no time-range semantics for this component
    }
  }
  for (const PropFilter& pf : f.props) {
    if (!prop_matches(ctx, c, pf)) return false;
  }
  for (const CompFilter& cf : f.comps) {
    if (!comp_matches(ctx, c, cf, depth + 1)) return false;
  }
  return true;
}

bool comp_matches(const Context& ctx, icalcomponent* parent, const CompFilter& f, int depth) {
  if (depth > max_filter_depth) return false;
  for (icalcomponent* c : detail::children(parent)) {
    if (!text::iequals(detail::component_name(c), f.name)) continue;
    if (f.is_not_defined) return false;
    if (component_passes(ctx, parent, c, f, depth)) return true;
  }
  return f.is_not_defined;
}

}  // namespace

bool matches(const Object& object, const Filter& filter, const Zone& floating, const ExpandLimits& limits) {
  const Context ctx{object.impl(), floating, limits};
  icalcomponent* root = object.impl().root.get();
  if (!text::iequals(filter.root.name, "VCALENDAR") || filter.root.is_not_defined) return false;
  return component_passes(ctx, nullptr, root, CompFilter{.name = filter.root.name,
                                                         .props = filter.root.props,
                                                         .comps = filter.root.comps},
                          0);
}

}  // namespace atrium::calendar
