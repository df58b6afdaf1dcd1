#include <catch2/catch.hpp>

#include "holidays.hpp"
#include "rules.hpp"
#include "timeutil.hpp"

namespace holidays_test {

using opsgate::easter_sunday;
using opsgate::format_day;
using opsgate::holidays_in;

namespace {

opsgate::Expected<opsgate::RuleSet> load(const std::string& text) {
  opsgate::RuleSetBuilder builder;
  opsgate::PackSource source{"pack", "pack", {{"pack/rules.toml", text}}};
  if (auto ok = builder.add(source); !ok) return std::unexpected(ok.error());
  return builder.finish();
}

const std::string k_rule =
    "[[rule]]\n"
    "id = \"SVC-001\"\n"
    "area = \"service\"\n"
    "title = \"t\"\n"
    "severity = \"error\"\n"
    "level = 1\n"
    "help = \"h\"\n"
    "check = [ { key = \"service.owner\", present = true } ]\n";

}  // namespace

TEST_CASE("holidays: Easter Sunday by the Gregorian computus", "[holidays]") {
  CHECK(format_day(easter_sunday(2024)) == "2024-03-31");
  CHECK(format_day(easter_sunday(2025)) == "2025-04-20");
  CHECK(format_day(easter_sunday(2026)) == "2026-04-05");
  CHECK(format_day(easter_sunday(2027)) == "2027-03-28");
  CHECK(format_day(easter_sunday(2038)) == "2038-04-25");  // the latest possible
  CHECK(format_day(easter_sunday(2285)) == "2285-03-22");  // the earliest possible
}

TEST_CASE("holidays: the 11 French public holidays, Easter-based ones moving", "[holidays]") {
  auto days_of = [](int year) {
    std::vector<std::string> out;
    for (const auto& holiday : holidays_in("FR", year))
      out.push_back(format_day(holiday.day) + " " + holiday.name);
    return out;
  };
  CHECK(days_of(2026) ==
        std::vector<std::string>{
            "2026-01-01 Jour de l'an", "2026-04-06 Lundi de Pâques", "2026-05-01 Fête du Travail",
            "2026-05-08 Victoire 1945", "2026-05-14 Ascension", "2026-05-25 Lundi de Pentecôte",
            "2026-07-14 Fête nationale", "2026-08-15 Assomption", "2026-11-01 Toussaint",
            "2026-11-11 Armistice 1918", "2026-12-25 Noël"});
  auto in_2027 = days_of(2027);
  REQUIRE(in_2027.size() == 11);
  CHECK(in_2027[1] == "2027-03-29 Lundi de Pâques");
  CHECK(in_2027[4] == "2027-05-06 Ascension");
  CHECK(in_2027[5] == "2027-05-17 Lundi de Pentecôte");
  CHECK(holidays_in("XX", 2026).empty());
  CHECK(opsgate::is_holiday_calendar("FR"));
  CHECK_FALSE(opsgate::is_holiday_calendar("fr"));
}

TEST_CASE("holidays: packs declare [[holiday]] dates and a built-in calendar", "[holidays]") {
  auto rules = load(
      "[pack]\n"
      "holidays = \"FR\"\n"
      "[[holiday]]\n"
      "date = 2026-12-24\n"
      "name = \"Christmas Eve\"\n"
      "environments = [\"production\"]\n"
      "[[holiday]]\n"
      "date = 2026-12-31\n" +
      k_rule);
  REQUIRE(rules);
  const opsgate::Calendar& pack = rules->calendars.front();
  CHECK(pack.holiday_calendars == std::vector<std::string>{"FR"});
  REQUIRE(pack.holidays.size() == 2);
  CHECK(format_day(pack.holidays[0].date) == "2026-12-24");
  CHECK(pack.holidays[0].name == "Christmas Eve");
  CHECK(pack.holidays[0].environments == std::vector<std::string>{"production"});
  CHECK(pack.holidays[1].where.to_string() == "pack/rules.toml:7:1");
}

TEST_CASE("holidays: an invalid holiday is an error at file:line:column", "[holidays]") {
  struct Case {
    std::string text;
    std::string where;
    std::string message;
  };
  const Case cases[] = {
      {"[pack]\nholidays = \"XX\"\n", "pack/rules.toml:2:12", "unknown holiday calendar \"XX\""},
      {"[pack]\nholidays = [\"FR\", \"DE\"]\n", "pack/rules.toml:2:19",
       "unknown holiday calendar \"DE\""},
      {"[pack]\nholidays = 3\n", "pack/rules.toml:2:12", "'holidays' must name a calendar"},
      {"[[holiday]]\ndate = 2026-12-25T00:00:00\n", "pack/rules.toml:2:8",
       "holiday 'date' must be a date"},
      {"[[holiday]]\nname = \"x\"\n", "pack/rules.toml:1:1", "[[holiday]] needs 'date'"},
      {"[[holiday]]\ndate = 2026-12-25\nreason = \"x\"\n", "pack/rules.toml:3:1",
       "unknown key 'reason' in [[holiday]]"},
      {"holiday = 2026-12-25\n", "pack/rules.toml:1:11", "'holiday' must be written [[holiday]]"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    auto rules = load(c.text + k_rule);
    REQUIRE_FALSE(rules);
    CHECK(rules.error().kind == opsgate::ErrorKind::invalid);
    REQUIRE(rules.error().where);
    CHECK(rules.error().where->to_string() == c.where);
    CHECK_THAT(rules.error().message, Catch::Contains(c.message));
  }
}

}  // namespace holidays_test
