#include <catch2/catch.hpp>

#include "cron.hpp"

namespace cron_test {

using opsgate::CronSpec;
using opsgate::format_duration;
using opsgate::parse_cron;
using opsgate::parse_duration;

namespace {

date::local_seconds local(int y, unsigned m, unsigned d, int hour, int minute) {
  return date::local_days(date::year(y) / m / d) + std::chrono::hours(hour) +
         std::chrono::minutes(minute);
}

std::string shown(const std::optional<date::local_seconds>& time) {
  return time ? date::format("%a %F %R", *time) : std::string("none");
}

CronSpec cron(const char* text) {
  auto parsed = parse_cron(text);
  INFO(text);
  REQUIRE(parsed);
  return *parsed;
}

}  // namespace

TEST_CASE("cron: next firing after a time, in wall-clock time", "[cron]") {
  // 2026-11-26 is a Thursday.
  struct Case {
    const char* cron;
    date::local_seconds after;
    const char* next;
  };
  const Case cases[] = {
      {"0 20 * * 1-4", local(2026, 11, 26, 10, 0), "Thu 2026-11-26 20:00"},
      {"0 20 * * 1-4", local(2026, 11, 26, 20, 0), "Mon 2026-11-30 20:00"},  // strictly after
      {"0 20 * * 1-4", local(2026, 11, 26, 19, 59), "Thu 2026-11-26 20:00"},
      {"30 9 * * mon,FRI", local(2026, 11, 26, 0, 0), "Fri 2026-11-27 09:30"},
      {"*/15 * * * *", local(2026, 11, 26, 10, 7), "Thu 2026-11-26 10:15"},
      {"0 0 1 * *", local(2026, 11, 26, 0, 0), "Tue 2026-12-01 00:00"},
      {"0 0 * * 0", local(2026, 11, 26, 0, 0), "Sun 2026-11-29 00:00"},
      {"0 0 * * 7", local(2026, 11, 26, 0, 0), "Sun 2026-11-29 00:00"},  // 7 is Sunday too
      {"0 12 25 dec *", local(2026, 12, 26, 0, 0), "Sat 2027-12-25 12:00"},
      {"0 0 29 2 *", local(2026, 3, 1, 0, 0), "Tue 2028-02-29 00:00"},
      // Both day fields restricted: either matches (the 1st, or any Monday).
      {"0 6 1 * 1", local(2026, 11, 26, 0, 0), "Mon 2026-11-30 06:00"},
      {"0 6 1 * 1", local(2026, 11, 30, 7, 0), "Tue 2026-12-01 06:00"},
      {"@daily", local(2026, 11, 26, 10, 0), "Fri 2026-11-27 00:00"},
      {"@weekly", local(2026, 11, 26, 10, 0), "Sun 2026-11-29 00:00"},
      {"5-10/5 22 * * *", local(2026, 11, 26, 22, 5), "Thu 2026-11-26 22:10"},
  };
  for (const Case& c : cases) {
    INFO(c.cron << " after " << date::format("%F %R", c.after));
    CHECK(shown(cron(c.cron).next_after(c.after)) == c.next);
  }
}

TEST_CASE("cron: last firing at or before a time", "[cron]") {
  CronSpec freeze = cron("0 23 * * 5");
  CHECK(shown(freeze.last_at_or_before(local(2026, 11, 30, 7, 0))) == "Fri 2026-11-27 23:00");
  CHECK(shown(freeze.last_at_or_before(local(2026, 11, 27, 23, 0))) == "Fri 2026-11-27 23:00");
  CHECK(shown(freeze.last_at_or_before(local(2026, 11, 27, 22, 59))) == "Fri 2026-11-20 23:00");
  CHECK(shown(cron("0 0 29 2 *").last_at_or_before(local(2027, 1, 1, 0, 0))) ==
        "Thu 2024-02-29 00:00");
}

namespace {

// Minute by minute, skipping days that do not match: what next_after and last_at_or_before
// compute with bit scans.
std::optional<date::local_seconds> stepped_next(const CronSpec& spec, date::local_seconds after) {
  auto at = date::floor<std::chrono::minutes>(after) + std::chrono::minutes(1);
  auto last = after + date::days(opsgate::k_cron_search_days);
  while (at < last) {
    auto day = date::floor<date::days>(at);
    if (!spec.matches_day(date::year_month_day(day))) {
      at = day + date::days(1);
      continue;
    }
    date::hh_mm_ss clock(at - day);
    if (spec.hours[static_cast<std::size_t>(clock.hours().count())] &&
        spec.minutes[static_cast<std::size_t>(clock.minutes().count())])
      return at;
    at += std::chrono::minutes(1);
  }
  return std::nullopt;
}

std::optional<date::local_seconds> stepped_last(const CronSpec& spec, date::local_seconds at) {
  auto minute = date::floor<std::chrono::minutes>(at);
  auto first = at - date::days(opsgate::k_cron_search_days);
  while (minute > first) {
    auto day = date::floor<date::days>(minute);
    if (!spec.matches_day(date::year_month_day(day))) {
      minute = day - std::chrono::minutes(1);
      continue;
    }
    date::hh_mm_ss clock(minute - day);
    if (spec.hours[static_cast<std::size_t>(clock.hours().count())] &&
        spec.minutes[static_cast<std::size_t>(clock.minutes().count())])
      return minute;
    minute -= std::chrono::minutes(1);
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE("cron: the searches agree with stepping minute by minute", "[cron]") {
  const char* crons[] = {"0 * * * *",         "59 23 * * *",      "*/7 */5 * * *",
                         "0,30 9-17 * * 1-5", "15 3 1 * *",       "0 0 * * 0",
                         "5 4 29 2 *",        "0 6 1 * 1",        "*/13 1,22 * jan,jul *",
                         "0 12 31 * *",       "58-59 0,23 * * *", "0 0 1 1 *"};
  const date::local_seconds times[] = {
      local(2026, 11, 26, 10, 0),
      local(2026, 11, 26, 10, 0) + std::chrono::seconds(30),
      local(2026, 12, 31, 23, 59) + std::chrono::seconds(59),
      local(2027, 1, 1, 0, 0),
      local(2028, 2, 29, 4, 5),
      local(2028, 2, 29, 4, 4) + std::chrono::seconds(59),
      local(2026, 7, 31, 12, 0),
      local(2026, 3, 1, 0, 0) - std::chrono::seconds(1),
  };
  for (const char* text : crons) {
    CronSpec spec = cron(text);
    for (date::local_seconds at : times) {
      INFO(text << " around " << date::format("%F %T", at));
      CHECK(shown(spec.next_after(at)) == shown(stepped_next(spec, at)));
      CHECK(shown(spec.last_at_or_before(at)) == shown(stepped_last(spec, at)));
    }
  }
}

TEST_CASE("cron: invalid expressions say which field is wrong", "[cron]") {
  struct Case {
    const char* cron;
    const char* why;
  };
  const Case cases[] = {
      {"0 20 * *", "expected 5 fields"},
      {"0 20 * * 1-4 *", "expected 5 fields"},
      {"60 20 * * *", "minute 60 is out of range 0-59"},
      {"0 25 * * *", "hour 25 is out of range 0-23"},
      {"0 20 0 * *", "day of month 0 is out of range 1-31"},
      {"0 20 * 13 *", "month 13 is out of range 1-12"},
      {"0 20 * * 8", "day of week 8 is out of range 0-7"},
      {"0 20 * * fri-mon", "day of week range 5-1 is backwards"},
      {"0 20 * * funday", "day of week 'funday' is not a number or a name"},
      {"x 20 * * *", "minute 'x' is not a number"},
      {"*/0 20 * * *", "minute step '0' must be a positive number"},
      {"0 0 31 2 *", "never fires"},
      {"", "expected 5 fields"},
  };
  for (const Case& c : cases) {
    INFO(c.cron);
    auto parsed = parse_cron(c.cron);
    REQUIRE_FALSE(parsed);
    CHECK_THAT(parsed.error().message, Catch::Contains(c.why));
  }
}

TEST_CASE("cron: a weekly cron built from days and a start time", "[cron]") {
  std::bitset<7> days;
  days.set(1).set(4);  // mon, thu
  CronSpec spec = opsgate::weekly_cron(days, std::chrono::minutes(20 * 60 + 30));
  CHECK(shown(spec.next_after(local(2026, 11, 26, 10, 0))) == "Thu 2026-11-26 20:30");
  CHECK(shown(spec.next_after(local(2026, 11, 26, 20, 30))) == "Mon 2026-11-30 20:30");
}

TEST_CASE("durations: Go-style h, m and s", "[cron]") {
  CHECK(*parse_duration("3h30m") == std::chrono::minutes(210));
  CHECK(*parse_duration("90m") == std::chrono::minutes(90));
  CHECK(*parse_duration("1h0m30s") == std::chrono::seconds(3630));
  CHECK(*parse_duration("56h") == std::chrono::hours(56));
  for (const char* bad : {"", "0h", "3", "h", "3d", "3h30", "-1h", "1.5h", "3h 30m"}) {
    INFO(bad);
    CHECK_FALSE(parse_duration(bad));
  }
  CHECK(format_duration(std::chrono::minutes(210)) == "3h30m");
  CHECK(format_duration(std::chrono::hours(2)) == "2h");
  CHECK(format_duration(std::chrono::minutes(45)) == "45m");
  CHECK(format_duration(std::chrono::seconds(3630)) == "1h0m30s");
}

}  // namespace cron_test
