#include "window.hpp"

#include <cctype>
#include <stdexcept>

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "holidays.hpp"
#include "i18n.hpp"
#include "limits.hpp"
#include "toml_util.hpp"

namespace opsgate {

namespace {

using namespace std::string_view_literals;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr std::array k_monday_first = {1u, 2u, 3u, 4u, 5u, 6u, 0u};
constexpr minutes k_day{24 * 60};
constexpr minutes k_week{7 * 24 * 60};

std::string clock_text(minutes since_midnight) {
  auto value = since_midnight.count();
  return fmt::format("{:02}:{:02}", value / 60, value % 60);
}

date::local_seconds local_of(const toml::date_time& value) {
  return date::local_days(date::year(value.date.year) / value.date.month / value.date.day) +
         std::chrono::hours(value.time.hour) + minutes(value.time.minute) +
         seconds(value.time.second);
}

std::string describe_local(date::local_seconds local) {
  return date::format("%F %R", local);
}

// Reads one [[allow]] or [[deny]] table; problems go to the list as the schema checker's do.
class SpecReader {
 public:
  SpecReader(const toml::table& table, std::string shown, const std::string& path,
             std::vector<SchemaProblem>& problems)
      : m_table(table), m_shown(std::move(shown)), m_path(path), m_problems(problems) {}

  bool has(std::string_view key) const { return m_table.contains(key); }
  const toml::node* node(std::string_view key) const { return m_table.get(key); }

  void problem(std::string message, const toml::node& where) {
    m_problems.push_back({std::move(message), position_of(where, m_path)});
    m_ok = false;
  }
  void problem_here(std::string message) { problem(std::move(message), m_table); }
  bool ok() const { return m_ok; }
  const std::string& shown() const { return m_shown; }

  std::optional<std::string> text(std::string_view key, std::string_view required) {
    const toml::node* node = m_table.get(key);
    if (!node) return std::nullopt;
    if (!node->is_string()) {
      problem(trf("{}.{} is {}; {} is required", m_shown, key, describe_value(*node), required),
              *node);
      return std::nullopt;
    }
    return node->as_string()->get();
  }

  std::optional<CronSpec> cron(std::string_view key) {
    auto written = text(key, tr("a cron expression such as \"0 20 * * 1-4\""));
    if (!written) return std::nullopt;
    auto parsed = parse_cron(*written);
    if (!parsed) {
      problem(trf("{}.{} is invalid: {}", m_shown, key, parsed.error().message), *m_table.get(key));
      return std::nullopt;
    }
    // Release windows and freezes open at most once an hour. Denser schedules are not release
    // calendars, and their firings over the 8-year search horizon (4 million for every minute)
    // would make a check hang instead of answer.
    if (std::size_t per_hour = parsed->minutes.count(); per_hour > 1) {
      problem(trf("{}.{} is \"{}\", which fires {} times an hour; release windows fire at most "
                  "once an hour: name a single minute (such as \"0 22 * * 1-4\")",
                  m_shown, key, *written, per_hour),
              *m_table.get(key));
      return std::nullopt;
    }
    return *parsed;
  }

  std::optional<seconds> duration(std::string_view key) {
    auto written = text(key, tr("a duration such as \"3h30m\""));
    if (!written) return std::nullopt;
    auto parsed = parse_duration(*written);
    if (!parsed) {
      problem(trf("{}.{} is invalid: {}", m_shown, key, parsed.error().message), *m_table.get(key));
      return std::nullopt;
    }
    return *parsed;
  }

  std::optional<minutes> clock(std::string_view key) {
    const toml::node* node = m_table.get(key);
    if (!node) {
      problem_here(
          trf("{}.{} is missing; it is required (or write cron and duration)", m_shown, key));
      return std::nullopt;
    }
    auto parsed = node->is_string() ? parse_clock(node->as_string()->get()) : std::nullopt;
    if (!parsed)
      problem(trf("{}.{} is {}; {} is required", m_shown, key, describe_value(*node),
                  tr("a time \"HH:MM\" between 00:00 and 23:59")),
              *node);
    return parsed;
  }

  std::optional<std::bitset<7>> days() {
    const toml::node* node = m_table.get("days");
    if (!node) return std::bitset<7>().set();  // no days: every day
    const toml::array* array = node->as_array();
    if (!array) {
      problem(
          trf("{}.days is {}; an array of day names is required", m_shown, describe_value(*node)),
          *node);
      return std::nullopt;
    }
    std::bitset<7> days;
    for (const toml::node& item : *array) {
      auto day = item.is_string() ? parse_day_name(item.as_string()->get()) : std::nullopt;
      if (!day) {
        problem(trf("{}.days holds {}; one of mon, tue, wed, thu, fri, sat, sun is required",
                    m_shown, describe_value(item)),
                item);
        return std::nullopt;
      }
      days.set(*day);
    }
    if (days.none()) {
      problem(trf("{}.days is empty; name the days a window starts, or leave days out for every "
                  "day",
                  m_shown),
              *node);
      return std::nullopt;
    }
    return days;
  }

  std::optional<LocalPoint> point(std::string_view key) {
    const toml::node* node = m_table.get(key);
    if (!node) {
      problem_here(trf("{}.{} is missing; it is required", m_shown, key));
      return std::nullopt;
    }
    if (!node->is_date_time()) {
      problem(trf("{}.{} is {}; a date-time (2026-12-18T00:00:00) is required", m_shown, key,
                  describe_value(*node)),
              *node);
      return std::nullopt;
    }
    const toml::date_time& value = node->as_date_time()->get();
    LocalPoint point{local_of(value), std::nullopt};
    if (value.offset) point.offset = minutes(value.offset->minutes);
    return point;
  }

  std::vector<std::string> environments() {
    std::vector<std::string> out;
    const toml::node* node = m_table.get("environments");
    if (!node) return out;
    const toml::array* array = node->as_array();
    bool strings = array && std::all_of(array->begin(), array->end(),
                                        [](const toml::node& item) { return item.is_string(); });
    if (!strings) {
      problem(trf("{}.environments is {}; an array of strings is required", m_shown,
                  describe_value(*node)),
              *node);
      return out;
    }
    for (const toml::node& item : *array) out.push_back(item.as_string()->get());
    return out;
  }

  SourcePos where() const { return position_of(m_table, m_path); }

 private:
  const toml::table& m_table;
  std::string m_shown;
  const std::string& m_path;
  std::vector<SchemaProblem>& m_problems;
  bool m_ok = true;
};

std::string days_label(std::bitset<7> days) {
  if (days.all()) return std::string(tr("daily"));
  std::string out;
  for (unsigned day : k_monday_first)
    if (days[day]) out += (out.empty() ? "" : ",") + std::string(k_day_names[day]);
  return out;
}

std::optional<WindowSpec> read_allow(SpecReader& reader) {
  WindowSpec spec;
  spec.where = reader.where();
  spec.environments = reader.environments();
  if (reader.has("cron")) {
    if (reader.has("start") || reader.has("end") || reader.has("days"))
      reader.problem_here(trf("{} mixes days/start/end with cron; write one form", reader.shown()));
    auto cron = reader.cron("cron");
    std::optional<seconds> duration;
    if (!reader.has("duration"))
      reader.problem_here(trf("{}.duration is missing; a cron window needs one, such as \"3h30m\"",
                              reader.shown()));
    else
      duration = reader.duration("duration");
    if (!cron || !duration || !reader.ok()) return std::nullopt;
    spec.starts = *cron;
    spec.length = *duration;
    spec.label = trf("cron \"{}\" for {}", cron->text, format_duration(*duration));
    return spec;
  }
  if (reader.has("duration"))
    reader.problem_here(
        trf("{}.duration goes with cron; a days/start/end window ends at end", reader.shown()));
  auto days = reader.days();
  auto start = reader.clock("start");
  auto end = reader.clock("end");
  if (!days || !start || !end || !reader.ok()) return std::nullopt;
  minutes length = *end > *start ? *end - *start : *end - *start + k_day;
  spec.starts = weekly_cron(*days, *start);
  spec.length = length;
  spec.label = fmt::format("{} {}-{}", days_label(*days), clock_text(*start), clock_text(*end));
  return spec;
}

std::optional<WindowSpec> read_deny(SpecReader& reader) {
  WindowSpec spec;
  spec.where = reader.where();
  spec.environments = reader.environments();
  if (auto reason = reader.text("reason", tr("a string"))) spec.reason = *reason;
  bool period = reader.has("from") || reader.has("to");
  bool cron = reader.has("cron") || reader.has("duration");
  bool freeze = reader.has("freeze_start") || reader.has("freeze_end");
  int forms = int(period) + int(cron) + int(freeze);
  if (forms != 1) {
    reader.problem_here(
        forms == 0
            ? trf("{} needs from/to, cron/duration or freeze_start/freeze_end; write exactly one "
                  "form",
                  reader.shown())
            : trf("{} mixes from/to, cron/duration or freeze_start/freeze_end; write exactly one "
                  "form",
                  reader.shown()));
    return std::nullopt;
  }
  if (period) {
    auto from = reader.point("from");
    auto to = reader.point("to");
    if (!from || !to || !reader.ok()) return std::nullopt;
    spec.form = WindowSpec::Form::period;
    spec.from = *from;
    spec.to = *to;
    // Offsets aside, local date-times compare as written.
    auto comparable = [](const LocalPoint& point) {
      return point.local.time_since_epoch() - point.offset.value_or(minutes{0});
    };
    if (comparable(*from) >= comparable(*to)) {
      reader.problem(trf("{}.from {} is not before to {}", reader.shown(),
                         describe_local(from->local), describe_local(to->local)),
                     *reader.node("from"));
    }
    spec.label = trf("{} to {}", describe_local(from->local), describe_local(to->local));
    return reader.ok() ? std::optional(spec) : std::nullopt;
  }
  if (cron) {
    auto starts = reader.has("cron") ? reader.cron("cron") : std::nullopt;
    if (!reader.has("cron"))
      reader.problem_here(trf("{}.cron is missing; duration goes with cron", reader.shown()));
    std::optional<seconds> duration;
    if (!reader.has("duration"))
      reader.problem_here(
          trf("{}.duration is missing; a cron window needs one, such as \"64h\"", reader.shown()));
    else
      duration = reader.duration("duration");
    if (!starts || !duration || !reader.ok()) return std::nullopt;
    spec.starts = *starts;
    spec.length = *duration;
    spec.label = trf("cron \"{}\" for {}", starts->text, format_duration(*duration));
    return spec;
  }
  for (std::string_view key : {"freeze_start"sv, "freeze_end"sv})
    if (!reader.has(key))
      reader.problem_here(
          trf("{}.{} is missing; a GitLab-style freeze needs freeze_start and freeze_end",
              reader.shown(), key));
  auto starts = reader.has("freeze_start") ? reader.cron("freeze_start") : std::nullopt;
  auto ends = reader.has("freeze_end") ? reader.cron("freeze_end") : std::nullopt;
  if (!starts || !ends || !reader.ok()) return std::nullopt;
  spec.form = WindowSpec::Form::until_cron;
  spec.starts = *starts;
  spec.ends = *ends;
  spec.label = trf("freeze_start \"{}\" to freeze_end \"{}\"", starts->text, ends->text);
  return spec;
}

bool applies(const std::vector<std::string>& environments, std::string_view environment) {
  return environments.empty() ||
         std::find(environments.begin(), environments.end(), environment) != environments.end();
}

Seconds resolve_point(const date::time_zone& zone, const LocalPoint& point, Edge edge) {
  if (point.offset) return Seconds(point.local.time_since_epoch() - *point.offset);
  return resolve_local(zone, point.local, edge);
}

Seconds resolve_info(const date::local_info& info, date::local_seconds local, Edge edge) {
  switch (info.result) {
    case date::local_info::nonexistent:
      return info.first.end;  // the transition: the first instant after the skipped hour
    case date::local_info::ambiguous:
      return Seconds(local.time_since_epoch() -
                     (edge == Edge::start ? info.first.offset : info.second.offset));
    default:
      return Seconds(local.time_since_epoch() - info.first.offset);
  }
}

// resolve_local for a run of nearby local times: one time-zone lookup serves every time that
// lies two days or more inside the same offset period (no transition can make those ambiguous
// or skipped: offsets differ by at most 26 hours). An hourly window over the search horizon
// resolves 140,000 edges; the lookups and their copied abbreviations were a quarter of a check.
class LocalResolver {
 public:
  explicit LocalResolver(const date::time_zone& zone) : m_zone(zone) {}

  Seconds operator()(date::local_seconds local, Edge edge) {
    Seconds guess(local.time_since_epoch() - m_offset);
    if (guess >= m_safe_from && guess < m_safe_to) return guess;
    date::local_info info = m_zone.get_info(local);
    if (info.result == date::local_info::unique) {
      constexpr date::days margin{2};
      const date::sys_info& period = info.first;
      bool bounded_below = period.begin > Seconds::min() + margin;
      bool bounded_above = period.end < Seconds::max() - margin;
      m_offset = period.offset;
      m_safe_from = bounded_below ? period.begin + margin : Seconds::min();
      m_safe_to = bounded_above ? period.end - margin : Seconds::max();
    }
    return resolve_info(info, local, edge);
  }

 private:
  const date::time_zone& m_zone;
  std::chrono::seconds m_offset{0};
  Seconds m_safe_from{Seconds::max()};  // empty until the first lookup
  Seconds m_safe_to{Seconds::min()};
};

// The merged interval of `closed` (sorted, disjoint) that holds all of `span`, if any.
const Interval* covering(std::span<const Interval> closed, Interval span) {
  auto after =
      std::upper_bound(closed.begin(), closed.end(), span.from,
                       [](Seconds from, const Interval& block) { return from < block.from; });
  if (after == closed.begin()) return nullptr;
  const Interval& block = *std::prev(after);
  return block.to >= span.to ? &block : nullptr;
}

// The occurrences of `spec` that overlap [lo, hi), whole (not clipped), in start order.
// Occurrences held entirely by one interval of `closed` (sorted, disjoint; the caller subtracts
// them anyway) may be left out: the search resumes near that interval's end instead of visiting
// every firing inside it.
std::vector<Interval> occurrences(const WindowSpec& spec, const date::time_zone& zone, Seconds lo,
                                  Seconds hi, std::span<const Interval> closed = {}) {
  std::vector<Interval> out;
  auto keep = [&](Interval interval) {
    if (interval.from < interval.to && interval.from < hi && interval.to > lo)
      out.push_back(interval);
  };
  // Local margins of two days absorb any UTC offset change between lo and hi.
  date::local_seconds local_lo = zone.to_local(lo) - date::days(2);
  date::local_seconds local_hi = zone.to_local(hi) + date::days(2);
  LocalResolver resolve(zone);
  switch (spec.form) {
    case WindowSpec::Form::period:
      keep({resolve_point(zone, spec.from, Edge::start), resolve_point(zone, spec.to, Edge::end)});
      break;
    case WindowSpec::Form::recurring: {
      auto fire = spec.starts.next_after(local_lo - spec.length - seconds(1));
      while (fire && *fire < local_hi) {
        // Firings that start before this occurrence ends extend it: jump to the last of them
        // instead of visiting each (a cron firing every minute with a long duration took
        // minutes and gigabytes: tests/fuzz/regressions/window).
        date::local_seconds run_last = *fire;
        date::local_seconds run_end = *fire + spec.length;
        while (run_end < local_hi) {
          auto last = spec.starts.last_at_or_before(run_end);
          if (!last || *last <= run_last) break;
          run_last = *last;
          run_end = *last + spec.length;
        }
        Interval occurrence{resolve(*fire, Edge::start), resolve(run_end, Edge::end)};
        keep(occurrence);
        // Later firings before local_hi only repeat what this occurrence already covers.
        if (run_end >= local_hi) break;
        date::local_seconds resume = run_last;
        // Inside a closed interval, skip to the firings whose occurrence can end after it: a
        // one-second window every minute under a century-long deny visited 4 million firings
        // (tests/fuzz/regressions/window/allow-every-minute-century-deny.toml). The two days
        // absorb any UTC offset change, as above: the firings skipped start after this
        // occurrence starts and end two local days before the interval ends, so they lie
        // inside it and the open intervals stay the same.
        if (const Interval* block = covering(closed, occurrence))
          resume = std::max(resume, zone.to_local(block->to) - date::days(2) - spec.length);
        fire = spec.starts.next_after(resume);
      }
      break;
    }
    case WindowSpec::Form::until_cron: {
      // A freeze runs from a firing of freeze_start to the first firing of freeze_end after it;
      // starts inside a running freeze do not extend it.
      auto start = spec.starts.last_at_or_before(local_lo);
      if (!start) start = spec.starts.next_after(local_lo);
      while (start && *start < local_hi) {
        auto end = spec.ends.next_after(*start);
        Seconds from = resolve(*start, Edge::start);
        if (!end) {
          keep({from, hi + k_window_horizon});
          break;
        }
        keep({from, resolve(*end, Edge::end)});
        start = spec.starts.next_after(*end - seconds(1));
      }
      break;
    }
  }
  return out;
}

// Sorted, merged (overlapping or touching intervals joined).
std::vector<Interval> merged(std::vector<Interval> intervals) {
  std::sort(intervals.begin(), intervals.end(),
            [](const Interval& a, const Interval& b) { return a.from < b.from; });
  std::vector<Interval> out;
  for (const Interval& interval : intervals) {
    if (!out.empty() && interval.from <= out.back().to)
      out.back().to = std::max(out.back().to, interval.to);
    else
      out.push_back(interval);
  }
  return out;
}

// ` "text"`, or nothing for an empty text.
std::string quoted(const std::string& text) {
  return text.empty() ? std::string() : " \"" + text + "\"";
}

std::string describe_span(const Schedule& schedule, Interval span) {
  return trf("{} to {}", format_local(schedule, span.from), format_local(schedule, span.to));
}

// "Thu", "Fri" as people read them ("jeu.", "ven." in French); index 0 is Sunday.
std::string_view weekday_abbreviation(date::weekday day) {
  static constexpr std::string_view k_abbreviations[] = {
      tr_noop("Sun"), tr_noop("Mon"), tr_noop("Tue"), tr_noop("Wed"),
      tr_noop("Thu"), tr_noop("Fri"), tr_noop("Sat")};
  return tr(k_abbreviations[day.c_encoding() % 7]);
}

Interval local_day(const date::time_zone& zone, date::local_days day) {
  return {resolve_local(zone, date::local_seconds(day), Edge::start),
          resolve_local(zone, date::local_seconds(day + date::days(1)), Edge::end)};
}

// Calls visit(span, cause, reason) for everything that closes the schedule during [lo, hi): deny
// windows, then freezes, then holidays. `reason()` writes the explanation, asked only for the
// blocker that closes the window at the instant asked about: formatting local times costs more
// than finding the interval, and a dense deny has thousands.
template <typename Visit>
void for_each_blocker(const Schedule& schedule, std::span<const Calendar> calendars,
                      std::string_view environment, Seconds lo, Seconds hi, Visit&& visit) {
  const date::time_zone& zone = *schedule.zone;
  for (const WindowSpec& deny : schedule.deny) {
    if (!deny.applies_to(environment)) continue;
    for (const Interval& span : occurrences(deny, zone, lo, hi))
      visit(span, WindowCause::deny, [&schedule, &deny, span] {
        return trf("deny window{}{} from {}", quoted(deny.reason),
                   deny.form == WindowSpec::Form::period ? "" : " (" + deny.label + ")",
                   describe_span(schedule, span));
      });
  }
  for (const Calendar& pack : calendars)
    for (const Freeze& freeze : pack.freezes) {
      if (!applies(freeze.environments, environment)) continue;
      if (freeze.from < hi && freeze.to > lo)
        visit(Interval{freeze.from, freeze.to}, WindowCause::freeze, [&schedule, &freeze, &pack] {
          return trf("freeze{} of pack {} from {}", quoted(freeze.reason), pack.name,
                     describe_span(schedule, {freeze.from, freeze.to}));
        });
    }
  auto add_holiday = [&](date::local_days day, const std::string& name, auto origin) {
    Interval span = local_day(zone, day);
    if (span.from < hi && span.to > lo)
      visit(span, WindowCause::holiday, [&name, day, origin] {
        return trf("holiday{} on {} {} ({})", quoted(name),
                   weekday_abbreviation(date::weekday(day)), date::format("%F", day), origin());
      });
  };
  date::year first_year = date::year_month_day(date::floor<date::days>(zone.to_local(lo))).year();
  date::year last_year = date::year_month_day(date::floor<date::days>(zone.to_local(hi))).year();
  for (const Calendar& pack : calendars) {
    for (const Holiday& holiday : pack.holidays)
      if (applies(holiday.environments, environment))
        add_holiday(date::local_days(holiday.date.time_since_epoch()), holiday.name,
                    [&pack] { return trf("pack {}", pack.name); });
    for (const std::string& calendar : pack.holiday_calendars)
      for (date::year year = first_year; year <= last_year; ++year)
        for (const NamedDay& day : holidays_in(calendar, static_cast<int>(year)))
          add_holiday(date::local_days(day.day.time_since_epoch()), day.name, [&pack, &calendar] {
            return trf("{} calendar of pack {}", calendar, pack.name);
          });
  }
}

std::vector<const WindowSpec*> applicable_allows(const Schedule& schedule,
                                                 std::string_view environment) {
  std::vector<const WindowSpec*> out;
  for (const WindowSpec& spec : schedule.allow)
    if (spec.applies_to(environment)) out.push_back(&spec);
  return out;
}

// Overlap, in minutes, of [a, a + a_length) and [b, b + b_length) on a cyclic week.
minutes cyclic_overlap(minutes a, minutes a_length, minutes b, minutes b_length) {
  minutes total{0};
  for (int shift = -2; shift <= 2; ++shift) {
    minutes from = std::max(a, b + shift * k_week);
    minutes to = std::min(a + a_length, b + shift * k_week + b_length);
    if (to > from) total += to - from;
  }
  return total;
}

std::string weekly_label(minutes start, minutes length) {
  auto day_of = [](minutes at) {
    auto index = static_cast<std::size_t>(((at.count() / k_day.count()) % 7 + 7) % 7);
    return k_day_names[k_monday_first[index]];
  };
  minutes end = start + length;
  auto time_of = [](minutes at) { return clock_text(minutes(at.count() % k_day.count())); };
  if (length <= k_day) return fmt::format("{} {}-{}", day_of(start), time_of(start), time_of(end));
  return fmt::format("{} {}-{} {}", day_of(start), time_of(start), day_of(end), time_of(end));
}

}  // namespace

bool WindowSpec::applies_to(std::string_view environment) const {
  return applies(environments, environment);
}

std::optional<unsigned> parse_day_name(std::string_view name) {
  for (unsigned day = 0; day < k_day_names.size(); ++day)
    if (k_day_names[day] == name) return day;
  return std::nullopt;
}

std::string_view day_name(unsigned weekday) {
  return k_day_names[weekday % 7];
}

std::optional<minutes> parse_clock(std::string_view text) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  for (std::size_t i : {0u, 1u, 3u, 4u})
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
  int hours = (text[0] - '0') * 10 + (text[1] - '0');
  int mins = (text[3] - '0') * 10 + (text[4] - '0');
  if (hours > 23 || mins > 59) return std::nullopt;
  return minutes(hours * 60 + mins);
}

bool is_iana_zone_name(std::string_view name) {
  // Files of the zoneinfo directory that are not zones of the IANA database: "localtime" is the
  // runner's own zone (the same manifest would mean another time on another machine), the
  // others are the database's internals or its alternative trees.
  static constexpr std::string_view k_not_zones[] = {"localtime", "posixrules", "Factory",
                                                     "leapseconds", "tzdata.zi"};
  if (name.empty() || name.size() > 64) return false;
  for (std::string_view excluded : k_not_zones)
    if (name == excluded) return false;
  if (name.starts_with("posix/") || name.starts_with("right/")) return false;
  // Area/Location names: letters, digits, '_', '-', '+', components joined by single '/'.
  std::size_t component = 0;
  for (char c : name) {
    if (c == '/') {
      if (component == 0) return false;
      component = 0;
      continue;
    }
    const bool allowed =
        std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '+';
    if (!allowed) return false;
    ++component;
  }
  return component > 0 && std::isalpha(static_cast<unsigned char>(name.front()));
}

Schedule parse_schedule(const toml::table& table, std::string_view key, const std::string& path,
                        std::vector<SchemaProblem>& problems) {
  Schedule schedule;
  schedule.key = std::string(key);
  schedule.where = position_of(table, path);
  std::size_t problems_before = problems.size();
  auto problem = [&](std::string message, const toml::node& where) {
    problems.push_back({std::move(message), position_of(where, path)});
  };

  const toml::node* timezone = table.get("timezone");
  if (timezone && !timezone->is_string())
    problem(trf("{}.timezone is {}; an IANA time zone name such as \"Europe/Paris\" is required",
                key, describe_value(*timezone)),
            *timezone);
  if (timezone && timezone->is_string()) schedule.timezone = timezone->as_string()->get();
  bool declares = table.contains("allow") || table.contains("deny");
  if (declares && !timezone)
    problems.push_back(
        {trf("{}.timezone is missing; it is required when windows are declared", key),
         schedule.where});
  // The time-zone database is read here, and only for a table that names a timezone: a
  // manifest without one never pays for it.
  if (timezone && timezone->is_string()) {
    try {
      if (!is_iana_zone_name(schedule.timezone)) throw std::invalid_argument("not an IANA name");
      schedule.zone = date::locate_zone(schedule.timezone);
    } catch (const std::exception&) {
      problem(trf("{}.timezone is {}, which is not an IANA time zone (such as \"Europe/Paris\" "
                  "or \"America/New_York\")",
                  key, describe_value(*timezone)),
              *timezone);
    }
  }
  for (std::string_view list : {"allow"sv, "deny"sv}) {
    const toml::node* node = table.get(list);
    if (!node) continue;
    const toml::array* array = node->as_array();
    if (!array || !array->is_array_of_tables()) {
      problem(trf("{}.{} is {}; [[{}.{}]] tables are required", key, list, describe_value(*node),
                  key, list),
              *node);
      continue;
    }
    if (array->size() > k_max_windows) {
      // Each window is searched at every evaluation (a cron one minute by minute over days): a
      // manifest of thousands of them would cost seconds of every push.
      problem(trf("{}.{} declares {} windows; at most {} are read", key, list, array->size(),
                  k_max_windows),
              *node);
      continue;
    }
    std::size_t index = 0;
    for (const toml::node& item : *array) {
      SpecReader reader(*item.as_table(), fmt::format("{}.{}[{}]", key, list, ++index), path,
                        problems);
      auto spec = list == "allow" ? read_allow(reader) : read_deny(reader);
      if (spec) (list == "allow" ? schedule.allow : schedule.deny).push_back(std::move(*spec));
    }
  }

  if (problems.size() != problems_before) schedule.zone = nullptr;
  return schedule;
}

std::string_view cause_name(WindowCause cause) {
  switch (cause) {
    case WindowCause::allow:
      return "allow";
    case WindowCause::outside:
      return "outside";
    case WindowCause::no_allow:
      return "no_allow";
    case WindowCause::deny:
      return "deny";
    case WindowCause::freeze:
      return "freeze";
    case WindowCause::holiday:
      return "holiday";
  }
  return "outside";
}

Seconds resolve_local(const date::time_zone& zone, date::local_seconds local, Edge edge) {
  return resolve_info(zone.get_info(local), local, edge);
}

std::vector<Interval> open_intervals(const Schedule& schedule, std::span<const Calendar> calendars,
                                     std::string_view environment, Seconds lo, Seconds hi) {
  std::vector<Interval> out;
  if (!schedule.zone || lo >= hi) return out;
  auto allows = applicable_allows(schedule, environment);
  if (allows.empty()) return out;
  std::vector<Interval> closed;
  for_each_blocker(schedule, calendars, environment, lo, hi,
                   [&closed](Interval span, WindowCause, auto&&) { closed.push_back(span); });
  closed = merged(std::move(closed));
  std::vector<Interval> allowed;
  for (const WindowSpec* spec : allows) {
    auto found = occurrences(*spec, *schedule.zone, lo, hi, closed);
    allowed.insert(allowed.end(), found.begin(), found.end());
  }
  if (allowed.empty()) return out;
  // Both lists are sorted and disjoint: one sweep (an hourly deny over the 8-year horizon is
  // 70,000 intervals, and comparing each with each took 13 s).
  std::size_t first = 0;  // the first closed interval that can still overlap what follows
  for (Interval open : merged(std::move(allowed))) {
    open.from = std::max(open.from, lo);
    open.to = std::min(open.to, hi);
    while (first < closed.size() && closed[first].to <= open.from) ++first;
    for (std::size_t k = first; k < closed.size() && closed[k].from < open.to; ++k) {
      if (closed[k].from > open.from) out.push_back({open.from, closed[k].from});
      open.from = std::max(open.from, closed[k].to);
    }
    if (open.from < open.to) out.push_back(open);
  }
  return out;
}

WindowState window_state(const Schedule& schedule, std::span<const Calendar> calendars,
                         std::string_view environment, Seconds at) {
  WindowState state;
  auto allows = applicable_allows(schedule, environment);
  if (!schedule.zone || allows.empty()) {
    state.cause = WindowCause::no_allow;
    state.reason = schedule.allow.empty()
                       ? trf("{} declares no allow window, so it never opens", schedule.key)
                       : trf("no allow window of {} applies to environment {}, so it never opens",
                             schedule.key, environment);
    return state;
  }

  Seconds just_after = at + seconds(1);
  for_each_blocker(schedule, calendars, environment, at, just_after,
                   [&state, at](Interval span, WindowCause cause, auto&& reason) {
                     if (state.period || !span.contains(at)) return;
                     state.cause = cause;
                     state.reason = reason();
                     state.period = span;
                   });
  if (!state.period) {
    state.cause = WindowCause::outside;
    state.reason = tr("outside every allow window");
    for (const WindowSpec* spec : allows) {
      for (const Interval& occurrence : occurrences(*spec, *schedule.zone, at, just_after)) {
        if (!occurrence.contains(at)) continue;
        state.open = true;
        state.cause = WindowCause::allow;
        state.reason = trf("inside allow window {}", spec->label);
        state.period = occurrence;
        break;
      }
      if (state.open) break;
    }
  }

  // Look a week ahead, then further, until the edges are known or the horizon is reached. Each
  // step reads only the range the previous ones did not (an interval cut at a step's end is
  // joined to its continuation), so a window that never opens costs one pass over the horizon.
  std::vector<Interval> open;
  Seconds searched = at;
  for (std::chrono::days range{7};; range *= 4) {
    range = std::min(range, k_window_horizon);
    Seconds hi = at + range;
    for (Interval found : open_intervals(schedule, calendars, environment, searched, hi)) {
      if (!open.empty() && open.back().to == found.from)
        open.back().to = found.to;
      else
        open.push_back(found);
    }
    searched = hi;
    bool settled = false;
    if (state.open) {
      if (!open.empty() && open.front().from == at && open.front().to < hi) {
        state.closes_at = open.front().to;
        settled = true;
      }
    } else if (!open.empty()) {
      state.next_open = open.front().from;
      if (open.front().to < hi) {
        state.next_closes_at = open.front().to;
        settled = true;
      }
    }
    if (settled || range == k_window_horizon) break;
  }
  return state;
}

std::vector<std::string> weekly_overlaps(const Schedule& schedule, std::string_view environment,
                                         std::bitset<7> days, minutes start, minutes length) {
  std::vector<minutes> periods;
  for (std::size_t index = 0; index < 7; ++index)
    if (days[k_monday_first[index]]) periods.push_back(static_cast<int>(index) * k_day + start);
  std::vector<std::string> out;
  for (const WindowSpec* spec : applicable_allows(schedule, environment)) {
    if (spec->form != WindowSpec::Form::recurring) continue;
    const CronSpec& cron = spec->starts;
    // A restricted day of month falls on every weekday sooner or later.
    std::bitset<7> weekdays = cron.any_day_of_month ? cron.days_of_week : std::bitset<7>().set();
    minutes window_length = std::chrono::ceil<minutes>(spec->length);
    for (std::size_t index = 0; index < 7; ++index) {
      if (!weekdays[k_monday_first[index]]) continue;
      for (std::size_t hour = 0; hour < 24; ++hour) {
        if (!cron.hours[hour]) continue;
        for (std::size_t minute = 0; minute < 60; ++minute) {
          if (!cron.minutes[minute]) continue;
          minutes from = static_cast<int>(index) * k_day + minutes(hour * 60 + minute);
          for (minutes period : periods) {
            minutes overlap = cyclic_overlap(from, window_length, period, length);
            if (overlap.count() == 0) continue;
            out.push_back(trf("{} overlaps business hours {} by {}",
                              weekly_label(from, window_length), weekly_label(period, length),
                              format_duration(overlap)));
          }
        }
      }
    }
  }
  return out;
}

std::string format_local(const Schedule& schedule, Seconds instant) {
  if (!schedule.zone) return format_utc(instant);
  const auto zoned = date::make_zoned(schedule.zone, instant);
  const date::weekday day(date::floor<date::days>(zoned.get_local_time()));
  return fmt::format("{} {}", weekday_abbreviation(day), date::format("%F %R %Z", zoned));
}

std::string format_local_rfc3339(const Schedule& schedule, Seconds instant) {
  if (!schedule.zone) return format_utc(instant);
  return date::format("%FT%T%Ez", date::make_zoned(schedule.zone, instant));
}

}  // namespace opsgate
