// The outbound retry schedule: when a deferred message is tried again, when it expires and is
// returned to its sender, and when the one "still trying" notice goes out. Pure arithmetic on
// seconds since the epoch; the queue stores the attempt count and first-queued time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>
#include <vector>

namespace atrium::mail::queue {

inline constexpr std::int64_t seconds_per_minute = 60;
inline constexpr std::int64_t seconds_per_hour = 60 * seconds_per_minute;
inline constexpr std::int64_t seconds_per_day = 24 * seconds_per_hour;

// Bounds on configuration input, so a typo cannot make a schedule of a million entries or an
// interval that overflows when added to a time.
inline constexpr std::size_t max_schedule_text = 4096;
inline constexpr std::size_t max_schedule_intervals = 64;
inline constexpr std::int64_t max_duration = 366 * seconds_per_day;

struct Schedule {
  // Gaps between attempts, in seconds, each > 0; never empty. After attempt k (1-based) the next
  // one is intervals[k-1] later; past the end of the list the last gap repeats.
  std::vector<std::int64_t> intervals{
      1 * seconds_per_minute,  5 * seconds_per_minute, 15 * seconds_per_minute, 30 * seconds_per_minute,
      1 * seconds_per_hour,    2 * seconds_per_hour,   4 * seconds_per_hour};
  // How long after it was first queued a message is given up on (RFC 5321 §4.5.4.1 suggests at
  // least 4-5 days).
  std::int64_t expire = 5 * seconds_per_day;
  // How long a message may stay undelivered before its sender gets one delay notice (RFC 3461
  // DELAY); 0 turns delay notices off.
  std::int64_t delay_notice_after = 4 * seconds_per_hour;
};

enum class ScheduleError {
  empty,           // no interval at all
  too_long,        // the text is over max_schedule_text
  too_many,        // more than max_schedule_intervals intervals
  bad_number,      // not a decimal number where one was expected
  bad_unit,        // a missing or unknown unit (only s, m, h, d, lower case)
  zero,            // an interval of 0
  out_of_range,    // over max_duration
};

std::string_view to_string(ScheduleError e);

// One duration: decimal digits followed by exactly one unit, s m h or d ("90s", "15m", "5d").
// Blanks around it are allowed. Returns seconds in [0, max_duration], or the error.
std::variant<std::int64_t, ScheduleError> parse_duration(std::string_view text);

// A list of durations separated by commas and/or blanks ("1m, 5m, 15m, 30m, 1h, 2h, 4h").
// Returns a Schedule with these intervals and the default `expire` / `delay_notice_after` (set
// them from their own settings with parse_duration), or the first error found.
std::variant<Schedule, ScheduleError> parse_schedule(std::string_view intervals);

// When a message queued at `first_queued_at` is given up on.
std::int64_t expires_at(const Schedule& s, std::int64_t first_queued_at);

// The time of the next attempt, called after `attempts_done` attempts (the last one failing at
// `now`): `now` when no attempt was made yet, else now + the gap for that attempt, but never
// later than the expiry, so the last attempt happens at the expiry time. nullopt when `now` is at
// or past the expiry: the message has expired and must be returned to its sender.
// A schedule without intervals behaves as one with a single interval of one hour.
std::optional<std::int64_t> next_attempt(const Schedule& s, int attempts_done, std::int64_t first_queued_at,
                                         std::int64_t now);

enum class DelayNotice { not_sent, sent };

// Whether to send the delay notice now: delay notices are on, none was sent for this message
// (recipient) yet, it has waited at least delay_notice_after, and it has not expired (an expired
// message gets a failure report instead). Whether the sender asked for it is should_send_dsn's
// business (dsn.hpp).
bool delay_notice_due(const Schedule& s, std::int64_t first_queued_at, std::int64_t now, DelayNotice state);

}  // namespace atrium::mail::queue
