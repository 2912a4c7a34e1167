// Pre-parse structure scan and the safety checks on time zone rules.
#include "calendar/detail/scan.hpp"

#include "calendar/detail/ical.hpp"

#include "core/text/ascii.hpp"

#include <fmt/format.h>

#include <cstdlib>

namespace atrium::calendar::detail {
namespace {

bool starts_with_ci(std::string_view line, std::string_view prefix) {
  return line.size() >= prefix.size() && text::iequals(line.substr(0, prefix.size()), prefix);
}

bool no_by(const short* array) { return array[0] == ICAL_RECURRENCE_ARRAY_MAX; }

}  // namespace

ScanResult scan_structure(std::string_view text, std::size_t max_depth, std::size_t max_components,
                          std::size_t max_properties) {
  std::size_t depth = 0, components = 0, properties = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == ' ' || line.front() == '\t') continue;
    if (starts_with_ci(line, "BEGIN:")) {
      if (++components > max_components) return {false, fmt::format("more than {} components", max_components)};
      if (++depth > max_depth) return {false, fmt::format("components nested deeper than {}", max_depth)};
    } else if (starts_with_ci(line, "END:")) {
      // libical warns on stderr about an END it cannot pair; refuse it here instead.
      if (depth == 0) return {false, "END without BEGIN"};
      --depth;
    } else if (++properties > max_properties) {
      return {false, fmt::format("more than {} properties", max_properties)};
    }
  }
  return {};
}

std::optional<std::string> rule_problem(const icalrecurrencetype& rule, const icaltimetype& dtstart) {
  if (rule.freq == ICAL_NO_RECURRENCE) return "no FREQ";
  if (rule.interval < 1) return "INTERVAL below 1";
  // libical hands some rules to ICU, whose calendar turns Julian before 1582: expansions there are
  // wrong and slow. No calendar client writes series that old.
  if (dtstart.year < 1583) return "a DTSTART before 1583";
  const bool sub_daily = rule.freq == ICAL_SECONDLY_RECURRENCE || rule.freq == ICAL_MINUTELY_RECURRENCE ||
                         rule.freq == ICAL_HOURLY_RECURRENCE;
  if (sub_daily) {
    if (dtstart.is_date) return "a sub-daily FREQ with an all-day DTSTART";
    const bool day_parts = !no_by(rule.by_day) || !no_by(rule.by_month_day) || !no_by(rule.by_year_day) ||
                           !no_by(rule.by_week_no) || !no_by(rule.by_month) || !no_by(rule.by_set_pos);
    const bool hour_limits = !no_by(rule.by_hour);
    const bool minute_limits = rule.freq != ICAL_HOURLY_RECURRENCE && !no_by(rule.by_minute);
    const bool second_limits = rule.freq == ICAL_SECONDLY_RECURRENCE && !no_by(rule.by_second);
    if (day_parts || hour_limits || minute_limits || second_limits) {
      return "BY parts that limit a SECONDLY, MINUTELY or HOURLY rule";
    }
  }
  // The common impossible rule (BYMONTHDAY past the end of every BYMONTH) without the probe's cost.
  if (!no_by(rule.by_month) && !no_by(rule.by_month_day)) {
    static constexpr int longest[13] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool possible = false;
    for (int i = 0; i < ICAL_BY_MONTH_SIZE && rule.by_month[i] != ICAL_RECURRENCE_ARRAY_MAX; ++i) {
      const int month = rule.by_month[i];
      if (month < 1 || month > 12) {  // RSCALE leap months: leave it to the probe
        possible = true;
        continue;
      }
      for (int k = 0; k < ICAL_BY_MONTHDAY_SIZE && rule.by_month_day[k] != ICAL_RECURRENCE_ARRAY_MAX; ++k) {
        if (std::abs(static_cast<int>(rule.by_month_day[k])) <= longest[month]) possible = true;
      }
    }
    if (!possible) return "a rule with no instances";
  }
  // One probe with COUNT and UNTIL removed: a rule with no instance at all would make every later
  // expansion pay libical's full search again.
  icalrecurrencetype open = rule;
  open.count = 0;
  open.until = icaltime_null_time();
  icalrecur_iterator* it = icalrecur_iterator_new(open, dtstart);
  if (it == nullptr) return "a rule libical cannot expand";
  const icaltimetype first = icalrecur_iterator_next(it);
  icalrecur_iterator_free(it);
  if (icaltime_is_null_time(first)) return "a rule with no instances";
  return std::nullopt;
}

bool vtimezone_is_safe(icalcomponent* vtimezone) {
  int observances = 0;
  for (icalcomponent* c : children(vtimezone)) {
    const icalcomponent_kind kind = icalcomponent_isa(c);
    if (kind != ICAL_XSTANDARD_COMPONENT && kind != ICAL_XDAYLIGHT_COMPONENT) continue;
    if (++observances > 400) return false;
    icalproperty* dtstart = icalcomponent_get_first_property(c, ICAL_DTSTART_PROPERTY);
    if (dtstart == nullptr) return false;
    const icaltimetype t = icalproperty_get_dtstart(dtstart);
    if (icaltime_is_null_time(t) || t.year < 1600 || t.year > 9999) return false;
    int rules = 0;
    for (icalproperty* p : properties(c, ICAL_RRULE_PROPERTY)) {
      if (++rules > 2) return false;
      const icalrecurrencetype r = icalproperty_get_rrule(p);
      if (r.freq != ICAL_YEARLY_RECURRENCE || r.interval != 1) return false;
      if (!no_by(r.by_second) || !no_by(r.by_minute) || !no_by(r.by_hour) || !no_by(r.by_year_day) ||
          !no_by(r.by_week_no)) {
        return false;
      }
      int days = 0;
      while (days < ICAL_BY_DAY_SIZE && r.by_day[days] != ICAL_RECURRENCE_ARRAY_MAX) ++days;
      if (days > 2) return false;
      int month_days = 0;
      while (month_days < ICAL_BY_MONTHDAY_SIZE && r.by_month_day[month_days] != ICAL_RECURRENCE_ARRAY_MAX) {
        ++month_days;
      }
      if (month_days > 7) return false;
    }
  }
  return observances > 0;
}

}  // namespace atrium::calendar::detail
