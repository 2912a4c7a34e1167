// The recurrence set: DTSTART, RRULE (bounded by an iteration count), RDATE, EXDATE, overridden
// and THISANDFUTURE instances, as spans filtered against a window.
#include "calendar/detail/expand.hpp"

#include <algorithm>
#include <memory>

namespace atrium::calendar::detail {
namespace {

UtcSeconds sat_add(UtcSeconds a, std::int64_t b) {
  UtcSeconds r = 0;
  if (__builtin_add_overflow(a, b, &r)) return b > 0 ? plus_infinity : minus_infinity;
  return r;
}

// How an instance's end follows from its start: nominal days in the start's local time, then
// exact seconds (RFC 5545 §3.3.6), or a span fixed by dates other than DTSTART.
struct Shape {
  std::optional<icaltimetype> start;
  int days = 0;
  std::int64_t seconds = 0;
  SpanRule rule = SpanRule::interval;
  std::optional<Span> fixed;
};

std::optional<icaltimetype> time_of(icalcomponent* c, icalproperty_kind kind, icalcomponent* root,
                                    const Zone& floating) {
  return property_time(first_property(c, kind), root, floating);
}

std::optional<icaldurationtype> duration_of(icalcomponent* c) {
  icalproperty* p = first_property(c, ICAL_DURATION_PROPERTY);
  if (p == nullptr) return std::nullopt;
  const icaldurationtype d = icalproperty_get_duration(p);
  if (icaldurationtype_is_bad_duration(d)) return std::nullopt;
  return d;
}

std::int64_t day_number(const icaltimetype& t) {
  return days_from_civil(t.year, static_cast<unsigned>(t.month), static_cast<unsigned>(t.day));
}

void set_length(Shape& sh, const icaltimetype& start, const icaltimetype& end) {
  if (start.is_date && end.is_date) {
    sh.days = static_cast<int>(std::clamp<std::int64_t>(day_number(end) - day_number(start), 0, 4000000));
  } else {
    sh.seconds = std::max<std::int64_t>(0, to_utc(end) - to_utc(start));
  }
}

void set_duration(Shape& sh, const icaldurationtype& d) {
  if (d.is_neg) return;  // a negative duration is invalid; read it as zero
  sh.days = static_cast<int>(std::min<std::int64_t>(static_cast<std::int64_t>(d.weeks) * 7 + d.days, 4000000));
  sh.seconds = static_cast<std::int64_t>(d.hours) * 3600 + d.minutes * 60 + d.seconds;
}

Shape shape_of(icalcomponent* c, ComponentKind kind, icalcomponent* root, const Zone& floating) {
  Shape sh;
  const auto start = time_of(c, ICAL_DTSTART_PROPERTY, root, floating);
  switch (kind) {
    case ComponentKind::event:
      if (!start) {
        sh.fixed = Span{.rule = SpanRule::never};
        break;
      }
      sh.start = start;
      if (auto end = time_of(c, ICAL_DTEND_PROPERTY, root, floating)) {
        set_length(sh, *start, *end);
      } else if (auto d = duration_of(c)) {
        set_duration(sh, *d);
        if (sh.days == 0 && sh.seconds == 0) sh.rule = SpanRule::at_start;
      } else if (start->is_date) {
        sh.days = 1;
      } else {
        sh.rule = SpanRule::at_start;
      }
      break;
    case ComponentKind::todo: {
      const auto due = time_of(c, ICAL_DUE_PROPERTY, root, floating);
      if (start) {
        sh.start = start;
        if (auto d = duration_of(c)) {
          set_duration(sh, *d);
          sh.rule = SpanRule::start_duration;
        } else if (due) {
          set_length(sh, *start, *due);
          sh.rule = SpanRule::start_due;
        } else {
          sh.rule = SpanRule::at_start;
        }
      } else if (due) {
        const UtcSeconds u = to_utc(*due);
        sh.fixed = Span{u, u, SpanRule::at_end};
      } else {
        const auto completed = time_of(c, ICAL_COMPLETED_PROPERTY, root, floating);
        const auto created = time_of(c, ICAL_CREATED_PROPERTY, root, floating);
        if (completed && created) {
          const UtcSeconds a = to_utc(*completed), b = to_utc(*created);
          sh.fixed = Span{std::min(a, b), std::max(a, b), SpanRule::closed};
        } else if (completed) {
          const UtcSeconds a = to_utc(*completed);
          sh.fixed = Span{a, a, SpanRule::closed};
        } else if (created) {
          sh.fixed = Span{to_utc(*created), plus_infinity, SpanRule::interval};
        } else {
          sh.fixed = Span{minus_infinity, plus_infinity, SpanRule::always};
        }
      }
      break;
    }
    case ComponentKind::journal:
      if (!start) {
        sh.fixed = Span{.rule = SpanRule::never};
        break;
      }
      sh.start = start;
      if (start->is_date) {
        sh.days = 1;
      } else {
        sh.rule = SpanRule::at_start;
      }
      break;
  }
  return sh;
}

Span span_at(const Shape& sh, const icaltimetype& local) {
  const UtcSeconds s = to_utc(local);
  UtcSeconds e = sat_add(sh.days != 0 ? to_utc(add_days(local, sh.days)) : s, sh.seconds);
  if (e < s) e = s;
  return Span{s, e, sh.rule};
}

Span shape_span(const Shape& sh) { return sh.fixed ? *sh.fixed : span_at(sh, *sh.start); }

struct Override {
  UtcSeconds rid = 0;
  icalcomponent* comp = nullptr;
  std::size_t index = 0;
  bool this_and_future = false;
  Span span;
};

struct Candidate {
  UtcSeconds rid = 0;
  Span span;
};

struct IteratorFree {
  void operator()(icalrecur_iterator* it) const noexcept { icalrecur_iterator_free(it); }
};

bool finite(const Span& s) {
  return s.rule != SpanRule::always && s.rule != SpanRule::never && s.start != minus_infinity &&
         s.end != plus_infinity;
}

// The master's own local date of a UTC instant (for DATE EXDATEs against DATE-TIME instances).
std::int64_t local_day(UtcSeconds u, const icaltimezone* zone) {
  icaltimetype t = from_utc(u);
  icaltimezone* utc = icaltimezone_get_utc_timezone();
  if (zone != nullptr && zone != utc) icaltimezone_convert_time(&t, utc, const_cast<icaltimezone*>(zone));
  return day_number(t);
}

void finish(OccurrenceSet& out, const ExpandLimits& limits) {
  std::sort(out.items.begin(), out.items.end(), [](const Occurrence& a, const Occurrence& b) {
    if (a.span.start != b.span.start) return a.span.start < b.span.start;
    return a.recurrence_id.value_or(0) < b.recurrence_id.value_or(0);
  });
  if (out.items.size() > limits.max_instances) {
    out.items.resize(limits.max_instances);
    out.truncated = true;
  }
}

}  // namespace

Span own_span(icalcomponent* comp, ComponentKind kind, icalcomponent* root, const Zone& floating) {
  return shape_span(shape_of(comp, kind, root, floating));
}

bool object_recurs(const Object::Impl& impl) {
  for (icalcomponent* c : object_components(impl)) {
    if (first_property(c, ICAL_RECURRENCEID_PROPERTY) != nullptr) return true;
    if (first_property(c, ICAL_RRULE_PROPERTY) != nullptr || first_property(c, ICAL_RDATE_PROPERTY) != nullptr) {
      return true;
    }
  }
  return false;
}

OccurrenceSet occurrences(const Object::Impl& impl, const Zone& floating, UtcSeconds s, UtcSeconds e,
                          const ExpandLimits& limits) {
  OccurrenceSet out;
  icalcomponent* root = impl.root.get();
  const std::vector<icalcomponent*> comps = object_components(impl);
  icalcomponent* master = nullptr;
  std::size_t master_index = 0;
  std::vector<Override> overrides;
  for (std::size_t i = 0; i < comps.size(); ++i) {
    icalproperty* rp = first_property(comps[i], ICAL_RECURRENCEID_PROPERTY);
    if (rp == nullptr) {
      if (master == nullptr) {
        master = comps[i];
        master_index = i;
      }
      continue;
    }
    const auto rt = property_time(rp, root, floating);
    if (!rt) continue;
    bool future = false;
    if (icalparameter* range = icalproperty_get_first_parameter(rp, ICAL_RANGE_PARAMETER)) {
      future = icalparameter_get_range(range) == ICAL_RANGE_THISANDFUTURE;
    }
    overrides.push_back({to_utc(*rt), comps[i], i, future, own_span(comps[i], impl.kind, root, floating)});
  }
  auto push = [&](Occurrence o) {
    if (overlaps(o.span, s, e)) out.items.push_back(o);
  };

  Shape msh;
  bool recurring_master = false;
  if (master != nullptr) {
    msh = shape_of(master, impl.kind, root, floating);
    recurring_master = msh.start && (first_property(master, ICAL_RRULE_PROPERTY) != nullptr ||
                                     first_property(master, ICAL_RDATE_PROPERTY) != nullptr);
  }
  if (master != nullptr && !recurring_master && overrides.empty()) {
    push({std::nullopt, shape_span(msh), master, master_index, false});
    finish(out, limits);
    return out;
  }

  std::vector<Candidate> cands;
  std::vector<UtcSeconds> exdates;
  std::vector<std::int64_t> exdays;
  const icaltimezone* master_zone = nullptr;
  const bool master_is_date = msh.start && msh.start->is_date;
  if (master != nullptr && msh.start) {
    const icaltimetype dt = *msh.start;
    master_zone = dt.zone;
    const UtcSeconds dt_utc = to_utc(dt);
    const Span first = span_at(msh, dt);
    cands.push_back({dt_utc, first});
    // A THISANDFUTURE override may move later instances earlier: look that far past the window.
    std::int64_t lookahead = 0;
    for (const Override& ov : overrides) {
      if (ov.this_and_future && finite(ov.span) && ov.rid > ov.span.start) {
        lookahead = std::max<std::int64_t>(lookahead, ov.rid - ov.span.start);
      }
    }
    const std::int64_t length = std::max<std::int64_t>(0, first.end - first.start);
    for (icalproperty* p : properties(master, ICAL_EXDATE_PROPERTY)) {
      const auto t = property_time(p, root, floating);
      if (!t) continue;
      exdates.push_back(to_utc(*t));
      if (t->is_date) exdays.push_back(day_number(*t));
    }
    // Rule instances come in order: once this many match the window, later ones cannot be among
    // the first max_instances even after EXDATEs and overrides take some away.
    std::size_t enough = 0;
    if (__builtin_add_overflow(limits.max_instances, overrides.size() + exdates.size() + 1, &enough)) {
      enough = static_cast<std::size_t>(-1);
    }
    std::size_t in_window = 0;
    std::size_t iterations = 0;
    icaltimezone* utc = icaltimezone_get_utc_timezone();
    for (icalproperty* p : properties(master, ICAL_RRULE_PROPERTY)) {
      const icalrecurrencetype rule = icalproperty_get_rrule(p);
      if (rule.freq == ICAL_NO_RECURRENCE) continue;
      if (rule.count == 0 && icaltime_is_null_time(rule.until)) out.infinite = true;
      std::unique_ptr<icalrecur_iterator, IteratorFree> it(icalrecur_iterator_new(rule, dt));
      if (!it) continue;
      // Jump close to the window when COUNT does not force counting from the start.
      if (rule.count == 0 && s != minus_infinity) {
        // Two hours of slack for nominal days stretched by a DST change; more would cost a
        // SECONDLY rule its whole iteration budget before reaching the window.
        const UtcSeconds from = sat_add(sat_add(s, -length), -(lookahead + 2 * 3600));
        if (from > dt_utc && from != minus_infinity) {
          icaltimetype lt = from_utc(from);
          if (dt.zone != nullptr && dt.zone != utc) {
            icaltimezone_convert_time(&lt, utc, const_cast<icaltimezone*>(dt.zone));
          }
          lt.zone = dt.zone;
          if (dt.is_date) {
            lt.is_date = 1;
            lt.hour = lt.minute = lt.second = 0;
          }
          icalrecur_iterator_set_start(it.get(), lt);
        }
      }
      const UtcSeconds stop = e == plus_infinity ? plus_infinity : sat_add(e, lookahead);
      for (;;) {
        if (iterations >= limits.max_iterations) {
          out.truncated = true;
          break;
        }
        ++iterations;
        icaltimetype t = icalrecur_iterator_next(it.get());
        if (icaltime_is_null_time(t)) break;
        t.zone = dt.zone;
        t.is_date = dt.is_date;
        const UtcSeconds u = to_utc(t);
        if (u > stop) break;
        if (u == dt_utc) continue;
        cands.push_back({u, span_at(msh, t)});
        if (overlaps(cands.back().span, s, e) && ++in_window >= enough) {
          out.truncated = true;
          break;
        }
      }
    }
    for (icalproperty* p : properties(master, ICAL_RDATE_PROPERTY)) {
      const auto t = property_time(p, root, floating);
      if (!t) continue;
      const icaldatetimeperiodtype dp = icalproperty_get_rdate(p);
      if (!icaltime_is_null_time(dp.time)) {
        cands.push_back({to_utc(*t), span_at(msh, *t)});
        continue;
      }
      const UtcSeconds ps = to_utc(*t);
      UtcSeconds pe = ps;
      if (!icaltime_is_null_time(dp.period.end)) {
        icaltimetype end = dp.period.end;
        if (end.zone != utc) end.zone = t->zone;
        pe = to_utc(end);
      } else {
        pe = sat_add(ps, duration_seconds(dp.period.duration));
      }
      cands.push_back({ps, Span{ps, std::max(ps, pe), pe > ps ? SpanRule::interval : SpanRule::at_start}});
    }
  }
  std::stable_sort(cands.begin(), cands.end(), [](const Candidate& a, const Candidate& b) { return a.rid < b.rid; });
  cands.erase(std::unique(cands.begin(), cands.end(),
                          [](const Candidate& a, const Candidate& b) { return a.rid == b.rid; }),
              cands.end());
  std::sort(exdates.begin(), exdates.end());
  auto excluded = [&](UtcSeconds rid) {
    if (std::binary_search(exdates.begin(), exdates.end(), rid)) return true;
    if (exdays.empty() || master_is_date) return false;
    const std::int64_t day = local_day(rid, master_zone);
    return std::find(exdays.begin(), exdays.end(), day) != exdays.end();
  };

  std::sort(overrides.begin(), overrides.end(), [](const Override& a, const Override& b) { return a.rid < b.rid; });
  std::vector<bool> used(overrides.size(), false);
  for (const Candidate& c : cands) {
    if (excluded(c.rid)) continue;
    auto exact = std::lower_bound(overrides.begin(), overrides.end(), c.rid,
                                  [](const Override& o, UtcSeconds r) { return o.rid < r; });
    if (exact != overrides.end() && exact->rid == c.rid) {
      used[static_cast<std::size_t>(exact - overrides.begin())] = true;
      push({c.rid, exact->span, exact->comp, exact->index, true});
      continue;
    }
    // The latest THISANDFUTURE override before this instance shifts and reshapes it.
    const Override* future = nullptr;
    for (auto o = std::make_reverse_iterator(exact); o != overrides.rend(); ++o) {
      if (o->this_and_future && finite(o->span)) {
        future = &*o;
        break;
      }
    }
    if (future != nullptr) {
      const UtcSeconds start = sat_add(c.rid, future->span.start - future->rid);
      push({c.rid, Span{start, sat_add(start, future->span.end - future->span.start), future->span.rule},
            future->comp, future->index, true});
      continue;
    }
    push({c.rid, c.span, master, master_index, false});
  }
  for (std::size_t i = 0; i < overrides.size(); ++i) {
    if (used[i] || excluded(overrides[i].rid)) continue;
    push({overrides[i].rid, overrides[i].span, overrides[i].comp, overrides[i].index, true});
  }
  finish(out, limits);
  return out;
}

namespace {

// When every RRULE of the master ends with UNTIL, no rule instance starts after the latest UNTIL:
// an end bound without walking the rule (used when the walk hit the iteration cap). nullopt when
// some rule has no UNTIL or a THISANDFUTURE override may move instances anywhere.
std::optional<UtcSeconds> until_bound(const Object::Impl& impl, const Zone& floating) {
  icalcomponent* root = impl.root.get();
  icalcomponent* master = nullptr;
  for (icalcomponent* c : object_components(impl)) {
    icalproperty* rp = first_property(c, ICAL_RECURRENCEID_PROPERTY);
    if (rp == nullptr) {
      if (master == nullptr) master = c;
    } else if (icalproperty_get_first_parameter(rp, ICAL_RANGE_PARAMETER) != nullptr) {
      return std::nullopt;
    }
  }
  if (master == nullptr) return std::nullopt;
  const Shape sh = shape_of(master, impl.kind, root, floating);
  if (!sh.start) return std::nullopt;
  std::optional<UtcSeconds> latest;
  for (icalproperty* p : properties(master, ICAL_RRULE_PROPERTY)) {
    const icalrecurrencetype rule = icalproperty_get_rrule(p);
    if (icaltime_is_null_time(rule.until)) return std::nullopt;
    icaltimetype until = rule.until;
    if (until.zone != icaltimezone_get_utc_timezone()) until.zone = sh.start->zone;
    if (until.is_date) until = add_days(until, 1);
    // A day of slack: a UTC UNTIL plus nominal days may land an hour off the local-time end.
    const UtcSeconds end = sat_add(span_at(sh, until).end, 86400);
    latest = latest ? std::max(*latest, end) : end;
  }
  return latest;
}

}  // namespace

Bounds compute_bounds(const Object::Impl& impl, const Zone& floating, std::size_t max_iterations,
                      std::vector<Occurrence>* all) {
  ExpandLimits limits{.max_instances = static_cast<std::size_t>(-1), .max_iterations = 0};
  // With no iterations: DTSTART, RDATEs and overrides, and whether a rule is infinite.
  OccurrenceSet set = occurrences(impl, floating, minus_infinity, plus_infinity, limits);
  if (!set.infinite) {
    limits.max_iterations = max_iterations;
    set = occurrences(impl, floating, minus_infinity, plus_infinity, limits);
  }
  bool open_start = false;
  bool open_end = set.infinite;
  std::optional<UtcSeconds> capped_end;
  if (set.truncated && !set.infinite) {
    capped_end = until_bound(impl, floating);
    open_end = !capped_end;
  }
  std::optional<UtcSeconds> lo, hi;
  for (const Occurrence& o : set.items) {
    if (o.span.rule == SpanRule::never) continue;
    if (o.span.rule == SpanRule::always) {
      open_start = open_end = true;
      continue;
    }
    if (o.span.start == minus_infinity) open_start = true;
    if (o.span.end == plus_infinity) open_end = true;
    lo = lo ? std::min(*lo, o.span.start) : o.span.start;
    hi = hi ? std::max(*hi, o.span.end) : o.span.end;
  }
  Bounds b;
  if (!open_start) b.first_start = lo;
  if (capped_end && hi) hi = std::max(*hi, *capped_end);
  if (!open_end) b.last_end = hi;
  if (all != nullptr && !set.infinite && !set.truncated) *all = std::move(set.items);
  return b;
}

}  // namespace atrium::calendar::detail
