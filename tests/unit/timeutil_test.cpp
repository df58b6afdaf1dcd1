#include <catch2/catch.hpp>

#include <date/tz.h>

#include "executor.hpp"
#include "timeutil.hpp"

namespace timeutil_test {

using namespace opsgate;
using namespace std::chrono;

namespace {

std::string utc_of(std::string_view text) {
  auto parsed = parse_rfc3339(text);
  if (!parsed) FAIL(parsed.error().to_string());
  return format_utc(parsed->utc);
}

}  // namespace

TEST_CASE("RFC 3339 with a positive offset is converted to UTC", "[timeutil]") {
  auto at = parse_rfc3339("2026-11-26T21:30:00+01:00");
  REQUIRE(at);
  CHECK(format_utc(at->utc) == "2026-11-26T20:30:00Z");
  CHECK(at->offset == minutes(60));
}

TEST_CASE("RFC 3339 with a negative or half-hour offset", "[timeutil]") {
  auto at = parse_rfc3339("2026-11-26T21:30:00-05:00");
  REQUIRE(at);
  CHECK(format_utc(at->utc) == "2026-11-27T02:30:00Z");
  CHECK(at->offset == minutes(-300));
  auto india = parse_rfc3339("2026-11-26T10:00:00+05:30");
  REQUIRE(india);
  CHECK(format_utc(india->utc) == "2026-11-26T04:30:00Z");
  CHECK(india->offset == minutes(330));
}

TEST_CASE("RFC 3339 with Z, lower case, a space and fractions", "[timeutil]") {
  CHECK(utc_of("2026-11-26T20:30:00Z") == "2026-11-26T20:30:00Z");
  CHECK(utc_of("2026-11-26t20:30:00z") == "2026-11-26T20:30:00Z");
  CHECK(utc_of("2026-11-26 20:30:00+00:00") == "2026-11-26T20:30:00Z");
  CHECK(utc_of("2026-11-26T20:30:00.750Z") == "2026-11-26T20:30:00Z");
  auto zulu = parse_rfc3339("2026-11-26T20:30:00Z");
  REQUIRE(zulu);
  CHECK(zulu->offset == minutes(0));
}

TEST_CASE("Invalid times are refused with a usage error showing the expected form", "[timeutil]") {
  for (const char* text :
       {"", "tomorrow", "2026-11-26", "2026-11-26T21:30:00", "2026-11-26T21:30+01:00",
        "2026-13-01T00:00:00Z", "2026-11-26T25:00:00Z", "2026-11-26T21:30:00+01:00 extra",
        "2026-11-26X21:30:00+01:00", "2026-02-30T10:00:00Z"}) {
    INFO(text);
    auto at = parse_rfc3339(text);
    REQUIRE_FALSE(at);
    CHECK(at.error().kind == ErrorKind::usage);
    CHECK_THAT(at.error().message, Catch::Contains("RFC 3339"));
  }
}

TEST_CASE("local_day is the calendar day at the written offset", "[timeutil]") {
  // 23:30 at -02:00 is already the next day in UTC, but still the 26th for the writer.
  auto late = parse_rfc3339("2026-11-26T23:30:00-02:00");
  REQUIRE(late);
  CHECK(format_utc(late->utc) == "2026-11-27T01:30:00Z");
  CHECK(format_day(late->local_day()) == "2026-11-26");
  // 00:30 at +01:00 is still the previous day in UTC, but the 27th for the writer.
  auto early = parse_rfc3339("2026-11-27T00:30:00+01:00");
  REQUIRE(early);
  CHECK(format_utc(early->utc) == "2026-11-26T23:30:00Z");
  CHECK(format_day(early->local_day()) == "2026-11-27");
}

TEST_CASE("to_instant reads a local date-time at the fallback offset", "[timeutil]") {
  auto doc = toml::parse(
      "local = 2026-12-18T08:00:00\n"
      "offset = 2026-12-18T08:00:00+01:00\n");
  const toml::date_time local = *doc["local"].value<toml::date_time>();
  const toml::date_time with_offset = *doc["offset"].value<toml::date_time>();
  CHECK(format_utc(to_instant(local, minutes(60))) == "2026-12-18T07:00:00Z");
  CHECK(format_utc(to_instant(local, minutes(0))) == "2026-12-18T08:00:00Z");
  // An explicit offset wins over the fallback.
  CHECK(format_utc(to_instant(with_offset, minutes(-300))) == "2026-12-18T07:00:00Z");
}

TEST_CASE("to_days and format_day agree on the calendar", "[timeutil]") {
  CHECK(format_day(to_days(toml::date{2026, 2, 28}) + days(1)) == "2026-03-01");
  CHECK(format_day(to_days(toml::date{2028, 2, 28}) + days(1)) == "2028-02-29");
}

TEST_CASE("format_day writes what date::format(\"%F\") writes, in every year", "[timeutil]") {
  const auto on = [](int y, unsigned m, unsigned d) {
    return Days(date::sys_days(date::year(y) / date::month(m) / date::day(d)));
  };
  const auto check_range = [](Days from, Days to, int step) {
    for (Days day = from; day <= to; day += days(step)) {
      INFO("day " << day.time_since_epoch().count());
      REQUIRE(format_day(day) == date::format("%F", day));
    }
  };
  // Every day around the four-digit edges and the epoch, one in 97 elsewhere.
  check_range(on(-2, 1, 1), on(2, 12, 31), 1);
  check_range(on(1969, 1, 1), on(1971, 12, 31), 1);
  check_range(on(9998, 1, 1), on(10001, 12, 31), 1);
  check_range(on(-300, 1, 1), on(10300, 12, 31), 97);
  CHECK(format_day(on(7, 3, 9)) == "0007-03-09");
  CHECK(format_day(on(2026, 11, 27)) == "2026-11-27");
}

TEST_CASE("Time zones read while a load runs on the executor, or after it, are the same zones",
          "[timeutil]") {
  // Any order of look-up and wait is safe; the database is read once.
  Executor executor(1);
  auto loading = executor.submit(load_time_zones);
  const date::time_zone* during = date::locate_zone("Europe/Paris");
  executor.wait(loading);
  const date::time_zone* after = date::locate_zone("Europe/Paris");
  CHECK(during == after);
  CHECK(during->name() == "Europe/Paris");
  // 2026-03-29 02:30 does not exist in Paris (clocks go 02:00 -> 03:00).
  auto info =
      during->get_info(date::local_days{date::year{2026} / 3 / 29} + std::chrono::minutes(150));
  CHECK(info.result == date::local_info::nonexistent);
  CHECK_THROWS(date::locate_zone("Mars/Olympus_Mons"));
}

}  // namespace timeutil_test
