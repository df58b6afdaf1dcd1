#pragma once
// Instants and calendar days. The evaluation time is always an input (--at), never read
// here except by now(); offsets come from --at itself, time zones from the window code.

#include <chrono>
#include <string>
#include <string_view>
#include <thread>

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

// Reads the IANA time-zone database on another core while the caller does other work; wait()
// (or the destructor) joins. Debian's date/tz lists /usr/share/zoneinfo on first use (~700 stat
// calls, 1.5-3 ms: a fifth of a check). The database is a thread-safe static, but the caller
// joins before its own first look-up anyway: an explicit happens-before that ThreadSanitizer
// sees (it cannot see into the uninstrumented libdate-tz). Nothing is started on a single CPU,
// where it could only delay the caller; a failure here is left for locate_zone() to report.
class TimeZonePreload {
 public:
  TimeZonePreload();
  ~TimeZonePreload() { wait(); }
  void wait();
  TimeZonePreload(const TimeZonePreload&) = delete;
  TimeZonePreload& operator=(const TimeZonePreload&) = delete;

 private:
  std::thread m_thread;
};

}  // namespace opsgate
