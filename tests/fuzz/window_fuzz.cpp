// Fuzz target `window`: release windows and their cron syntax, through the public functions of
// window.hpp and cron.hpp (read-only use). The input is read three ways:
//  - its first line as a cron expression and as a Go-style duration (parse_cron, parse_duration;
//    a parsed cron must find its next and last firing, a duration must print back to itself);
//  - the whole text as TOML holding a release-window table (the document's [release_window], or
//    the document itself): parse_schedule, then, when it is valid, the window state at a fixed
//    instant with a pack's freeze and the FR holiday calendar, the open intervals of the next
//    two weeks and the weekly overlaps with business hours.
// Invalid crons, durations, TOML and windows are expected; exceptions, crashes, broken
// invariants and inputs that take more than a second are bugs.

#include "cron.hpp"
#include "fuzz_support.hpp"
#include "toml_util.hpp"
#include "window.hpp"

using namespace opsgate;

namespace {

// A pack as the window code sees it: a freeze, a holiday of its own and the FR calendar.
std::span<const Calendar> sample_packs() {
  static const std::vector<Calendar> packs = [] {
    Calendar pack;
    pack.name = "fuzz";
    const Seconds from = Seconds(std::chrono::sys_days(std::chrono::year(2026) / 12 / 18));
    pack.freezes.push_back({from, from + std::chrono::days(17), "year end", {"production"}, {}});
    pack.holidays.push_back(
        {std::chrono::sys_days(std::chrono::year(2026) / 11 / 27), "company day", {}, {}});
    pack.holiday_calendars = {"FR"};
    return std::vector<Calendar>{pack};
  }();
  return packs;
}

void check_cron(std::string_view line) {
  auto cron = parse_cron(line);
  if (!cron) return;
  const date::local_seconds at{fuzz::sample_instant().utc.time_since_epoch()};
  auto next = cron->next_after(at);
  auto last = cron->last_at_or_before(at);
  if (next && *next <= at) fuzz::violated("next_after is not after");
  if (last && *last > at) fuzz::violated("last_at_or_before is after");
  // parse_cron refuses crons that never fire, and every firing recurs within the search span.
  if (!next || !last) fuzz::violated("a parsed cron that never fires", line);
  if (auto again = cron->next_after(*last - std::chrono::seconds(1)); !again || *again != *last)
    fuzz::violated("next_after and last_at_or_before disagree", line);
}

void check_duration(std::string_view line) {
  auto duration = parse_duration(line);
  if (!duration) return;
  if (duration->count() <= 0) fuzz::violated("a duration that is not positive", line);
  auto again = parse_duration(format_duration(*duration));
  if (!again || *again != *duration) fuzz::violated("format_duration does not read back", line);
}

void check_schedule(std::string_view text) {
  auto doc = parse_toml(text, "operability.toml");
  if (!doc) return;
  const toml::table* table = (*doc)["release_window"].as_table();
  if (!table) table = &*doc;
  std::vector<SchemaProblem> problems;
  Schedule schedule = parse_schedule(*table, "release_window", "operability.toml", problems);
  for (const SchemaProblem& problem : problems)
    if (problem.message.empty()) fuzz::violated("a window problem without a message");
  if (!problems.empty()) return;

  const Seconds at = fuzz::sample_instant().utc;
  for (std::string_view environment : {"production", "staging"}) {
    WindowState state = window_state(schedule, sample_packs(), environment, at);
    if (state.open && (state.next_open || state.cause != WindowCause::allow))
      fuzz::violated("an open state with a next opening or a closing cause");
    if (state.closes_at && *state.closes_at <= at) fuzz::violated("closes before it is asked");
    if (state.next_open && *state.next_open <= at) fuzz::violated("opens before it is asked");
    if (state.next_open && state.next_closes_at && *state.next_closes_at <= *state.next_open)
      fuzz::violated("the next opening closes before it opens");
    (void)format_local(schedule, at);
    (void)format_local_rfc3339(schedule, at);
  }
  auto open =
      open_intervals(schedule, sample_packs(), "production", at, at + std::chrono::days(14));
  for (std::size_t i = 0; i < open.size(); ++i) {
    if (!(open[i].from < open[i].to)) fuzz::violated("an empty open interval");
    if (open[i].from < at || open[i].to > at + std::chrono::days(14))
      fuzz::violated("an open interval outside the range asked");
    if (i > 0 && !(open[i - 1].to <= open[i].from)) fuzz::violated("open intervals overlap");
  }
  std::bitset<7> weekdays;
  for (unsigned day = 1; day <= 5; ++day) weekdays.set(day);
  (void)weekly_overlaps(schedule, "production", weekdays, std::chrono::hours(8),
                        std::chrono::hours(11));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = fuzz::as_text(data, size);
  const std::string_view line = text.substr(0, text.find('\n'));
  check_cron(line);
  check_duration(line);
  check_schedule(text);
  return 0;
}
