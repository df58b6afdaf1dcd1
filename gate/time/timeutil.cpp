#include "timeutil.hpp"

#include <date/date.h>
#include <date/tz.h>
#include <fmt/format.h>

#include <sstream>

#include "i18n.hpp"

namespace opsgate {

using namespace std::chrono;

Days Instant::local_day() const {
  return floor<days>(utc + offset);
}

Expected<Instant> parse_rfc3339(std::string_view text) {
  std::string input(text);
  auto bad = [&] {
    return fail(
        ErrorKind::usage,
        trf("invalid time '{}': expected RFC 3339 such as 2026-11-26T21:30:00+01:00", text));
  };
  if (input.size() < 20 || (input[10] != 'T' && input[10] != 't' && input[10] != ' ')) return bad();
  input[10] = 'T';
  bool zulu = input.back() == 'Z' || input.back() == 'z';
  std::istringstream in(zulu ? input.substr(0, input.size() - 1) : input);
  date::sys_time<milliseconds> local;
  minutes offset{0};
  if (zulu)
    in >> date::parse("%FT%T", local);
  else
    in >> date::parse("%FT%T%Ez", local, offset);
  if (in.fail() || in.peek() != std::char_traits<char>::eof()) return bad();
  // date::parse already subtracts the offset for %Ez, so `local` is UTC here.
  return Instant{floor<seconds>(local), offset};
}

Instant now_utc() {
  return Instant{floor<seconds>(system_clock::now()), minutes{0}};
}

Days to_days(const toml::date& value) {
  return sys_days(year_month_day(year(value.year), month(value.month), day(value.day)));
}

Seconds to_instant(const toml::date_time& value, minutes fallback_offset) {
  Seconds local = to_days(value.date) + hours(value.time.hour) + minutes(value.time.minute) +
                  seconds(value.time.second);
  minutes offset = value.offset ? minutes(value.offset->minutes) : fallback_offset;
  return local - offset;
}

std::string format_utc(Seconds instant) {
  return date::format("%FT%TZ", instant);
}

std::string format_day(Days day) {
  const date::year_month_day ymd(day);
  const int year = static_cast<int>(ymd.year());
  // date::format (a stream and a locale, ~7,000 instructions a day; a monorepo check writes
  // thousands) only for years %F writes with a sign or more than four digits.
  if (year < 0 || year > 9999) return date::format("%F", day);
  const unsigned month = static_cast<unsigned>(ymd.month());
  const unsigned dom = static_cast<unsigned>(ymd.day());
  const auto digit = [](unsigned value) { return static_cast<char>('0' + value % 10); };
  const auto y = static_cast<unsigned>(year);
  return {digit(y / 1000),   digit(y / 100), digit(y / 10), digit(y),        '-',
          digit(month / 10), digit(month),   '-',           digit(dom / 10), digit(dom)};
}

void load_time_zones() {
  try {
    (void)date::get_tzdb();
  } catch (...) {  // no database: locate_zone() says so where a zone is named
  }
}

}  // namespace opsgate
