// The scheduling view of a stored object and the iTIP messages and stored versions derived from it
// (RFC 5546, RFC 6638). Every function works on a clone of the caller's libical tree.
#include "calendar/scheduling.hpp"

#include "calendar/detail/busy.hpp"
#include "calendar/detail/expand.hpp"
#include "calendar/detail/ical.hpp"
#include "core/text/ascii.hpp"

#include <algorithm>
#include <climits>
#include <set>
#include <unordered_set>

namespace atrium::calendar {
namespace {

using detail::ComponentPtr;

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = text::ascii_lower(c);
  return out;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

constexpr std::string_view mailto = "mailto:";

bool has_mailto(std::string_view s) {
  return s.size() >= mailto.size() && text::iequals(s.substr(0, mailto.size()), mailto);
}

// The comparable address of a cal-address: only mailto: URIs name someone we can match (the
// local part is compared case-insensitively too, as every client treats it).
std::string email_of_address(std::string_view address) {
  address = trimmed(address);
  if (!has_mailto(address)) return {};
  return lower(trimmed(address.substr(mailto.size())));
}

// An email a caller passes: plain or as a mailto: URI.
std::string normalized_email(std::string_view email) {
  email = trimmed(email);
  if (has_mailto(email)) email.remove_prefix(mailto.size());
  return lower(trimmed(email));
}

std::string address_of(icalproperty* p) {
  icalvalue* v = icalproperty_get_value(p);
  if (v == nullptr) return {};
  if (icalvalue_isa(v) == ICAL_CALADDRESS_VALUE) {
    const char* s = icalvalue_get_caladdress(v);
    return s != nullptr ? s : "";
  }
  return detail::property_text(p);
}

std::string email_of(icalproperty* p) { return email_of_address(address_of(p)); }

std::string parameter_text(icalproperty* p, icalparameter_kind kind) {
  icalparameter* q = icalproperty_get_first_parameter(p, kind);
  return q != nullptr ? detail::parameter_value(q) : std::string();
}

// libical removes only the first parameter of a kind per call; a hostile line may repeat one.
void remove_parameters(icalproperty* p, icalparameter_kind kind) {
  std::size_t n = 0;
  for (icalparameter* q = icalproperty_get_first_parameter(p, kind); q != nullptr;
       q = icalproperty_get_next_parameter(p, kind)) {
    ++n;
  }
  for (; n > 0; --n) icalproperty_remove_parameter_by_kind(p, kind);
}

// Replaces every parameter of `param`'s kind with `param` (owned by `p` afterwards).
void set_parameter(icalproperty* p, icalparameter* param) {
  remove_parameters(p, icalparameter_isa(param));
  icalproperty_add_parameter(p, param);
}

void remove_properties(icalcomponent* comp, icalproperty_kind kind) {
  for (icalproperty* p : detail::properties(comp, kind)) {
    icalcomponent_remove_property(comp, p);
    icalproperty_free(p);
  }
}

void remove_components(icalcomponent* comp, icalcomponent_kind kind) {
  for (icalcomponent* c : detail::children(comp, kind)) {
    icalcomponent_remove_component(comp, c);
    icalcomponent_free(c);
  }
}

PartStat partstat_from(std::string_view v) {
  if (v.empty() || text::iequals(v, "NEEDS-ACTION")) return PartStat::needs_action;
  if (text::iequals(v, "ACCEPTED")) return PartStat::accepted;
  if (text::iequals(v, "DECLINED")) return PartStat::declined;
  if (text::iequals(v, "TENTATIVE")) return PartStat::tentative;
  if (text::iequals(v, "DELEGATED")) return PartStat::delegated;
  return PartStat::other;
}

PartStat partstat_of_line(icalproperty* p) { return partstat_from(parameter_text(p, ICAL_PARTSTAT_PARAMETER)); }

icalparameter_partstat ical_partstat(PartStat p) {
  switch (p) {
    case PartStat::needs_action: return ICAL_PARTSTAT_NEEDSACTION;
    case PartStat::accepted: return ICAL_PARTSTAT_ACCEPTED;
    case PartStat::declined: return ICAL_PARTSTAT_DECLINED;
    case PartStat::tentative: return ICAL_PARTSTAT_TENTATIVE;
    case PartStat::delegated: return ICAL_PARTSTAT_DELEGATED;
    case PartStat::other: break;
  }
  return ICAL_PARTSTAT_NEEDSACTION;
}

Participant participant(icalproperty* p) {
  Participant out;
  out.address = address_of(p);
  out.email = email_of_address(out.address);
  out.name = parameter_text(p, ICAL_CN_PARAMETER);
  out.partstat = partstat_of_line(p);
  out.cutype = upper(parameter_text(p, ICAL_CUTYPE_PARAMETER));
  out.rsvp = text::iequals(parameter_text(p, ICAL_RSVP_PARAMETER), "TRUE");
  // RFC 6638 §7.1: values a server does not know count as NONE.
  const std::string agent = parameter_text(p, ICAL_SCHEDULEAGENT_PARAMETER);
  out.server_schedules = agent.empty() || text::iequals(agent, "SERVER");
  return out;
}

bool is_master(icalcomponent* c) { return detail::first_property(c, ICAL_RECURRENCEID_PROPERTY) == nullptr; }

// The master first, then the overrides in order: "the master's … or the first component's".
std::vector<icalcomponent*> master_first(std::vector<icalcomponent*> comps) {
  std::stable_partition(comps.begin(), comps.end(), is_master);
  return comps;
}

icalcomponent* master_of(const std::vector<icalcomponent*>& comps) {
  auto it = std::find_if(comps.begin(), comps.end(), is_master);
  return it != comps.end() ? *it : nullptr;
}

std::vector<icalproperty*> attendee_lines(icalcomponent* comp, const std::string& email) {
  std::vector<icalproperty*> out;
  if (email.empty()) return out;
  for (icalproperty* p : detail::properties(comp, ICAL_ATTENDEE_PROPERTY)) {
    if (email_of(p) == email) out.push_back(p);
  }
  return out;
}

// Which instance a component stands for: nullopt for the master. Compared in UTC, so a reply may
// write its RECURRENCE-ID in another zone than the stored copy.
std::optional<UtcSeconds> instance_of(icalcomponent* c, icalcomponent* root, const Zone& floating) {
  icalproperty* rp = detail::first_property(c, ICAL_RECURRENCEID_PROPERTY);
  if (rp == nullptr) return std::nullopt;
  const auto t = detail::property_time(rp, root, floating);
  // parse() refuses unusable RECURRENCE-IDs; this keeps a broken one from matching the master.
  return t ? detail::to_utc(*t) : detail::minus_infinity;
}

icalcomponent* component_for(const std::vector<icalcomponent*>& comps, icalcomponent* root, const Zone& floating,
                             const std::optional<UtcSeconds>& instance) {
  for (icalcomponent* c : comps) {
    if (instance_of(c, root, floating) == instance) return c;
  }
  return nullptr;
}

ComponentPtr clone_of(const Object& object) { return ComponentPtr(icalcomponent_new_clone(object.impl().root.get())); }

std::vector<icalcomponent*> object_components(icalcomponent* root, const Object& object) {
  return detail::children(root, detail::ical_kind(object.kind()));
}

void set_method(icalcomponent* root, icalproperty_method method) {
  remove_properties(root, ICAL_METHOD_PROPERTY);
  icalcomponent_add_property(root, icalproperty_new_method(method));
}

// RFC 6638 §7.1-7.3: SCHEDULE-AGENT, SCHEDULE-FORCE-SEND and SCHEDULE-STATUS are for the
// organiser's and attendees' own servers, never part of a message between them.
void strip_scheduling_parameters(icalcomponent* comp) {
  for (icalproperty_kind kind : {ICAL_ORGANIZER_PROPERTY, ICAL_ATTENDEE_PROPERTY}) {
    for (icalproperty* p : detail::properties(comp, kind)) {
      remove_parameters(p, ICAL_SCHEDULESTATUS_PARAMETER);
      remove_parameters(p, ICAL_SCHEDULEAGENT_PARAMETER);
      remove_parameters(p, ICAL_SCHEDULEFORCESEND_PARAMETER);
    }
  }
}

void set_cancelled(icalcomponent* comp) {
  remove_properties(comp, ICAL_STATUS_PROPERTY);
  icalcomponent_add_property(comp, icalproperty_new_status(ICAL_STATUS_CANCELLED));
}

// The TZIDs a component's kept properties name, so a message carries the VTIMEZONEs it needs.
void collect_tzids(icalcomponent* comp, std::set<std::string>& tzids) {
  for (icalproperty* p : detail::properties(comp)) {
    if (icalparameter* q = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER)) {
      if (const char* t = icalparameter_get_tzid(q)) tzids.insert(t);
    }
  }
}

void keep_used_timezones(icalcomponent* root, const std::set<std::string>& tzids) {
  for (icalcomponent* tz : detail::children(root, ICAL_VTIMEZONE_COMPONENT)) {
    icalproperty* p = detail::first_property(tz, ICAL_TZID_PROPERTY);
    const char* id = p != nullptr ? icalproperty_get_tzid(p) : nullptr;
    if (id != nullptr && tzids.count(id) != 0) continue;
    icalcomponent_remove_component(root, tz);
    icalcomponent_free(tz);
  }
}

// The properties that decide when the instances of a component are, as text: two versions whose
// signatures are equal book the same times.
std::vector<std::string> time_signature(icalcomponent* comp) {
  std::vector<std::string> out;
  for (icalproperty_kind kind : {ICAL_DTSTART_PROPERTY, ICAL_DTEND_PROPERTY, ICAL_DUE_PROPERTY, ICAL_DURATION_PROPERTY,
                                 ICAL_RRULE_PROPERTY, ICAL_RDATE_PROPERTY, ICAL_EXDATE_PROPERTY}) {
    for (icalproperty* p : detail::properties(comp, kind)) {
      std::string line = detail::property_name(p);
      if (icalparameter* q = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER)) {
        line += ";TZID=" + detail::parameter_value(q);
      }
      line += ':' + detail::property_text(p);
      out.push_back(std::move(line));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// A status code list as RFC 5545 §3.8.8.3 writes them ("2.0", "1.2,3.7"): anything else would
// end up verbatim in a parameter.
bool valid_status(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.' || c == ','; });
}

}  // namespace

std::string_view to_string(PartStat p) {
  switch (p) {
    case PartStat::needs_action: return "NEEDS-ACTION";
    case PartStat::accepted: return "ACCEPTED";
    case PartStat::declined: return "DECLINED";
    case PartStat::tentative: return "TENTATIVE";
    case PartStat::delegated: return "DELEGATED";
    case PartStat::other: return "X-UNKNOWN";
  }
  return "X-UNKNOWN";
}

std::optional<Scheduling> scheduling(const Object& object) {
  const std::vector<icalcomponent*> comps = master_first(detail::object_components(object.impl()));
  std::optional<Scheduling> out;
  for (icalcomponent* c : comps) {
    if (icalproperty* org = detail::first_property(c, ICAL_ORGANIZER_PROPERTY)) {
      out.emplace();
      out->organizer = participant(org);
      break;
    }
  }
  if (!out) return std::nullopt;
  // Keyed by email, or by the whole address for non-mailto: attendees; a set keeps a hostile
  // object with thousands of ATTENDEE lines linear.
  std::unordered_set<std::string> seen;
  for (icalcomponent* c : comps) {
    for (icalproperty* p : detail::properties(c, ICAL_ATTENDEE_PROPERTY)) {
      Participant a = participant(p);
      const std::string key = a.email.empty() ? "\n" + lower(trimmed(a.address)) : a.email;
      if (!seen.insert(key).second) continue;
      out->attendees.push_back(std::move(a));
    }
  }
  if (!comps.empty()) {
    icalcomponent* first = comps.front();
    if (icalproperty* s = detail::first_property(first, ICAL_SUMMARY_PROPERTY)) out->summary = detail::property_text(s);
    if (icalproperty* s = detail::first_property(first, ICAL_SEQUENCE_PROPERTY)) {
      out->sequence = icalproperty_get_sequence(s);
    }
  }
  return out;
}

std::optional<PartStat> partstat_of(const Object& object, std::string_view email) {
  const std::string e = normalized_email(email);
  for (icalcomponent* c : master_first(detail::object_components(object.impl()))) {
    const auto lines = attendee_lines(c, e);
    if (!lines.empty()) return partstat_of_line(lines.front());
  }
  return std::nullopt;
}

std::string itip_request(const Object& object) {
  ComponentPtr tree = clone_of(object);
  set_method(tree.get(), ICAL_METHOD_REQUEST);
  for (icalcomponent* c : object_components(tree.get(), object)) strip_scheduling_parameters(c);
  return detail::to_text(tree.get());
}

std::string itip_cancel(const Object& object, const std::vector<std::string>& attendees) {
  ComponentPtr tree = clone_of(object);
  icalcomponent* root = tree.get();
  set_method(root, ICAL_METHOD_CANCEL);
  std::unordered_set<std::string> wanted;
  for (const std::string& a : attendees) wanted.insert(normalized_email(a));
  const std::vector<icalcomponent*> comps = object_components(root, object);
  std::vector<icalcomponent*> without_attendees;
  for (icalcomponent* c : comps) {
    if (!wanted.empty()) {
      bool kept = false;
      for (icalproperty* p : detail::properties(c, ICAL_ATTENDEE_PROPERTY)) {
        if (wanted.count(email_of(p)) != 0) {
          kept = true;
          continue;
        }
        icalcomponent_remove_property(c, p);
        icalproperty_free(p);
      }
      if (!kept) without_attendees.push_back(c);
    }
    int sequence = 0;
    if (icalproperty* s = detail::first_property(c, ICAL_SEQUENCE_PROPERTY)) sequence = icalproperty_get_sequence(s);
    remove_properties(c, ICAL_SEQUENCE_PROPERTY);
    icalcomponent_add_property(c, icalproperty_new_sequence(sequence < INT_MAX ? std::max(sequence, 0) + 1 : INT_MAX));
    set_cancelled(c);
    strip_scheduling_parameters(c);
    remove_components(c, ICAL_VALARM_COMPONENT);  // RFC 5546 §3.2.5: no VALARM in a CANCEL
  }
  // Cancelling for some attendees: the instances none of them attend are not theirs to cancel.
  // When that would leave nothing, the whole object is sent rather than an empty message.
  if (without_attendees.size() < comps.size()) {
    for (icalcomponent* c : without_attendees) {
      icalcomponent_remove_component(root, c);
      icalcomponent_free(c);
    }
  }
  return detail::to_text(root);
}

std::optional<std::string> itip_reply(const Object& object, std::string_view email) {
  const std::string e = normalized_email(email);
  if (e.empty()) return std::nullopt;
  ComponentPtr tree = clone_of(object);
  icalcomponent* root = tree.get();
  // Only what identifies the calendar format; the attendee's own calendar properties (X-WR-CALNAME
  // and the like) are not the organiser's business.
  for (icalproperty* p : detail::properties(root)) {
    const icalproperty_kind k = icalproperty_isa(p);
    if (k == ICAL_VERSION_PROPERTY || k == ICAL_PRODID_PROPERTY || k == ICAL_CALSCALE_PROPERTY) continue;
    icalcomponent_remove_property(root, p);
    icalproperty_free(p);
  }
  set_method(root, ICAL_METHOD_REPLY);
  // DURATION stands in for DTEND/DUE when the object uses it (RFC 5546 §3.2.3 allows it).
  constexpr icalproperty_kind kept[] = {
      ICAL_UID_PROPERTY,     ICAL_RECURRENCEID_PROPERTY, ICAL_DTSTART_PROPERTY, ICAL_DTEND_PROPERTY,
      ICAL_DUE_PROPERTY,     ICAL_DURATION_PROPERTY,     ICAL_SEQUENCE_PROPERTY, ICAL_DTSTAMP_PROPERTY,
      ICAL_ORGANIZER_PROPERTY, ICAL_SUMMARY_PROPERTY};
  std::set<std::string> tzids;
  bool any = false;
  for (icalcomponent* c : object_components(root, object)) {
    const std::vector<icalproperty*> mine = attendee_lines(c, e);
    if (mine.empty()) {
      // An instance the attendee is not invited to: nothing to answer for it.
      icalcomponent_remove_component(root, c);
      icalcomponent_free(c);
      continue;
    }
    any = true;
    for (icalproperty* p : detail::properties(c)) {
      if (p == mine.front()) continue;
      if (std::find(std::begin(kept), std::end(kept), icalproperty_isa(p)) != std::end(kept)) continue;
      icalcomponent_remove_property(c, p);
      icalproperty_free(p);
    }
    for (icalcomponent* sub : detail::children(c)) {
      icalcomponent_remove_component(c, sub);
      icalcomponent_free(sub);
    }
    strip_scheduling_parameters(c);
    // An absent PARTSTAT means NEEDS-ACTION; written out so the organiser reads no default.
    if (icalproperty_get_first_parameter(mine.front(), ICAL_PARTSTAT_PARAMETER) == nullptr) {
      icalproperty_add_parameter(mine.front(), icalparameter_new_partstat(ICAL_PARTSTAT_NEEDSACTION));
    }
    collect_tzids(c, tzids);
  }
  if (!any) return std::nullopt;
  keep_used_timezones(root, tzids);
  return detail::to_text(root);
}

std::string with_partstat(const Object& object, std::string_view email, PartStat partstat) {
  const std::string e = normalized_email(email);
  // `other` stands for values this library cannot name; writing one would invent a value.
  if (partstat == PartStat::other) return object.to_ical();
  ComponentPtr tree = clone_of(object);
  bool changed = false;
  for (icalcomponent* c : object_components(tree.get(), object)) {
    for (icalproperty* p : attendee_lines(c, e)) {
      set_parameter(p, icalparameter_new_partstat(ical_partstat(partstat)));
      if (partstat != PartStat::needs_action) remove_parameters(p, ICAL_RSVP_PARAMETER);
      changed = true;
    }
  }
  return changed ? detail::to_text(tree.get()) : object.to_ical();
}

std::optional<std::string> apply_reply(const Object& organizer_copy, const Object& reply) {
  if (reply.uid() != organizer_copy.uid() || reply.kind() != organizer_copy.kind()) return std::nullopt;
  icalcomponent* reply_root = reply.impl().root.get();
  const std::vector<icalcomponent*> reply_comps = master_first(detail::object_components(reply.impl()));
  // A REPLY comes from one attendee (RFC 5546 §3.2.3): the first one it names is the one answering;
  // other ATTENDEE lines a client left in are not taken as answers for someone else.
  std::string e;
  for (icalcomponent* c : reply_comps) {
    for (icalproperty* p : detail::properties(c, ICAL_ATTENDEE_PROPERTY)) {
      e = email_of(p);
      if (!e.empty()) break;
    }
    if (!e.empty()) break;
  }
  if (e.empty()) return std::nullopt;
  ComponentPtr tree = clone_of(organizer_copy);
  icalcomponent* root = tree.get();
  const std::vector<icalcomponent*> comps = object_components(root, organizer_copy);
  if (std::none_of(comps.begin(), comps.end(), [&](icalcomponent* c) { return !attendee_lines(c, e).empty(); })) {
    return std::nullopt;
  }
  for (icalcomponent* r : reply_comps) {
    const std::vector<icalproperty*> answer = attendee_lines(r, e);
    if (answer.empty()) continue;
    icalcomponent* target = component_for(comps, root, organizer_copy.floating(),
                                          instance_of(r, reply_root, reply.floating()));
    if (target == nullptr) continue;
    icalparameter* partstat = icalproperty_get_first_parameter(answer.front(), ICAL_PARTSTAT_PARAMETER);
    for (icalproperty* p : attendee_lines(target, e)) {
      // The reply's own parameter is copied, so VTODO answers (COMPLETED, IN-PROCESS) survive.
      set_parameter(p, partstat != nullptr ? icalparameter_new_clone(partstat)
                                           : icalparameter_new_partstat(ICAL_PARTSTAT_NEEDSACTION));
      set_parameter(p, icalparameter_new_schedulestatus("2.0"));
    }
  }
  return detail::to_text(root);
}

std::string with_schedule_status(const Object& object, const std::map<std::string, std::string>& status) {
  std::map<std::string, std::string> by_email;
  for (const auto& [email, code] : status) {
    if (valid_status(code)) by_email[normalized_email(email)] = code;
  }
  ComponentPtr tree = clone_of(object);
  for (icalcomponent* c : object_components(tree.get(), object)) {
    for (icalproperty* p : detail::properties(c, ICAL_ATTENDEE_PROPERTY)) {
      const std::string e = email_of(p);
      if (e.empty()) continue;
      auto it = by_email.find(e);
      if (it == by_email.end()) continue;
      set_parameter(p, icalparameter_new_schedulestatus(it->second.c_str()));
    }
  }
  return detail::to_text(tree.get());
}

std::string as_cancelled(const Object& object) {
  ComponentPtr tree = clone_of(object);
  for (icalcomponent* c : object_components(tree.get(), object)) set_cancelled(c);
  return detail::to_text(tree.get());
}

std::string merge_update(const Object& current, const Object& update, std::string_view email) {
  const std::string e = normalized_email(email);
  ComponentPtr tree = clone_of(update);
  icalcomponent* root = tree.get();
  icalcomponent* current_root = current.impl().root.get();
  const std::vector<icalcomponent*> current_comps = detail::object_components(current.impl());
  icalcomponent* current_master = master_of(current_comps);
  for (icalcomponent* u : object_components(root, update)) {
    const std::vector<icalproperty*> lines = attendee_lines(u, e);
    if (lines.empty()) continue;
    const std::optional<UtcSeconds> instance = instance_of(u, root, update.floating());
    icalcomponent* source = component_for(current_comps, current_root, current.floating(), instance);
    if (source != nullptr) {
      if (time_signature(source) != time_signature(u)) continue;  // moved: the answer is asked again
    } else if (instance && current_master != nullptr) {
      // A new override: unmoved when it sits where the series put it, as long as the series did.
      const detail::Span own = detail::own_span(u, update.kind(), root, update.floating());
      const detail::Span series = detail::own_span(current_master, current.kind(), current_root, current.floating());
      const bool same_slot = own.rule == series.rule && own.start == *instance &&
                             own.end - own.start == series.end - series.start;
      if (!same_slot) continue;
      source = current_master;
    } else {
      continue;
    }
    const std::vector<icalproperty*> before = attendee_lines(source, e);
    if (before.empty()) continue;
    icalparameter* partstat = icalproperty_get_first_parameter(before.front(), ICAL_PARTSTAT_PARAMETER);
    for (icalproperty* p : lines) {
      remove_parameters(p, ICAL_PARTSTAT_PARAMETER);
      if (partstat != nullptr) icalproperty_add_parameter(p, icalparameter_new_clone(partstat));
    }
  }
  return detail::to_text(root);
}

std::vector<BusyPeriod> booked_periods(const Object& object, const TimeRange& window, const ExpandLimits& limits) {
  std::vector<BusyPeriod> out;
  // Like busy_periods(): only events take time.
  if (object.kind() != ComponentKind::event) return out;
  const detail::OccurrenceSet set = detail::occurrences(object.impl(), object.floating(), detail::range_start(window),
                                                        detail::range_end(window), limits);
  for (const detail::Occurrence& o : set.items) {
    if (o.span.rule != detail::SpanRule::interval || o.span.end <= o.span.start) continue;
    const auto type = detail::busy_type(o.component);
    if (!type) continue;
    out.push_back({o.span.start, o.span.end, *type});
  }
  return out;
}

}  // namespace atrium::calendar
