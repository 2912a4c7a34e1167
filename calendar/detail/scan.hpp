// calendar/ internals: checks made before and after libical parses untrusted text, so that
// neither its parser nor its time zone expansion can be driven into unbounded work.
#pragma once

#include <libical/ical.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace atrium::calendar::detail {

struct ScanResult {
  bool ok = true;
  std::string problem;  // when !ok
};

// Counts BEGIN nesting, BEGIN lines and other content lines of iCalendar text without parsing it.
ScanResult scan_structure(std::string_view text, std::size_t max_depth, std::size_t max_components,
                          std::size_t max_properties);

inline bool within_structure_limits(std::string_view text, std::size_t max_depth, std::size_t max_components,
                                    std::size_t max_properties) {
  return scan_structure(text, max_depth, max_components, max_properties).ok;
}

// True when libical can expand this VTIMEZONE in bounded time: STANDARD/DAYLIGHT rules are
// YEARLY without BYHOUR/BYMINUTE/BYSECOND/BYYEARDAY/BYWEEKNO, at most a few per zone, and
// DTSTART years are sane.
bool vtimezone_is_safe(icalcomponent* vtimezone);

// Why a recurrence rule is refused, or nullopt when the expander accepts it. libical filters
// limiting BY parts by stepping one FREQ unit at a time inside a single iterator step, so some
// rules cost unbounded work however few instances are asked for. Refused: an unknown FREQ or
// INTERVAL < 1; a DTSTART before 1583 (ICU, which libical uses, turns Julian there); SECONDLY/MINUTELY/HOURLY with a DATE DTSTART or with any BY part that limits
// rather than expands (RFC 5545 §3.3.10 table: only BYMINUTE/BYSECOND for HOURLY and BYSECOND
// for MINUTELY are allowed); rules libical cannot build; and rules that yield no instance at all
// (impossible dates such as BYMONTH=2;BYMONTHDAY=30), found with one bounded probe.
std::optional<std::string> rule_problem(const icalrecurrencetype& rule, const icaltimetype& dtstart);

}  // namespace atrium::calendar::detail
