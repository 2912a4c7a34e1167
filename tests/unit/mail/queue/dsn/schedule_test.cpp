// The retry schedule: duration and list parsing, next attempts, expiry and the delay notice.
#include "mail/queue/dsn/schedule.hpp"

#include <gtest/gtest.h>

#include <string>

namespace atrium::mail::queue {
namespace {

std::int64_t seconds(std::string_view text) {
  auto r = parse_duration(text);
  EXPECT_TRUE(std::holds_alternative<std::int64_t>(r)) << text;
  return std::holds_alternative<std::int64_t>(r) ? std::get<std::int64_t>(r) : -1;
}

ScheduleError duration_error(std::string_view text) {
  auto r = parse_duration(text);
  EXPECT_TRUE(std::holds_alternative<ScheduleError>(r)) << text;
  return std::holds_alternative<ScheduleError>(r) ? std::get<ScheduleError>(r) : ScheduleError::empty;
}

Schedule schedule(std::string_view text) {
  auto r = parse_schedule(text);
  EXPECT_TRUE(std::holds_alternative<Schedule>(r)) << text;
  return std::holds_alternative<Schedule>(r) ? std::get<Schedule>(r) : Schedule{};
}

ScheduleError schedule_error(std::string_view text) {
  auto r = parse_schedule(text);
  EXPECT_TRUE(std::holds_alternative<ScheduleError>(r)) << text;
  return std::holds_alternative<ScheduleError>(r) ? std::get<ScheduleError>(r) : ScheduleError::empty;
}

TEST(ParseDuration, Units) {
  EXPECT_EQ(seconds("90s"), 90);
  EXPECT_EQ(seconds("15m"), 900);
  EXPECT_EQ(seconds("2h"), 7200);
  EXPECT_EQ(seconds("5d"), 432000);
  EXPECT_EQ(seconds(" 1m\t"), 60);
  EXPECT_EQ(seconds("0s"), 0);
  EXPECT_EQ(seconds("366d"), max_duration);
  EXPECT_EQ(seconds("007m"), 420);
}

TEST(ParseDuration, Errors) {
  EXPECT_EQ(duration_error(""), ScheduleError::bad_number);
  EXPECT_EQ(duration_error("m"), ScheduleError::bad_number);
  EXPECT_EQ(duration_error("-5m"), ScheduleError::bad_number);
  EXPECT_EQ(duration_error("5"), ScheduleError::bad_unit);
  EXPECT_EQ(duration_error("5w"), ScheduleError::bad_unit);
  EXPECT_EQ(duration_error("5M"), ScheduleError::bad_unit);
  EXPECT_EQ(duration_error("5 m"), ScheduleError::bad_unit);
  EXPECT_EQ(duration_error("5mm"), ScheduleError::bad_unit);
  EXPECT_EQ(duration_error("1h30m"), ScheduleError::bad_unit);
  EXPECT_EQ(duration_error("367d"), ScheduleError::out_of_range);
  EXPECT_EQ(duration_error("8785h"), ScheduleError::out_of_range);
  EXPECT_EQ(duration_error("99999999999999999999999s"), ScheduleError::out_of_range);
}

TEST(ParseSchedule, TheDefaultList) {
  const Schedule s = schedule("1m, 5m, 15m, 30m, 1h, 2h, 4h");
  EXPECT_EQ(s.intervals, (std::vector<std::int64_t>{60, 300, 900, 1800, 3600, 7200, 14400}));
  EXPECT_EQ(s.expire, 5 * 86400);
  EXPECT_EQ(s.delay_notice_after, 4 * 3600);
  EXPECT_EQ(s.intervals, Schedule{}.intervals);
}

TEST(ParseSchedule, Separators) {
  EXPECT_EQ(schedule("10s 20s,30s ,\t40s,").intervals, (std::vector<std::int64_t>{10, 20, 30, 40}));
  EXPECT_EQ(schedule("  1d  ").intervals, (std::vector<std::int64_t>{86400}));
}

TEST(ParseSchedule, Errors) {
  EXPECT_EQ(schedule_error(""), ScheduleError::empty);
  EXPECT_EQ(schedule_error(" , ,"), ScheduleError::empty);
  EXPECT_EQ(schedule_error("1m, 0s"), ScheduleError::zero);
  EXPECT_EQ(schedule_error("1m, x"), ScheduleError::bad_number);
  EXPECT_EQ(schedule_error("1m; 5m"), ScheduleError::bad_unit);
  EXPECT_EQ(schedule_error("1m, 400d"), ScheduleError::out_of_range);
  EXPECT_EQ(schedule_error(std::string(max_schedule_text + 1, ' ')), ScheduleError::too_long);
  std::string many;
  for (std::size_t i = 0; i <= max_schedule_intervals; ++i) many += "1m,";
  EXPECT_EQ(schedule_error(many), ScheduleError::too_many);
  many.erase(many.size() - 3);
  EXPECT_EQ(schedule(many).intervals.size(), max_schedule_intervals);
}

TEST(ScheduleError, HasText) {
  for (auto e : {ScheduleError::empty, ScheduleError::too_long, ScheduleError::too_many, ScheduleError::bad_number,
                 ScheduleError::bad_unit, ScheduleError::zero, ScheduleError::out_of_range}) {
    EXPECT_FALSE(to_string(e).empty());
  }
}

constexpr std::int64_t t0 = 1'700'000'000;

TEST(NextAttempt, FirstAttemptIsImmediate) {
  const Schedule s;
  EXPECT_EQ(next_attempt(s, 0, t0, t0), t0);
  EXPECT_EQ(next_attempt(s, 0, t0, t0 + 30), t0 + 30);
  EXPECT_EQ(next_attempt(s, -3, t0, t0), t0);
}

TEST(NextAttempt, FollowsTheListThenRepeatsTheLastGap) {
  const Schedule s;  // 1m, 5m, 15m, 30m, 1h, 2h, 4h
  EXPECT_EQ(next_attempt(s, 1, t0, t0), t0 + 60);
  EXPECT_EQ(next_attempt(s, 2, t0, t0 + 60), t0 + 60 + 300);
  EXPECT_EQ(next_attempt(s, 3, t0, t0 + 400), t0 + 400 + 900);
  EXPECT_EQ(next_attempt(s, 7, t0, t0 + 20000), t0 + 20000 + 14400);
  EXPECT_EQ(next_attempt(s, 8, t0, t0 + 40000), t0 + 40000 + 14400);
  EXPECT_EQ(next_attempt(s, 1000, t0, t0 + 100000), t0 + 100000 + 14400);
}

TEST(NextAttempt, WalksTheWholeScheduleToExpiry) {
  const Schedule s;
  std::int64_t now = t0;
  int attempts = 0;
  std::vector<std::int64_t> times;
  while (auto next = next_attempt(s, attempts, t0, now)) {
    ASSERT_GE(*next, now);
    now = *next;
    times.push_back(now);
    ++attempts;
    ASSERT_LT(attempts, 1000);
  }
  // 1 immediate + 7 listed gaps reach t0 + 6h46m; then every 4h until 5 days, the last attempt
  // exactly at the expiry.
  EXPECT_EQ(times.front(), t0);
  EXPECT_EQ(times[7], t0 + 60 + 300 + 900 + 1800 + 3600 + 7200 + 14400);
  EXPECT_EQ(times.back(), t0 + 5 * 86400);
  EXPECT_EQ(times.size(), 8u + 28u + 1u);
  EXPECT_EQ(now, expires_at(s, t0));
}

TEST(NextAttempt, ClampsToTheExpiryAndThenStops) {
  Schedule s = schedule("1h");
  s.expire = 90 * 60;
  EXPECT_EQ(next_attempt(s, 1, t0, t0), t0 + 3600);
  EXPECT_EQ(next_attempt(s, 2, t0, t0 + 3600), t0 + 5400);  // would be t0 + 7200
  EXPECT_EQ(next_attempt(s, 3, t0, t0 + 5400), std::nullopt);
  EXPECT_EQ(next_attempt(s, 3, t0, t0 + 5399), t0 + 5400);
  EXPECT_EQ(next_attempt(s, 0, t0, t0 + 6000), std::nullopt);
}

TEST(NextAttempt, ZeroExpiryMeansExpiredAtOnce) {
  Schedule s;
  s.expire = 0;
  EXPECT_EQ(next_attempt(s, 0, t0, t0), std::nullopt);
}

TEST(NextAttempt, EmptyIntervalListFallsBackToAnHour) {
  Schedule s;
  s.intervals.clear();
  EXPECT_EQ(next_attempt(s, 4, t0, t0 + 10), t0 + 10 + 3600);
}

TEST(NextAttempt, ExtremeTimesDoNotOverflow) {
  const Schedule s;
  EXPECT_EQ(next_attempt(s, 3, INT64_MAX - 10, INT64_MAX - 10), INT64_MAX);
  EXPECT_EQ(next_attempt(s, 3, INT64_MIN, INT64_MIN + 5), INT64_MIN + 5 + 900);
  EXPECT_EQ(next_attempt(s, 3, 0, INT64_MAX), std::nullopt);
  EXPECT_EQ(expires_at(s, INT64_MAX), INT64_MAX);
}

TEST(DelayNotice, OnceAfterTheThreshold) {
  const Schedule s;  // 4h
  EXPECT_FALSE(delay_notice_due(s, t0, t0, DelayNotice::not_sent));
  EXPECT_FALSE(delay_notice_due(s, t0, t0 + 4 * 3600 - 1, DelayNotice::not_sent));
  EXPECT_TRUE(delay_notice_due(s, t0, t0 + 4 * 3600, DelayNotice::not_sent));
  EXPECT_TRUE(delay_notice_due(s, t0, t0 + 86400, DelayNotice::not_sent));
  EXPECT_FALSE(delay_notice_due(s, t0, t0 + 86400, DelayNotice::sent));
}

TEST(DelayNotice, NotOnceExpiredNorWhenDisabled) {
  Schedule s;
  EXPECT_FALSE(delay_notice_due(s, t0, t0 + 5 * 86400, DelayNotice::not_sent));
  s.delay_notice_after = 0;
  EXPECT_FALSE(delay_notice_due(s, t0, t0 + 86400, DelayNotice::not_sent));
  s.delay_notice_after = 6 * 86400;  // beyond the expiry: the failure report comes first
  EXPECT_FALSE(delay_notice_due(s, t0, t0 + 5 * 86400 - 1, DelayNotice::not_sent));
}

}  // namespace
}  // namespace atrium::mail::queue
