#include "calendar/freebusy_request.hpp"

#include "calendar/detail/ical.hpp"
#include "calendar/detail/scan.hpp"
#include "core/auth/utf8.hpp"

#include <algorithm>

namespace atrium::calendar {

std::optional<FreeBusyRequest> parse_freebusy_request(std::string_view bytes) {
  if (bytes.size() > 64 * 1024 || !auth::is_valid_utf8(bytes)) return std::nullopt;
  for (char c : bytes) {
    auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t' && c != '\r' && c != '\n') || u == 0x7F) return std::nullopt;
  }
  if (!detail::scan_structure(bytes, 4, 20, 1000).ok) return std::nullopt;
  std::string text;
  for (char c : bytes) {
    if (c != '\r') text += c;
  }
  detail::ComponentPtr root(icalparser_parse_string(text.c_str()));
  if (!root || icalcomponent_isa(root.get()) != ICAL_VCALENDAR_COMPONENT) return std::nullopt;
  icalproperty* method = icalcomponent_get_first_property(root.get(), ICAL_METHOD_PROPERTY);
  if (!method || icalproperty_get_method(method) != ICAL_METHOD_REQUEST) return std::nullopt;
  auto fbs = detail::children(root.get(), ICAL_VFREEBUSY_COMPONENT);
  if (fbs.size() != 1) return std::nullopt;
  icalcomponent* fb = fbs[0];
  FreeBusyRequest out;
  auto start = detail::first_property(fb, ICAL_DTSTART_PROPERTY);
  auto end = detail::first_property(fb, ICAL_DTEND_PROPERTY);
  if (!start || !end) return std::nullopt;
  auto s = detail::property_time(start, root.get(), Zone::utc());
  auto e = detail::property_time(end, root.get(), Zone::utc());
  if (!s || !e) return std::nullopt;
  out.range.start = detail::to_utc(*s);
  out.range.end = detail::to_utc(*e);
  if (*out.range.end <= *out.range.start) return std::nullopt;
  if (auto uid = detail::first_property(fb, ICAL_UID_PROPERTY)) {
    if (const char* v = icalproperty_get_uid(uid)) out.uid = v;
  }
  auto organizer = detail::first_property(fb, ICAL_ORGANIZER_PROPERTY);
  if (!organizer || !icalproperty_get_organizer(organizer)) return std::nullopt;
  out.organizer = icalproperty_get_organizer(organizer);
  for (icalproperty* a : detail::properties(fb, ICAL_ATTENDEE_PROPERTY)) {
    const char* v = icalproperty_get_attendee(a);
    if (!v) continue;
    std::string value = v;
    if (std::find(out.attendees.begin(), out.attendees.end(), value) == out.attendees.end()) {
      out.attendees.push_back(std::move(value));
    }
    if (out.attendees.size() > 100) return std::nullopt;
  }
  if (out.attendees.empty()) return std::nullopt;
  return out;
}

}  // namespace atrium::calendar
