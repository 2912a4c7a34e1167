// parse(): from the bytes of a PUT to a validated Object (RFC 4791 §4.1 and §5.3.2.1).
#include "calendar/object.hpp"

#include "calendar/collation.hpp"

#include "calendar/detail/expand.hpp"
#include "calendar/detail/ical.hpp"
#include "calendar/detail/scan.hpp"
#include "core/text/ascii.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace atrium::calendar {

std::string_view to_string(ComponentKind kind) {
  switch (kind) {
    case ComponentKind::event: return "VEVENT";
    case ComponentKind::todo: return "VTODO";
    case ComponentKind::journal: return "VJOURNAL";
  }
  return "VEVENT";
}

std::string_view to_string(ParseErrorCode code) {
  switch (code) {
    case ParseErrorCode::not_icalendar: return "not_icalendar";
    case ParseErrorCode::too_large: return "too_large";
    case ParseErrorCode::invalid: return "invalid";
    case ParseErrorCode::multiple_uids: return "multiple_uids";
    case ParseErrorCode::missing_uid: return "missing_uid";
    case ParseErrorCode::mixed_component_types: return "mixed_component_types";
    case ParseErrorCode::unsupported_component: return "unsupported_component";
    case ParseErrorCode::method_present: return "method_present";
  }
  return "invalid";
}

// Whether the time a property holds is the same instant whatever zone floating times are read
// in: a DATE-TIME (or PERIOD) in UTC, or with a TZID this object or the time zone database
// resolves (an unknown TZID is read as floating).
static bool fixed_time(icalproperty* p, icalcomponent* root) {
  icalvalue* v = icalproperty_get_value(p);
  if (v == nullptr) return false;
  icaltimetype t;
  switch (icalvalue_isa(v)) {
    case ICAL_DATETIME_VALUE: t = icalvalue_get_datetime(v); break;
    case ICAL_PERIOD_VALUE: t = icalvalue_get_period(v).start; break;
    case ICAL_DATETIMEPERIOD_VALUE: {
      const icaldatetimeperiodtype dp = icalvalue_get_datetimeperiod(v);
      t = icaltime_is_null_time(dp.time) ? dp.period.start : dp.time;
      break;
    }
    default: return false;  // DATE, or not a time
  }
  if (t.is_date) return false;
  if (icaltime_is_utc(t)) return true;
  icalparameter* tzid = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);
  return tzid != nullptr && detail::resolve_tzid(root, icalparameter_get_tzid(tzid)) != nullptr;
}

// A single VEVENT whose DTSTART and DTEND are fixed times (no floating time, no DATE): its one
// instance spans exactly [first_start, last_end], whatever zone a query reads floating times in.
static bool exact_span(const Object::Impl& impl, icalcomponent* cal) {
  if (impl.kind != ComponentKind::event || impl.recurs) return false;
  auto comps = detail::children(cal, ICAL_VEVENT_COMPONENT);
  if (comps.size() != 1 || !impl.bounds.first_start || !impl.bounds.last_end) return false;
  icalproperty* start = detail::first_property(comps[0], ICAL_DTSTART_PROPERTY);
  if (!start) return false;
  for (icalproperty* p : {start, detail::first_property(comps[0], ICAL_DTEND_PROPERTY)}) {
    if (p && !fixed_time(p, cal)) return false;
  }
  return true;
}

// Every instance of a recurring VEVENT object whose times are all fixed (see fixed_time) and
// whose recurrence set `all` was computed whole; nullopt when any of that does not hold.
static std::optional<std::vector<InstanceSpan>> exact_recurrence(const Object::Impl& impl, icalcomponent* cal,
                                                                  const std::vector<detail::Occurrence>& all) {
  if (impl.kind != ComponentKind::event || !impl.recurs || all.size() > max_exact_instances) return std::nullopt;
  for (icalcomponent* c : detail::children(cal, ICAL_VEVENT_COMPONENT)) {
    if (!detail::first_property(c, ICAL_DTSTART_PROPERTY)) return std::nullopt;
    for (icalproperty* p : detail::properties(c)) {
      switch (icalproperty_isa(p)) {
        case ICAL_DTSTART_PROPERTY:
        case ICAL_DTEND_PROPERTY:
        case ICAL_RECURRENCEID_PROPERTY:
        case ICAL_RDATE_PROPERTY:
        case ICAL_EXDATE_PROPERTY:
          if (!fixed_time(p, cal)) return std::nullopt;
          break;
        case ICAL_RRULE_PROPERTY: {
          const icalrecurrencetype r = icalproperty_get_rrule(p);
          if (!icaltime_is_null_time(r.until) && (r.until.is_date || !icaltime_is_utc(r.until))) return std::nullopt;
          break;
        }
        default: break;
      }
    }
  }
  std::vector<InstanceSpan> out;
  out.reserve(all.size());
  for (const detail::Occurrence& o : all) {
    if (o.span.rule == detail::SpanRule::interval && o.span.end > o.span.start) {
      out.push_back({o.span.start, o.span.end});
    } else if (o.span.rule == detail::SpanRule::at_start) {
      out.push_back({o.span.start, o.span.start});
    } else {
      return std::nullopt;
    }
    if (out.back().start == detail::minus_infinity || o.span.end == detail::plus_infinity) return std::nullopt;
  }
  return out;
}

bool overlaps(const InstanceSpan& span, const TimeRange& range) {
  const UtcSeconds s = detail::range_start(range), e = detail::range_end(range);
  return span.end > span.start ? (s < span.end && e > span.start) : (s <= span.start && e > span.start);
}

std::string_view precondition(ParseErrorCode code) {
  switch (code) {
    case ParseErrorCode::not_icalendar: return "supported-calendar-data";
    case ParseErrorCode::too_large: return "max-resource-size";
    case ParseErrorCode::invalid: return "valid-calendar-data";
    case ParseErrorCode::multiple_uids:
    case ParseErrorCode::missing_uid:
    case ParseErrorCode::mixed_component_types:
    case ParseErrorCode::method_present: return "valid-calendar-object-resource";
    case ParseErrorCode::unsupported_component: return "supported-calendar-component";
  }
  return "valid-calendar-data";
}

Object::Object(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Object::Object(const Object& other)
    : impl_(std::make_unique<Impl>(Impl{
          .root = detail::ComponentPtr(icalcomponent_new_clone(other.impl_->root.get())),
          .uid = other.impl_->uid,
          .kind = other.impl_->kind,
          .recurs = other.impl_->recurs,
          .bounds = other.impl_->bounds,
          .exact_bounds = other.impl_->exact_bounds,
          .exact_instances = other.impl_->exact_instances,
          .floating = other.impl_->floating,
      })) {}

Object& Object::operator=(const Object& other) {
  if (this != &other) *this = Object(other);
  return *this;
}

Object::Object(Object&&) noexcept = default;
Object& Object::operator=(Object&&) noexcept = default;
Object::~Object() = default;

const std::string& Object::uid() const { return impl_->uid; }
ComponentKind Object::kind() const { return impl_->kind; }
bool Object::recurs() const { return impl_->recurs; }
const Bounds& Object::bounds() const { return impl_->bounds; }
bool Object::exact_bounds() const { return impl_->exact_bounds; }
const std::optional<std::vector<InstanceSpan>>& Object::exact_instances() const { return impl_->exact_instances; }
const Zone& Object::floating() const { return impl_->floating; }
std::string Object::to_ical() const { return detail::to_text(impl_->root.get()); }

namespace {

ParseError fail(ParseErrorCode code, std::string message) { return ParseError{code, std::move(message)}; }

// The first content line, which must open a VCALENDAR.
bool opens_vcalendar(std::string_view bytes) {
  while (!bytes.empty() && (bytes.front() == '\r' || bytes.front() == '\n')) bytes.remove_prefix(1);
  const std::size_t eol = bytes.find_first_of("\r\n");
  std::string_view line = bytes.substr(0, eol);
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
  return text::iequals(line, "BEGIN:VCALENDAR");
}

// Properties whose values the store's index and the recurrence set rely on: libical dropping one
// of them as unparsable makes the resource invalid. Other unparsable properties are tolerated and
// removed, as libical does.
constexpr std::array<std::string_view, 12> key_properties = {
    "DTSTART", "DTEND", "DUE", "DURATION", "RRULE", "RDATE", "EXDATE", "RECURRENCE-ID",
    "UID", "COMPLETED", "CREATED", "TRIGGER"};

std::optional<std::string> fatal_libical_error(icalcomponent* comp, int depth = 0) {
  if (depth > 16) return std::nullopt;
  for (icalproperty* p : detail::properties(comp, ICAL_XLICERROR_PROPERTY)) {
    const char* text = icalproperty_get_xlicerror(p);
    const std::string message = text != nullptr ? text : "";
    icalparameter* type = icalproperty_get_first_parameter(p, ICAL_XLICERRORTYPE_PARAMETER);
    const icalparameter_xlicerrortype kind =
        type != nullptr ? icalparameter_get_xlicerrortype(type) : ICAL_XLICERRORTYPE_NONE;
    if (kind == ICAL_XLICERRORTYPE_COMPONENTPARSEERROR) return message;
    if (kind == ICAL_XLICERRORTYPE_VALUEPARSEERROR) {
      for (std::string_view name : key_properties) {
        if (message.find(fmt::format(" {} property", name)) != std::string::npos) return message;
      }
    }
  }
  for (icalcomponent* c : detail::children(comp)) {
    if (auto m = fatal_libical_error(c, depth + 1)) return m;
  }
  return std::nullopt;
}

std::optional<ComponentKind> object_kind(icalcomponent_kind kind) {
  switch (kind) {
    case ICAL_VEVENT_COMPONENT: return ComponentKind::event;
    case ICAL_VTODO_COMPONENT: return ComponentKind::todo;
    case ICAL_VJOURNAL_COMPONENT: return ComponentKind::journal;
    default: return std::nullopt;
  }
}

constexpr std::size_t max_rules_per_component = 4;

// The checks on one VEVENT/VTODO/VJOURNAL beyond what libical's parser does.
std::optional<std::string> check_component(icalcomponent* c, ComponentKind kind, icalcomponent* root,
                                           const Zone& floating) {
  using detail::first_property;
  using detail::property_time;
  const std::string_view name = to_string(kind);
  icalproperty* dtstart = first_property(c, ICAL_DTSTART_PROPERTY);
  const auto start = property_time(dtstart, root, floating);
  if (dtstart != nullptr && !start) return fmt::format("{} has an unusable DTSTART", name);
  if (kind == ComponentKind::event && !start) return "VEVENT without DTSTART";
  for (icalproperty_kind k : {ICAL_DTEND_PROPERTY, ICAL_DUE_PROPERTY, ICAL_RECURRENCEID_PROPERTY,
                              ICAL_EXDATE_PROPERTY, ICAL_RDATE_PROPERTY, ICAL_COMPLETED_PROPERTY,
                              ICAL_CREATED_PROPERTY}) {
    for (icalproperty* p : detail::properties(c, k)) {
      if (!property_time(p, root, floating)) {
        return fmt::format("{} has an unusable {}", name, icalproperty_kind_to_string(k));
      }
    }
  }
  const auto end = property_time(first_property(c, ICAL_DTEND_PROPERTY), root, floating);
  const auto due = property_time(first_property(c, ICAL_DUE_PROPERTY), root, floating);
  const bool has_duration = first_property(c, ICAL_DURATION_PROPERTY) != nullptr;
  if (end && has_duration) return fmt::format("{} has both DTEND and DURATION", name);
  if (due && has_duration) return "VTODO has both DUE and DURATION";
  if (has_duration && !start) return fmt::format("{} has DURATION without DTSTART", name);
  if (has_duration) {
    const icaldurationtype d = icalproperty_get_duration(first_property(c, ICAL_DURATION_PROPERTY));
    if (icaldurationtype_is_bad_duration(d) || d.is_neg) return fmt::format("{} has a bad DURATION", name);
  }
  for (const auto& later : {end, due}) {
    if (!later || !start) continue;
    if (later->is_date != start->is_date) return fmt::format("{}: DTSTART and its end differ in value type", name);
    if (detail::to_utc(*later) < detail::to_utc(*start)) return fmt::format("{} ends before it starts", name);
  }
  std::size_t rules = 0;
  for (icalproperty* p : detail::properties(c, ICAL_RRULE_PROPERTY)) {
    if (++rules > max_rules_per_component) return fmt::format("{} has too many RRULEs", name);
    if (!start) return fmt::format("{} has RRULE without DTSTART", name);
    if (auto problem = detail::rule_problem(icalproperty_get_rrule(p), *start)) {
      return fmt::format("{} has an RRULE this server does not expand: {}", name, *problem);
    }
  }
  if (first_property(c, ICAL_RDATE_PROPERTY) != nullptr && !start) {
    return fmt::format("{} has RDATE without DTSTART", name);
  }
  return std::nullopt;
}

}  // namespace

ParseResult parse(std::string_view bytes, const ParseOptions& options) {
  const ParseLimits& limits = options.limits;
  if (bytes.size() > limits.max_bytes) {
    return fail(ParseErrorCode::too_large, fmt::format("calendar object larger than {} bytes", limits.max_bytes));
  }
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);  // a UTF-8 BOM, as some exporters write
  if (!opens_vcalendar(bytes)) return fail(ParseErrorCode::not_icalendar, "not an iCalendar object (no BEGIN:VCALENDAR)");
  // RFC 5545 §3.1: no control characters other than HTAB in content, and CR only before LF (libical
  // would read a bare CR as a line break and change the object on its next round trip).
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const auto u = static_cast<unsigned char>(bytes[i]);
    const bool line_end = bytes[i] == '\n' || (bytes[i] == '\r' && i + 1 < bytes.size() && bytes[i + 1] == '\n');
    if ((u < 0x20 && bytes[i] != '\t' && !line_end) || u == 0x7F) {
      return fail(ParseErrorCode::invalid, "control character in calendar data");
    }
  }
  // RFC 5545 §3.1.4: UTF-8 only; UIDs and texts travel on into XML and the store.
  if (!is_valid_utf8(bytes)) return fail(ParseErrorCode::invalid, "calendar data is not valid UTF-8");
  const detail::ScanResult scan =
      detail::scan_structure(bytes, limits.max_depth, limits.max_components, limits.max_properties);
  if (!scan.ok) return fail(ParseErrorCode::invalid, scan.problem);

  // Line ends made uniform (every CR here precedes an LF): libical mis-reads a mix of CRLF and LF.
  std::string text;
  text.reserve(bytes.size());
  for (char c : bytes) {
    if (c != '\r') text += c;
  }
  detail::ComponentPtr root(icalparser_parse_string(text.c_str()));
  if (!root) return fail(ParseErrorCode::not_icalendar, "not an iCalendar object");
  if (icalcomponent_isa(root.get()) == ICAL_XROOT_COMPONENT) {
    return fail(ParseErrorCode::invalid, "more than one VCALENDAR");
  }
  if (icalcomponent_isa(root.get()) != ICAL_VCALENDAR_COMPONENT) {
    return fail(ParseErrorCode::not_icalendar, "not an iCalendar object");
  }
  if (auto message = fatal_libical_error(root.get())) {
    return fail(ParseErrorCode::invalid, fmt::format("invalid calendar data: {}", *message));
  }
  icalcomponent_strip_errors(root.get());

  icalcomponent* cal = root.get();
  if (icalcomponent_get_first_property(cal, ICAL_METHOD_PROPERTY) != nullptr) {
    return fail(ParseErrorCode::method_present, "METHOD is not allowed in a stored calendar object");
  }
  icalproperty* version = icalcomponent_get_first_property(cal, ICAL_VERSION_PROPERTY);
  const char* version_text = version != nullptr ? icalproperty_get_version(version) : nullptr;
  if (version_text == nullptr || std::string_view(version_text) != "2.0") {
    return fail(ParseErrorCode::invalid, "VERSION:2.0 missing");
  }

  auto impl = std::make_unique<Object::Impl>();
  impl->floating = options.floating;
  std::optional<ComponentKind> kind;
  std::vector<icalcomponent*> comps;
  for (icalcomponent* c : detail::children(cal)) {
    const icalcomponent_kind k = icalcomponent_isa(c);
    if (k == ICAL_VTIMEZONE_COMPONENT) {
      icalproperty* tzid = icalcomponent_get_first_property(c, ICAL_TZID_PROPERTY);
      if (tzid == nullptr || icalproperty_get_tzid(tzid) == nullptr) {
        return fail(ParseErrorCode::invalid, "VTIMEZONE without TZID");
      }
      if (!detail::vtimezone_is_safe(c)) {
        return fail(ParseErrorCode::invalid,
                    fmt::format("VTIMEZONE {} has rules this server does not expand", icalproperty_get_tzid(tzid)));
      }
      continue;
    }
    const auto ck = object_kind(k);
    if (!ck) {
      return fail(ParseErrorCode::unsupported_component,
                  fmt::format("component {} is not supported in a calendar object resource", detail::component_name(c)));
    }
    if (kind && *kind != *ck) {
      return fail(ParseErrorCode::mixed_component_types,
                  fmt::format("{} and {} in one calendar object resource", to_string(*kind), to_string(*ck)));
    }
    kind = ck;
    comps.push_back(c);
  }
  if (!kind) return fail(ParseErrorCode::invalid, "no VEVENT, VTODO or VJOURNAL");
  impl->kind = *kind;

  std::optional<std::string> uid;
  for (icalcomponent* c : comps) {
    icalproperty* p = icalcomponent_get_first_property(c, ICAL_UID_PROPERTY);
    const char* value = p != nullptr ? icalproperty_get_uid(p) : nullptr;
    if (value == nullptr || *value == '\0') {
      return fail(ParseErrorCode::missing_uid, fmt::format("{} without UID", to_string(*kind)));
    }
    if (uid && *uid != value) {
      return fail(ParseErrorCode::multiple_uids, fmt::format("more than one UID ({} and {})", *uid, value));
    }
    uid = value;
  }
  impl->uid = *uid;

  std::size_t masters = 0;
  std::vector<UtcSeconds> rids;
  for (icalcomponent* c : comps) {
    if (auto problem = check_component(c, *kind, cal, options.floating)) {
      return fail(ParseErrorCode::invalid, *problem);
    }
    if (icalproperty* rp = detail::first_property(c, ICAL_RECURRENCEID_PROPERTY)) {
      rids.push_back(detail::to_utc(*detail::property_time(rp, cal, options.floating)));
    } else {
      ++masters;
    }
  }
  if (masters > 1) return fail(ParseErrorCode::invalid, fmt::format("more than one {} without RECURRENCE-ID", to_string(*kind)));
  std::sort(rids.begin(), rids.end());
  if (std::adjacent_find(rids.begin(), rids.end()) != rids.end()) {
    return fail(ParseErrorCode::invalid, "two components with the same RECURRENCE-ID");
  }

  impl->root = std::move(root);
  impl->recurs = detail::object_recurs(*impl);
  if (options.compute_bounds) {
    std::vector<detail::Occurrence> all;
    impl->bounds = detail::compute_bounds(*impl, options.floating, limits.max_iterations, impl->recurs ? &all : nullptr);
    impl->exact_bounds = exact_span(*impl, cal);
    if (impl->recurs && impl->bounds.first_start && impl->bounds.last_end) {
      impl->exact_instances = exact_recurrence(*impl, cal, all);
    }
  }
  return Object(std::move(impl));
}

}  // namespace atrium::calendar
