// Fuzz entry: calendar/ from untrusted bytes to every output.
#include "tests/fuzz/calendar/ical/fuzz_entries.hpp"

#include "calendar/freebusy.hpp"
#include "calendar/object.hpp"
#include "calendar/output.hpp"
#include "calendar/query.hpp"
#include "calendar/recurrence.hpp"

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace atrium::calendar::fuzz {
namespace {

void require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "calendar import fuzz: %s\n", what);
  std::abort();
}

constexpr UtcSeconds window_start = 1735689600;  // 2025-01-01T00:00:00Z
constexpr UtcSeconds window_end = 1798761600;    // 2027-01-01T00:00:00Z

const ExpandLimits limits{.max_instances = 200, .max_iterations = 5000};

Filter query() {
  TextMatch text{.text = "a", .collation = Collation::unicode_casemap};
  CompFilter alarm{.name = "VALARM", .time_range = TimeRange{window_start, window_end}};
  CompFilter event{.name = "VEVENT",
                   .time_range = TimeRange{window_start, window_end},
                   .props = {PropFilter{.name = "SUMMARY", .text = text},
                             PropFilter{.name = "ATTENDEE", .params = {ParamFilter{.name = "PARTSTAT", .text = text}}}},
                   .comps = {alarm}};
  CompFilter root{.name = "VCALENDAR", .comps = {event}};
  return Filter{root};
}

}  // namespace

int import_one_input(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)Zone::from_icalendar(text);

  ParseOptions options{.limits = {.max_bytes = 256 << 10, .max_components = 200, .max_properties = 2000,
                                  .max_iterations = 5000}};
  ParseResult r = parse(text, options);
  const auto* object = std::get_if<Object>(&r);
  if (object == nullptr) {
    require(!std::get<ParseError>(r).message.empty(), "error without message");
    return 0;
  }
  const Bounds& b = object->bounds();
  if (b.first_start && b.last_end) require(*b.first_start <= *b.last_end, "bounds out of order");

  const Expansion e = expand(*object, TimeRange{window_start, window_end}, limits);
  require(e.instances.size() <= limits.max_instances, "instance cap exceeded");
  for (std::size_t i = 0; i < e.instances.size(); ++i) {
    require(e.instances[i].start <= e.instances[i].end, "instance ends before it starts");
    if (i > 0) require(e.instances[i - 1].start <= e.instances[i].start, "instances out of order");
  }

  (void)matches(*object, query(), Zone::utc(), limits);
  Filter todo{CompFilter{.name = "VCALENDAR", .comps = {CompFilter{.name = "VTODO", .time_range = TimeRange{window_start, std::nullopt}}}}};
  (void)matches(*object, todo, Zone::utc(), limits);

  (void)calendar_data(*object, {.expand = TimeRange{window_start, window_end}}, limits);
  (void)calendar_data(*object, {.limit_recurrence_set = TimeRange{window_start, window_end}}, limits);
  const std::string whole = calendar_data(*object, {}, limits);
  ParseResult again = parse(whole, options);
  const auto* reparsed = std::get_if<Object>(&again);
  require(reparsed != nullptr, "serialised object does not re-parse");
  require(reparsed->uid() == object->uid() && reparsed->kind() == object->kind(), "round trip changed the object");

  const Object* objects[] = {object};
  for (const BusyPeriod& p : busy_periods(objects, TimeRange{window_start, window_end}, limits)) {
    require(p.start < p.end && p.start >= window_start && p.end <= window_end, "busy period outside the range");
  }
  return 0;
}

}  // namespace atrium::calendar::fuzz
