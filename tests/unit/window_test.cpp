#include <catch2/catch.hpp>

#include "cron.hpp"
#include "toml_util.hpp"
#include "window.hpp"

namespace window_test {

using namespace opsgate;

namespace {

Seconds instant(const std::string& text) {
  auto parsed = parse_rfc3339(text);
  INFO(text);
  REQUIRE(parsed);
  return parsed->utc;
}

std::vector<SchemaProblem> problems_in(const std::string& body, Schedule* out = nullptr) {
  auto doc = parse_toml("[release_window]\n" + body, "operability.toml");
  REQUIRE(doc);
  std::vector<SchemaProblem> problems;
  Schedule schedule = parse_schedule(*(*doc)["release_window"].as_table(), "release_window",
                                     "operability.toml", problems);
  if (out) *out = std::move(schedule);
  return problems;
}

Schedule schedule_of(const std::string& body) {
  Schedule schedule;
  auto problems = problems_in(body, &schedule);
  for (const SchemaProblem& problem : problems)
    FAIL(problem.where.to_string() << ": " << problem.message);
  REQUIRE(schedule.zone);
  return schedule;
}

std::string one_problem(const std::string& body) {
  auto problems = problems_in(body);
  REQUIRE(problems.size() == 1);
  return problems.front().where.to_string() + ": " + problems.front().message;
}

struct Case {
  const char* at;
  bool open;
};

void check_cases(const Schedule& schedule, std::initializer_list<Case> cases,
                 std::span<const Calendar> packs = {},
                 std::string_view environment = "production") {
  for (const Case& c : cases) {
    INFO(c.at << " should be " << (c.open ? "open" : "closed"));
    WindowState state = window_state(schedule, packs, environment, instant(c.at));
    CHECK(state.open == c.open);
    INFO(state.reason);
    // The edges agree with the verdict: an open window closes later, a closed one opens later.
    if (state.open && state.closes_at) CHECK(*state.closes_at > instant(c.at));
    if (!state.open && state.next_open) CHECK(*state.next_open > instant(c.at));
  }
}

std::string utc(const std::optional<Seconds>& value) {
  return value ? format_utc(*value) : std::string("none");
}

const std::string k_paris_evenings =
    "timezone = \"Europe/Paris\"\n"
    "[[release_window.allow]]\n"
    "days = [\"mon\", \"tue\", \"wed\", \"thu\"]\n"
    "start = \"20:00\"\n"
    "end = \"23:30\"\n";

// Open all day every day: only the deny windows, freezes and holidays close it.
std::string always_open(const std::string& timezone) {
  return "timezone = \"" + timezone +
         "\"\n"
         "[[release_window.allow]]\n"
         "start = \"00:00\"\n"
         "end = \"00:00\"\n";
}

}  // namespace

TEST_CASE("window: the edges of a plain evening window are half-open", "[window]") {
  // 2026-11-26 is a Thursday (CET, +01:00).
  check_cases(schedule_of(k_paris_evenings), {
                                                 {"2026-11-26T19:59:59+01:00", false},
                                                 {"2026-11-26T20:00:00+01:00", true},
                                                 {"2026-11-26T21:30:00+01:00", true},
                                                 {"2026-11-26T23:29:59+01:00", true},
                                                 {"2026-11-26T23:30:00+01:00", false},
                                                 {"2026-11-26T22:30:00Z", false},
                                                 {"2026-11-26T22:29:59Z", true},
                                                 {"2026-11-27T21:00:00+01:00", false},  // fri
                                                 {"2026-11-29T21:00:00+01:00", false},  // sun
                                                 {"2026-11-30T20:00:00+01:00", true},   // mon
                                             });
}

TEST_CASE("window: a window whose end is before its start crosses midnight", "[window]") {
  Schedule schedule = schedule_of(
      "timezone = \"Europe/Paris\"\n"
      "[[release_window.allow]]\n"
      "days = [\"fri\"]\n"
      "start = \"22:00\"\n"
      "end = \"02:00\"\n");
  check_cases(schedule, {
                            {"2026-11-27T21:59:59+01:00", false},
                            {"2026-11-27T22:00:00+01:00", true},
                            {"2026-11-27T23:59:59+01:00", true},
                            {"2026-11-28T00:00:00+01:00", true},  // saturday, started friday
                            {"2026-11-28T01:59:59+01:00", true},
                            {"2026-11-28T02:00:00+01:00", false},
                            {"2026-11-28T23:00:00+01:00", false},  // saturday is not a start day
                            {"2026-11-27T01:00:00+01:00", false},  // thursday did not start one
                        });
  WindowState state =
      window_state(schedule, {}, "production", instant("2026-11-27T23:00:00+01:00"));
  CHECK(utc(state.closes_at) == "2026-11-28T01:00:00Z");
}

TEST_CASE("window: end equal to start is a 24-hour window", "[window]") {
  check_cases(schedule_of("timezone = \"Europe/Paris\"\n"
                          "[[release_window.allow]]\n"
                          "days = [\"sat\"]\n"
                          "start = \"06:00\"\n"
                          "end = \"06:00\"\n"),
              {
                  {"2026-11-28T05:59:59+01:00", false},
                  {"2026-11-28T06:00:00+01:00", true},
                  {"2026-11-29T05:59:59+01:00", true},
                  {"2026-11-29T06:00:00+01:00", false},
              });
}

TEST_CASE("window: Europe/Paris across its transitions", "[window][dst]") {
  SECTION("spring forward: a start inside the skipped hour is the transition instant") {
    // 2026-03-29 02:00 CET becomes 03:00 CEST (01:00Z).
    check_cases(schedule_of("timezone = \"Europe/Paris\"\n"
                            "[[release_window.allow]]\n"
                            "days = [\"sun\"]\n"
                            "start = \"02:30\"\n"
                            "end = \"04:00\"\n"),
                {
                    {"2026-03-29T00:59:59Z", false},
                    {"2026-03-29T01:00:00Z", true},  // 03:00 CEST
                    {"2026-03-29T01:59:59Z", true},
                    {"2026-03-29T02:00:00Z", false},  // 04:00 CEST
                    // A week later the same window is 02:30-04:00 CEST.
                    {"2026-04-05T00:29:59Z", false},
                    {"2026-04-05T00:30:00Z", true},
                });
  }
  SECTION("spring forward: a night window is one hour shorter") {
    Schedule schedule = schedule_of(
        "timezone = \"Europe/Paris\"\n"
        "[[release_window.allow]]\n"
        "days = [\"sat\"]\n"
        "start = \"23:00\"\n"
        "end = \"05:00\"\n");
    check_cases(schedule, {
                              {"2026-03-28T21:59:59Z", false},
                              {"2026-03-28T22:00:00Z", true},  // 23:00 CET
                              {"2026-03-29T02:59:59Z", true},
                              {"2026-03-29T03:00:00Z", false},  // 05:00 CEST
                          });
  }
  SECTION("fall back: an ambiguous start is the earlier instant") {
    // 2026-10-25 03:00 CEST becomes 02:00 CET (01:00Z): 02:00-02:59 happens twice.
    check_cases(schedule_of("timezone = \"Europe/Paris\"\n"
                            "[[release_window.allow]]\n"
                            "days = [\"sun\"]\n"
                            "start = \"02:30\"\n"
                            "end = \"03:30\"\n"),
                {
                    {"2026-10-25T00:29:59Z", false},
                    {"2026-10-25T00:30:00Z", true},  // the first 02:30 (CEST)
                    {"2026-10-25T01:30:00Z", true},  // the second 02:30 (CET)
                    {"2026-10-25T02:29:59Z", true},
                    {"2026-10-25T02:30:00Z", false},  // 03:30 CET
                });
  }
  SECTION("fall back: an ambiguous end is the later instant") {
    check_cases(schedule_of("timezone = \"Europe/Paris\"\n"
                            "[[release_window.allow]]\n"
                            "days = [\"sun\"]\n"
                            "start = \"01:00\"\n"
                            "end = \"02:30\"\n"),
                {
                    {"2026-10-24T22:59:59Z", false},
                    {"2026-10-24T23:00:00Z", true},  // 01:00 CEST
                    {"2026-10-25T01:29:59Z", true},  // 02:29:59 CET, the second pass
                    {"2026-10-25T01:30:00Z", false},
                });
  }
}

TEST_CASE("window: America/New_York across its transitions", "[window][dst]") {
  SECTION("spring forward on 2026-03-08 (02:00 EST -> 03:00 EDT)") {
    check_cases(schedule_of("timezone = \"America/New_York\"\n"
                            "[[release_window.allow]]\n"
                            "days = [\"sun\"]\n"
                            "start = \"02:15\"\n"
                            "end = \"03:15\"\n"),
                {
                    {"2026-03-08T06:59:59Z", false},
                    {"2026-03-08T07:00:00Z", true},  // 03:00 EDT: the transition
                    {"2026-03-08T07:14:59Z", true},
                    {"2026-03-08T07:15:00Z", false},  // 03:15 EDT
                });
  }
  SECTION("fall back on 2026-11-01 (02:00 EDT -> 01:00 EST)") {
    check_cases(schedule_of("timezone = \"America/New_York\"\n"
                            "[[release_window.allow]]\n"
                            "days = [\"sun\"]\n"
                            "start = \"01:30\"\n"
                            "end = \"01:45\"\n"),
                {
                    {"2026-11-01T05:29:59Z", false},
                    {"2026-11-01T05:30:00Z", true},  // 01:30 EDT, the earlier
                    {"2026-11-01T06:44:59Z", true},  // 01:44:59 EST, the later
                    {"2026-11-01T06:45:00Z", false},
                });
  }
  SECTION("an ordinary evening is read in local time, EST and EDT") {
    Schedule schedule = schedule_of(
        "timezone = \"America/New_York\"\n"
        "[[release_window.allow]]\n"
        "days = [\"tue\"]\n"
        "start = \"18:00\"\n"
        "end = \"20:00\"\n");
    check_cases(schedule, {
                              {"2026-01-06T23:00:00Z", true},   // 18:00 EST
                              {"2026-01-06T22:59:59Z", false},  // 17:59:59 EST
                              {"2026-07-07T22:00:00Z", true},   // 18:00 EDT
                              {"2026-07-07T21:59:59Z", false},
                          });
  }
}

TEST_CASE("window: Australia/Sydney, southern hemisphere", "[window][dst]") {
  Schedule schedule = schedule_of(
      "timezone = \"Australia/Sydney\"\n"
      "[[release_window.allow]]\n"
      "days = [\"sun\"]\n"
      "start = \"02:30\"\n"
      "end = \"03:30\"\n");
  SECTION("fall back on 2026-04-05 (03:00 AEDT -> 02:00 AEST)") {
    check_cases(schedule, {
                              {"2026-04-04T15:29:59Z", false},
                              {"2026-04-04T15:30:00Z", true},  // the first 02:30 (AEDT, +11)
                              {"2026-04-04T17:29:59Z", true},  // 03:29:59 AEST
                              {"2026-04-04T17:30:00Z", false},
                          });
  }
  SECTION("spring forward on 2026-10-04 (02:00 AEST -> 03:00 AEDT)") {
    check_cases(schedule, {
                              {"2026-10-03T15:59:59Z", false},
                              {"2026-10-03T16:00:00Z", true},  // the transition (03:00 AEDT)
                              {"2026-10-03T16:29:59Z", true},
                              {"2026-10-03T16:30:00Z", false},  // 03:30 AEDT
                          });
  }
  SECTION("an ordinary winter sunday") {
    check_cases(schedule, {
                              {"2026-07-04T16:29:59Z", false},
                              {"2026-07-04T16:30:00Z", true},  // 02:30 AEST
                              {"2026-07-04T17:30:00Z", false},
                          });
  }
}

TEST_CASE("window: Asia/Kolkata, a half-hour offset", "[window]") {
  check_cases(schedule_of("timezone = \"Asia/Kolkata\"\n"
                          "[[release_window.allow]]\n"
                          "days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]\n"
                          "start = \"22:00\"\n"
                          "end = \"01:30\"\n"),
              {
                  {"2026-11-26T16:29:59Z", false},
                  {"2026-11-26T16:30:00Z", true},  // thu 22:00 IST
                  {"2026-11-26T19:59:59Z", true},  // fri 01:29:59 IST
                  {"2026-11-26T20:00:00Z", false},
                  {"2026-11-26T22:00:00+05:30", true},
              });
}

TEST_CASE("window: deny windows win, at both boundaries", "[window]") {
  Schedule schedule = schedule_of(always_open("Europe/Paris") +
                                  "[[release_window.deny]]\n"
                                  "from = 2026-12-18T00:00:00\n"
                                  "to = 2027-01-04T08:00:00\n"
                                  "reason = \"year-end freeze\"\n");
  check_cases(schedule, {
                            {"2026-12-17T23:59:59+01:00", true},
                            {"2026-12-18T00:00:00+01:00", false},
                            {"2027-01-04T07:59:59+01:00", false},
                            {"2027-01-04T08:00:00+01:00", true},
                        });
  WindowState state = window_state(schedule, {}, "production", instant("2026-12-20T12:00:00Z"));
  CHECK(state.cause == WindowCause::deny);
  CHECK_THAT(state.reason, Catch::Contains("year-end freeze"));
  CHECK(utc(state.next_open) == "2027-01-04T07:00:00Z");
  // Right before the deny window, the open window closes where the deny window starts.
  state = window_state(schedule, {}, "production", instant("2026-12-17T12:00:00+01:00"));
  CHECK(utc(state.closes_at) == "2026-12-17T23:00:00Z");
}

TEST_CASE("window: windows and deny periods scoped to environments", "[window]") {
  Schedule schedule = schedule_of(
      "timezone = \"Europe/Paris\"\n"
      "[[release_window.allow]]\n"
      "start = \"20:00\"\n"
      "end = \"23:00\"\n"
      "environments = [\"production\"]\n"
      "[[release_window.allow]]\n"
      "start = \"08:00\"\n"
      "end = \"18:00\"\n"
      "environments = [\"staging\"]\n"
      "[[release_window.deny]]\n"
      "from = 2026-11-26T00:00:00\n"
      "to = 2026-11-27T00:00:00\n"
      "environments = [\"staging\"]\n");
  check_cases(schedule, {{"2026-11-25T21:00:00+01:00", true}, {"2026-11-25T10:00:00+01:00", false}},
              {}, "production");
  check_cases(schedule,
              {
                  {"2026-11-25T21:00:00+01:00", false},
                  {"2026-11-25T10:00:00+01:00", true},
                  {"2026-11-26T10:00:00+01:00", false},  // staging's own deny day
              },
              {}, "staging");
  WindowState never = window_state(schedule, {}, "development", instant("2026-11-25T10:00:00Z"));
  CHECK(never.cause == WindowCause::no_allow);
  CHECK_FALSE(never.next_open);
}

TEST_CASE("window: pack freezes close the window, scoped to environments", "[window]") {
  Schedule schedule = schedule_of(always_open("America/New_York"));
  std::vector<Calendar> packs(1);
  packs[0].name = "acme";
  packs[0].freezes.push_back({instant("2026-12-21T00:00:00+01:00"),
                              instant("2027-01-04T08:00:00+01:00"),
                              "year-end change freeze",
                              {"production"},
                              {}});
  check_cases(schedule,
              {
                  {"2026-12-20T23:59:59+01:00", true},
                  {"2026-12-21T00:00:00+01:00", false},
                  {"2027-01-04T07:59:59+01:00", false},
                  {"2027-01-04T08:00:00+01:00", true},
              },
              packs);
  check_cases(schedule, {{"2026-12-25T12:00:00Z", true}}, packs, "staging");
  WindowState state = window_state(schedule, packs, "production", instant("2026-12-25T12:00:00Z"));
  CHECK(state.cause == WindowCause::freeze);
  CHECK_THAT(state.reason, Catch::Contains("year-end change freeze") && Catch::Contains("acme"));
  CHECK(utc(state.next_open) == "2027-01-04T07:00:00Z");
}

TEST_CASE("window: a holiday closes the whole local day of the manifest's timezone", "[window]") {
  std::vector<Calendar> packs(1);
  packs[0].name = "acme";
  packs[0].holidays.push_back({to_days(toml::date{2026, 12, 25}), "Christmas", {}, {}});
  check_cases(schedule_of(always_open("Europe/Paris")),
              {
                  {"2026-12-24T23:59:59+01:00", true},
                  {"2026-12-25T00:00:00+01:00", false},
                  {"2026-12-25T23:59:59+01:00", false},
                  {"2026-12-26T00:00:00+01:00", true},
              },
              packs);
  // The same date is another span of instants in New York.
  Schedule new_york = schedule_of(always_open("America/New_York"));
  check_cases(new_york,
              {
                  {"2026-12-25T04:59:59Z", true},
                  {"2026-12-25T05:00:00Z", false},
                  {"2026-12-26T04:59:59Z", false},
                  {"2026-12-26T05:00:00Z", true},
              },
              packs);
  WindowState state = window_state(new_york, packs, "production", instant("2026-12-25T12:00:00Z"));
  CHECK(state.cause == WindowCause::holiday);
  CHECK_THAT(state.reason, Catch::Contains("Christmas"));
  CHECK(utc(state.next_open) == "2026-12-26T05:00:00Z");
}

TEST_CASE("window: the French calendar closes Easter-based holidays of each year", "[window]") {
  std::vector<Calendar> packs(1);
  packs[0].name = "acme";
  packs[0].holiday_calendars = {"FR"};
  check_cases(schedule_of(always_open("Europe/Paris")),
              {
                  {"2026-04-05T12:00:00+02:00", true},   // Easter Sunday is not a holiday
                  {"2026-04-06T00:00:00+02:00", false},  // Lundi de Pâques
                  {"2026-04-06T23:59:59+02:00", false},
                  {"2026-04-07T00:00:00+02:00", true},
                  {"2026-05-14T12:00:00+02:00", false},  // Ascension
                  {"2026-05-25T12:00:00+02:00", false},  // Lundi de Pentecôte
                  {"2026-05-26T12:00:00+02:00", true},
                  {"2026-07-14T12:00:00+02:00", false},
                  {"2026-12-25T12:00:00+01:00", false},
                  {"2027-01-01T12:00:00+01:00", false},
                  {"2027-03-29T12:00:00+02:00", false},  // Lundi de Pâques 2027
                  {"2027-05-06T12:00:00+02:00", false},  // Ascension 2027
                  {"2027-05-17T12:00:00+02:00", false},  // Lundi de Pentecôte 2027
                  {"2027-05-18T12:00:00+02:00", true},
              },
              packs);
  WindowState state = window_state(schedule_of(always_open("Europe/Paris")), packs, "production",
                                   instant("2027-05-17T12:00:00+02:00"));
  CHECK_THAT(state.reason, Catch::Contains("Lundi de Pentecôte") && Catch::Contains("FR"));
}

TEST_CASE("window: plain, Argo CD cron and GitLab freeze forms give the same answers", "[window]") {
  struct Pair {
    std::string plain;
    std::string other;
    bool same_future = true;  // false: the forms differ in later years, compare the verdicts only
  };
  const Pair pairs[] = {
      {k_paris_evenings,
       "timezone = \"Europe/Paris\"\n"
       "[[release_window.allow]]\n"
       "cron = \"0 20 * * 1-4\"\n"
       "duration = \"3h30m\"\n"},
      // Across midnight and the spring-forward night of 2026-03-28/29.
      {"timezone = \"Europe/Paris\"\n"
       "[[release_window.allow]]\n"
       "days = [\"fri\", \"sat\"]\n"
       "start = \"22:00\"\n"
       "end = \"02:30\"\n",
       "timezone = \"Europe/Paris\"\n"
       "[[release_window.allow]]\n"
       "cron = \"0 22 * * fri,sat\"\n"
       "duration = \"4h30m\"\n"},
      // A weekend freeze: GitLab style against Argo CD style.
      {always_open("America/New_York") + "[[release_window.deny]]\n"
                                         "freeze_start = \"0 23 * * 5\"\n"
                                         "freeze_end = \"0 7 * * 1\"\n",
       always_open("America/New_York") + "[[release_window.deny]]\n"
                                         "cron = \"0 23 * * 5\"\n"
                                         "duration = \"56h\"\n"},
      // One weekend as a from/to deny window against the GitLab freeze.
      {always_open("Europe/Paris") + "[[release_window.deny]]\n"
                                     "from = 2026-10-23T23:00:00\n"
                                     "to = 2026-10-26T07:00:00\n",
       always_open("Europe/Paris") + "[[release_window.deny]]\n"
                                     "freeze_start = \"0 23 23 10 *\"\n"
                                     "freeze_end = \"0 7 26 10 *\"\n",
       false},
  };
  // Every 15 minutes, Thursday to Monday, around the spring and autumn transitions (both zones).
  std::vector<Seconds> instants;
  for (const char* week : {"2026-03-05T00:00:00Z", "2026-03-26T00:00:00Z", "2026-10-22T00:00:00Z",
                           "2026-10-29T00:00:00Z"})
    for (int quarter = 0; quarter < 5 * 24 * 4; ++quarter)
      instants.push_back(instant(week) + std::chrono::minutes(15 * quarter));
  for (const Pair& pair : pairs) {
    INFO(pair.other);
    Schedule plain = schedule_of(pair.plain);
    Schedule other = schedule_of(pair.other);
    int mismatches = 0, opened = 0;
    for (Seconds at : instants) {
      WindowState a = window_state(plain, {}, "production", at);
      WindowState b = window_state(other, {}, "production", at);
      bool same = a.open == b.open &&
                  (!pair.same_future || (a.closes_at == b.closes_at && a.next_open == b.next_open));
      if (!same && mismatches++ < 3) FAIL_CHECK("differ at " << format_utc(at));
      opened += a.open;
    }
    CHECK(mismatches == 0);
    CHECK(opened > 0);
    CHECK(opened < static_cast<int>(instants.size()));
  }
}

TEST_CASE("window: next opening and closing come from the edges", "[window]") {
  Schedule schedule = schedule_of(k_paris_evenings);
  WindowState open = window_state(schedule, {}, "production", instant("2026-11-26T21:30:00+01:00"));
  CHECK(open.open);
  CHECK(open.cause == WindowCause::allow);
  CHECK(open.reason == "inside allow window mon,tue,wed,thu 20:00-23:30");
  CHECK(utc(open.closes_at) == "2026-11-26T22:30:00Z");
  CHECK_FALSE(open.next_open);

  WindowState morning =
      window_state(schedule, {}, "production", instant("2026-11-26T10:00:00+01:00"));
  CHECK(morning.cause == WindowCause::outside);
  CHECK(utc(morning.next_open) == "2026-11-26T19:00:00Z");
  CHECK(utc(morning.next_closes_at) == "2026-11-26T22:30:00Z");

  WindowState friday =
      window_state(schedule, {}, "production", instant("2026-11-27T21:00:00+01:00"));
  CHECK(utc(friday.next_open) == "2026-11-30T19:00:00Z");

  SECTION("adjacent windows join into one opening") {
    Schedule joined = schedule_of(
        "timezone = \"Europe/Paris\"\n"
        "[[release_window.allow]]\n"
        "days = [\"mon\"]\n"
        "start = \"20:00\"\n"
        "end = \"00:00\"\n"
        "[[release_window.allow]]\n"
        "days = [\"tue\"]\n"
        "start = \"00:00\"\n"
        "end = \"02:00\"\n");
    WindowState state =
        window_state(joined, {}, "production", instant("2026-11-30T21:00:00+01:00"));
    CHECK(utc(state.closes_at) == "2026-12-01T01:00:00Z");
  }
  SECTION("a sparse cron window is found years ahead") {
    Schedule leap = schedule_of(
        "timezone = \"UTC\"\n"
        "[[release_window.allow]]\n"
        "cron = \"0 12 29 2 *\"\n"
        "duration = \"1h\"\n");
    WindowState state = window_state(leap, {}, "production", instant("2026-03-01T00:00:00Z"));
    CHECK(utc(state.next_open) == "2028-02-29T12:00:00Z");
    CHECK(utc(state.next_closes_at) == "2028-02-29T13:00:00Z");
  }
}

TEST_CASE("window: a schedule that never opens answers at once", "[window]") {
  auto started = std::chrono::steady_clock::now();
  SECTION("no allow window") {
    Schedule none = schedule_of(
        "timezone = \"Europe/Paris\"\n"
        "[[release_window.deny]]\n"
        "from = 2026-12-18T00:00:00\n"
        "to = 2027-01-04T08:00:00\n");
    WindowState state = window_state(none, {}, "production", instant("2026-11-26T21:30:00Z"));
    CHECK_FALSE(state.open);
    CHECK(state.cause == WindowCause::no_allow);
    CHECK_FALSE(state.next_open);
  }
  SECTION("every allow window is denied for decades") {
    Schedule denied = schedule_of(k_paris_evenings +
                                  "[[release_window.deny]]\n"
                                  "from = 2026-01-01T00:00:00\n"
                                  "to = 2099-01-01T00:00:00\n");
    WindowState state = window_state(denied, {}, "production", instant("2026-11-26T21:30:00Z"));
    CHECK_FALSE(state.open);
    CHECK(state.cause == WindowCause::deny);
    CHECK_FALSE(state.next_open);
  }
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(2));
}

TEST_CASE("window: an hourly window under a century-long deny answers at once", "[window]") {
  // The search for the next opening used to visit every firing inside the deny period
  // (tests/fuzz/regressions/window/allow-every-minute-century-deny.toml, with a cron every
  // minute: 4 million firings, 4.7 s; such crons are now refused, an hourly one is the densest).
  auto started = std::chrono::steady_clock::now();
  Schedule schedule = schedule_of(
      "timezone = \"UTC\"\n"
      "[[release_window.allow]]\n"
      "cron = \"0 * * * *\"\n"
      "duration = \"1s\"\n"
      "[[release_window.deny]]\n"
      "from = 2000-01-01T00:00:00\n"
      "to = 2100-01-01T00:00:00\n");

  WindowState middle = window_state(schedule, {}, "production", instant("2050-06-01T00:00:00Z"));
  CHECK_FALSE(middle.open);
  CHECK(middle.cause == WindowCause::deny);
  REQUIRE(middle.period);
  CHECK(format_utc(middle.period->from) == "2000-01-01T00:00:00Z");
  CHECK(format_utc(middle.period->to) == "2100-01-01T00:00:00Z");
  CHECK_FALSE(middle.next_open);  // 2100 is past k_window_horizon

  for (const char* at : {"2092-01-01T00:00:00Z", "2099-12-31T23:59:30Z"}) {
    INFO(at);
    WindowState late = window_state(schedule, {}, "production", instant(at));
    CHECK_FALSE(late.open);
    CHECK(late.cause == WindowCause::deny);
    CHECK(utc(late.next_open) == "2100-01-01T00:00:00Z");
    CHECK(utc(late.next_closes_at) == "2100-01-01T00:00:01Z");
  }
  check_cases(schedule, {{"1999-12-31T23:00:00Z", true},
                         {"1999-12-31T23:00:01Z", false},
                         {"2000-01-01T00:00:00Z", false},
                         {"2099-12-31T23:00:00Z", false},
                         {"2100-01-01T00:00:00Z", true},
                         {"2100-01-01T00:00:01Z", false},
                         {"2100-01-01T01:00:00Z", true}});
  WindowState after = window_state(schedule, {}, "production", instant("2100-01-01T00:00:01Z"));
  CHECK(utc(after.next_open) == "2100-01-01T01:00:00Z");

  auto open = open_intervals(schedule, {}, "production", instant("1999-12-31T22:30:00Z"),
                             instant("2100-01-01T01:00:30Z"));
  REQUIRE(open.size() == 3);
  CHECK(format_utc(open[0].from) == "1999-12-31T23:00:00Z");
  CHECK(format_utc(open[0].to) == "1999-12-31T23:00:01Z");
  CHECK(format_utc(open[1].from) == "2100-01-01T00:00:00Z");
  CHECK(format_utc(open[2].from) == "2100-01-01T01:00:00Z");
  CHECK(format_utc(open[2].to) == "2100-01-01T01:00:01Z");

  SECTION("the search resumes before the end of the deny, across a fall-back transition") {
    // The deny ends inside the repeated hour (its end is the later 02:30). The 02:45 firing
    // starts in the first pass (the earlier instant for a start) and ends in the second (the
    // later one for an end): it opens the window from the end of the deny until 02:45:01 CET.
    Schedule paris = schedule_of(
        "timezone = \"Europe/Paris\"\n"
        "[[release_window.allow]]\n"
        "cron = \"45 * * * *\"\n"
        "duration = \"1s\"\n"
        "[[release_window.deny]]\n"
        "from = 2026-01-01T00:00:00\n"
        "to = 2026-10-25T02:30:00\n");
    WindowState state = window_state(paris, {}, "production", instant("2026-06-01T00:00:00Z"));
    CHECK(state.cause == WindowCause::deny);
    CHECK(utc(state.next_open) == "2026-10-25T01:30:00Z");
    CHECK(utc(state.next_closes_at) == "2026-10-25T01:45:01Z");
  }
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(1));
}

TEST_CASE("window: resolve_local maps skipped and repeated local times", "[window][dst]") {
  const date::time_zone& paris = *date::locate_zone("Europe/Paris");
  auto local = [](int y, unsigned m, unsigned d, int h, int min) {
    return date::local_days(date::year(y) / m / d) + std::chrono::hours(h) +
           std::chrono::minutes(min);
  };
  CHECK(format_utc(resolve_local(paris, local(2026, 3, 29, 2, 30), Edge::start)) ==
        "2026-03-29T01:00:00Z");
  CHECK(format_utc(resolve_local(paris, local(2026, 3, 29, 2, 30), Edge::end)) ==
        "2026-03-29T01:00:00Z");
  CHECK(format_utc(resolve_local(paris, local(2026, 10, 25, 2, 30), Edge::start)) ==
        "2026-10-25T00:30:00Z");
  CHECK(format_utc(resolve_local(paris, local(2026, 10, 25, 2, 30), Edge::end)) ==
        "2026-10-25T01:30:00Z");
  CHECK(format_utc(resolve_local(paris, local(2026, 7, 1, 12, 0), Edge::start)) ==
        "2026-07-01T10:00:00Z");
}

TEST_CASE("window: an opening that runs across a search step is one opening", "[window]") {
  // The search reads a week, then the next three weeks, and so on; the opening found at the end
  // of one step continues into the next.
  Schedule schedule = schedule_of(always_open("Europe/Paris") +
                                  "[[release_window.deny]]\n"
                                  "from = 2026-11-20T00:00:00\n"
                                  "to = 2026-12-02T00:00:00\n"
                                  "[[release_window.deny]]\n"
                                  "from = 2026-12-05T00:00:00\n"
                                  "to = 2027-01-10T00:00:00\n");
  WindowState state = window_state(schedule, {}, "production", instant("2026-11-26T00:00:00Z"));
  CHECK(state.cause == WindowCause::deny);
  CHECK(utc(state.next_open) == "2026-12-01T23:00:00Z");
  CHECK(utc(state.next_closes_at) == "2026-12-04T23:00:00Z");

  WindowState open = window_state(schedule, {}, "production", instant("2026-11-18T00:00:00Z"));
  CHECK(open.open);
  CHECK(utc(open.closes_at) == "2026-11-19T23:00:00Z");

  WindowState inside = window_state(schedule, {}, "production", instant("2027-01-12T00:00:00Z"));
  CHECK(inside.open);
  CHECK(utc(inside.closes_at) == "none");  // open until past the horizon
}

TEST_CASE("window: long runs of occurrences resolve each edge in its own offset", "[window][dst]") {
  // Occurrences resolve their local edges through a cached offset; every edge must match a
  // lookup of its own across two years of transitions, northern and southern, with starts and
  // ends falling in skipped and repeated hours (01:30 and 02:30 are both, somewhere).
  struct Form {
    int start_minute;  // of the local day
    const char* cron;
    const char* duration;
  };
  const Form forms[] = {{90, "30 1 * * *", "1h"}, {150, "30 2 * * *", "30m"}};
  for (const char* zone_name : {"Europe/Paris", "America/New_York", "Australia/Sydney"}) {
    for (const Form& form : forms) {
      INFO(zone_name << " " << form.cron << " for " << form.duration);
      Schedule schedule = schedule_of(std::string("timezone = \"") + zone_name +
                                      "\"\n[[release_window.allow]]\ncron = \"" + form.cron +
                                      "\"\nduration = \"" + form.duration + "\"\n");
      const date::time_zone& zone = *schedule.zone;
      const std::chrono::seconds length = *parse_duration(form.duration);
      const Seconds lo = instant("2026-01-01T00:00:00Z"), hi = instant("2028-01-01T00:00:00Z");
      std::vector<std::string> expected;
      for (auto day = date::floor<date::days>(zone.to_local(lo)) - date::days(1);
           day <= date::floor<date::days>(zone.to_local(hi)); day += date::days(1)) {
        auto start = date::local_seconds(day) + std::chrono::minutes(form.start_minute);
        Interval occurrence{resolve_local(zone, start, Edge::start),
                            resolve_local(zone, start + length, Edge::end)};
        occurrence.from = std::max(occurrence.from, lo);
        occurrence.to = std::min(occurrence.to, hi);
        if (occurrence.from < occurrence.to)
          expected.push_back(format_utc(occurrence.from) + " " + format_utc(occurrence.to));
      }
      std::vector<std::string> found;
      for (const Interval& interval : open_intervals(schedule, {}, "production", lo, hi))
        found.push_back(format_utc(interval.from) + " " + format_utc(interval.to));
      CHECK(found.size() >= 725);
      CHECK(found == expected);
    }
  }
}

TEST_CASE("window: invalid windows are problems at line:column", "[window]") {
  const std::string tz = "timezone = \"Europe/Paris\"\n";
  const std::string allow = "[[release_window.allow]]\n";
  CHECK(one_problem("timezone = \"Europe/Pariss\"\n" + allow +
                    "start = \"20:00\"\nend = \"23:00\"\n") ==
        "operability.toml:2:12: release_window.timezone is \"Europe/Pariss\", which is not an "
        "IANA time zone (such as \"Europe/Paris\" or \"America/New_York\")");
  CHECK(one_problem(allow + "start = \"20:00\"\nend = \"23:00\"\n") ==
        "operability.toml:1:1: release_window.timezone is missing; it is required when windows "
        "are declared");
  CHECK(one_problem(tz + allow + "start = \"20:00\"\n") ==
        "operability.toml:3:1: release_window.allow[1].end is missing; it is required (or write "
        "cron and duration)");
  CHECK(one_problem(tz + allow + "start = \"25:00\"\nend = \"23:00\"\n") ==
        "operability.toml:4:9: release_window.allow[1].start is \"25:00\"; a time \"HH:MM\" "
        "between 00:00 and 23:59 is required");
  CHECK(one_problem(tz + allow +
                    "days = [\"mon\", \"sunday\"]\nstart = \"20:00\"\nend = "
                    "\"23:00\"\n") ==
        "operability.toml:4:16: release_window.allow[1].days holds \"sunday\"; one of mon, tue, "
        "wed, thu, fri, sat, sun is required");
  CHECK(one_problem(tz + allow + "cron = \"* * * * *\"\nduration = \"1s\"\n") ==
        "operability.toml:4:8: release_window.allow[1].cron is \"* * * * *\", which fires 60 "
        "times an hour; release windows fire at most once an hour: name a single minute (such "
        "as \"0 22 * * 1-4\")");
  CHECK(one_problem(tz + "[[release_window.deny]]\nfreeze_start = \"*/15 20 * * *\"\n"
                         "freeze_end = \"0 21 * * *\"\n") ==
        "operability.toml:4:16: release_window.deny[1].freeze_start is \"*/15 20 * * *\", which "
        "fires 4 times an hour; release windows fire at most once an hour: name a single minute "
        "(such as \"0 22 * * 1-4\")");
  CHECK(one_problem(tz + allow + "cron = \"0 25 * * *\"\nduration = \"1h\"\n") ==
        "operability.toml:4:8: release_window.allow[1].cron is invalid: cron \"0 25 * * *\": "
        "hour 25 is out of range 0-23");
  CHECK(one_problem(tz + allow + "cron = \"0 20 * * *\"\nduration = \"3 hours\"\n") ==
        "operability.toml:5:12: release_window.allow[1].duration is invalid: duration \"3 "
        "hours\" must look like \"3h30m\", \"90m\" or \"2h\" (units h, m, s) and be positive");
  CHECK(one_problem(tz + allow + "cron = \"0 20 * * *\"\n") ==
        "operability.toml:3:1: release_window.allow[1].duration is missing; a cron window needs "
        "one, such as \"3h30m\"");
  CHECK_THAT(one_problem(tz + allow +
                         "cron = \"0 20 * * *\"\nduration = \"1h\"\nstart = "
                         "\"20:00\"\n"),
             Catch::Contains("mixes days/start/end with cron"));
  CHECK(one_problem(tz + "[[release_window.deny]]\nreason = \"x\"\n") ==
        "operability.toml:3:1: release_window.deny[1] needs from/to, cron/duration or "
        "freeze_start/freeze_end; write exactly one form");
  CHECK(one_problem(tz + "[[release_window.deny]]\nfrom = 2026-12-18T00:00:00\nto = "
                         "2026-12-17T00:00:00\n") ==
        "operability.toml:4:8: release_window.deny[1].from 2026-12-18 00:00 is not before to "
        "2026-12-17 00:00");
  CHECK(one_problem(tz + "[[release_window.deny]]\nfreeze_start = \"0 23 * * 5\"\n") ==
        "operability.toml:3:1: release_window.deny[1].freeze_end is missing; a GitLab-style "
        "freeze needs freeze_start and freeze_end");
  CHECK_THAT(one_problem(tz + "[[release_window.deny]]\nfreeze_start = \"0 23 * * 5\"\n"
                              "freeze_end = \"0 7 31 2 *\"\n"),
             Catch::StartsWith("operability.toml:5:14: release_window.deny[1].freeze_end is "
                               "invalid") &&
                 Catch::Contains("never fires"));
  // A wrong timezone is reported even before windows are declared; no timezone, no lookup.
  CHECK(one_problem("timezone = \"Not/AZone\"\n") ==
        "operability.toml:2:12: release_window.timezone is \"Not/AZone\", which is not an IANA "
        "time zone (such as \"Europe/Paris\" or \"America/New_York\")");
  CHECK(problems_in("").empty());
  // Only IANA names: the runner's own zone, the database's internals and its posix/ and right/
  // trees would make the same manifest mean another time on another machine.
  for (const char* name : {"localtime", "posixrules", "Factory", "posix/Europe/Paris", "right/UTC",
                           "/etc/localtime", "../zoneinfo/UTC", "Europe//Paris"})
    CHECK_THAT(one_problem("timezone = \"" + std::string(name) + "\"\n"),
               Catch::Contains("which is not an IANA time zone"));
  for (const char* name : {"UTC", "Europe/Paris", "America/Argentina/Buenos_Aires", "Etc/GMT+1"})
    CHECK(problems_in("timezone = \"" + std::string(name) + "\"\n").empty());
  CHECK(is_iana_zone_name("America/Port-au-Prince"));
  CHECK_FALSE(is_iana_zone_name("localtime"));
}

TEST_CASE("window: allow windows that overlap business hours", "[window]") {
  std::bitset<7> weekdays;
  for (unsigned day : {1u, 2u, 3u, 4u, 5u}) weekdays.set(day);
  auto overlaps = [&](const std::string& body) {
    return weekly_overlaps(schedule_of("timezone = \"Europe/Paris\"\n" + body), "production",
                           weekdays, std::chrono::hours(8), std::chrono::hours(11));
  };
  CHECK(overlaps("[[release_window.allow]]\ndays = [\"mon\"]\nstart = \"17:00\"\nend = "
                 "\"21:00\"\n") ==
        std::vector<std::string>{"mon 17:00-21:00 overlaps business hours mon 08:00-19:00 by 2h"});
  CHECK(overlaps("[[release_window.allow]]\ndays = [\"mon\"]\nstart = \"19:00\"\nend = "
                 "\"08:00\"\n")
            .empty());  // half-open: 19:00 and 08:00 only touch
  CHECK(
      overlaps("[[release_window.allow]]\ndays = [\"sun\"]\nstart = \"22:00\"\nend = "
               "\"09:30\"\n") ==
      std::vector<std::string>{"sun 22:00-09:30 overlaps business hours mon 08:00-19:00 by 1h30m"});
  CHECK(overlaps("[[release_window.allow]]\ndays = [\"sat\"]\nstart = \"10:00\"\nend = "
                 "\"12:00\"\n")
            .empty());
  CHECK(overlaps("[[release_window.allow]]\ncron = \"0 7 * * 1\"\nduration = \"2h\"\n") ==
        std::vector<std::string>{"mon 07:00-09:00 overlaps business hours mon 08:00-19:00 by 1h"});
  CHECK(overlaps("[[release_window.allow]]\ncron = \"0 7 * * 1\"\nduration = \"2h\"\n"
                 "environments = [\"staging\"]\n")
            .empty());
  // A day of month falls on a weekday sooner or later.
  CHECK(overlaps("[[release_window.allow]]\ncron = \"0 12 15 * *\"\nduration = \"1h\"\n").size() ==
        5);
}

}  // namespace window_test
