#pragma once
// The schedule syntax teams already write elsewhere: the 5-field cron of Argo CD sync windows
// and GitLab deploy freezes ("minute hour day-of-month month day-of-week", with *, N, A-B, */S,
// A-B/S, lists, month and day names, and @daily-style shortcuts), and Go-style durations
// ("3h30m"). A cron is matched against local wall-clock time; the caller maps it to instants.

#include <array>
#include <bitset>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <date/date.h>

#include "error.hpp"

namespace opsgate {

// Days of the week as crons and release windows name them, Sunday first (index = weekday).
inline constexpr std::array<std::string_view, 7> k_day_names = {"sun", "mon", "tue", "wed",
                                                                "thu", "fri", "sat"};

struct CronSpec {
  std::string text;  // as written
  std::bitset<60> minutes;
  std::bitset<24> hours;
  std::bitset<32> days_of_month;  // bits 1..31
  std::bitset<13> months;         // bits 1..12
  std::bitset<7> days_of_week;    // bit 0 = Sunday
  // A day field written "*" matches everything; when neither day field is "*", a day matches
  // when either does (Vixie cron, robfig/cron of Argo CD, fugit of GitLab).
  bool any_day_of_month = true;
  bool any_day_of_week = true;

  bool matches_day(date::year_month_day day) const;
  // Every day matches (the day and month fields are all "*"): the searches skip the calendar.
  bool fires_every_day() const;

  // The first firing strictly after `after`, or nullopt when none within k_cron_search_days.
  std::optional<date::local_seconds> next_after(date::local_seconds after) const;
  // The last firing at or before `at`, or nullopt when none within k_cron_search_days.
  std::optional<date::local_seconds> last_at_or_before(date::local_seconds at) const;
};

// How far the firing searches look: 8 years, so a "29 February" cron still fires.
constexpr int k_cron_search_days = 8 * 366;

// Parses a cron expression; the error message says which field is wrong and why.
Expected<CronSpec> parse_cron(std::string_view text);

// The same weekly firings as "days at start": used to turn a plain window into a cron.
CronSpec weekly_cron(std::bitset<7> days_of_week, std::chrono::minutes start);

// "3h30m", "90m", "1h0m0s" (Go's time.ParseDuration units h, m, s); must be positive.
Expected<std::chrono::seconds> parse_duration(std::string_view text);

// "3h30m", "2h", "45m", "1h0m30s": the shortest form parse_duration reads back, in the thread's
// language (French: "3 h 30 min"; for people, not to be read back then).
std::string format_duration(std::chrono::seconds duration);

}  // namespace opsgate
