#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <algorithm>

#include "gate_fixtures.hpp"
#include "manifest.hpp"
#include "manifest_schema.hpp"

namespace manifest_test {

using namespace opsgate;
using opsgate::test::manifest_from;

namespace {

// The problems as "line:column: message", the way a user reads them.
std::vector<std::string> problems_of(const std::string& text) {
  Manifest manifest = manifest_from(text);
  std::vector<std::string> out;
  for (const SchemaProblem& problem : manifest.problems)
    out.push_back(
        fmt::format("{}:{}: {}", problem.where.line, problem.where.column, problem.message));
  return out;
}

std::string one_problem(const std::string& text) {
  auto problems = problems_of(text);
  INFO(text);
  REQUIRE(problems.size() == 1);
  return problems.front();
}

const char* const k_valid =
    "schema = 1\n"
    "[service]\n"
    "name = \"billing-api\"\n"
    "owner = \"team-payments\"\n"
    "tier = \"critical\"\n"
    "stateful = true\n"
    "contact = \"payments-oncall@example.org\"\n"
    "[backup]\n"
    "enabled = true\n"
    "schedule = \"daily\"\n"
    "retention_days = 35\n"
    "offsite = true\n"
    "procedure = \"docs/runbook.md#restore\"\n"
    "last_restore_test = 2026-10-02\n"
    "[monitoring]\n"
    "dashboard = \"https://grafana.example.org/d/billing\"\n"
    "alert_rules = [\"monitoring/alerts.yaml\"]\n"
    "healthcheck = \"/healthz\"\n"
    "oncall = \"https://oncall.example.org/schedules/payments\"\n"
    "slo = { availability = 99.9 }\n"
    "[runbook]\n"
    "path = \"docs/runbook.md\"\n"
    "last_review = 2026-09-15\n"
    "[rollback]\n"
    "strategy = \"blue-green\"\n"
    "automated = true\n"
    "max_duration_minutes = 15\n"
    "procedure = \"docs/runbook.md#rollback\"\n"
    "last_tested = 2026-10-20\n"
    "database = \"backward-compatible\"\n"
    "[release_window]\n"
    "timezone = \"Europe/Paris\"\n"
    "[[release_window.allow]]\n"
    "days = [\"mon\", \"tue\", \"wed\", \"thu\"]\n"
    "start = \"20:00\"\n"
    "end = \"23:30\"\n"
    "environments = [\"production\"]\n"
    "[[release_window.deny]]\n"
    "from = 2026-12-18T00:00:00\n"
    "to = 2027-01-04T08:00:00\n"
    "reason = \"year-end freeze\"\n"
    "[[waiver]]\n"
    "rule = \"BKP-004\"\n"
    "reason = \"restore test booked for 2026-12-03\"\n"
    "expires = 2026-12-15\n"
    "approved_by = \"ops-lead@example.org\"\n";

}  // namespace

TEST_CASE("The contract's example manifest has no schema problem", "[manifest]") {
  Manifest manifest = manifest_from(k_valid, "services/billing/operability.toml");
  CHECK(manifest.problems.empty());
  CHECK(manifest.path == "services/billing/operability.toml");
  CHECK(manifest.dir == "services/billing");
  CHECK(manifest.blob == hash_blob(k_valid));
  CHECK(manifest.service_name() == "billing-api");
  CHECK(manifest.tier() == "critical");
}

TEST_CASE("A missing required key is reported at its table", "[manifest]") {
  CHECK(one_problem("schema = 1\n"
                    "[service]\n"
                    "name = \"billing-api\"\n") == "2:1: service.owner is missing; it is required");
}

TEST_CASE("A missing required table is reported", "[manifest]") {
  auto problems = problems_of("schema = 1\n");
  REQUIRE(problems.size() >= 1);
  CHECK_THAT(problems.front(), Catch::Contains("service is missing; it is required"));
}

TEST_CASE("A missing schema key is a problem at 1:1", "[manifest]") {
  CHECK(one_problem("[service]\n"
                    "name = \"billing-api\"\n"
                    "owner = \"team-payments\"\n") ==
        "1:1: schema is missing; add `schema = 1` at the top");
}

TEST_CASE("A wrong type is reported at the value with what is required", "[manifest]") {
  std::string header = opsgate::test::k_service_header;
  CHECK(one_problem(header + "[backup]\n"
                             "retention_days = \"35\"\n") ==
        "6:18: backup.retention_days is \"35\"; an integer is required");
  CHECK(one_problem(header + "[backup]\n"
                             "enabled = \"yes\"\n") ==
        "6:11: backup.enabled is \"yes\"; a boolean is required");
  CHECK(one_problem(header + "[runbook]\n"
                             "last_review = \"2026-09-15\"\n") ==
        "6:15: runbook.last_review is \"2026-09-15\"; a date (2026-11-26) is required");
  CHECK(one_problem(header + "[monitoring]\n"
                             "alert_rules = \"monitoring/alerts.yaml\"\n") ==
        "6:15: monitoring.alert_rules is \"monitoring/alerts.yaml\"; an array of strings is "
        "required");
  CHECK(one_problem("schema = 1\n"
                    "backup = 3\n"
                    "[service]\n"
                    "name = \"a\"\n"
                    "owner = \"b\"\n") == "2:10: backup is 3; a table is required");
}

TEST_CASE("A negative count is reported", "[manifest]") {
  CHECK(one_problem(std::string(opsgate::test::k_service_header) + "[backup]\n"
                                                                   "retention_days = -1\n") ==
        "6:18: backup.retention_days is -1; at least 0 is required");
}

TEST_CASE("A required string may not be empty", "[manifest]") {
  CHECK(one_problem("schema = 1\n"
                    "[service]\n"
                    "name = \"\"\n"
                    "owner = \"team-payments\"\n") ==
        "3:8: service.name is \"\"; a non-empty string is required");
}

TEST_CASE("A value outside an enumeration lists the allowed values", "[manifest]") {
  std::string header = opsgate::test::k_service_header;
  CHECK(one_problem(header + "tier = \"gold\"\n") ==
        "5:8: service.tier is \"gold\"; one of critical, high, medium, low is required");
  CHECK(one_problem(header + "[rollback]\n"
                             "strategy = \"pray\"\n") ==
        "6:12: rollback.strategy is \"pray\"; one of revert, redeploy-previous, blue-green, "
        "canary, feature-flag is required");
  CHECK(one_problem(header + "[backup]\n"
                             "schedule = \"yearly\"\n") ==
        "6:12: backup.schedule is \"yearly\"; one of hourly, daily, weekly, monthly is required");
}

TEST_CASE("An invalid day in a window is reported at that day", "[manifest]") {
  CHECK(one_problem(std::string(opsgate::test::k_service_header) + "[release_window]\n"
                                                                   "timezone = \"Europe/Paris\"\n"
                                                                   "[[release_window.allow]]\n"
                                                                   "days = [\"mon\", \"funday\"]\n"
                                                                   "start = \"20:00\"\n"
                                                                   "end = \"23:00\"\n") ==
        "8:16: release_window.allow[1].days is \"funday\"; one of mon, tue, wed, thu, fri, sat, "
        "sun is required");
}

TEST_CASE("A bad HH:MM is reported at the value", "[manifest]") {
  std::string windows = std::string(opsgate::test::k_service_header) +
                        "[release_window]\n"
                        "timezone = \"Europe/Paris\"\n"
                        "[[release_window.allow]]\n"
                        "days = [\"mon\"]\n";
  CHECK(one_problem(windows + "start = \"24:00\"\nend = \"23:00\"\n") ==
        "9:9: release_window.allow[1].start is \"24:00\"; a time \"HH:MM\" between 00:00 and "
        "23:59 is required");
  CHECK(one_problem(windows + "start = \"20:00\"\nend = \"8:00\"\n") ==
        "10:7: release_window.allow[1].end is \"8:00\"; a time \"HH:MM\" between 00:00 and "
        "23:59 is required");
  CHECK(one_problem(windows + "start = \"20:60\"\nend = \"23:00\"\n") ==
        "9:9: release_window.allow[1].start is \"20:60\"; a time \"HH:MM\" between 00:00 and "
        "23:59 is required");
  CHECK(one_problem(windows + "start = 20:00:00\nend = \"23:00\"\n") ==
        "9:9: release_window.allow[1].start is 20:00:00; a time \"HH:MM\" between 00:00 and "
        "23:59 is required");
  CHECK(problems_of(windows + "start = \"00:00\"\nend = \"23:59\"\n").empty());
}

TEST_CASE("An unknown key in a known table is reported at the key", "[manifest]") {
  CHECK(one_problem(std::string(opsgate::test::k_service_header) + "[backup]\n"
                                                                   "  encryption = \"aes\"\n") ==
        "6:3: backup.encryption is not a key of schema 1 (check its spelling)");
  CHECK(one_problem(std::string(opsgate::test::k_service_header) + "[[waiver]]\n"
                                                                   "rule = \"BKP-004\"\n"
                                                                   "ticket = \"CHG-1\"\n") ==
        "7:1: waiver[1].ticket is not a key of schema 1 (check its spelling)");
}

TEST_CASE("A misspelt key gets the key it was meant to be", "[manifest]") {
  CHECK(one_problem(std::string(opsgate::test::k_service_header) + "[backup]\n"
                                                                   "  retension_days = 35\n") ==
        "6:3: backup.retension_days is not a key of schema 1 (did you mean retention_days?)");
  CHECK(one_problem(std::string(opsgate::test::k_service_header) + "tiers = \"high\"\n") ==
        "5:1: service.tiers is not a key of schema 1 (did you mean tier?)");
  CHECK(one_problem(std::string(opsgate::test::k_service_header) +
                    "[[waiver]]\n"
                    "rule = \"BKP-004\"\n"
                    "aproved_by = \"x@example.org\"\n") ==
        "7:1: waiver[1].aproved_by is not a key of schema 1 (did you mean approved_by?)");
  // Too far from every key for a guess.
  CHECK(one_problem(std::string(opsgate::test::k_service_header) +
                    "[[waiver]]\n"
                    "rule = \"BKP-004\"\n"
                    "approver = \"x@example.org\"\n") ==
        "7:1: waiver[1].approver is not a key of schema 1 (check its spelling)");
  CHECK(one_problem("schema = 1\nshcema = 1\n[service]\nname = \"a\"\nowner = \"b\"\n") ==
        "2:1: shcema is not a key of schema 1 (did you mean schema?)");
}

TEST_CASE("An unknown top-level table is kept without a problem", "[manifest]") {
  Manifest manifest = manifest_from(std::string(opsgate::test::k_service_header) +
                                    "[security]\n"
                                    "pentest = 2026-06-01\n"
                                    "[[dependencies]]\n"
                                    "name = \"postgres\"\n");
  CHECK(manifest.problems.empty());
  REQUIRE(manifest.doc.at_path("security.pentest").is_date());
  CHECK(manifest.doc.at_path("dependencies[0].name").value_or(std::string()) == "postgres");
}

TEST_CASE("A top-level table a typo away from a schema table is a warning", "[manifest]") {
  Manifest manifest = manifest_from(std::string(opsgate::test::k_service_header) +
                                    "[monitorng]\n"
                                    "dashboard = \"https://grafana.example.org/d/x\"\n"
                                    "[[waivers]]\n"
                                    "rule = \"BKP-004\"\n"
                                    "[Backup]\n"
                                    "enabled = true\n"
                                    "[security]\n"
                                    "pentest = 2026-06-01\n");
  REQUIRE(manifest.problems.size() == 3);  // in key order: Backup, monitorng, waivers
  for (const SchemaProblem& problem : manifest.problems) CHECK(problem.warning);
  CHECK_THAT(manifest.problems[0].message,
             Catch::StartsWith("[Backup] is not a table of schema 1; did you mean [backup]?"));
  CHECK(manifest.problems[1].message ==
        "[monitorng] is not a table of schema 1; did you mean [monitoring]? (a table of your own "
        "stays allowed: rename it, or have a rule pack declare it)");
  CHECK(manifest.problems[1].where.line == 5);
  CHECK_THAT(manifest.problems[2].message,
             Catch::StartsWith("[[waivers]] is not a table of schema 1; did you mean [[waiver]]?"));
  // The tables stay readable by rules.
  CHECK(manifest.doc.at_path("monitorng.dashboard").is_string());
}

TEST_CASE("An unknown top-level scalar is a problem", "[manifest]") {
  CHECK(one_problem("schema = 1\n"
                    "colour = \"red\"\n"
                    "[service]\n"
                    "name = \"a\"\n"
                    "owner = \"b\"\n") ==
        "2:1: colour is not a key of schema 1 (check its spelling)");
}

// --- keys the loaded packs add ------------------------------------------------------------------

namespace {

PackKeys pack_keys(std::vector<DeclaredKey> declared, std::vector<std::string> read = {}) {
  PackKeys keys;
  std::ranges::sort(declared, {}, &DeclaredKey::path);
  keys.declared = std::move(declared);
  std::ranges::sort(read);
  for (std::string& path : read)
    keys.read.push_back({std::move(path), "ACME-001", SourcePos{"rules/acme.toml", 3, 11}});
  return keys;
}

DeclaredKey declared(std::string path, std::string type) {
  return DeclaredKey{std::move(path), std::move(type), "", "acme", SourcePos{"rules/acme.toml"}};
}

std::vector<std::string> problems_with(const std::string& text, const PackKeys& keys) {
  Manifest manifest = manifest_from(text, "operability.toml", &keys);
  std::vector<std::string> out;
  for (const SchemaProblem& problem : manifest.problems)
    out.push_back(
        fmt::format("{}:{}: {}", problem.where.line, problem.where.column, problem.message));
  return out;
}

}  // namespace

TEST_CASE("A company pack's key inside a schema table is no schema problem", "[manifest][keys]") {
  // Before packs could declare keys, every manifest providing backup.encryption or
  // rollback.script failed GATE-SCHEMA: "not a key of schema 1".
  const std::string text = std::string(opsgate::test::k_service_header) +
                           "[backup]\n"
                           "encryption = \"aes-256-gcm\"\n"
                           "[rollback]\n"
                           "script = \"deploy/rollback.sh\"\n";
  PackKeys keys = pack_keys({declared("backup.encryption", "string")}, {"rollback.script"});
  CHECK(problems_with(text, keys).empty());
  // Without the pack, both are unknown keys again.
  CHECK(problems_of(text).size() == 2);
}

TEST_CASE("A declared key of the wrong type is a problem at its value", "[manifest][keys]") {
  PackKeys keys = pack_keys(
      {declared("backup.encryption", "string"), declared("monitoring.slo.latency_ms", "number"),
       declared("security.pentest_date", "date"), declared("cost_center", "integer")});
  auto problems = problems_with(
      "schema = 1\n"
      "cost_center = \"x\"\n"
      "[service]\n"
      "name = \"a\"\n"
      "owner = \"b\"\n"
      "[backup]\n"
      "encryption = 256\n"
      "[monitoring]\n"
      "slo = { availability = 99.9, latency_ms = \"200\" }\n"
      "[security]\n"
      "pentest_date = \"2026-06-01\"\n",
      keys);
  REQUIRE(problems.size() == 4);  // in key order
  CHECK(problems[0] ==
        "7:14: backup.encryption is 256; a string is required (declared by pack acme)");
  CHECK(problems[1] ==
        "2:15: cost_center is \"x\"; an integer is required (declared by pack acme)");
  CHECK(problems[2] ==
        "9:43: monitoring.slo.latency_ms is \"200\"; a number is required "
        "(declared by pack acme)");
  CHECK(problems[3] ==
        "11:16: security.pentest_date is \"2026-06-01\"; a date (2026-11-26) is "
        "required (declared by pack acme)");
  // Their right types pass; "number" takes an integer too.
  CHECK(problems_with("schema = 1\n"
                      "cost_center = 42\n"
                      "[service]\n"
                      "name = \"a\"\n"
                      "owner = \"b\"\n"
                      "[backup]\n"
                      "encryption = \"aes\"\n"
                      "[monitoring]\n"
                      "slo = { availability = 99.9, latency_ms = 200 }\n"
                      "[security]\n"
                      "pentest_date = 2026-06-01\n"
                      "other = \"free\"\n",
                      keys)
            .empty());
}

TEST_CASE("A table on the way to a pack's key is a table with known keys", "[manifest][keys]") {
  PackKeys keys = pack_keys({declared("backup.encryption.cipher", "string")});
  const std::string header = std::string(opsgate::test::k_service_header) + "[backup]\n";
  CHECK(problems_with(header + "encryption.cipher = \"aes\"\n", keys).empty());
  CHECK(problems_with(header + "encryption = \"aes\"\n", keys) ==
        std::vector<std::string>{"6:14: backup.encryption is \"aes\"; a table is required (the "
                                 "loaded rule packs read keys inside it)"});
  // Inside a schema table the packs' tables are as strict: a typo is caught.
  CHECK(problems_with(header + "encryption.ciper = \"aes\"\n", keys) ==
        std::vector<std::string>{
            "6:12: backup.encryption.ciper is not a key of schema 1 (did you mean cipher?)"});
}

TEST_CASE("A table only a rule reads takes any content", "[manifest][keys]") {
  PackKeys keys =
      pack_keys({declared("backup.encryption.cipher", "string")}, {"backup.encryption"});
  CHECK(problems_with(std::string(opsgate::test::k_service_header) +
                          "[backup]\n"
                          "encryption = { cipher = \"aes\", rotation = \"yearly\" }\n",
                      keys)
            .empty());
}

TEST_CASE("A table a pack declares or a rule reads is no typo", "[manifest][keys]") {
  const std::string text = std::string(opsgate::test::k_service_header) +
                           "[monitorng]\n"
                           "dashboard = \"x\"\n";
  CHECK(problems_with(text, pack_keys({}, {"monitorng.dashboard"})).empty());
  CHECK(problems_with(text, pack_keys({declared("monitorng", "table")})).empty());
  // A pack's own table is a candidate for the guess too.
  CHECK(problems_with(std::string(opsgate::test::k_service_header) + "[securty]\nx = 1\n",
                      pack_keys({declared("security.pentest_date", "date")})) ==
        std::vector<std::string>{"5:2: [securty] is not a table of schema 1; did you mean "
                                 "[security]? (a table of your own stays allowed: rename it, or "
                                 "have a rule pack declare it)"});
}

TEST_CASE("An unsupported schema is an Error (exit 2) at the value", "[manifest]") {
  for (const char* schema : {"2", "\"1\"", "0", "1.0", "1e0"}) {
    INFO(schema);
    std::string text = std::string("# header\nschema = ") + schema + "\n";
    auto manifest = parse_manifest(text, "svc/operability.toml", "");
    REQUIRE_FALSE(manifest);
    CHECK(manifest.error().kind == ErrorKind::invalid);
    REQUIRE(manifest.error().where);
    CHECK(manifest.error().where->to_string() == "svc/operability.toml:2:10");
    CHECK_THAT(manifest.error().message, Catch::Contains("unsupported schema"));
    CHECK_THAT(manifest.error().message, Catch::Contains("schema 1"));
  }
}

TEST_CASE("A TOML syntax error is an Error (exit 2) with its position", "[manifest]") {
  auto manifest = parse_manifest(
      "schema = 1\n"
      "[service]\n"
      "name = billing-api\n",
      "operability.toml", "");
  REQUIRE_FALSE(manifest);
  CHECK(manifest.error().kind == ErrorKind::invalid);
  REQUIRE(manifest.error().where);
  CHECK(manifest.error().where->path == "operability.toml");
  CHECK(manifest.error().where->line == 3);
  CHECK(manifest.error().where->column >= 8);
}

TEST_CASE("A deny window must start before it ends", "[manifest]") {
  std::string windows = std::string(opsgate::test::k_service_header) +
                        "[release_window]\n"
                        "timezone = \"Europe/Paris\"\n"
                        "[[release_window.deny]]\n";
  for (const char* to : {"2026-12-18T00:00:00", "2026-12-17T23:59:00"}) {
    INFO(to);
    std::string problem = one_problem(windows + "from = 2026-12-18T00:00:00\nto = " + to + "\n");
    CHECK_THAT(problem, Catch::StartsWith("8:8: release_window.deny[1].from "));
    CHECK_THAT(problem, Catch::Contains("is not before"));
  }
  CHECK(problems_of(windows + "from = 2026-12-18T00:00:00\n"
                              "to = 2026-12-18T00:00:01\n")
            .empty());
}

TEST_CASE("A deny window needs from and to", "[manifest]") {
  CHECK(one_problem(std::string(opsgate::test::k_service_header) +
                    "[release_window]\n"
                    "timezone = \"Europe/Paris\"\n"
                    "[[release_window.deny]]\n"
                    "from = 2026-12-18T00:00:00\n") ==
        "7:1: release_window.deny[1].to is missing; it is required");
}

TEST_CASE("A deny window's from must be a date-time", "[manifest]") {
  CHECK(one_problem(std::string(opsgate::test::k_service_header) + "[release_window]\n"
                                                                   "timezone = \"Europe/Paris\"\n"
                                                                   "[[release_window.deny]]\n"
                                                                   "from = 2026-12-18\n"
                                                                   "to = 2027-01-04T08:00:00\n") ==
        "8:8: release_window.deny[1].from is 2026-12-18; a date-time (2026-11-26T20:00:00) is "
        "required");
}

TEST_CASE("The timezone is required when windows are declared", "[manifest]") {
  CHECK(one_problem(std::string(opsgate::test::k_service_header) + "[release_window]\n"
                                                                   "[[release_window.allow]]\n"
                                                                   "days = [\"mon\"]\n"
                                                                   "start = \"20:00\"\n"
                                                                   "end = \"23:00\"\n") ==
        "5:1: release_window.timezone is missing; it is required when windows are declared");
  // Without any window the timezone is optional.
  CHECK(problems_of(std::string(opsgate::test::k_service_header) + "[release_window]\n").empty());
}

TEST_CASE("An unknown IANA timezone is a schema problem at the value", "[manifest]") {
  // CONTRACT "Exit codes": an invalid timezone is a failed GATE-SCHEMA finding at the key.
  auto problems = problems_of(std::string(opsgate::test::k_service_header) +
                              "[release_window]\n"
                              "timezone = \"Europe/Pariss\"\n"
                              "[[release_window.allow]]\n"
                              "days = [\"mon\"]\n"
                              "start = \"20:00\"\n"
                              "end = \"23:00\"\n");
  REQUIRE(problems.size() == 1);
  CHECK_THAT(problems.front(), Catch::StartsWith("6:12: release_window.timezone is "
                                                 "\"Europe/Pariss\""));
}

TEST_CASE("A waiver needs the rule it waives", "[manifest]") {
  CHECK(one_problem(std::string(opsgate::test::k_service_header) + "[[waiver]]\n"
                                                                   "reason = \"x\"\n") ==
        "5:1: waiver[1].rule is missing; it is required");
  CHECK(one_problem(std::string(opsgate::test::k_service_header) + "[[waiver]]\n"
                                                                   "rule = \"BKP-004\"\n"
                                                                   "expires = \"2026-12-15\"\n") ==
        "7:11: waiver[1].expires is \"2026-12-15\"; a date (2026-11-26) is required");
}

TEST_CASE("Every problem of a manifest is reported, not only the first", "[manifest]") {
  auto problems = problems_of(
      "schema = 1\n"
      "[service]\n"
      "name = \"a\"\n"
      "tier = \"gold\"\n"
      "[backup]\n"
      "retention_days = \"x\"\n");
  CHECK(problems.size() == 3);
}

TEST_CASE("The schema table has the contract's required keys", "[manifest]") {
  for (std::string_view key : {"service", "service.name", "service.owner"}) {
    INFO(key);
    const SchemaEntry* entry = find_schema_entry(key);
    REQUIRE(entry);
    CHECK(entry->required);
  }
  REQUIRE(find_schema_entry("backup.retention_days"));
  CHECK_FALSE(find_schema_entry("backup.retention_days")->required);
  CHECK_FALSE(find_schema_entry("backup.nope"));
}

TEST_CASE("An unknown IANA timezone is a problem even before windows are declared", "[manifest]") {
  // CONTRACT "Exit codes": an invalid timezone is a failed GATE-SCHEMA finding at the key.
  auto problems = problems_of(std::string(opsgate::test::k_service_header) +
                              "[release_window]\n"
                              "timezone = \"Mars/Olympus\"\n");
  REQUIRE(problems.size() == 1);
  CHECK_THAT(problems.front(), Catch::StartsWith("6:12: release_window.timezone is "
                                                 "\"Mars/Olympus\""));
}

}  // namespace manifest_test
