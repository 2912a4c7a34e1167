// The retry schedule: configuration parsing and the next-attempt arithmetic.
#include "mail/queue/dsn/schedule.hpp"

#include <algorithm>
#include <cstdint>

namespace atrium::mail::queue {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }

// Times come from the queue's own records, but the arithmetic saturates anyway so that no input
// can reach signed overflow.
std::int64_t saturating_add(std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) return b > 0 ? INT64_MAX : INT64_MIN;
  return r;
}

std::int64_t saturating_sub(std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  if (__builtin_sub_overflow(a, b, &r)) return b < 0 ? INT64_MAX : INT64_MIN;
  return r;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string_view to_string(ScheduleError e) {
  switch (e) {
    case ScheduleError::empty: return "no interval given";
    case ScheduleError::too_long: return "schedule text too long";
    case ScheduleError::too_many: return "too many intervals";
    case ScheduleError::bad_number: return "expected a number";
    case ScheduleError::bad_unit: return "expected a unit: s, m, h or d";
    case ScheduleError::zero: return "an interval of zero";
    case ScheduleError::out_of_range: return "duration over 366 days";
  }
  return "unknown schedule error";
}

std::variant<std::int64_t, ScheduleError> parse_duration(std::string_view text) {
  text = trim(text);
  if (text.empty()) return ScheduleError::bad_number;
  std::size_t i = 0;
  std::int64_t value = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    value = value * 10 + (text[i] - '0');
    // Checked per digit so the accumulator never overflows.
    if (value > max_duration) return ScheduleError::out_of_range;
    ++i;
  }
  if (i == 0) return ScheduleError::bad_number;
  if (i + 1 != text.size()) return ScheduleError::bad_unit;
  std::int64_t unit = 0;
  switch (text[i]) {
    case 's': unit = 1; break;
    case 'm': unit = seconds_per_minute; break;
    case 'h': unit = seconds_per_hour; break;
    case 'd': unit = seconds_per_day; break;
    default: return ScheduleError::bad_unit;
  }
  if (value > max_duration / unit) return ScheduleError::out_of_range;
  return value * unit;
}

std::variant<Schedule, ScheduleError> parse_schedule(std::string_view text) {
  if (text.size() > max_schedule_text) return ScheduleError::too_long;
  Schedule s;
  s.intervals.clear();
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t end = text.find_first_of(", \t", pos);
    const std::string_view item = text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    pos = end == std::string_view::npos ? text.size() : end + 1;
    if (item.empty()) continue;  // a run of separators
    auto d = parse_duration(item);
    if (auto* e = std::get_if<ScheduleError>(&d)) return *e;
    const std::int64_t seconds = std::get<std::int64_t>(d);
    if (seconds == 0) return ScheduleError::zero;
    if (s.intervals.size() == max_schedule_intervals) return ScheduleError::too_many;
    s.intervals.push_back(seconds);
  }
  if (s.intervals.empty()) return ScheduleError::empty;
  return s;
}

std::int64_t expires_at(const Schedule& s, std::int64_t first_queued_at) {
  return saturating_add(first_queued_at, std::clamp<std::int64_t>(s.expire, 0, max_duration));
}

std::optional<std::int64_t> next_attempt(const Schedule& s, int attempts_done, std::int64_t first_queued_at,
                                         std::int64_t now) {
  const std::int64_t deadline = expires_at(s, first_queued_at);
  if (now >= deadline) return std::nullopt;
  if (attempts_done <= 0) return now;
  std::int64_t gap = seconds_per_hour;
  if (!s.intervals.empty()) {
    const std::size_t index = std::min(static_cast<std::size_t>(attempts_done - 1), s.intervals.size() - 1);
    gap = std::clamp<std::int64_t>(s.intervals[index], 1, max_duration);
  }
  // When gap < deadline - now, now + gap lies below the deadline and cannot overflow.
  return gap >= saturating_sub(deadline, now) ? deadline : now + gap;
}

bool delay_notice_due(const Schedule& s, std::int64_t first_queued_at, std::int64_t now, DelayNotice state) {
  if (state == DelayNotice::sent || s.delay_notice_after <= 0) return false;
  if (now >= expires_at(s, first_queued_at)) return false;
  return saturating_sub(now, first_queued_at) >= s.delay_notice_after;
}

}  // namespace atrium::mail::queue
