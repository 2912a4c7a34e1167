// Time arithmetic and libical accessors shared by the calendar/ sources.
#include "calendar/detail/ical.hpp"

#include <cstring>
#include <string_view>

namespace atrium::calendar::detail {
namespace {

// libical's *_r functions return buffers the caller frees.
std::string take(char* s) {
  if (s == nullptr) return {};
  std::string out(s);
  icalmemory_free_buffer(s);
  return out;
}

bool plausible(const icaltimetype& t) {
  if (icaltime_is_null_time(t)) return false;
  if (t.year < 1 || t.year > 9999 || t.month < 1 || t.month > 12 || t.day < 1 || t.day > 31) return false;
  if (t.is_date) return true;
  return t.hour >= 0 && t.hour <= 23 && t.minute >= 0 && t.minute <= 59 && t.second >= 0 && t.second <= 60;
}

icaltimezone* builtin(const std::string& name) {
  if (name.empty() || name.size() > 128) return nullptr;
  return icaltimezone_get_builtin_timezone(name.c_str());
}

}  // namespace

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, int& y, int& m, int& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y = static_cast<int>(static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2));
}

icalcomponent_kind ical_kind(ComponentKind kind) {
  switch (kind) {
    case ComponentKind::event: return ICAL_VEVENT_COMPONENT;
    case ComponentKind::todo: return ICAL_VTODO_COMPONENT;
    case ComponentKind::journal: return ICAL_VJOURNAL_COMPONENT;
  }
  return ICAL_VEVENT_COMPONENT;
}

icaltimezone* resolve_tzid(icalcomponent* root, const char* tzid) {
  if (tzid == nullptr || *tzid == '\0') return nullptr;
  const std::string name(tzid);
  if (name.size() > 256) return nullptr;
  if (root != nullptr) {
    if (icaltimezone* own = icalcomponent_get_timezone(root, tzid)) return own;
  }
  if (icaltimezone* z = builtin(name)) return z;
  if (auto olson = olson_for_windows(name)) {
    if (icaltimezone* z = builtin(std::string(*olson))) return z;
  }
  // Prefixed TZIDs ("/mozilla.org/20050126_1/Europe/Berlin", "/softwarestudio.org/.../Europe/Paris"):
  // try each tail after a '/'.
  for (std::size_t pos = name.find('/'); pos != std::string::npos; pos = name.find('/', pos + 1)) {
    if (icaltimezone* z = builtin(name.substr(pos + 1))) return z;
  }
  return nullptr;
}

std::optional<icaltimetype> property_time(icalproperty* prop, icalcomponent* root, const Zone& floating) {
  if (prop == nullptr) return std::nullopt;
  icalvalue* value = icalproperty_get_value(prop);
  if (value == nullptr) return std::nullopt;
  icaltimetype t;
  switch (icalvalue_isa(value)) {
    case ICAL_DATE_VALUE:
    case ICAL_DATETIME_VALUE:
      t = icalvalue_get_datetime(value);
      break;
    case ICAL_DATETIMEPERIOD_VALUE: {
      const icaldatetimeperiodtype dp = icalvalue_get_datetimeperiod(value);
      t = icaltime_is_null_time(dp.time) ? dp.period.start : dp.time;
      break;
    }
    case ICAL_PERIOD_VALUE:
      t = icalvalue_get_period(value).start;
      break;
    default:
      return std::nullopt;
  }
  if (!plausible(t)) return std::nullopt;
  const icaltimezone* utc = icaltimezone_get_utc_timezone();
  if (t.is_date) {
    t.zone = floating.impl().zone;
  } else if (t.zone == utc) {
    // "…Z": keep.
  } else if (icalparameter* p = icalproperty_get_first_parameter(prop, ICAL_TZID_PARAMETER)) {
    const icaltimezone* z = resolve_tzid(root, icalparameter_get_tzid(p));
    t.zone = z != nullptr ? z : floating.impl().zone;
  } else {
    t.zone = floating.impl().zone;
  }
  return t;
}

UtcSeconds to_utc(icaltimetype t) {
  if (t.is_date) {
    t.is_date = 0;
    t.hour = t.minute = t.second = 0;
  }
  icaltimezone* utc = icaltimezone_get_utc_timezone();
  if (t.zone != nullptr && t.zone != utc) {
    icaltimezone_convert_time(&t, const_cast<icaltimezone*>(t.zone), utc);
  }
  return days_from_civil(t.year, static_cast<unsigned>(t.month), static_cast<unsigned>(t.day)) * 86400 +
         t.hour * 3600 + t.minute * 60 + t.second;
}

icaltimetype from_utc(UtcSeconds s) {
  std::int64_t days = s / 86400;
  std::int64_t rem = s % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  icaltimetype t = icaltime_null_time();
  civil_from_days(days, t.year, t.month, t.day);
  t.hour = static_cast<int>(rem / 3600);
  t.minute = static_cast<int>(rem / 60 % 60);
  t.second = static_cast<int>(rem % 60);
  t.is_date = 0;
  t.zone = icaltimezone_get_utc_timezone();
  return t;
}

std::int64_t duration_seconds(const icaldurationtype& d) {
  const std::int64_t s = (static_cast<std::int64_t>(d.weeks) * 7 + d.days) * 86400 +
                         static_cast<std::int64_t>(d.hours) * 3600 + d.minutes * 60 + d.seconds;
  return d.is_neg ? -s : s;
}

icaltimetype add_days(icaltimetype t, int days) {
  if (days != 0) icaltime_adjust(&t, days, 0, 0, 0);
  return t;
}

std::vector<icalcomponent*> children(icalcomponent* comp, icalcomponent_kind kind) {
  std::vector<icalcomponent*> out;
  for (icalcomponent* c = icalcomponent_get_first_component(comp, kind); c != nullptr;
       c = icalcomponent_get_next_component(comp, kind)) {
    out.push_back(c);
  }
  return out;
}

std::vector<icalproperty*> properties(icalcomponent* comp, icalproperty_kind kind) {
  std::vector<icalproperty*> out;
  for (icalproperty* p = icalcomponent_get_first_property(comp, kind); p != nullptr;
       p = icalcomponent_get_next_property(comp, kind)) {
    out.push_back(p);
  }
  return out;
}

std::vector<icalcomponent*> object_components(const Object::Impl& impl) {
  return children(impl.root.get(), ical_kind(impl.kind));
}

bool overlaps(const Span& span, UtcSeconds s, UtcSeconds e) {
  switch (span.rule) {
    case SpanRule::interval: return s < span.end && e > span.start;
    case SpanRule::at_start: return s <= span.start && e > span.start;
    case SpanRule::at_end: return s < span.end && e >= span.end;
    case SpanRule::start_due: return (s < span.end || s <= span.start) && (e > span.start || e >= span.end);
    case SpanRule::start_duration: return s <= span.end && (e > span.start || e >= span.end);
    case SpanRule::closed: return s <= span.end && e >= span.start;
    case SpanRule::always: return true;
    case SpanRule::never: return false;
  }
  return false;
}

std::string property_text(icalproperty* prop) {
  icalvalue* value = icalproperty_get_value(prop);
  if (value == nullptr) return {};
  switch (icalvalue_isa(value)) {
    case ICAL_TEXT_VALUE: {
      const char* s = icalvalue_get_text(value);
      return s != nullptr ? s : "";
    }
    case ICAL_X_VALUE: {
      const char* s = icalvalue_get_x(value);
      return s != nullptr ? s : "";
    }
    default:
      return take(icalvalue_as_ical_string_r(value));
  }
}

std::string property_name(icalproperty* prop) { return take(icalproperty_get_property_name_r(prop)); }

std::string parameter_name(icalparameter* param) {
  const char* s = nullptr;
  switch (icalparameter_isa(param)) {
    case ICAL_X_PARAMETER: s = icalparameter_get_xname(param); break;
    case ICAL_IANA_PARAMETER: s = icalparameter_get_iana_name(param); break;
    default: s = icalparameter_kind_to_string(icalparameter_isa(param)); break;
  }
  return s != nullptr ? s : "";
}

std::string parameter_value(icalparameter* param) {
  const char* s = nullptr;
  switch (icalparameter_isa(param)) {
    case ICAL_X_PARAMETER: s = icalparameter_get_xvalue(param); break;
    case ICAL_IANA_PARAMETER: s = icalparameter_get_iana_value(param); break;
    default: {
      std::string whole = take(icalparameter_as_ical_string_r(param));
      const std::size_t eq = whole.find('=');
      std::string v = eq == std::string::npos ? std::string() : whole.substr(eq + 1);
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      return v;
    }
  }
  return s != nullptr ? s : "";
}

std::string component_name(icalcomponent* comp) {
  const icalcomponent_kind kind = icalcomponent_isa(comp);
  if (kind == ICAL_X_COMPONENT) {
    // libical 3.0 keeps the name but has no getter: read it back from "BEGIN:<name>".
    const std::string text = take(icalcomponent_as_ical_string_r(comp));
    const std::size_t colon = text.find(':');
    const std::size_t eol = text.find_first_of("\r\n");
    if (colon == std::string::npos || eol == std::string::npos || colon > eol) return {};
    return text.substr(colon + 1, eol - colon - 1);
  }
  const char* s = icalcomponent_kind_to_string(kind);
  return s != nullptr ? s : "";
}

std::string to_text(icalcomponent* comp) {
  // libical 3.0 folds some long lines into "\r\r\n \r\n": unfold its output and fold it again
  // (RFC 5545 §3.1: CRLF, at most 75 octets, never inside a UTF-8 sequence).
  const std::string raw = take(icalcomponent_as_ical_string_r(comp));
  std::string unfolded;
  unfolded.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\r') continue;
    if (raw[i] == '\n' && i + 1 < raw.size() && (raw[i + 1] == ' ' || raw[i + 1] == '\t')) {
      ++i;
      continue;
    }
    unfolded += raw[i];
  }
  std::string out;
  out.reserve(unfolded.size() + unfolded.size() / 64 * 3 + 2);
  std::size_t width = 0;
  for (char c : unfolded) {
    if (c == '\n') {
      out += "\r\n";
      width = 0;
      continue;
    }
    const bool continuation = (static_cast<unsigned char>(c) & 0xC0) == 0x80;
    if (width >= 75 && !continuation) {
      out += "\r\n ";
      width = 1;
    }
    out += c;
    ++width;
  }
  return out;
}

}  // namespace atrium::calendar::detail
