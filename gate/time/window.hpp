#pragma once
// Release windows. A table shaped like a manifest's [release_window] (an IANA `timezone`,
// [[allow]] windows and [[deny]] periods, each in plain, Argo CD cron or GitLab freeze form)
// becomes a Schedule; the packs' [[freeze]] periods and holidays are added when it is asked
// whether it is open. Local times resolve through the IANA database (date/tz), which is read
// only when a table names a timezone. Every period is half-open [from, to).

#include <bitset>
#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <date/tz.h>
#include <toml++/toml.h>

#include "cron.hpp"
#include "error.hpp"
#include "timeutil.hpp"

namespace opsgate {

// A period of a rule pack during which no release happens.
struct Freeze {
  Seconds from;
  Seconds to;
  std::string reason;
  std::vector<std::string> environments;
  SourcePos where;
};

// A day on which no release happens: the whole local day in the manifest's timezone.
struct Holiday {
  Days date;
  std::string name;
  std::vector<std::string> environments;  // empty: every environment
  SourcePos where;
};

// What one rule pack adds to every schedule: its freezes and holidays.
struct Calendar {
  std::string name;  // the pack's, for messages
  std::vector<Freeze> freezes;
  std::vector<Holiday> holidays;
  std::vector<std::string> holiday_calendars;  // [pack] holidays = "FR": built-in calendars
};

struct Interval {
  Seconds from;
  Seconds to;

  bool contains(Seconds instant) const { return from <= instant && instant < to; }
};

// A local date-time of the manifest; an explicit offset, when written, wins over the timezone.
struct LocalPoint {
  date::local_seconds local;
  std::optional<std::chrono::minutes> offset;
};

// One [[allow]] or [[deny]] entry, whatever form it was written in.
struct WindowSpec {
  enum class Form {
    recurring,   // days/start/end, or cron + duration: a window of `length` at each firing
    until_cron,  // freeze_start/freeze_end: from a firing of `starts` to the next of `ends`
    period,      // from/to
  };
  Form form = Form::recurring;
  CronSpec starts;                 // recurring, until_cron (local wall-clock firings)
  std::chrono::seconds length{0};  // recurring: wall-clock length (end - start, or duration)
  CronSpec ends;                   // until_cron
  LocalPoint from, to;             // period
  std::string label;   // "mon,tue,wed,thu 20:00-23:30", "cron \"0 20 * * 1-4\" for 3h30m"
  std::string reason;  // deny windows: why
  std::vector<std::string> environments;  // empty: every environment
  SourcePos where;

  bool applies_to(std::string_view environment) const;
};

struct Schedule {
  std::string key;  // "release_window", as messages name it
  std::string timezone;
  const date::time_zone* zone = nullptr;  // set when the timezone is valid
  std::vector<WindowSpec> allow;
  std::vector<WindowSpec> deny;
  SourcePos where;
};

// Whether `name` is written as a zone of the IANA database ("Europe/Paris", "UTC", "Etc/GMT+1"):
// never the runner's own "localtime", nor the database's internals or its posix/ and right/
// copies. locate_zone() says whether the zone exists.
bool is_iana_zone_name(std::string_view name);

// Reads `table` (the value of `key`), validating every window; problems carry their key's
// line:column in `path`. The schedule may be evaluated only when `problems` stayed empty.
Schedule parse_schedule(const toml::table& table, std::string_view key, const std::string& path,
                        std::vector<SchemaProblem>& problems);

// A table read by parse_schedule, with what it found wrong.
struct ParsedSchedule {
  Schedule schedule;
  std::vector<SchemaProblem> problems;
};

enum class WindowCause {
  allow,     // open: inside an allow window
  outside,   // closed: outside every allow window
  no_allow,  // closed: no allow window applies to the environment, so it never opens
  deny,      // closed by a [[deny]] window of the manifest
  freeze,    // closed by a pack's [[freeze]]
  holiday,   // closed by a holiday
};
std::string_view cause_name(WindowCause cause);

struct WindowState {
  bool open = false;
  WindowCause cause = WindowCause::no_allow;
  std::string reason;                // "inside allow window thu 20:00-23:30", "freeze \"...\" ..."
  std::optional<Interval> period;    // the allow window or blocker the reason names
  std::optional<Seconds> closes_at;  // open: when it closes
  std::optional<Seconds> next_open;  // closed: when it next opens
  std::optional<Seconds> next_closes_at;  // closed: when that next opening closes
  // Unset times mean "not within k_window_horizon" (or never, for no_allow).
};

// How far ahead openings and closings are looked for.
constexpr std::chrono::days k_window_horizon{8 * 366};

// Whether `schedule` is open at `at` for `environment`, with the packs' freezes and holidays.
// Next openings and closings come from window edges, never from stepping through time.
WindowState window_state(const Schedule& schedule, std::span<const Calendar> calendars,
                         std::string_view environment, Seconds at);

// The instants of [lo, hi) at which the schedule is open, as sorted disjoint intervals.
std::vector<Interval> open_intervals(const Schedule& schedule, std::span<const Calendar> calendars,
                                     std::string_view environment, Seconds lo, Seconds hi);

// Maps a local time of `zone` to an instant: a time that does not exist (spring forward) is
// the transition instant; one that happens twice (fall back) is the earlier instant for the
// start of a period and the later one for its end.
enum class Edge { start, end };
Seconds resolve_local(const date::time_zone& zone, date::local_seconds local, Edge edge);

// Overlaps of the applicable allow windows with a weekly period (wall clock, `days` at
// `start` for `length`), as "mon 17:00-21:00 overlaps business hours mon 08:00-19:00 by 2h".
std::vector<std::string> weekly_overlaps(const Schedule& schedule, std::string_view environment,
                                         std::bitset<7> days, std::chrono::minutes start,
                                         std::chrono::minutes length);

// "Thu 2026-11-26 21:30 CET" and "2026-11-26T21:30:00+01:00" in the schedule's timezone.
std::string format_local(const Schedule& schedule, Seconds instant);
std::string format_local_rfc3339(const Schedule& schedule, Seconds instant);

// Day names as written in manifests, "mon".."sun"; index 0 is Sunday like date::weekday.
std::optional<unsigned> parse_day_name(std::string_view name);
std::string_view day_name(unsigned weekday);

// "HH:MM" to minutes after midnight.
std::optional<std::chrono::minutes> parse_clock(std::string_view text);

}  // namespace opsgate
