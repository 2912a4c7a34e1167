// busy_periods(), the busy type of one event they and booked_periods() share, and the VFREEBUSY
// serialiser.
#include "calendar/freebusy.hpp"

#include "calendar/detail/busy.hpp"
#include "calendar/detail/expand.hpp"
#include "core/text/ascii.hpp"

#include <algorithm>
#include <cstdio>

namespace atrium::calendar {

namespace detail {

std::optional<BusyType> busy_type(icalcomponent* event) {
  if (icalproperty* t = detail::first_property(event, ICAL_TRANSP_PROPERTY)) {
    if (icalproperty_get_transp(t) == ICAL_TRANSP_TRANSPARENT) return std::nullopt;
  }
  icalproperty_status status = ICAL_STATUS_NONE;
  if (icalproperty* s = detail::first_property(event, ICAL_STATUS_PROPERTY)) status = icalproperty_get_status(s);
  if (status == ICAL_STATUS_CANCELLED) return std::nullopt;
  for (icalproperty* x : detail::properties(event, ICAL_X_PROPERTY)) {
    if (!text::iequals(detail::property_name(x), "X-MICROSOFT-CDO-BUSYSTATUS")) continue;
    const std::string v = detail::property_text(x);
    if (text::iequals(v, "OOF")) return BusyType::busy_unavailable;
    if (text::iequals(v, "FREE")) return std::nullopt;
  }
  if (status == ICAL_STATUS_TENTATIVE) return BusyType::busy_tentative;
  return BusyType::busy;
}

}  // namespace detail

namespace {

std::string utc_text(UtcSeconds s) {
  const icaltimetype t = detail::from_utc(s);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d%02d%02dT%02d%02d%02dZ", t.year, t.month, t.day, t.hour, t.minute, t.second);
  return buf;
}

// One content line: control characters dropped (no header injection from caller-supplied values),
// folded at 75 octets without splitting a UTF-8 sequence (RFC 5545 §3.1).
std::string content_line(std::string_view name, std::string_view value) {
  std::string line(name);
  line += ':';
  for (char c : value) {
    if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7F) line += c;
  }
  std::string out;
  std::size_t width = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const bool continuation = (static_cast<unsigned char>(line[i]) & 0xC0) == 0x80;
    if (width >= 75 && !continuation) {
      out += "\r\n ";
      width = 1;
    }
    out += line[i];
    ++width;
  }
  out += "\r\n";
  return out;
}

std::string escape_text(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == ';' || c == ',') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

std::string_view to_string(BusyType type) {
  switch (type) {
    case BusyType::busy: return "BUSY";
    case BusyType::busy_tentative: return "BUSY-TENTATIVE";
    case BusyType::busy_unavailable: return "BUSY-UNAVAILABLE";
  }
  return "BUSY";
}

std::vector<BusyPeriod> busy_periods(std::span<const Object* const> objects, const TimeRange& range,
                                     const ExpandLimits& limits) {
  std::vector<BusyPeriod> raw;
  if (!range.start || !range.end || *range.start >= *range.end) return raw;
  const UtcSeconds s = *range.start, e = *range.end;
  for (const Object* object : objects) {
    if (object == nullptr || object->kind() != ComponentKind::event) continue;
    const detail::OccurrenceSet set = detail::occurrences(object->impl(), object->floating(), s, e, limits);
    for (const detail::Occurrence& o : set.items) {
      if (o.span.rule != detail::SpanRule::interval || o.span.end <= o.span.start) continue;
      const auto type = detail::busy_type(o.component);
      if (!type) continue;
      const UtcSeconds a = std::max(o.span.start, s), b = std::min(o.span.end, e);
      if (a < b) raw.push_back({a, b, *type});
    }
  }
  std::sort(raw.begin(), raw.end(), [](const BusyPeriod& x, const BusyPeriod& y) {
    if (x.type != y.type) return x.type < y.type;
    return x.start < y.start;
  });
  std::vector<BusyPeriod> merged;
  for (const BusyPeriod& p : raw) {
    if (!merged.empty() && merged.back().type == p.type && p.start <= merged.back().end) {
      merged.back().end = std::max(merged.back().end, p.end);
    } else {
      merged.push_back(p);
    }
  }
  return merged;
}

std::string freebusy_to_ical(const std::vector<BusyPeriod>& periods, const TimeRange& range,
                             const FreeBusyOptions& options) {
  std::string out = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Atrium//Calendar//EN\r\n";
  if (options.method) out += content_line("METHOD", *options.method);
  out += "BEGIN:VFREEBUSY\r\n";
  if (options.uid) out += content_line("UID", escape_text(*options.uid));
  out += "DTSTAMP:" + utc_text(options.dtstamp) + "\r\n";
  out += "DTSTART:" + utc_text(range.start.value_or(0)) + "\r\n";
  out += "DTEND:" + utc_text(range.end.value_or(0)) + "\r\n";
  if (options.organizer) out += content_line("ORGANIZER", *options.organizer);
  if (options.attendee) out += content_line("ATTENDEE", *options.attendee);
  for (const BusyPeriod& p : periods) {
    out += "FREEBUSY;FBTYPE=" + std::string(to_string(p.type)) + ":" + utc_text(p.start) + "/" + utc_text(p.end) +
           "\r\n";
  }
  out += "END:VFREEBUSY\r\nEND:VCALENDAR\r\n";
  return out;
}

}  // namespace atrium::calendar
