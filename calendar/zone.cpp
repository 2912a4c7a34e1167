// Zone: UTC, a named zone from libical's database, or a calendar-timezone VTIMEZONE.
#include "calendar/zone.hpp"

#include "calendar/detail/ical.hpp"
#include "calendar/detail/scan.hpp"

namespace atrium::calendar {

Zone Zone::utc() {
  static const auto utc_impl = std::make_shared<const Impl>(Impl{.name = "UTC"});
  return Zone(utc_impl);
}

std::optional<Zone> Zone::from_name(std::string_view name) {
  if (name.empty() || name.size() > 128) return std::nullopt;
  std::string olson(name);
  if (auto mapped = olson_for_windows(name)) olson = std::string(*mapped);
  if (olson == "UTC" || olson == "Etc/UTC" || olson == "GMT" || olson == "Etc/GMT") return utc();
  icaltimezone* z = icaltimezone_get_builtin_timezone(olson.c_str());
  if (z == nullptr) return std::nullopt;
  if (z == icaltimezone_get_utc_timezone()) return utc();
  return Zone(std::make_shared<const Impl>(Impl{.name = olson, .zone = z}));
}

std::optional<Zone> Zone::from_icalendar(std::string_view text) {
  if (text.size() > (1u << 20) || text.find('\0') != std::string_view::npos) return std::nullopt;
  if (!detail::within_structure_limits(text, 4, 64, 4000)) return std::nullopt;
  const std::string copy(text);
  detail::ComponentPtr root(icalparser_parse_string(copy.c_str()));
  if (!root || icalcomponent_isa(root.get()) != ICAL_VCALENDAR_COMPONENT) return std::nullopt;
  if (icalcomponent_count_components(root.get(), ICAL_VTIMEZONE_COMPONENT) != 1) return std::nullopt;
  icalcomponent* vtz = icalcomponent_get_first_component(root.get(), ICAL_VTIMEZONE_COMPONENT);
  icalproperty* tzid = icalcomponent_get_first_property(vtz, ICAL_TZID_PROPERTY);
  if (tzid == nullptr || icalproperty_get_tzid(tzid) == nullptr) return std::nullopt;
  const std::string name = icalproperty_get_tzid(tzid);
  // A known name wins over the client's copy of its definition.
  if (icaltimezone* z = detail::resolve_tzid(nullptr, name.c_str())) {
    if (z == icaltimezone_get_utc_timezone()) return utc();
    return Zone(std::make_shared<const Impl>(Impl{.name = name, .zone = z}));
  }
  if (!detail::vtimezone_is_safe(vtz)) return std::nullopt;
  detail::ZonePtr owned(icaltimezone_new());
  if (!owned) return std::nullopt;
  icalcomponent* clone = icalcomponent_new_clone(vtz);
  if (icaltimezone_set_component(owned.get(), clone) == 0) {
    icalcomponent_free(clone);
    return std::nullopt;
  }
  icaltimezone* raw = owned.get();
  return Zone(std::make_shared<const Impl>(Impl{.name = name, .zone = raw, .owned = std::move(owned)}));
}

const std::string& Zone::name() const { return impl_->name; }

bool Zone::is_utc() const { return impl_->zone == nullptr; }

}  // namespace atrium::calendar
