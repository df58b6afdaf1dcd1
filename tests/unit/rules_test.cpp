#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "gate_fixtures.hpp"
#include "rules.hpp"

namespace rules_test {

using namespace opsgate;
using opsgate::test::pack_source;
using opsgate::test::rules_from;
using opsgate::test::try_rules;

namespace {

constexpr const char* k_path = "rules/test.toml";

// "rules/test.toml:LINE:COLUMN" where COLUMN is that of `needle` in line LINE (1-based), so a
// test names the spot the user would look at rather than counting characters.
std::string at(const std::string& text, int line, const std::string& needle,
               const std::string& path = k_path) {
  std::size_t start = 0;
  for (int i = 1; i < line; ++i) start = text.find('\n', start) + 1;
  std::size_t end = text.find('\n', start);
  std::string row = text.substr(start, end - start);
  std::size_t column = row.find(needle);
  if (column == std::string::npos) FAIL("no '" << needle << "' on line " << line << ": " << row);
  return fmt::format("{}:{}:{}", path, line, column + 1);
}

Error load_error(const std::string& text) {
  auto rules = try_rules({pack_source(text)});
  if (rules) FAIL("the rules loaded:\n" << text);
  return rules.error();
}

// A valid rule whose check is `check`; the check sits on line 7.
std::string with_check(const std::string& check) {
  return "[[rule]]\n"
         "id = \"BKP-002\"\n"
         "area = \"backup\"\n"
         "title = \"Backups are kept at least a week\"\n"
         "severity = \"error\"\n"
         "level = 2\n"
         "check = [ { key = \"backup.retention_days\", " +
         check + " } ]\n";
}

const char* const k_valid =
    "[pack]\n"
    "name = \"baseline\"\n"
    "version = \"1.0.0\"\n"
    "environments = [\"production\", \"staging\"]\n"
    "max_waiver_days = 30\n"
    "waiver_approvers = [\"ops-lead@example.org\", \"*@ops.example.org\"]\n"
    "[[rule]]\n"
    "id = \"MON-003\"\n"
    "area = \"monitoring\"\n"
    "title = \"Alerts are declared\"\n"
    "severity = \"warning\"\n"
    "level = 2\n"
    "environments = [\"production\"]\n"
    "tiers = [\"critical\", \"high\"]\n"
    "when_changed = [\"monitoring/**\"]\n"
    "help = \"Declare monitoring.alert_rules.\"\n"
    "when = [ { key = \"service.stateful\", equals = true } ]\n"
    "check = [ { key = \"monitoring.alert_rules\", min_items = 1, path_exists = true } ]\n"
    "[[rule]]\n"
    "id = \"BKP-002\"\n"
    "area = \"backup\"\n"
    "title = \"Backups are kept at least a week\"\n"
    "severity = \"error\"\n"
    "level = 2\n"
    "waivable = false\n"
    "check = [ { key = \"service.name\", matches = \"[a-z-]+\" } ]\n";

}  // namespace

TEST_CASE("A valid pack loads with its settings and rules sorted by id", "[rules]") {
  RuleSet rules = rules_from(k_valid);
  REQUIRE(rules.packs.size() == 1);
  const Pack& pack = rules.packs[0];
  CHECK(pack.name == "baseline");
  CHECK(pack.version == "1.0.0");
  CHECK(pack.source == "rules/test");
  CHECK(pack.environments == std::vector<std::string>{"production", "staging"});
  CHECK(pack.max_waiver_days == 30);
  CHECK(pack.waiver_approvers ==
        std::vector<std::string>{"ops-lead@example.org", "*@ops.example.org"});

  REQUIRE(rules.rules.size() == 2);
  CHECK(rules.rules[0].id == "BKP-002");
  CHECK(rules.rules[1].id == "MON-003");
  const Rule* monitoring = rules.find("MON-003");
  REQUIRE(monitoring);
  CHECK(monitoring->severity == Severity::warning);
  CHECK(monitoring->level == 2);
  CHECK(monitoring->tiers == std::vector<std::string>{"critical", "high"});
  CHECK(monitoring->when_changed == std::vector<std::string>{"monitoring/**"});
  CHECK(monitoring->waivable);
  REQUIRE(monitoring->when.size() == 1);
  REQUIRE(monitoring->check.size() == 1);
  CHECK(monitoring->check[0].ops.size() == 2);
  CHECK(monitoring->where.to_string() == "rules/test.toml:7:1");
  const Rule* backup = rules.find("BKP-002");
  REQUIRE(backup);
  CHECK_FALSE(backup->waivable);
  REQUIRE(backup->check[0].ops.size() == 1);
  CHECK(backup->check[0].ops[0].regex);  // compiled once, at load
  CHECK(rules.find("NOPE-001") == nullptr);
}

TEST_CASE("Pack defaults: the directory name, 90 waiver days, no allow-list", "[rules]") {
  RuleSet rules = rules_from(with_check("min = 7"));
  CHECK(rules.packs[0].name == "test");
  CHECK(rules.packs[0].max_waiver_days == 90);
  CHECK(rules.packs[0].waiver_approvers.empty());
  CHECK(rules.packs[0].environments.empty());
}

TEST_CASE("A TOML syntax error in a rule file is an Error at its position", "[rules]") {
  std::string text = "[[rule]]\nid = \"BKP-002\nlevel = 2\n";
  Error error = load_error(text);
  CHECK(error.kind == ErrorKind::invalid);
  REQUIRE(error.where);
  CHECK(error.where->path == k_path);
  CHECK(error.where->line == 2);
}

TEST_CASE("An unknown top-level key is refused at the key", "[rules]") {
  std::string text = "[packs]\nname = \"x\"\n" + with_check("min = 7");
  Error error = load_error(text);
  CHECK(error.kind == ErrorKind::invalid);
  CHECK_THAT(error.to_string(),
             Catch::StartsWith(at(text, 1, "packs") +
                               ": unknown key 'packs' in a rule file (known keys: pack, rule, "
                               "override, freeze"));
}

TEST_CASE("An unknown rule key is refused at the key", "[rules]") {
  std::string text = with_check("min = 7") + "titel = \"typo\"\n";
  Error error = load_error(text);
  CHECK_THAT(error.to_string(),
             Catch::StartsWith(at(text, 8, "titel") + ": unknown key 'titel' in [[rule]]"));
}

TEST_CASE("An unknown [pack] key is refused at the key", "[rules]") {
  std::string text = "[pack]\nname = \"x\"\nmax_waiver = 3\n" + with_check("min = 7");
  Error error = load_error(text);
  CHECK_THAT(error.to_string(),
             Catch::StartsWith(at(text, 3, "max_waiver") + ": unknown key 'max_waiver' in [pack]"));
}

TEST_CASE("An unknown operator is refused at its name", "[rules]") {
  std::string text = with_check("exists = true");
  Error error = load_error(text);
  CHECK(error.to_string() == at(text, 7, "exists") + ": unknown operator 'exists'");
}

TEST_CASE("Bad operator values are refused at the value, per operator family", "[rules]") {
  struct Case {
    std::string check;
    std::string value;  // where the error must point
    std::string message;
  };
  const std::vector<Case> cases = {
      {"present = \"yes\"", "\"yes\"", "operator 'present' takes true or false"},
      {"path_exists = 1", "1 }", "operator 'path_exists' takes true or false"},
      {"executable = \"yes\"", "\"yes\"", "operator 'executable' takes true or false"},
      {"window_open = 1", "1 }", "operator 'window_open' takes true or false"},
      {"type = \"str\"", "\"str\"",
       "operator 'type' takes one of string, integer, float, number, boolean, date, datetime, "
       "array, table"},
      {"equals = { a = 1 }", "{ a", "operator 'equals' takes a value (not a table)"},
      {"one_of = []", "[]", "operator 'one_of' takes a non-empty array"},
      {"not_one_of = \"x\"", "\"x\"", "operator 'not_one_of' takes a non-empty array"},
      {"min = \"7\"", "\"7\"", "operator 'min' takes a number"},
      {"max = true", "true", "operator 'max' takes a number"},
      {"min_items = -1", "-1", "operator 'min_items' takes a non-negative integer"},
      {"max_items = 1.5", "1.5", "operator 'max_items' takes a non-negative integer"},
      {"min_length = \"3\"", "\"3\"", "operator 'min_length' takes a non-negative integer"},
      {"max_length = -2", "-2", "operator 'max_length' takes a non-negative integer"},
      {"max_age_days = 7.5", "7.5",
       "operator 'max_age_days' takes a number of days from 0 to 36500"},
      {"changed_within_days = -1", "-1",
       "operator 'changed_within_days' takes a number of days from 0 to 36500"},
      {"changed_within_days = 9223372036854775807", "9223372036854775807",
       "operator 'changed_within_days' takes a number of days from 0 to 36500"},
      {"matches = 3", "3 }", "operator 'matches' takes an RE2 pattern string"},
      {"has_sections = []", "[]",
       "operator 'has_sections' takes a non-empty array of heading names"},
      {"has_sections = [\"Restore\", \"\"]", "[\"Restore\"",
       "operator 'has_sections' takes a non-empty array of heading names"},
      {"window_max_hours = 0", "0 }", "operator 'window_max_hours' takes a positive number"},
      {"windows_outside = \"08:00-19:00\"", "\"08:00",
       "operator 'windows_outside' takes a table { days = [...], start = \"08:00\", end = "
       "\"19:00\" }"},
      {"windows_outside = { days = [\"funday\"], start = \"08:00\", end = \"19:00\" }", "{ days",
       "unknown day 'funday' (days: mon, tue, wed, thu, fri, sat, sun)"},
      {"windows_outside = { days = [\"mon\"], start = \"8:00\", end = \"19:00\" }", "{ days",
       "windows_outside needs 'start' as \"HH:MM\""},
      {"windows_outside = { days = [\"mon\"], start = \"08:00\" }", "{ days",
       "windows_outside needs 'end' as \"HH:MM\""},
  };
  for (const Case& c : cases) {
    INFO(c.check);
    std::string text = with_check(c.check);
    Error error = load_error(text);
    CHECK(error.kind == ErrorKind::invalid);
    CHECK(error.to_string() == at(text, 7, c.value) + ": " + c.message);
  }
}

TEST_CASE("An unknown key inside windows_outside is refused", "[rules]") {
  std::string text = with_check(
      "windows_outside = { days = [\"mon\"], start = \"08:00\", end = \"19:00\", "
      "tz = \"UTC\" }");
  Error error = load_error(text);
  CHECK_THAT(error.to_string(),
             Catch::StartsWith(at(text, 7, "tz =") + ": unknown key 'tz' in windows_outside"));
}

TEST_CASE("Valid values of every operator load", "[rules]") {
  for (const char* check :
       {"present = false", "type = \"number\"", "equals = [1, 2]", "one_of = [\"a\", 1]",
        "min = 1.5", "max = 0", "min_items = 0", "max_length = 10", "matches = \"^[a-z]+$\"",
        "max_age_days = 0", "path_exists = true", "executable = false",
        "has_sections = [\"Restore\"]", "changed_within_days = 30",
        "windows_outside = { days = [\"mon\", \"fri\"], start = \"08:00\", end = \"19:00\" }",
        "window_max_hours = 4", "window_open = true"}) {
    INFO(check);
    CHECK(try_rules({pack_source(with_check(check))}));
  }
}

TEST_CASE("An invalid RE2 pattern is refused at the pattern with RE2's reason", "[rules]") {
  std::string text = with_check("matches = \"(abc\"");
  Error error = load_error(text);
  CHECK_THAT(error.to_string(),
             Catch::StartsWith(at(text, 7, "\"(abc") + ": invalid RE2 pattern: missing )"));
  // PCRE-only syntax RE2 does not have is refused too, rather than silently never matching.
  std::string lookahead = with_check("matches = \"(?=x)\"");
  CHECK_THAT(load_error(lookahead).to_string(),
             Catch::StartsWith(at(lookahead, 7, "\"(?=") + ": invalid RE2 pattern"));
}

TEST_CASE("A condition needs a key and at least one operator", "[rules]") {
  std::string text =
      "[[rule]]\nid = \"BKP-002\"\narea = \"backup\"\ntitle = \"t\"\nseverity = \"error\"\n"
      "level = 2\ncheck = [ { min = 7 } ]\n";
  CHECK(load_error(text).to_string() == at(text, 7, "{ min") + ": a 'check' entry needs 'key'");
  std::string no_op =
      "[[rule]]\nid = \"BKP-002\"\narea = \"backup\"\ntitle = \"t\"\nseverity = \"error\"\n"
      "level = 2\ncheck = [ { key = \"a.b\" } ]\n";
  CHECK(load_error(no_op).to_string() ==
        at(no_op, 7, "{ key") + ": 'check' on a.b names no operator");
}

TEST_CASE("A rule needs id, area, title, severity, level and a non-empty check", "[rules]") {
  const std::string full = with_check("min = 7");
  struct Case {
    std::string drop;  // the line removed
    std::string message;
  };
  const std::vector<Case> cases = {
      {"id = \"BKP-002\"\n", "[[rule]] needs 'id'"},
      {"area = \"backup\"\n", "rule BKP-002 needs 'area'"},
      {"title = \"Backups are kept at least a week\"\n", "rule BKP-002 needs 'title'"},
      {"severity = \"error\"\n", "rule BKP-002 needs 'severity'"},
      {"level = 2\n", "rule BKP-002 needs 'level' (1 to 5)"},
  };
  for (const Case& c : cases) {
    INFO(c.drop);
    std::string text = full;
    text.erase(text.find(c.drop), c.drop.size());
    CHECK(load_error(text).to_string() == "rules/test.toml:1:1: " + c.message);
  }
  std::string empty_check =
      "[[rule]]\nid = \"BKP-002\"\narea = \"backup\"\ntitle = \"t\"\nseverity = \"error\"\n"
      "level = 2\ncheck = []\n";
  CHECK(load_error(empty_check).to_string() ==
        "rules/test.toml:1:1: rule BKP-002 needs a non-empty 'check'");
}

TEST_CASE("Bad severity, level and id values are refused at the value", "[rules]") {
  std::string severity = with_check("min = 7");
  severity.replace(severity.find("\"error\""), 7, "\"fatal\"");
  CHECK(load_error(severity).to_string() ==
        at(severity, 5, "\"fatal\"") + ": 'severity' must be \"error\", \"warning\" or \"info\"");

  for (const char* level : {"0", "6", "\"2\""}) {
    INFO(level);
    std::string text = with_check("min = 7");
    text.replace(text.find("level = 2"), 9, std::string("level = ") + level);
    CHECK(load_error(text).to_string() ==
          at(text, 6, level) + ": 'level' must be an integer from 1 to 5");
  }

  for (const char* id : {"bkp-002", "GATE-SCHEMA", "BKP 002", "-BKP"}) {
    INFO(id);
    std::string text = with_check("min = 7");
    text.replace(text.find("BKP-002"), 7, id);
    CHECK_THAT(load_error(text).to_string(),
               Catch::StartsWith(at(text, 2, "\"") + ": rule id '" + id + "' must look like"));
  }
}

TEST_CASE("A bad tier is refused at the tier", "[rules]") {
  std::string text = with_check("min = 7") + "tiers = [\"critical\", \"gold\"]\n";
  CHECK(load_error(text).to_string() ==
        at(text, 8, "\"gold\"") + ": unknown tier 'gold' (tiers: critical, high, medium, low)");
}

TEST_CASE("A rule environment outside the pack's environments is refused", "[rules]") {
  std::string text = "[pack]\nenvironments = [\"production\"]\n" + with_check("min = 7") +
                     "environments = [\"prod\"]\n";
  CHECK(load_error(text).to_string() ==
        at(text, 10, "\"prod\"") + ": environment 'prod' is not among the pack's environments");
}

TEST_CASE("[[rule]] written as a plain key is refused", "[rules]") {
  std::string text = "rule = 3\n";
  CHECK(load_error(text).to_string() == at(text, 1, "3") + ": 'rule' must be written [[rule]]");
}

TEST_CASE("[pack] declared in two files of one pack is refused", "[rules]") {
  PackSource pack{"rules/ops",
                  "ops",
                  {RuleFile{"rules/ops/a.toml", "[pack]\nname = \"ops\"\n" + with_check("min = 7")},
                   RuleFile{"rules/ops/b.toml", "[pack]\nname = \"again\"\n"}}};
  auto rules = try_rules({pack});
  REQUIRE_FALSE(rules);
  CHECK(rules.error().to_string() ==
        "rules/ops/b.toml:1:1: [pack] is already declared in rules/ops/a.toml");
}

TEST_CASE("[pack] in any file of the pack scopes every file's rules", "[rules]") {
  PackSource pack{
      "rules/ops",
      "ops",
      {RuleFile{"rules/ops/a.toml", with_check("min = 7")},
       RuleFile{"rules/ops/b.toml", "[pack]\nname = \"ops-pack\"\nmax_waiver_days = 10\n"}}};
  auto rules = try_rules({pack});
  REQUIRE(rules);
  CHECK(rules->packs[0].name == "ops-pack");
  CHECK(rules->packs[0].max_waiver_days == 10);
  CHECK(rules->rules[0].pack == 0);
}

TEST_CASE("A duplicate rule id across packs names both places", "[rules]") {
  std::string first = with_check("min = 7");
  std::string second = "# the same id again\n" + with_check("min = 14");
  auto rules = try_rules({pack_source(first, "baseline", "rules/baseline/backup.toml"),
                          pack_source(second, "local", ".opsgate/rules/backup.toml")});
  REQUIRE_FALSE(rules);
  CHECK(rules.error().kind == ErrorKind::invalid);
  CHECK(rules.error().to_string() ==
        at(second, 3, "\"BKP-002\"", ".opsgate/rules/backup.toml") +
            ": duplicate rule id BKP-002 (first defined at rules/baseline/backup.toml:1:1)");
}

TEST_CASE("A duplicate rule id inside one file is refused", "[rules]") {
  std::string text = with_check("min = 7") + with_check("min = 14");
  Error error = load_error(text);
  CHECK(error.to_string() == at(text, 9, "\"BKP-002\"") +
                                 ": duplicate rule id BKP-002 (first defined at "
                                 "rules/test.toml:1:1)");
}

TEST_CASE("Overrides adjust a rule of an earlier pack", "[rules]") {
  std::string base =
      "[pack]\nname = \"baseline\"\n" + with_check("min = 7") + "environments = [\"production\"]\n";
  std::string local =
      "[[override]]\n"
      "rule = \"BKP-002\"\n"
      "severity = \"warning\"\n"
      "level = 4\n"
      "environments = [\"production\", \"staging\"]\n"
      "tiers = [\"critical\"]\n";
  auto rules = try_rules({pack_source(base, "baseline"), pack_source(local, "local")});
  REQUIRE(rules);
  const Rule* rule = rules->find("BKP-002");
  REQUIRE(rule);
  CHECK(rule->severity == Severity::warning);
  CHECK(rule->level == 4);
  CHECK(rule->environments == std::vector<std::string>{"production", "staging"});
  CHECK(rule->tiers == std::vector<std::string>{"critical"});
  // The rule still belongs to the pack that defined it (its waiver policy applies).
  CHECK(rules->packs[rule->pack].name == "baseline");
}

TEST_CASE("An override can disable a rule", "[rules]") {
  std::string base =
      with_check("min = 7") +
      "[[rule]]\nid = \"BKP-003\"\narea = \"backup\"\ntitle = \"t\"\n"
      "severity = \"error\"\nlevel = 1\ncheck = [ { key = \"a\", present = true } ]\n";
  std::string local = "[[override]]\nrule = \"BKP-002\"\nenabled = false\n";
  auto rules = try_rules({pack_source(base, "baseline"), pack_source(local, "local")});
  REQUIRE(rules);
  CHECK(rules->find("BKP-002") == nullptr);
  CHECK(rules->find("BKP-003") != nullptr);
  CHECK(rules->rules.size() == 1);
}

TEST_CASE("A locked rule, or every rule of a locked pack, cannot be overridden or disabled",
          "[rules]") {
  const std::string disable = "[[override]]\nrule = \"BKP-002\"\nenabled = false\n";
  const std::string soften = "[[override]]\nrule = \"BKP-002\"\nseverity = \"info\"\n";
  for (const std::string& company :
       {with_check("min = 7") + "locked = true\n",
        "[pack]\nname = \"company\"\nlocked = true\n" + with_check("min = 7")}) {
    for (const std::string& local : {disable, soften}) {
      auto rules = try_rules({pack_source(company, "company", "company/rules.toml"),
                              pack_source(local, "team", "team/rules.toml")});
      REQUIRE_FALSE(rules);
      CHECK(rules.error().kind == ErrorKind::invalid);
      // Both files: the override's, where it stands, and the locked rule's.
      CHECK_THAT(rules.error().to_string(), Catch::StartsWith("team/rules.toml:1:1: "));
      CHECK_THAT(rules.error().message, Catch::Contains("rule BKP-002 is locked by pack company"));
      CHECK_THAT(rules.error().message, Catch::Contains("company/rules.toml:"));
    }
  }
  // An unlocked rule of the same pack still can be.
  auto rules = try_rules(
      {pack_source(with_check("min = 7") + "locked = false\n", "company"), pack_source(soften)});
  REQUIRE(rules);
  CHECK(rules->find("BKP-002")->severity == Severity::info);
  CHECK_THAT(load_error(with_check("min = 7") + "locked = \"yes\"\n").message,
             Catch::Contains("'locked' must be true or false"));
}

TEST_CASE("Disabling every rule leaves an empty rule set, which is an error", "[rules]") {
  std::string local = "[[override]]\nrule = \"BKP-002\"\nenabled = false\n";
  auto rules =
      try_rules({pack_source(with_check("min = 7"), "baseline"), pack_source(local, "local")});
  REQUIRE_FALSE(rules);
  CHECK(rules.error().kind == ErrorKind::invalid);
  CHECK_THAT(rules.error().message, Catch::Contains("no rules loaded"));
}

TEST_CASE("An override of an unknown rule is refused at the id", "[rules]") {
  std::string local = "[[override]]\nrule = \"MON-999\"\nseverity = \"warning\"\n";
  auto rules = try_rules(
      {pack_source(with_check("min = 7"), "baseline"), pack_source(local, "local", "local.toml")});
  REQUIRE_FALSE(rules);
  CHECK(rules.error().to_string() ==
        at(local, 2, "\"MON-999\"", "local.toml") +
            ": override names rule MON-999, which no earlier --rules pack defines");
}

TEST_CASE("An override cannot target a rule of its own pack", "[rules]") {
  std::string text =
      with_check("min = 7") + "[[override]]\nrule = \"BKP-002\"\nseverity = \"warning\"\n";
  CHECK_THAT(load_error(text).to_string(),
             Catch::Contains("override names rule BKP-002, which no earlier --rules pack defines"));
}

TEST_CASE("Bad override values are refused", "[rules]") {
  std::string base = with_check("min = 7");
  struct Case {
    std::string body;
    std::string value;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"severity = \"fatal\"", "\"fatal\"",
       "'severity' must be \"error\", \"warning\" or \"info\""},
      {"level = 9", "9", "'level' must be an integer from 1 to 5"},
      {"enabled = \"no\"", "\"no\"", "'enabled' must be a boolean"},
      {"tiers = [\"gold\"]", "\"gold\"",
       "unknown tier 'gold' (tiers: critical, high, medium, low)"},
      {"title = \"x\"", "title",
       "unknown key 'title' in [[override]] (known keys: rule, severity, level, environments, "
       "tiers, enabled, stages)"},
      {"stages = [\"release\"]", "\"release\"",
       "unknown stage 'release' (stages: commit, push, merge, deploy)"},
      {"stages = []", "[]", "'stages' must name at least one stage (commit, push, merge, deploy)"},
  };
  for (const Case& c : cases) {
    INFO(c.body);
    std::string local = "[[override]]\nrule = \"BKP-002\"\n" + c.body + "\n";
    auto rules =
        try_rules({pack_source(base, "baseline"), pack_source(local, "local", "local.toml")});
    REQUIRE_FALSE(rules);
    CHECK(rules.error().to_string() == at(local, 3, c.value, "local.toml") + ": " + c.message);
  }
}

TEST_CASE("An empty rule set is an error naming the sources", "[rules]") {
  auto rules = try_rules({pack_source("[pack]\nname = \"empty\"\n", "empty")});
  REQUIRE_FALSE(rules);
  CHECK(rules.error().kind == ErrorKind::invalid);
  CHECK(rules.error().message ==
        "no rules loaded from rules/empty: a gate with no rules cannot evaluate");
  RuleSetBuilder nothing;
  auto none = nothing.finish();
  REQUIRE_FALSE(none);
  CHECK_THAT(none.error().message, Catch::Contains("no rules loaded"));
}

TEST_CASE("Option --env outside the packs' declared environments is refused", "[rules]") {
  std::string a = "[pack]\nenvironments = [\"production\", \"staging\"]\n" + with_check("min = 7");
  std::string b = "[pack]\nenvironments = [\"qa\"]\n";
  auto rules = try_rules({pack_source(a, "a"), pack_source(b, "b")});
  REQUIRE(rules);
  CHECK(check_environment(*rules, "production"));
  CHECK(check_environment(*rules, "qa"));  // the union of the packs
  auto typo = check_environment(*rules, "prod");
  REQUIRE_FALSE(typo);
  CHECK(typo.error().kind == ErrorKind::usage);
  CHECK(typo.error().message ==
        "unknown environment 'prod' (did you mean production?): the loaded packs declare "
        "production, qa, staging");
  CHECK(check_environment(*rules, "stagign").error().message ==
        "unknown environment 'stagign' (did you mean staging?): the loaded packs declare "
        "production, qa, staging");
  CHECK(check_environment(*rules, "live").error().message ==
        "unknown environment 'live': the loaded packs declare production, qa, staging");
}

TEST_CASE("Without declared environments any --env is accepted", "[rules]") {
  RuleSet rules = rules_from(with_check("min = 7"));
  CHECK(check_environment(rules, "anything"));
}

TEST_CASE("Freezes need offset date-times with from before to", "[rules]") {
  std::string good = with_check("min = 7") +
                     "[[freeze]]\n"
                     "from = 2026-12-21T00:00:00+01:00\n"
                     "to = 2027-01-04T08:00:00+01:00\n"
                     "reason = \"year-end change freeze\"\n"
                     "environments = [\"production\"]\n";
  RuleSet rules = rules_from(good);
  REQUIRE(rules.calendars[0].freezes.size() == 1);
  const Freeze& freeze = rules.calendars[0].freezes[0];
  CHECK(format_utc(freeze.from) == "2026-12-20T23:00:00Z");
  CHECK(format_utc(freeze.to) == "2027-01-04T07:00:00Z");
  CHECK(freeze.reason == "year-end change freeze");
  CHECK(freeze.environments == std::vector<std::string>{"production"});

  std::string no_offset = with_check("min = 7") +
                          "[[freeze]]\n"
                          "from = 2026-12-21T00:00:00\n"
                          "to = 2027-01-04T08:00:00+01:00\n";
  CHECK(
      load_error(no_offset).to_string() ==
      at(no_offset, 9, "2026") +
          ": freeze 'from' must be a date-time with an offset, such as 2026-12-21T00:00:00+01:00");

  std::string date_only = with_check("min = 7") +
                          "[[freeze]]\n"
                          "from = 2026-12-21T00:00:00+01:00\n"
                          "to = 2027-01-04\n";
  CHECK(load_error(date_only).to_string() ==
        at(date_only, 10, "2027") +
            ": freeze 'to' must be a date-time with an offset, such as 2026-12-21T00:00:00+01:00");

  std::string reversed = with_check("min = 7") +
                         "[[freeze]]\n"
                         "from = 2027-01-04T08:00:00+01:00\n"
                         "to = 2026-12-21T00:00:00+01:00\n";
  CHECK(load_error(reversed).to_string() ==
        at(reversed, 9, "2027") + ": freeze 'from' must be before 'to'");

  std::string missing = with_check("min = 7") + "[[freeze]]\nfrom = 2027-01-04T08:00:00+01:00\n";
  CHECK(load_error(missing).to_string() == "rules/test.toml:8:1: [[freeze]] needs 'to'");
}

TEST_CASE("op_name and severities round-trip", "[rules]") {
  CHECK(op_name(OpKind::max_age_days) == "max_age_days");
  CHECK(op_name(OpKind::window_open) == "window_open");
  CHECK(parse_severity("warning") == Severity::warning);
  CHECK_FALSE(parse_severity("Warning"));
  CHECK(severity_name(Severity::info) == "info");
  CHECK(Severity::error > Severity::warning);
  CHECK(Severity::warning > Severity::info);
}

TEST_CASE("An override's environments must be among the declared environments", "[rules]") {
  // CONTRACT "--env": a typo must not skip every production rule; an override is no way around.
  std::string base = "[pack]\nenvironments = [\"production\", \"staging\"]\n" +
                     with_check("min = 7") + "environments = [\"production\"]\n";
  std::string local = "[[override]]\nrule = \"BKP-002\"\nenvironments = [\"prod\"]\n";
  auto rules =
      try_rules({pack_source(base, "baseline"), pack_source(local, "local", "local.toml")});
  REQUIRE_FALSE(rules);
  CHECK_THAT(rules.error().to_string(),
             Catch::StartsWith(at(local, 3, "\"prod\"", "local.toml") + ": environment 'prod'"));
}

// --- [[key]]: manifest keys a pack declares ----------------------------------------------------

namespace {

// A pack declaring `keys` ([[key]] entries) beside one rule reading `read`.
std::string pack_with_keys(const std::string& keys, const std::string& read = "backup.enabled") {
  return "[[rule]]\n"
         "id = \"ACME-001\"\n"
         "area = \"backup\"\n"
         "title = \"Backups are encrypted\"\n"
         "severity = \"error\"\n"
         "level = 2\n"
         "check = [ { key = \"" +
         read + "\", present = true } ]\n" + keys;
}

}  // namespace

TEST_CASE("rules: [[key]] declares a manifest key with its type and description", "[rules][keys]") {
  RuleSet rules =
      rules_from(pack_with_keys("[[key]]\n"
                                "path = \"rollback.script\"\n"
                                "type = \"string\"\n"
                                "description = \"the script that rolls back\"\n"
                                "[[key]]\n"
                                "path = \"backup.encryption\"\n"
                                "type = \"string\"\n"));
  REQUIRE(rules.keys.declared.size() == 2);
  const DeclaredKey& first = rules.keys.declared[0];  // sorted by path
  CHECK(first.path == "backup.encryption");
  CHECK(first.description.empty());
  const DeclaredKey* script = rules.keys.find("rollback.script");
  REQUIRE(script);
  CHECK(script->type == "string");
  CHECK(script->description == "the script that rolls back");
  CHECK(script->pack == "test");
  CHECK(script->where.to_string() == "rules/test.toml:9:8");
}

TEST_CASE("rules: a malformed [[key]] is exit 2 at its position", "[rules][keys]") {
  auto error_of = [](const std::string& keys) {
    return load_error(pack_with_keys(keys)).to_string();
  };
  CHECK(error_of("[[key]]\ntype = \"string\"\n") == "rules/test.toml:8:1: [[key]] needs 'path'");
  CHECK(error_of("[[key]]\npath = \"backup.encryption\"\n") ==
        "rules/test.toml:8:1: [[key]] needs 'type'");
  CHECK_THAT(error_of("[[key]]\npath = \"backup.\"\ntype = \"string\"\n"),
             Catch::StartsWith("rules/test.toml:9:8: 'path' must be a dotted manifest key"));
  CHECK_THAT(error_of("[[key]]\npath = \"backup.encryption\"\ntype = \"text\"\n"),
             Catch::StartsWith("rules/test.toml:10:8: 'type' must be one of string, integer, "
                               "float, number, boolean, date, datetime, array, table"));
  CHECK_THAT(error_of("[[key]]\npath = \"a\"\ntype = \"string\"\ndefault = \"x\"\n"),
             Catch::StartsWith("rules/test.toml:11:1: unknown key 'default' in [[key]]"));
  CHECK_THAT(
      load_error("key = { path = \"a\", type = \"string\" }\n" + pack_with_keys("")).to_string(),
      Catch::Contains("'key' must be written [[key]]"));
}

TEST_CASE("rules: a pack cannot redeclare schema 1 or reach inside its values", "[rules][keys]") {
  auto error_of = [](const std::string& path) {
    return load_error(pack_with_keys("[[key]]\npath = \"" + path + "\"\ntype = \"string\"\n"))
        .to_string();
  };
  CHECK(error_of("backup.retention_days") ==
        "rules/test.toml:9:8: backup.retention_days is a key of schema 1 (an integer); a pack "
        "declares only keys schema 1 lacks");
  CHECK(error_of("service.tier.gold") ==
        "rules/test.toml:9:8: service.tier.gold would be inside service.tier, which schema 1 "
        "makes a string");
  CHECK(error_of("waiver.ticket") ==
        "rules/test.toml:9:8: waiver.ticket would be inside the [[waiver]] entries, whose keys "
        "packs cannot declare");
  CHECK_THAT(error_of("schema"), Catch::Contains("version number"));
  CHECK_THAT(error_of("schema.minor"), Catch::Contains("version number"));
  // Inside a free-form table of schema 1, and in tables of the packs' own, anything goes.
  CHECK(try_rules({pack_source(
      pack_with_keys("[[key]]\npath = \"monitoring.slo.latency_ms\"\ntype = \"number\"\n"))}));
  CHECK(try_rules({pack_source(pack_with_keys("[[key]]\npath = \"acme\"\ntype = \"table\"\n"))}));
}

TEST_CASE("rules: two packs declaring one key with two types is exit 2 naming both",
          "[rules][keys]") {
  PackSource first =
      pack_source(pack_with_keys("[[key]]\npath = \"backup.encryption\"\ntype = \"string\"\n"),
                  "acme", "rules/acme.toml");
  PackSource second = pack_source(
      "[[key]]\n"
      "path = \"backup.encryption\"\n"
      "type = \"boolean\"\n",
      "other", "rules/other.toml");
  auto rules = try_rules({first, second});
  REQUIRE_FALSE(rules);
  CHECK(rules.error().to_string() ==
        "rules/other.toml:2:8: backup.encryption is declared as boolean here and as string at "
        "rules/acme.toml:9:8 (pack acme); a key has one type");
  // The same type twice is one key, described by the first.
  PackSource same = pack_source(
      "[[key]]\n"
      "path = \"backup.encryption\"\n"
      "type = \"string\"\n"
      "description = \"later\"\n",
      "other", "rules/other.toml");
  auto both = try_rules({first, same});
  REQUIRE(both);
  REQUIRE(both->keys.declared.size() == 1);
  CHECK(both->keys.declared[0].pack == "acme");
}

TEST_CASE("rules: a declared key inside a declared value is exit 2", "[rules][keys]") {
  auto error_of = [](const std::string& keys) {
    return load_error(pack_with_keys(keys)).to_string();
  };
  CHECK(error_of("[[key]]\npath = \"acme\"\ntype = \"string\"\n"
                 "[[key]]\npath = \"acme.region\"\ntype = \"string\"\n") ==
        "rules/test.toml:12:8: acme.region would be inside acme, which rules/test.toml:9:8 "
        "(pack test) declares as string");
  CHECK(error_of("[[key]]\npath = \"acme.region\"\ntype = \"string\"\n"
                 "[[key]]\npath = \"acme\"\ntype = \"integer\"\n") ==
        "rules/test.toml:12:8: acme is declared as integer here, but rules/test.toml:9:8 (pack "
        "test) declares acme.region inside it; declare it as a table");
  CHECK(
      try_rules({pack_source(pack_with_keys("[[key]]\npath = \"acme\"\ntype = \"table\"\n"
                                            "[[key]]\npath = \"acme.region\"\ntype = "
                                            "\"string\"\n"))}));
}

TEST_CASE("rules: keys the rules read undeclared are listed once, with the first rule",
          "[rules][keys]") {
  RuleSet rules =
      rules_from(pack_with_keys("[[key]]\npath = \"backup.encryption\"\ntype = \"string\"\n"
                                "[[rule]]\n"
                                "id = \"ACME-002\"\n"
                                "area = \"rollback\"\n"
                                "title = \"Rollbacks are scripted\"\n"
                                "severity = \"warning\"\n"
                                "level = 3\n"
                                "when = [ { key = \"acme.enabled\", equals = true } ]\n"
                                "check = [ { key = \"rollback.script\", present = true } ]\n"
                                "[[rule]]\n"
                                "id = \"ACME-003\"\n"
                                "area = \"rollback\"\n"
                                "title = \"Rollbacks are scripted, really\"\n"
                                "severity = \"warning\"\n"
                                "level = 3\n"
                                "check = [ { key = \"rollback.script\", matches = '.+' },\n"
                                "          { key = \"rollback.strategy\", present = true } ]\n",
                                "backup.encryption"));
  REQUIRE(rules.keys.read.size() == 2);
  CHECK(rules.keys.read[0].path == "acme.enabled");  // a `when` counts
  CHECK(rules.keys.read[1].path == "rollback.script");
  CHECK(rules.keys.read[1].rule == "ACME-002");
  CHECK(rules.keys.read[1].where.to_string() == "rules/test.toml:18:11");
  CHECK(rules.keys.reads("rollback.script"));
  CHECK_FALSE(rules.keys.reads("backup.encryption"));  // declared
  CHECK_FALSE(rules.keys.reads("rollback.strategy"));  // schema 1
}

}  // namespace rules_test
