#pragma once
// Instants and calendar days. The evaluation time is always an input (--at), never read
// here except by now(); offsets come from --at itself, time zones from the window code.

#include <chrono>
#include <string>
#include <string_view>

#include <toml++/toml.h>

#include "error.hpp"

namespace opsgate {

using Seconds = std::chrono::sys_seconds;
using Days = std::chrono::sys_days;

// An instant with the UTC offset it was written in (so "today" is the writer's day).
struct Instant {
  Seconds utc;
  std::chrono::minutes offset{0};

  Days local_day() const;  // the calendar day at `offset`
};

// RFC 3339: "2026-11-26T21:30:00+01:00", "2026-11-26T20:30:00Z", fractions allowed.
Expected<Instant> parse_rfc3339(std::string_view text);

// The current time, in UTC.
Instant now_utc();

Days to_days(const toml::date& date);

// A TOML date-time as an instant; a local date-time is read at `fallback_offset`.
Seconds to_instant(const toml::date_time& value, std::chrono::minutes fallback_offset);

std::string format_utc(Seconds instant);  // "2026-11-26T20:30:00Z"
std::string format_day(Days day);         // "2026-11-26"

// Reads the IANA time-zone database (Debian's date/tz lists /usr/share/zoneinfo on first use:
// ~700 stat calls, a fifth of a check), so that a task of the executor can do it while rules
// load. A missing database is left for locate_zone() to report where a zone is named.
void load_time_zones();

}  // namespace opsgate
