#include "cron.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <charconv>
#include <span>
#include <vector>

#include "i18n.hpp"

namespace opsgate {

namespace {

struct FieldRange {
  std::string_view name;
  int low;
  int high;
  std::span<const std::string_view> names;  // names[i] is value low + i (months, days)
};

constexpr std::array<std::string_view, 12> k_month_names = {
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};

constexpr std::array<FieldRange, 5> k_fields = {{
    {tr_noop("minute"), 0, 59, {}},
    {tr_noop("hour"), 0, 23, {}},
    {tr_noop("day of month"), 1, 31, {}},
    {tr_noop("month"), 1, 12, k_month_names},
    {tr_noop("day of week"), 0, 7, k_day_names},  // 7 is Sunday too
}};

constexpr std::array<std::pair<std::string_view, std::string_view>, 7> k_shortcuts = {{
    {"@yearly", "0 0 1 1 *"},
    {"@annually", "0 0 1 1 *"},
    {"@monthly", "0 0 1 * *"},
    {"@weekly", "0 0 * * 0"},
    {"@daily", "0 0 * * *"},
    {"@midnight", "0 0 * * *"},
    {"@hourly", "0 * * * *"},
}};

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

std::vector<std::string_view> split_fields(std::string_view text) {
  std::vector<std::string_view> fields;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    std::size_t start = i;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i > start) fields.push_back(text.substr(start, i - start));
  }
  return fields;
}

std::optional<int> parse_int(std::string_view text) {
  int value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

std::optional<int> field_value(const FieldRange& field, std::string_view text) {
  if (auto number = parse_int(text)) return number;
  std::string name = lower(text);
  for (std::size_t i = 0; i < field.names.size(); ++i)
    if (field.names[i] == name) return field.low + static_cast<int>(i);
  return std::nullopt;
}

// Sets the bits of one field; returns an error message, or "" when the field is valid.
std::string parse_field(const FieldRange& field, std::string_view text, std::vector<bool>& bits,
                        bool& any) {
  any = text == "*" || text == "?";
  for (std::string_view item : split(text, ',')) {
    std::string_view range = item;
    int step = 1;
    if (std::size_t slash = item.find('/'); slash != std::string_view::npos) {
      auto parsed = parse_int(item.substr(slash + 1));
      if (!parsed || *parsed < 1)
        return trf("{} step '{}' must be a positive number", tr(field.name),
                   item.substr(slash + 1));
      step = *parsed;
      range = item.substr(0, slash);
    }
    int low, high;
    if (range == "*" || range == "?") {
      low = field.low;
      high = field.high;
    } else {
      std::size_t dash = range.find('-');
      auto first = field_value(field, range.substr(0, dash));
      const auto not_a_value = [&field](std::string_view text) {
        return field.names.empty() ? trf("{} '{}' is not a number", tr(field.name), text)
                                   : trf("{} '{}' is not a number or a name", tr(field.name), text);
      };
      if (!first) return not_a_value(range.substr(0, dash));
      low = *first;
      high = item.find('/') != std::string_view::npos ? field.high : low;
      if (dash != std::string_view::npos) {
        auto last = field_value(field, range.substr(dash + 1));
        if (!last) return not_a_value(range.substr(dash + 1));
        high = *last;
      }
      if (low < field.low || high > field.high)
        return trf("{} {} is out of range {}-{}", tr(field.name), low < field.low ? low : high,
                   field.low, field.high);
      if (low > high) return trf("{} range {}-{} is backwards", tr(field.name), low, high);
    }
    // Stops before value + step could overflow: a step may be as large as an int ("1/2147483647").
    for (int value = low; value <= high; value += step) {
      bits[static_cast<std::size_t>(value)] = true;
      if (step > high - value) break;
    }
  }
  return {};
}

// The longest duration: the largest term parse_duration reads (six digits of hours).
constexpr std::chrono::hours k_max_duration{999999};

constexpr std::array<int, 13> k_longest_month = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

}  // namespace

bool CronSpec::matches_day(date::year_month_day day) const {
  if (!months[static_cast<unsigned>(day.month())]) return false;
  bool dom = days_of_month[static_cast<unsigned>(day.day())];
  bool dow = days_of_week[date::weekday(day).c_encoding()];
  if (any_day_of_month || any_day_of_week) return dom && dow;
  return dom || dow;
}

namespace {

// The lowest set bit at or above `from` in the low `width` bits of `mask`, or -1.
int first_at_or_above(unsigned long long mask, int from, int width) {
  if (from >= width) return -1;
  mask >>= from;
  return mask ? from + std::countr_zero(mask) : -1;
}

// The highest set bit at or below `from` in `mask`, or -1.
int last_at_or_below(unsigned long long mask, int from) {
  if (from < 0) return -1;
  if (from < 63) mask &= (2ULL << from) - 1;
  return mask ? 63 - std::countl_zero(mask) : -1;
}

}  // namespace

bool CronSpec::fires_every_day() const {
  // Every month, every day of the month and every weekday: matches_day holds whichever way the
  // two day fields combine. Masks, not counts: this runs once per search.
  constexpr unsigned long long all_months = 0x1FFE, all_days_of_month = 0xFFFFFFFE,
                               all_weekdays = 0x7F;
  return (months.to_ullong() & all_months) == all_months &&
         (days_of_month.to_ullong() & all_days_of_month) == all_days_of_month &&
         (days_of_week.to_ullong() & all_weekdays) == all_weekdays;
}

// Both searches jump from firing hour to firing minute with bit scans: an hourly cron over the
// 8-year horizon is 70,000 firings, and stepping minute by minute made a check take seconds
// (tests/fuzz/regressions/window/hourly-allow-under-hourly-deny.toml).
std::optional<date::local_seconds> CronSpec::next_after(date::local_seconds after) const {
  const unsigned long long minute_mask = minutes.to_ullong(), hour_mask = hours.to_ullong();
  const bool every_day = fires_every_day();
  auto first_day = date::floor<date::days>(after);
  // The first minute strictly after `after` on the first day.
  int first_minute =
      static_cast<int>(date::floor<std::chrono::minutes>(after - first_day).count()) + 1;
  for (int offset = 0; offset <= k_cron_search_days; ++offset) {
    date::local_days day = first_day + date::days(offset);
    if (!every_day && !matches_day(date::year_month_day(day))) continue;
    int from = offset == 0 ? first_minute : 0;
    for (int hour = first_at_or_above(hour_mask, from / 60, 24); hour >= 0;
         hour = first_at_or_above(hour_mask, hour + 1, 24)) {
      int minute = first_at_or_above(minute_mask, hour == from / 60 ? from % 60 : 0, 60);
      if (minute >= 0) return day + std::chrono::hours(hour) + std::chrono::minutes(minute);
    }
  }
  return std::nullopt;
}

std::optional<date::local_seconds> CronSpec::last_at_or_before(date::local_seconds at) const {
  const unsigned long long minute_mask = minutes.to_ullong(), hour_mask = hours.to_ullong();
  const bool every_day = fires_every_day();
  auto first_day = date::floor<date::days>(at);
  int first_minute = static_cast<int>(date::floor<std::chrono::minutes>(at - first_day).count());
  for (int offset = 0; offset <= k_cron_search_days; ++offset) {
    date::local_days day = first_day - date::days(offset);
    if (!every_day && !matches_day(date::year_month_day(day))) continue;
    int from = offset == 0 ? first_minute : 24 * 60 - 1;
    for (int hour = last_at_or_below(hour_mask, from / 60); hour >= 0;
         hour = last_at_or_below(hour_mask, hour - 1)) {
      int minute = last_at_or_below(minute_mask, hour == from / 60 ? from % 60 : 59);
      if (minute >= 0) return day + std::chrono::hours(hour) + std::chrono::minutes(minute);
    }
  }
  return std::nullopt;
}

Expected<CronSpec> parse_cron(std::string_view text) {
  CronSpec spec;
  spec.text = std::string(text);
  std::string expanded(text);
  for (const auto& [shortcut, fields] : k_shortcuts)
    if (lower(text) == shortcut) expanded = fields;
  auto bad = [&](std::string why) {
    return fail(ErrorKind::invalid, trf("cron \"{}\": {}", text, why));
  };
  std::vector<std::string_view> fields = split_fields(expanded);
  if (fields.size() != 5)
    return bad(trf("expected 5 fields (minute hour day-of-month month day-of-week), found {}",
                   fields.size()));
  std::array<std::vector<bool>, 5> bits;
  std::array<bool, 5> any{};
  for (std::size_t i = 0; i < 5; ++i) {
    bits[i].assign(static_cast<std::size_t>(k_fields[i].high) + 1, false);
    std::string why = parse_field(k_fields[i], fields[i], bits[i], any[i]);
    if (!why.empty()) return bad(why);
  }
  for (std::size_t v = 0; v < 60; ++v) spec.minutes[v] = bits[0][v];
  for (std::size_t v = 0; v < 24; ++v) spec.hours[v] = bits[1][v];
  for (std::size_t v = 1; v <= 31; ++v) spec.days_of_month[v] = bits[2][v];
  for (std::size_t v = 1; v <= 12; ++v) spec.months[v] = bits[3][v];
  for (std::size_t v = 0; v < 7; ++v) spec.days_of_week[v] = bits[4][v];
  if (bits[4][7]) spec.days_of_week[0] = true;
  spec.any_day_of_month = any[2];
  spec.any_day_of_week = any[4];

  // "0 0 31 2 *" parses but would never fire: a window that never happens is a typo.
  if (spec.any_day_of_week) {
    bool possible = false;
    for (int month = 1; month <= 12; ++month)
      for (int day = 1; day <= k_longest_month[static_cast<std::size_t>(month)]; ++day)
        possible = possible || (spec.months[static_cast<std::size_t>(month)] &&
                                spec.days_of_month[static_cast<std::size_t>(day)]);
    if (!possible) return bad(std::string(tr("no month has that day, so it never fires")));
  }
  return spec;
}

CronSpec weekly_cron(std::bitset<7> days_of_week, std::chrono::minutes start) {
  CronSpec spec;
  auto minute = static_cast<std::size_t>(start.count());
  spec.text = fmt::format("{} {} * * <days>", minute % 60, minute / 60);
  spec.minutes[minute % 60] = true;
  spec.hours[minute / 60] = true;
  for (std::size_t day = 1; day <= 31; ++day) spec.days_of_month[day] = true;
  for (std::size_t month = 1; month <= 12; ++month) spec.months[month] = true;
  spec.days_of_week = days_of_week;
  spec.any_day_of_month = true;
  spec.any_day_of_week = days_of_week.all();
  return spec;
}

Expected<std::chrono::seconds> parse_duration(std::string_view text) {
  auto bad = [&] {
    return fail(ErrorKind::invalid,
                trf("duration \"{}\" must look like \"3h30m\", \"90m\" or \"2h\" (units h, m, s) "
                    "and be positive",
                    text));
  };
  std::chrono::seconds total{0};
  std::string_view rest = text;
  if (rest.empty()) return bad();
  while (!rest.empty()) {
    std::size_t digits = 0;
    while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9') ++digits;
    if (digits == 0 || digits > 6 || digits == rest.size()) return bad();
    long value = *parse_int(rest.substr(0, digits));
    char unit = rest[digits];
    if (unit == 'h')
      total += std::chrono::hours(value);
    else if (unit == 'm')
      total += std::chrono::minutes(value);
    else if (unit == 's')
      total += std::chrono::seconds(value);
    else
      return bad();
    rest.remove_prefix(digits + 1);
  }
  if (total <= std::chrono::seconds{0}) return bad();
  // Terms add up ("999999h999999h"); beyond the largest single term, format_duration's output
  // would not read back.
  if (total > k_max_duration)
    return fail(ErrorKind::invalid,
                trf("duration \"{}\" is longer than {}h", text, k_max_duration.count()));
  return total;
}

std::string format_duration(std::chrono::seconds duration) {
  long total = duration.count();
  long hours = total / 3600, minutes_part = (total % 3600) / 60, seconds_part = total % 60;
  const bool with_hours = hours != 0;
  const bool with_minutes = minutes_part || (seconds_part && hours);
  if (with_hours && with_minutes && seconds_part)
    // TRANSLATORS: a duration ("9h", "3h30m", "90s", as manifests write them); French writes
    // "9 h", "3 h 30 min", "90 s".
    return trf("{}h{}m{}s", hours, minutes_part, seconds_part);
  if (with_hours && with_minutes) return trf("{}h{}m", hours, minutes_part);
  if (with_hours) return trf("{}h", hours);
  if (with_minutes && seconds_part) return trf("{}m{}s", minutes_part, seconds_part);
  if (with_minutes) return trf("{}m", minutes_part);
  return trf("{}s", seconds_part);
}

}  // namespace opsgate
