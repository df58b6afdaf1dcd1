#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "gate_fixtures.hpp"
#include "operators.hpp"

namespace operators_test {

using namespace opsgate;
using opsgate::test::context_over;
using opsgate::test::k_service_header;
using opsgate::test::manifest_from;
using opsgate::test::rule_text;
using opsgate::test::rules_from;

namespace {

struct Checked {
  bool holds;
  std::string message;
  std::string where;  // "path:line:column" of the value (or its nearest table)
};

const MemoryTree k_empty_tree;

// Checks `{ <condition> }` against the manifest `k_service_header + body` (the body starts on
// line 5).
Checked check(const std::string& body, const std::string& condition,
              const Tree& tree = k_empty_tree, const std::string& at = "2026-11-26T10:00:00+01:00",
              const std::string& path = "operability.toml") {
  RuleSet rules = rules_from(rule_text("T-001", condition));
  Manifest manifest = manifest_from(k_service_header + body, path);
  EvalContext context = context_over(tree, at);
  HeadingCache headings;
  ConditionOutcome outcome =
      check_condition(rules.rules.at(0).check.at(0), manifest, context, headings);
  return {outcome.holds, outcome.message, outcome.where.to_string()};
}

const char* const k_runbook =
    "# Billing runbook\n"
    "## Restore & Recovery\n"
    "Steps.\n"
    "## Roll back (v2)\n"
    "```\n"
    "## Fake heading in a code block\n"
    "```\n"
    "Escalation path\n"
    "---------------\n";

MemoryTree repo_files() {
  MemoryTree tree;
  tree.add("docs/runbook.md", k_runbook);
  tree.add("monitoring/alerts.yaml", "groups: []\n");
  tree.add("scripts/rollback.sh", "#!/bin/sh\n", true);
  tree.add("scripts/notes.sh", "not executable\n");
  tree.add("services/orders/docs/runbook.md", "# Orders\n## Restore\n");
  return tree;
}

}  // namespace

// ---- absent keys -------------------------------------------------------------------------

TEST_CASE("An absent key fails every operator, at its nearest table", "[operators]") {
  for (const char* condition :
       {"min = 7", "max = 7", "type = \"integer\"", "equals = 7", "one_of = [7]",
        "not_one_of = [7]", "min_items = 0", "max_length = 3", "matches = \".*\"",
        "max_age_days = 3", "path_exists = true", "executable = true",
        "has_sections = [\"Restore\"]", "present = true"}) {
    INFO(condition);
    Checked result = check("[backup]\nenabled = true\n",
                           std::string("key = \"backup.retention_days\", ") + condition);
    CHECK_FALSE(result.holds);
    CHECK(result.message == "backup.retention_days is missing");
    CHECK(result.where == "operability.toml:5:1");
  }
}

TEST_CASE("present = false holds on an absent key", "[operators]") {
  Checked result = check("", "key = \"backup.retention_days\", present = false");
  CHECK(result.holds);
  CHECK(result.message == "backup.retention_days is not set");
}

TEST_CASE("An absent table reports the file as a whole", "[operators]") {
  Checked result = check("", "key = \"backup.retention_days\", min = 7");
  CHECK_FALSE(result.holds);
  CHECK(result.where == "operability.toml");
}

// ---- present -----------------------------------------------------------------------------

TEST_CASE("present = true needs a non-empty value", "[operators]") {
  Checked set =
      check("contact = \"ops@example.org\"\n", "key = \"service.contact\", present = true");
  CHECK(set.holds);
  CHECK(set.message == "service.contact is set");

  Checked empty = check("contact = \"\"\n", "key = \"service.contact\", present = true");
  CHECK_FALSE(empty.holds);
  CHECK(empty.message == "service.contact is empty; a value is required");
  CHECK(empty.where == "operability.toml:5:11");

  Checked empty_array =
      check("[monitoring]\nalert_rules = []\n", "key = \"monitoring.alert_rules\", present = true");
  CHECK_FALSE(empty_array.holds);
  CHECK(empty_array.message == "monitoring.alert_rules is empty; a value is required");
}

TEST_CASE("present = false fails on a value that is set", "[operators]") {
  Checked result =
      check("contact = \"ops@example.org\"\n", "key = \"service.contact\", present = false");
  CHECK_FALSE(result.holds);
  CHECK(result.message == "service.contact is set to \"ops@example.org\"; it must not be set");
  Checked empty = check("contact = \"\"\n", "key = \"service.contact\", present = false");
  CHECK(empty.holds);
}

// ---- type --------------------------------------------------------------------------------

TEST_CASE("type checks the TOML type, 'number' covering integers and floats", "[operators]") {
  std::string body =
      "stateful = true\n"
      "[backup]\n"
      "retention_days = 35\n"
      "last_restore_test = 2026-10-02\n"
      "[monitoring]\n"
      "alert_rules = [\"a.yaml\"]\n"
      "slo = { availability = 99.9 }\n"
      "[release_window]\n"
      "[[release_window.deny]]\n"
      "from = 2026-12-18T00:00:00\n"
      "to = 2026-12-19T00:00:00\n";
  struct Case {
    std::string key, type;
  };
  for (const Case& c : std::vector<Case>{{"service.name", "string"},
                                         {"backup.retention_days", "integer"},
                                         {"backup.retention_days", "number"},
                                         {"monitoring.slo.availability", "float"},
                                         {"monitoring.slo.availability", "number"},
                                         {"service.stateful", "boolean"},
                                         {"backup.last_restore_test", "date"},
                                         {"release_window.deny", "array"},
                                         {"monitoring.alert_rules", "array"},
                                         {"monitoring.slo", "table"}}) {
    INFO(c.key << " " << c.type);
    CHECK(check(body, "key = \"" + c.key + "\", type = \"" + c.type + "\"").holds);
  }
  Checked wrong = check(body, "key = \"backup.retention_days\", type = \"string\"");
  CHECK_FALSE(wrong.holds);
  CHECK(wrong.message == "backup.retention_days is 35 (an integer); a string is required");
  CHECK(wrong.where == "operability.toml:7:18");
  Checked not_integer = check(body, "key = \"monitoring.slo.availability\", type = \"integer\"");
  CHECK_FALSE(not_integer.holds);
  CHECK(not_integer.message ==
        "monitoring.slo.availability is 99.9 (a float); an integer is required");
  CHECK(
      check("[x]\nat = 2026-12-18T00:00:00+01:00\n", "key = \"x.at\", type = \"datetime\"").holds);
}

// ---- equals, one_of, not_one_of ----------------------------------------------------------

TEST_CASE("equals compares values; integers equal floats of the same value", "[operators]") {
  Checked pass = check("[backup]\nenabled = true\n", "key = \"backup.enabled\", equals = true");
  CHECK(pass.holds);
  Checked fail = check("[backup]\nenabled = false\n", "key = \"backup.enabled\", equals = true");
  CHECK_FALSE(fail.holds);
  CHECK(fail.message == "backup.enabled is false; true is required");
  CHECK(fail.where == "operability.toml:6:11");
  CHECK(check("[backup]\nretention_days = 7\n", "key = \"backup.retention_days\", equals = 7.0")
            .holds);
  Checked string_vs_number =
      check("[backup]\nretention_days = 7\n", "key = \"backup.retention_days\", equals = \"7\"");
  CHECK_FALSE(string_vs_number.holds);
  CHECK(string_vs_number.message == "backup.retention_days is 7; \"7\" is required");
}

TEST_CASE("one_of accepts listed values and lists them when it fails", "[operators]") {
  CHECK(check("tier = \"high\"\n", "key = \"service.tier\", one_of = [\"critical\", \"high\"]")
            .holds);
  Checked fail =
      check("tier = \"low\"\n", "key = \"service.tier\", one_of = [\"critical\", \"high\"]");
  CHECK_FALSE(fail.holds);
  CHECK(fail.message == "service.tier is \"low\"; one of \"critical\", \"high\" is required");
  CHECK(fail.where == "operability.toml:5:8");
}

TEST_CASE("one_of on an array needs every item listed", "[operators]") {
  std::string condition = "key = \"monitoring.alert_rules\", one_of = [\"a.yaml\", \"b.yaml\"]";
  CHECK(check("[monitoring]\nalert_rules = [\"a.yaml\", \"b.yaml\"]\n", condition).holds);
  Checked fail = check("[monitoring]\nalert_rules = [\"a.yaml\", \"c.yaml\"]\n", condition);
  CHECK_FALSE(fail.holds);
  CHECK(fail.message ==
        "monitoring.alert_rules is [\"a.yaml\", \"c.yaml\"]; one of \"a.yaml\", \"b.yaml\" is "
        "required");
}

TEST_CASE("not_one_of refuses listed values", "[operators]") {
  std::string condition = "key = \"rollback.strategy\", not_one_of = [\"revert\"]";
  CHECK(check("[rollback]\nstrategy = \"canary\"\n", condition).holds);
  Checked fail = check("[rollback]\nstrategy = \"revert\"\n", condition);
  CHECK_FALSE(fail.holds);
  CHECK(fail.message == "rollback.strategy is \"revert\"; none of \"revert\" is required");
}

// ---- min, max ----------------------------------------------------------------------------

TEST_CASE("min and max are inclusive number bounds", "[operators]") {
  std::string condition = "key = \"backup.retention_days\", min = 7";
  Checked fail = check("[backup]\nretention_days = 3\n", condition);
  CHECK_FALSE(fail.holds);
  CHECK(fail.message == "backup.retention_days is 3; at least 7 is required");
  CHECK(fail.where == "operability.toml:6:18");
  Checked edge = check("[backup]\nretention_days = 7\n", condition);
  CHECK(edge.holds);
  CHECK(edge.message == "backup.retention_days is 7 (at least 7)");

  std::string max = "key = \"rollback.max_duration_minutes\", max = 30";
  CHECK(check("[rollback]\nmax_duration_minutes = 30\n", max).holds);
  Checked over = check("[rollback]\nmax_duration_minutes = 31\n", max);
  CHECK_FALSE(over.holds);
  CHECK(over.message == "rollback.max_duration_minutes is 31; at most 30 is required");

  Checked fraction = check("[monitoring]\nslo = { availability = 99.5 }\n",
                           "key = \"monitoring.slo.availability\", min = 99.9");
  CHECK_FALSE(fraction.holds);
  CHECK(fraction.message == "monitoring.slo.availability is 99.5; at least 99.9 is required");
}

TEST_CASE("min on a value that is not a number says a number is required", "[operators]") {
  Checked fail =
      check("[backup]\nretention_days = \"35\"\n", "key = \"backup.retention_days\", min = 7");
  CHECK_FALSE(fail.holds);
  CHECK(fail.message == "backup.retention_days is \"35\"; a number at least 7 is required");
}

TEST_CASE("Several operators in one condition must all hold, in one message", "[operators]") {
  std::string condition = "key = \"backup.retention_days\", type = \"integer\", min = 7, max = 400";
  Checked pass = check("[backup]\nretention_days = 35\n", condition);
  CHECK(pass.holds);
  CHECK(pass.message == "backup.retention_days is 35 (an integer, at least 7, at most 400)");
  Checked fail = check("[backup]\nretention_days = 500\n", condition);
  CHECK_FALSE(fail.holds);
  CHECK(fail.message == "backup.retention_days is 500; at most 400 is required");
}

// ---- sizes -------------------------------------------------------------------------------

TEST_CASE("min_items and max_items count array items", "[operators]") {
  std::string min = "key = \"monitoring.alert_rules\", min_items = 1";
  Checked empty = check("[monitoring]\nalert_rules = []\n", min);
  CHECK_FALSE(empty.holds);
  CHECK(empty.message == "monitoring.alert_rules has 0 items; at least 1 item is required");
  Checked one = check("[monitoring]\nalert_rules = [\"a.yaml\"]\n", min);
  CHECK(one.holds);
  CHECK(one.message == "monitoring.alert_rules has 1 item (at least 1 item)");

  Checked too_many = check("[monitoring]\nalert_rules = [\"a\", \"b\", \"c\"]\n",
                           "key = \"monitoring.alert_rules\", max_items = 2");
  CHECK_FALSE(too_many.holds);
  CHECK(too_many.message == "monitoring.alert_rules has 3 items; at most 2 items are required");

  Checked not_array = check("[monitoring]\nalert_rules = \"a.yaml\"\n", min);
  CHECK_FALSE(not_array.holds);
  CHECK(not_array.message ==
        "monitoring.alert_rules is \"a.yaml\"; an array with at least 1 item is required");
}

TEST_CASE("min_length and max_length count characters, not bytes", "[operators]") {
  std::string min = "key = \"service.contact\", min_length = 5";
  Checked short_one = check("contact = \"ops\"\n", min);
  CHECK_FALSE(short_one.holds);
  CHECK(short_one.message ==
        "service.contact is 3 characters long; at least 5 characters are "
        "required");
  CHECK(check("contact = \"opsop\"\n", min).holds);
  // "Zoë" is three characters in four bytes.
  Checked accented = check("contact = \"Zoë\"\n", "key = \"service.contact\", max_length = 3");
  CHECK(accented.holds);
  CHECK(accented.message == "service.contact is 3 characters long (at most 3 characters)");
  Checked long_one = check("contact = \"Zoëy\"\n", "key = \"service.contact\", max_length = 3");
  CHECK_FALSE(long_one.holds);
  CHECK(long_one.message ==
        "service.contact is 4 characters long; at most 3 characters are required");
}

// ---- matches -----------------------------------------------------------------------------

TEST_CASE("matches needs a full match", "[operators]") {
  std::string condition = "key = \"service.contact\", matches = \"[a-z.-]+@example\\\\.org\"";
  CHECK(check("contact = \"payments-oncall@example.org\"\n", condition).holds);
  Checked partial = check("contact = \"x payments@example.org y\"\n", condition);
  CHECK_FALSE(partial.holds);
  CHECK(partial.message ==
        "service.contact holds \"x payments@example.org y\", which does not "
        "match \"[a-z.-]+@example\\\\.org\"");
  CHECK(partial.where == "operability.toml:5:11");
}

TEST_CASE("matches on an array needs every string to match", "[operators]") {
  std::string condition = "key = \"monitoring.alert_rules\", matches = \"monitoring/.*\\\\.yaml\"";
  CHECK(check("[monitoring]\nalert_rules = [\"monitoring/a.yaml\", \"monitoring/b.yaml\"]\n",
              condition)
            .holds);
  Checked fail =
      check("[monitoring]\nalert_rules = [\"monitoring/a.yaml\", \"alerts.json\"]\n", condition);
  CHECK_FALSE(fail.holds);
  CHECK(fail.message ==
        "monitoring.alert_rules holds \"alerts.json\", which does not match "
        "\"monitoring/.*\\\\.yaml\"");
}

TEST_CASE("matches on a non-string fails", "[operators]") {
  Checked fail = check("[backup]\nretention_days = 35\n",
                       "key = \"backup.retention_days\", matches = \"[0-9]+\"");
  CHECK_FALSE(fail.holds);
  CHECK(fail.message == "backup.retention_days is 35; a value matching \"[0-9]+\" is required");
}

// ---- max_age_days ------------------------------------------------------------------------

TEST_CASE("max_age_days counts whole calendar days before --at", "[operators]") {
  std::string condition = "key = \"backup.last_restore_test\", max_age_days = 30";
  auto with = [&](const std::string& date) {
    return check("[backup]\nlast_restore_test = " + date + "\n", condition);
  };
  Checked today = with("2026-11-26");
  CHECK(today.holds);
  CHECK(today.message ==
        "backup.last_restore_test is 2026-11-26, 0 days before 2026-11-26 (at most 30)");
  Checked limit = with("2026-10-27");
  CHECK(limit.holds);
  CHECK(limit.message ==
        "backup.last_restore_test is 2026-10-27, 30 days before 2026-11-26 (at most 30)");
  Checked over = with("2026-10-26");
  CHECK_FALSE(over.holds);
  CHECK(over.message ==
        "backup.last_restore_test is 2026-10-26, 31 days before 2026-11-26; at "
        "most 30 days is required");
  CHECK(over.where == "operability.toml:6:21");
  Checked future = with("2026-11-27");
  CHECK_FALSE(future.holds);
  CHECK(future.message ==
        "backup.last_restore_test is 2026-11-27, in the future of 2026-11-26; "
        "a date at most 30 days old is required");
}

TEST_CASE("max_age_days = 0 accepts only today", "[operators]") {
  std::string condition = "key = \"backup.last_restore_test\", max_age_days = 0";
  CHECK(check("[backup]\nlast_restore_test = 2026-11-26\n", condition).holds);
  Checked yesterday = check("[backup]\nlast_restore_test = 2026-11-25\n", condition);
  CHECK_FALSE(yesterday.holds);
  CHECK(yesterday.message ==
        "backup.last_restore_test is 2026-11-25, 1 days before 2026-11-26; "
        "at most 0 days is required");
}

TEST_CASE("max_age_days takes today in --at's own offset", "[operators]") {
  std::string condition = "key = \"backup.last_restore_test\", max_age_days = 30";
  std::string body = "[backup]\nlast_restore_test = 2026-10-27\n";
  // 23:30 at -05:00 is already 2026-11-27 in UTC, still the 26th where --at was written.
  CHECK(check(body, condition, k_empty_tree, "2026-11-26T23:30:00-05:00").holds);
  // 00:30 at +01:00 is still 2026-11-26 in UTC, already the 27th where --at was written.
  Checked next_day = check(body, condition, k_empty_tree, "2026-11-27T00:30:00+01:00");
  CHECK_FALSE(next_day.holds);
  CHECK_THAT(next_day.message, Catch::Contains("31 days before 2026-11-27"));
}

TEST_CASE("max_age_days reads a date-time in --at's offset", "[operators]") {
  std::string condition = "key = \"x.at\", max_age_days = 0";
  // 23:30Z on the 25th is 00:30 on the 26th at +01:00: today.
  CHECK(check("[x]\nat = 2026-11-25T23:30:00Z\n", condition, k_empty_tree,
              "2026-11-26T10:00:00+01:00")
            .holds);
  Checked local = check("[x]\nat = 2026-11-25T22:30:00Z\n", condition, k_empty_tree,
                        "2026-11-26T10:00:00+01:00");
  CHECK_FALSE(local.holds);
}

TEST_CASE("max_age_days on a string fails and says a date is required", "[operators]") {
  Checked fail = check("[backup]\nlast_restore_test = \"2026-11-26\"\n",
                       "key = \"backup.last_restore_test\", max_age_days = 30");
  CHECK_FALSE(fail.holds);
  CHECK(fail.message ==
        "backup.last_restore_test is \"2026-11-26\"; a date at most 30 days "
        "before the evaluation is required");
}

// ---- path_exists -------------------------------------------------------------------------

TEST_CASE("path_exists finds repository paths at the revision", "[operators]") {
  MemoryTree tree = repo_files();
  Checked file = check("[runbook]\npath = \"docs/runbook.md\"\n",
                       "key = \"runbook.path\", path_exists = true", tree);
  CHECK(file.holds);
  CHECK(file.message == "runbook.path exists (docs/runbook.md)");

  Checked missing = check("[runbook]\npath = \"docs/missing.md\"\n",
                          "key = \"runbook.path\", path_exists = true", tree);
  CHECK_FALSE(missing.holds);
  CHECK(missing.message ==
        "runbook.path names docs/missing.md, which does not exist in the in-memory tree");
  CHECK(missing.where == "operability.toml:6:8");
}

TEST_CASE("path_exists checks every path of an array", "[operators]") {
  MemoryTree tree = repo_files();
  std::string condition = "key = \"monitoring.alert_rules\", path_exists = true";
  CHECK(check("[monitoring]\nalert_rules = [\"monitoring/alerts.yaml\", \"docs/runbook.md\"]\n",
              condition, tree)
            .holds);
  Checked fail =
      check("[monitoring]\nalert_rules = [\"monitoring/alerts.yaml\", \"monitoring/slo.yaml\"]\n",
            condition, tree);
  CHECK_FALSE(fail.holds);
  CHECK(fail.message ==
        "monitoring.alert_rules names monitoring/slo.yaml, which does not exist in the in-memory "
        "tree");
}

TEST_CASE("path_exists resolves #anchors by GitHub and GitLab slugs", "[operators]") {
  MemoryTree tree = repo_files();
  std::string condition = "key = \"backup.procedure\", path_exists = true";
  for (const char* anchor : {"restore--recovery", "restore-recovery", "roll-back-v2",
                             "escalation-path", "billing-runbook", "Restore--Recovery"}) {
    INFO(anchor);
    Checked result = check(
        std::string("[backup]\nprocedure = \"docs/runbook.md#") + anchor + "\"\n", condition, tree);
    CHECK(result.holds);
    CHECK(result.message ==
          std::string("backup.procedure exists (docs/runbook.md#") + anchor + ")");
  }
  for (const char* anchor : {"restore", "fake-heading-in-a-code-block", "rollback"}) {
    INFO(anchor);
    Checked result = check(
        std::string("[backup]\nprocedure = \"docs/runbook.md#") + anchor + "\"\n", condition, tree);
    CHECK_FALSE(result.holds);
    CHECK(result.message == std::string("backup.procedure names docs/runbook.md#") + anchor +
                                ", but docs/runbook.md has no heading with that anchor (its "
                                "anchors: #billing-runbook, #restore--recovery, #roll-back-v2, "
                                "#escalation-path)");
  }
}

TEST_CASE("path_exists with a misspelt anchor suggests the nearest and lists them", "[operators]") {
  MemoryTree tree = repo_files();
  std::string condition = "key = \"backup.procedure\", path_exists = true";
  Checked typo =
      check("[backup]\nprocedure = \"docs/runbook.md#escalaton-path\"\n", condition, tree);
  CHECK_FALSE(typo.holds);
  CHECK(typo.message ==
        "backup.procedure names docs/runbook.md#escalaton-path, but docs/runbook.md has no "
        "heading with that anchor; did you mean #escalation-path? (its anchors: "
        "#billing-runbook, #restore--recovery, #roll-back-v2, #escalation-path)");
  // GitLab's slug is a typo away too: the one of the two that is nearer.
  Checked gitlab =
      check("[backup]\nprocedure = \"docs/runbook.md#restore-recovry\"\n", condition, tree);
  CHECK_THAT(gitlab.message, Catch::Contains("; did you mean #restore-recovery?"));

  std::string many;
  for (int i = 1; i <= 15; ++i) many += fmt::format("## Step {}\n", i);
  tree.add("docs/long.md", many + "## Restore\n");
  Checked restor = check("[backup]\nprocedure = \"docs/long.md#restor\"\n", condition, tree);
  CHECK(restor.message ==
        "backup.procedure names docs/long.md#restor, but docs/long.md has no heading with that "
        "anchor; did you mean #restore? (its anchors: #step-1, #step-2, #step-3, #step-4, "
        "#step-5, #step-6, #step-7, #step-8, #step-9, #step-10, #step-11, #step-12 and 4 more)");

  tree.add("docs/plain.md", "No heading at all.\n");
  Checked none = check("[backup]\nprocedure = \"docs/plain.md#restore\"\n", condition, tree);
  CHECK(none.message ==
        "backup.procedure names docs/plain.md#restore, but docs/plain.md has no heading with "
        "that anchor (it has no headings)");
}

TEST_CASE("path_exists with an anchor on a file that is not there says so", "[operators]") {
  MemoryTree tree = repo_files();
  Checked result = check("[backup]\nprocedure = \"docs/restore.md#restore\"\n",
                         "key = \"backup.procedure\", path_exists = true", tree);
  CHECK_FALSE(result.holds);
  CHECK(result.message ==
        "backup.procedure names docs/restore.md, which does not exist in the in-memory tree");
}

TEST_CASE("Paths are relative to the manifest's directory; '/' is the root", "[operators]") {
  MemoryTree tree = repo_files();
  std::string condition = "key = \"backup.procedure\", path_exists = true";
  const std::string path = "services/orders/operability.toml";
  Checked local = check("[backup]\nprocedure = \"docs/runbook.md#restore\"\n", condition, tree,
                        "2026-11-26T10:00:00+01:00", path);
  CHECK(local.holds);
  CHECK(local.message == "backup.procedure exists (services/orders/docs/runbook.md#restore)");
  Checked root = check("[backup]\nprocedure = \"/docs/runbook.md#restore-recovery\"\n", condition,
                       tree, "2026-11-26T10:00:00+01:00", path);
  CHECK(root.holds);
  CHECK(root.message == "backup.procedure exists (docs/runbook.md#restore-recovery)");
  Checked up = check("[backup]\nprocedure = \"../../monitoring/alerts.yaml\"\n", condition, tree,
                     "2026-11-26T10:00:00+01:00", path);
  CHECK(up.holds);
}

TEST_CASE("A path leaving the repository is missing, never read", "[operators]") {
  MemoryTree tree = repo_files();
  for (const char* escape : {"../../etc/passwd", "/../etc/passwd", "docs/../../x"}) {
    INFO(escape);
    Checked result = check(std::string("[runbook]\npath = \"") + escape + "\"\n",
                           "key = \"runbook.path\", path_exists = true", tree);
    CHECK_FALSE(result.holds);
    CHECK(result.message ==
          std::string("runbook.path is \"") + escape + "\", which leaves the repository");
  }
}

TEST_CASE("path_exists = false holds only when nothing exists", "[operators]") {
  MemoryTree tree = repo_files();
  std::string condition = "key = \"runbook.path\", path_exists = false";
  Checked absent = check("[runbook]\npath = \"docs/old.md\"\n", condition, tree);
  CHECK(absent.holds);
  Checked present = check("[runbook]\npath = \"docs/runbook.md\"\n", condition, tree);
  CHECK_FALSE(present.holds);
  CHECK(present.message == "runbook.path names docs/runbook.md, which exists; it must not");
}

TEST_CASE("path_exists on a non-path value fails", "[operators]") {
  Checked result = check("[backup]\nretention_days = 3\n",
                         "key = \"backup.retention_days\", path_exists = true");
  CHECK_FALSE(result.holds);
  CHECK(result.message ==
        "backup.retention_days is 3; a repository path or an array of them is required");
}

// ---- executable --------------------------------------------------------------------------

TEST_CASE("executable needs the executable bit at the revision", "[operators]") {
  MemoryTree tree = repo_files();
  std::string condition = "key = \"rollback.procedure\", executable = true";
  Checked exec = check("[rollback]\nprocedure = \"scripts/rollback.sh\"\n", condition, tree);
  CHECK(exec.holds);
  CHECK(exec.message == "rollback.procedure is executable");
  Checked plain = check("[rollback]\nprocedure = \"scripts/notes.sh\"\n", condition, tree);
  CHECK_FALSE(plain.holds);
  CHECK(plain.message ==
        "rollback.procedure names scripts/notes.sh, which is not executable; it must be");
  Checked missing = check("[rollback]\nprocedure = \"scripts/none.sh\"\n", condition, tree);
  CHECK_FALSE(missing.holds);
  CHECK(missing.message ==
        "rollback.procedure names scripts/none.sh, which does not exist in the in-memory tree");
  Checked directory = check("[rollback]\nprocedure = \"scripts\"\n", condition, tree);
  CHECK_FALSE(directory.holds);
}

TEST_CASE("executable = false refuses the executable bit", "[operators]") {
  MemoryTree tree = repo_files();
  std::string condition = "key = \"rollback.procedure\", executable = false";
  CHECK(check("[rollback]\nprocedure = \"scripts/notes.sh\"\n", condition, tree).holds);
  Checked exec = check("[rollback]\nprocedure = \"scripts/rollback.sh\"\n", condition, tree);
  CHECK_FALSE(exec.holds);
  CHECK(exec.message ==
        "rollback.procedure names scripts/rollback.sh, which is executable; it must not be");
}

// ---- has_sections ------------------------------------------------------------------------

TEST_CASE("has_sections finds headings case-insensitively, setext included", "[operators]") {
  MemoryTree tree = repo_files();
  Checked pass = check("[runbook]\npath = \"docs/runbook.md\"\n",
                       "key = \"runbook.path\", has_sections = [\"restore & recovery\", "
                       "\"ESCALATION PATH\"]",
                       tree);
  CHECK(pass.holds);
  CHECK(pass.message ==
        "runbook.path has the sections \"restore & recovery\", \"ESCALATION PATH\"");
}

TEST_CASE("has_sections names the missing sections; code blocks don't count", "[operators]") {
  MemoryTree tree = repo_files();
  Checked one = check("[runbook]\npath = \"docs/runbook.md\"\n",
                      "key = \"runbook.path\", has_sections = [\"Restore & Recovery\", "
                      "\"Fake heading in a code block\"]",
                      tree);
  CHECK_FALSE(one.holds);
  CHECK(one.message ==
        "docs/runbook.md lacks the section Fake heading in a code block; add that heading");
  CHECK(one.where == "operability.toml:6:8");
  Checked two = check("[runbook]\npath = \"docs/runbook.md\"\n",
                      "key = \"runbook.path\", has_sections = [\"Contacts\", \"Rollback\"]", tree);
  CHECK_FALSE(two.holds);
  CHECK(two.message == "docs/runbook.md lacks the sections Contacts, Rollback; add those headings");
}

TEST_CASE("has_sections on a missing file fails naming it", "[operators]") {
  MemoryTree tree = repo_files();
  Checked missing = check("[runbook]\npath = \"docs/none.md\"\n",
                          "key = \"runbook.path\", has_sections = [\"Restore\"]", tree);
  CHECK_FALSE(missing.holds);
  CHECK(missing.message ==
        "runbook.path names docs/none.md, which does not exist in the in-memory tree");
  Checked directory = check("[runbook]\npath = \"docs\"\n",
                            "key = \"runbook.path\", has_sections = [\"Restore\"]", tree);
  CHECK_FALSE(directory.holds);
  CHECK(directory.message == "runbook.path names docs, which is a directory; a file is required");
}

// ---- changed_within_days -----------------------------------------------------------------

TEST_CASE("changed_within_days never passes without history to read", "[operators]") {
  MemoryTree tree = repo_files();
  Checked result = check("[runbook]\npath = \"docs/runbook.md\"\n",
                         "key = \"runbook.path\", changed_within_days = 90", tree);
  CHECK_FALSE(result.holds);
  CHECK_THAT(result.message, Catch::Contains("docs/runbook.md"));
}

TEST_CASE("An empty path is reported as empty, not as leaving the repository", "[operators]") {
  MemoryTree tree = repo_files();
  Checked result =
      check("[runbook]\npath = \"\"\n", "key = \"runbook.path\", path_exists = true", tree);
  CHECK_FALSE(result.holds);
  CHECK_THAT(result.message, !Catch::Contains("leaves the repository"));
}

}  // namespace operators_test
