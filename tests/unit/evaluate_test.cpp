#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <algorithm>

#include "gate_fixtures.hpp"

namespace evaluate_test {

using namespace opsgate;
using opsgate::test::context_over;
using opsgate::test::finding_of;
using opsgate::test::findings_of;
using opsgate::test::k_service_header;
using opsgate::test::manifest_from;
using opsgate::test::pack_source;
using opsgate::test::rule_text;
using opsgate::test::rules_from;
using opsgate::test::try_rules;

namespace {

const MemoryTree k_tree;

ManifestResult run(const std::string& body, const std::string& rules_text,
                   const EvalContext& context = context_over(k_tree)) {
  return opsgate::test::evaluate(k_service_header + body, rules_text, context);
}

// The manifest fails BKP-002 (retention 3 < 7) unless a waiver applies.
const std::string k_retention_rule =
    rule_text("BKP-002", "key = \"backup.retention_days\", min = 7", 2);
const std::string k_short_retention = "[backup]\nretention_days = 3\n";

std::string waiver(const std::string& fields) {
  return "[[waiver]]\nrule = \"BKP-002\"\n" + fields;
}

const std::string k_good_waiver =
    "reason = \"restore test booked for 2026-12-03\"\n"
    "approved_by = \"ops-lead@example.org\"\n"
    "expires = 2026-12-15\n";

// Open on Saturday evenings only: closed at the default evaluation time, a Thursday.
const std::string k_saturday_window =
    "[release_window]\n"
    "timezone = \"Europe/Paris\"\n"
    "[[release_window.allow]]\n"
    "days = [\"sat\"]\n"
    "start = \"20:00\"\n"
    "end = \"23:00\"\n";

}  // namespace

// ---- statuses and messages ---------------------------------------------------------------

TEST_CASE("A failing rule says what was found and what is required, at the value", "[evaluate]") {
  ManifestResult result = run(k_short_retention, k_retention_rule);
  const Finding& finding = finding_of(result, "BKP-002");
  CHECK(finding.status == Status::fail);
  CHECK(finding.message == "backup.retention_days is 3; at least 7 is required");
  CHECK(finding.where.to_string() == "operability.toml:6:18");
  CHECK(finding.severity == Severity::error);
  CHECK(finding.area == "backup");
  CHECK(finding.level == 2);
  CHECK(finding.title == "BKP-002 holds");
  CHECK_FALSE(result.passed);
}

TEST_CASE("A passing rule says what it found", "[evaluate]") {
  ManifestResult result = run("[backup]\nretention_days = 35\n", k_retention_rule);
  const Finding& finding = finding_of(result, "BKP-002");
  CHECK(finding.status == Status::pass);
  CHECK(finding.message == "backup.retention_days is 35 (at least 7)");
  CHECK(finding.where.to_string() == "operability.toml:6:18");
  CHECK(result.passed);
}

TEST_CASE("Every check of a rule must hold; the failing ones are reported", "[evaluate]") {
  std::string rules =
      "[[rule]]\nid = \"BKP-001\"\narea = \"backup\"\ntitle = \"t\"\nseverity = \"error\"\n"
      "level = 1\n"
      "check = [ { key = \"backup.enabled\", equals = true },\n"
      "          { key = \"backup.retention_days\", min = 7 },\n"
      "          { key = \"backup.offsite\", equals = true } ]\n";
  ManifestResult result =
      run("[backup]\nenabled = true\nretention_days = 3\noffsite = false\n", rules);
  const Finding& finding = finding_of(result, "BKP-001");
  CHECK(finding.status == Status::fail);
  CHECK(finding.message ==
        "backup.retention_days is 3; at least 7 is required; backup.offsite is false; true is "
        "required");
  CHECK(finding.where.to_string() == "operability.toml:7:18");
}

TEST_CASE("Every loaded rule appears once per manifest, sorted by rule id", "[evaluate]") {
  std::string rules = rule_text("MON-001", "key = \"monitoring.dashboard\", present = true") +
                      k_retention_rule +
                      rule_text("ABC-001", "key = \"service.name\", present = true") +
                      rule_text("SVC-001", "key = \"service.owner\", present = true", 1, "error",
                                "tiers = [\"critical\"]\n");
  ManifestResult result = run(k_short_retention, rules);
  std::vector<std::string> ids;
  for (const Finding& finding : result.findings) ids.push_back(finding.rule);
  CHECK(ids == std::vector<std::string>{"ABC-001", "BKP-002", "GATE-SCHEMA", "MON-001", "SVC-001"});
  CHECK(result.service == "billing-api");
  CHECK(result.path == "operability.toml");
  CHECK(result.blob == hash_blob(k_service_header + k_short_retention));
}

TEST_CASE("The findings of one rule share its title and help across manifests", "[evaluate]") {
  // A monorepo's report holds one finding per rule and manifest: the rule's text is not copied.
  RuleSet rules = rules_from(rule_text("BKP-002", "key = \"backup.retention_days\", min = 7", 2,
                                       "error", "help = \"Keep a week of backups.\"\n"));
  const Rule& rule = rules.rules.front();
  REQUIRE_FALSE(rule.help.empty());
  HeadingCache headings;
  const EvalContext context = context_over(k_tree);
  std::vector<ManifestResult> results;
  for (const char* path : {"a/operability.toml", "b/operability.toml"}) {
    Manifest manifest = opsgate::test::manifest_from(k_service_header + k_short_retention, path);
    results.push_back(evaluate_manifest(manifest, rules, context, headings));
  }
  for (const ManifestResult& result : results) {
    const Finding finding = finding_of(result, "BKP-002");
    CHECK(finding.title == "BKP-002 holds");
    CHECK(finding.title.str().data() == rule.title.str().data());
    CHECK(finding.help.str().data() == rule.help.str().data());
  }
}

// ---- skipping ----------------------------------------------------------------------------

TEST_CASE("A rule for other environments is skipped, saying why", "[evaluate]") {
  std::string rules = rule_text("BKP-002", "key = \"backup.retention_days\", min = 7", 2, "error",
                                "environments = [\"production\"]\n");
  EvalContext staging = context_over(k_tree);
  staging.environment = "staging";
  const Finding& skipped = finding_of(run(k_short_retention, rules, staging), "BKP-002");
  CHECK(skipped.status == Status::skipped);
  CHECK(skipped.message == "only for environment production; evaluating staging");
  CHECK(finding_of(run(k_short_retention, rules), "BKP-002").status == Status::fail);
}

TEST_CASE("A rule for other tiers is skipped, saying why", "[evaluate]") {
  std::string rules = rule_text("BKP-002", "key = \"backup.retention_days\", min = 7", 2, "error",
                                "tiers = [\"critical\", \"high\"]\n");
  const Finding& low = finding_of(run("tier = \"low\"\n" + k_short_retention, rules), "BKP-002");
  CHECK(low.status == Status::skipped);
  CHECK(low.message == "only for tiers critical, high; service.tier is \"low\"");
  const Finding& unset = finding_of(run(k_short_retention, rules), "BKP-002");
  CHECK(unset.status == Status::skipped);
  CHECK(unset.message == "only for tiers critical, high; service.tier is not set");
  const Finding& high = finding_of(run("tier = \"high\"\n" + k_short_retention, rules), "BKP-002");
  CHECK(high.status == Status::fail);
}

TEST_CASE("A rule whose `when` does not hold is skipped, saying why", "[evaluate]") {
  std::string rules = rule_text("BKP-002", "key = \"backup.retention_days\", min = 7", 2, "error",
                                "when = [ { key = \"service.stateful\", equals = true } ]\n");
  const Finding& stateless =
      finding_of(run("stateful = false\n" + k_short_retention, rules), "BKP-002");
  CHECK(stateless.status == Status::skipped);
  CHECK(stateless.message == "not applicable: service.stateful is false; true is required");
  CHECK(stateless.where.to_string() == "operability.toml:5:12");
  // A `when` on an absent key does not hold.
  const Finding& absent = finding_of(run(k_short_retention, rules), "BKP-002");
  CHECK(absent.status == Status::skipped);
  CHECK(absent.message == "not applicable: service.stateful is missing");
  const Finding& stateful =
      finding_of(run("stateful = true\n" + k_short_retention, rules), "BKP-002");
  CHECK(stateful.status == Status::fail);
}

TEST_CASE("A `when` with present = false holds on an absent key", "[evaluate]") {
  std::string rules = rule_text("BKP-002", "key = \"backup.retention_days\", min = 7", 2, "error",
                                "when = [ { key = \"backup.external\", present = false } ]\n");
  CHECK(finding_of(run(k_short_retention, rules), "BKP-002").status == Status::fail);
}

TEST_CASE("when_changed applies a rule only when the change touches its globs", "[evaluate]") {
  std::string rules = rule_text("RBK-009", "key = \"rollback.database\", present = true", 2,
                                "error", "when_changed = [\"db/migrations/**\"]\n");
  Manifest manifest =
      manifest_from(std::string(k_service_header), "services/orders/operability.toml");
  RuleSet set = rules_from(rules);
  HeadingCache headings;
  EvalContext context = context_over(k_tree);

  SECTION("without --base the change is unknown, so the rule applies") {
    CHECK(finding_of(evaluate_manifest(manifest, set, context, headings), "RBK-009").status ==
          Status::fail);
  }
  SECTION("a change touching the service's migrations applies it") {
    context.changed_paths =
        std::vector<std::string>{"services/orders/db/migrations/2026/001_add.sql"};
    CHECK(finding_of(evaluate_manifest(manifest, set, context, headings), "RBK-009").status ==
          Status::fail);
  }
  SECTION("a change elsewhere skips it") {
    context.changed_paths = std::vector<std::string>{"services/orders/src/main.go",
                                                     "services/billing/db/migrations/001.sql"};
    const Finding& finding =
        finding_of(evaluate_manifest(manifest, set, context, headings), "RBK-009");
    CHECK(finding.status == Status::skipped);
    CHECK(finding.message == "the change touches nothing matching db/migrations/**");
  }
  SECTION("only the service's own paths count, among many others on both sides") {
    std::vector<std::string> paths;
    for (int i = 0; i < 500; ++i) {
      paths.push_back(fmt::format("services/billing/db/migrations/{:03}.sql", i));
      paths.push_back(fmt::format("services/orders-old/db/migrations/{:03}.sql", i));
      paths.push_back(fmt::format("services/orders/src/{:03}.go", i));
    }
    std::sort(paths.begin(), paths.end());
    context.changed_paths = paths;
    CHECK(finding_of(evaluate_manifest(manifest, set, context, headings), "RBK-009").status ==
          Status::skipped);
    paths.push_back("services/orders/db/migrations/2026/001_add.sql");
    std::sort(paths.begin(), paths.end());
    context.changed_paths = paths;
    CHECK(finding_of(evaluate_manifest(manifest, set, context, headings), "RBK-009").status ==
          Status::fail);
  }
}

// ---- waivers -----------------------------------------------------------------------------

TEST_CASE("A valid waiver turns a failure into waived", "[evaluate][waiver]") {
  ManifestResult result = run(k_short_retention + waiver(k_good_waiver), k_retention_rule);
  const Finding& finding = finding_of(result, "BKP-002");
  CHECK(finding.status == Status::waived);
  REQUIRE(finding.waiver);
  CHECK(finding.waiver->accepted);
  CHECK(finding.waiver->refusal.empty());
  CHECK(finding.waiver->reason == "restore test booked for 2026-12-03");
  CHECK(finding.waiver->approved_by == "ops-lead@example.org");
  CHECK(finding.waiver->expires == "2026-12-15");
  CHECK(finding.waiver->where.to_string() == "operability.toml:7:1");
  // The failure stays visible.
  CHECK(finding.message == "backup.retention_days is 3; at least 7 is required");
  CHECK(result.passed);
}

TEST_CASE("A waiver on a passing rule changes nothing", "[evaluate][waiver]") {
  ManifestResult result =
      run("[backup]\nretention_days = 35\n" + waiver(k_good_waiver), k_retention_rule);
  const Finding& finding = finding_of(result, "BKP-002");
  CHECK(finding.status == Status::pass);
  CHECK_FALSE(finding.waiver);
  CHECK(findings_of(result, "GATE-WAIVER").empty());
}

namespace {

// The refusal of a waiver of BKP-002 written with `fields`, under `rules`.
std::string refusal(const std::string& fields, const std::string& rules = k_retention_rule,
                    const std::string& at = "2026-11-26T10:00:00+01:00") {
  ManifestResult result = run(k_short_retention + waiver(fields), rules, context_over(k_tree, at));
  const Finding& finding = finding_of(result, "BKP-002");
  CHECK(finding.status == Status::fail);
  CHECK_FALSE(result.passed);
  if (!finding.waiver) return "<no waiver judged>";
  CHECK_FALSE(finding.waiver->accepted);
  return finding.waiver->refusal;
}

bool accepted(const std::string& fields, const std::string& rules = k_retention_rule,
              const std::string& at = "2026-11-26T10:00:00+01:00") {
  ManifestResult result = run(k_short_retention + waiver(fields), rules, context_over(k_tree, at));
  return finding_of(result, "BKP-002").status == Status::waived;
}

const std::string k_approvers_pack =
    "[pack]\nname = \"baseline\"\n"
    "waiver_approvers = [\"ops-lead@example.org\", \"*@ops.example.org\"]\n" +
    k_retention_rule;

}  // namespace

TEST_CASE("A waiver of a non-waivable rule is refused", "[evaluate][waiver]") {
  std::string rules = rule_text("BKP-002", "key = \"backup.retention_days\", min = 7", 2, "error",
                                "waivable = false\n");
  CHECK(refusal(k_good_waiver, rules) == "rule BKP-002 is not waivable");
}

TEST_CASE("A waiver without a reason is refused", "[evaluate][waiver]") {
  CHECK(refusal("approved_by = \"ops-lead@example.org\"\nexpires = 2026-12-15\n") ==
        "the waiver gives no reason");
  CHECK(refusal("reason = \"\"\napproved_by = \"ops-lead@example.org\"\nexpires = 2026-12-15\n") ==
        "the waiver gives no reason");
  CHECK(refusal("reason = \" \"\napproved_by = \"ops-lead@example.org\"\nexpires = 2026-12-15\n") ==
        "the waiver gives no reason");
  CHECK(refusal("reason = \"r\"\napproved_by = \"\\u200B\"\nexpires = 2026-12-15\n") ==
        "the waiver has no approved_by");
}

TEST_CASE("A waiver without approved_by is refused", "[evaluate][waiver]") {
  CHECK(refusal("reason = \"r\"\nexpires = 2026-12-15\n") == "the waiver has no approved_by");
  CHECK(refusal("reason = \"r\"\napproved_by = \"\"\nexpires = 2026-12-15\n") ==
        "the waiver has no approved_by");
}

TEST_CASE("An approver outside the pack's waiver_approvers is refused", "[evaluate][waiver]") {
  CHECK(refusal("reason = \"r\"\napproved_by = \"dev@example.org\"\nexpires = 2026-12-15\n",
                k_approvers_pack) ==
        "dev@example.org is not among the waiver approvers of pack baseline "
        "(ops-lead@example.org, *@ops.example.org)");
  CHECK(refusal("reason = \"r\"\napproved_by = \"eve@ops.example.org.evil.com\"\n"
                "expires = 2026-12-15\n",
                k_approvers_pack) ==
        "eve@ops.example.org.evil.com is not among the waiver approvers of pack baseline "
        "(ops-lead@example.org, *@ops.example.org)");
  CHECK_THAT(refusal("reason = \"r\"\napproved_by = \"eve@sub.ops.example.org\"\n"
                     "expires = 2026-12-15\n",
                     k_approvers_pack),
             Catch::Contains("is not among the waiver approvers"));
}

TEST_CASE("Approvers match the allow-list exactly or by its glob", "[evaluate][waiver]") {
  CHECK(accepted("reason = \"r\"\napproved_by = \"ops-lead@example.org\"\nexpires = 2026-12-15\n",
                 k_approvers_pack));
  CHECK(accepted("reason = \"r\"\napproved_by = \"alice@ops.example.org\"\nexpires = 2026-12-15\n",
                 k_approvers_pack));
  // Without an allow-list any approver is accepted.
  CHECK(accepted("reason = \"r\"\napproved_by = \"dev@example.org\"\nexpires = 2026-12-15\n"));
}

TEST_CASE("A waiver without expires is refused", "[evaluate][waiver]") {
  CHECK(refusal("reason = \"r\"\napproved_by = \"ops-lead@example.org\"\n") ==
        "the waiver has no expires date");
}

TEST_CASE("An expired waiver is refused with its date; expiring today is fine",
          "[evaluate][waiver]") {
  std::string fields = "reason = \"r\"\napproved_by = \"ops-lead@example.org\"\n";
  CHECK(refusal(fields + "expires = 2026-11-01\n") == "expired on 2026-11-01");
  CHECK(refusal(fields + "expires = 2026-11-25\n") == "expired on 2026-11-25");
  CHECK(accepted(fields + "expires = 2026-11-26\n"));
}

TEST_CASE("Waiver expiry uses the calendar day of --at in its own offset", "[evaluate][waiver]") {
  std::string fields =
      "reason = \"r\"\napproved_by = \"ops-lead@example.org\"\nexpires = 2026-11-26\n";
  // Already the 27th in UTC, still the 26th where --at was written.
  CHECK(accepted(fields, k_retention_rule, "2026-11-26T23:30:00-05:00"));
  // Still the 26th in UTC, already the 27th where --at was written.
  CHECK(refusal(fields, k_retention_rule, "2026-11-27T00:30:00+01:00") == "expired on 2026-11-26");
}

TEST_CASE("A waiver beyond max_waiver_days is refused", "[evaluate][waiver]") {
  std::string fields = "reason = \"r\"\napproved_by = \"ops-lead@example.org\"\n";
  // Default 90 days: 2026-11-26 + 90 = 2027-02-24.
  CHECK(accepted(fields + "expires = 2027-02-24\n"));
  CHECK(refusal(fields + "expires = 2027-02-25\n") ==
        "expires on 2027-02-25, more than 90 days after 2026-11-26 (max_waiver_days of pack "
        "test)");
  std::string strict = "[pack]\nname = \"strict\"\nmax_waiver_days = 7\n" + k_retention_rule;
  CHECK(accepted(fields + "expires = 2026-12-03\n", strict));
  CHECK(refusal(fields + "expires = 2026-12-04\n", strict) ==
        "expires on 2026-12-04, more than 7 days after 2026-11-26 (max_waiver_days of pack "
        "strict)");
}

TEST_CASE("The waiver policy is that of the pack defining the rule", "[evaluate][waiver]") {
  std::string baseline = "[pack]\nname = \"baseline\"\nmax_waiver_days = 7\n" + k_retention_rule;
  std::string local =
      "[pack]\nname = \"local\"\nmax_waiver_days = 365\n"
      "[[override]]\nrule = \"BKP-002\"\nseverity = \"warning\"\n";
  auto rules = try_rules({pack_source(baseline, "baseline"), pack_source(local, "local")});
  REQUIRE(rules);
  Manifest manifest = manifest_from(
      k_service_header + k_short_retention +
      waiver("reason = \"r\"\napproved_by = \"a@example.org\"\nexpires = 2027-01-30\n"));
  HeadingCache headings;
  ManifestResult result = evaluate_manifest(manifest, *rules, context_over(k_tree), headings);
  const Finding& finding = finding_of(result, "BKP-002");
  CHECK(finding.status == Status::fail);
  REQUIRE(finding.waiver);
  CHECK_THAT(finding.waiver->refusal, Catch::Contains("more than 7 days"));
}

TEST_CASE("A second, valid waiver of the same rule is used", "[evaluate][waiver]") {
  ManifestResult result = run(k_short_retention +
                                  waiver("reason = \"old\"\napproved_by = \"a@example.org\"\n"
                                         "expires = 2026-01-01\n") +
                                  waiver(k_good_waiver),
                              k_retention_rule);
  const Finding& finding = finding_of(result, "BKP-002");
  CHECK(finding.status == Status::waived);
  REQUIRE(finding.waiver);
  CHECK(finding.waiver->accepted);
}

TEST_CASE("A waiver naming no loaded rule is a failed GATE-WAIVER warning", "[evaluate][waiver]") {
  std::string body =
      "[backup]\nretention_days = 35\n"
      "[[waiver]]\n"
      "rule = \"BKP-999\"\n" +
      k_good_waiver;
  ManifestResult result = run(body, k_retention_rule);
  const Finding& finding = finding_of(result, "GATE-WAIVER");
  CHECK(finding.status == Status::fail);
  CHECK(finding.severity == Severity::warning);
  CHECK(finding.message == "the waiver names rule BKP-999, which no loaded pack defines");
  CHECK(finding.where.to_string() == "operability.toml:8:8");
  CHECK(result.passed);  // a warning does not fail at --fail-on error

  EvalContext strict = context_over(k_tree);
  strict.fail_on = Severity::warning;
  CHECK_FALSE(run(body, k_retention_rule, strict).passed);
}

TEST_CASE("A waiver naming a rule a typo away says which rule it meant", "[evaluate][waiver]") {
  const auto message = [](std::string_view id) {
    ManifestResult result = run(fmt::format("[backup]\nretention_days = 35\n[[waiver]]\n"
                                            "rule = \"{}\"\n{}",
                                            id, k_good_waiver),
                                k_retention_rule);
    return finding_of(result, "GATE-WAIVER").message;
  };
  CHECK(message("BKP-02") ==
        "the waiver names rule BKP-02, which no loaded pack defines; did you mean BKP-002?");
  CHECK(message("bkp-002") ==
        "the waiver names rule bkp-002, which no loaded pack defines; did you mean BKP-002?");
  // Another number is another rule (of a pack this run did not load, say): no guess.
  CHECK(message("BKP-003") == "the waiver names rule BKP-003, which no loaded pack defines");
}

TEST_CASE("A waiver of a rule disabled by an override is a GATE-WAIVER", "[evaluate][waiver]") {
  std::string baseline =
      k_retention_rule + rule_text("SVC-001", "key = \"service.name\", present = true");
  std::string local = "[[override]]\nrule = \"BKP-002\"\nenabled = false\n";
  auto rules = try_rules({pack_source(baseline, "baseline"), pack_source(local, "local")});
  REQUIRE(rules);
  Manifest manifest = manifest_from(k_service_header + k_short_retention + waiver(k_good_waiver));
  HeadingCache headings;
  ManifestResult result = evaluate_manifest(manifest, *rules, context_over(k_tree), headings);
  CHECK(findings_of(result, "BKP-002").empty());
  CHECK(findings_of(result, "GATE-WAIVER").size() == 1);
}

// ---- emergency ---------------------------------------------------------------------------

TEST_CASE("Option --emergency waives release-window rules and nothing else", "[evaluate]") {
  std::string rules =
      k_retention_rule +
      rule_text("REL-001", "key = \"release_window\", window_open = true", 1, "error");
  std::string body = k_short_retention + k_saturday_window;
  // 2026-11-26 is a Thursday: the window is closed.
  ManifestResult normal = run(body, rules);
  REQUIRE(finding_of(normal, "REL-001").status == Status::fail);

  EvalContext emergency = context_over(k_tree);
  emergency.emergency = "INC-4711 payment outage";
  ManifestResult result = run(body, rules, emergency);
  const Finding& window = finding_of(result, "REL-001");
  CHECK(window.status == Status::waived);
  REQUIRE(window.waiver);
  CHECK(window.waiver->accepted);
  CHECK_THAT(window.waiver->reason, Catch::Contains("INC-4711 payment outage"));
  CHECK(finding_of(result, "BKP-002").status == Status::fail);
  CHECK_FALSE(result.passed);
}

TEST_CASE("Window operators read the table their key names", "[evaluate]") {
  // [release_window] is parsed once, by the schema check, and reused; any other table is read
  // where it is asked, and its messages name its own key.
  std::string rules = rule_text("REL-001", "key = \"release_window\", window_open = true") +
                      rule_text("REL-002", "key = \"staging_window\", window_open = true");
  auto always_open_in = [](const std::string& timezone) {
    return "[staging_window]\ntimezone = \"" + timezone +
           "\"\n[[staging_window.allow]]\nstart = \"00:00\"\nend = \"00:00\"\n";
  };
  ManifestResult open = run(k_saturday_window + always_open_in("UTC"), rules);
  CHECK(finding_of(open, "REL-001").status == Status::fail);
  CHECK_THAT(finding_of(open, "REL-001").message, Catch::StartsWith("release_window is closed"));
  CHECK(finding_of(open, "REL-002").status == Status::pass);
  CHECK_THAT(finding_of(open, "REL-002").message, Catch::StartsWith("staging_window is open"));

  ManifestResult invalid = run(k_saturday_window + always_open_in("Mars/Olympus_Mons"), rules);
  CHECK_THAT(finding_of(invalid, "REL-001").message, Catch::StartsWith("release_window is closed"));
  CHECK(finding_of(invalid, "REL-002").status == Status::fail);
  CHECK_THAT(finding_of(invalid, "REL-002").message,
             Catch::StartsWith("staging_window is invalid: staging_window.timezone"));
}

TEST_CASE("An invalid [release_window] is said once, by GATE-SCHEMA; rules reading it point there",
          "[evaluate]") {
  // A time zone, a cron and a date each wrong: every rule reading the window used to repeat the
  // first problem; now GATE-SCHEMA says each once and fails the gate, the rules fail too.
  std::string rules = rule_text("REL-001", "key = \"release_window\", window_open = true") +
                      rule_text("REL-002", "key = \"release_window\", window_max_hours = 6") +
                      rule_text("REL-003",
                                "key = \"release_window\", windows_outside = { start = \"08:00\", "
                                "end = \"19:00\" }");
  for (const auto& [body, problem] : std::vector<std::pair<std::string, std::string>>{
           {"[release_window]\ntimezone = \"Europe/Pariss\"\n[[release_window.allow]]\n"
            "days = [\"sat\"]\nstart = \"20:00\"\nend = \"23:00\"\n",
            "release_window.timezone is \"Europe/Pariss\", which is not an IANA time zone"},
           {"[release_window]\ntimezone = \"Europe/Paris\"\n[[release_window.allow]]\n"
            "cron = \"0 25 * * *\"\nduration = \"2h\"\n",
            "release_window.allow[1].cron is invalid: cron \"0 25 * * *\""},
           {"[release_window]\ntimezone = \"Europe/Paris\"\n[[release_window.deny]]\n"
            "from = 2026-12-18T00:00:00\nto = 2026-11-04T08:00:00\n",
            "release_window.deny[1].from 2026-12-18 00:00 is not before to"}}) {
    INFO(body);
    ManifestResult result = run(body, rules);
    std::size_t said = 0;
    for (const Finding& finding : result.findings)
      if (finding.message.find(problem) != std::string::npos) ++said;
    CHECK(said == 1);
    const auto schema = findings_of(result, "GATE-SCHEMA");
    REQUIRE(schema.size() == 1);
    CHECK_THAT(schema[0]->message, Catch::StartsWith(problem));
    CHECK(schema[0]->status == Status::fail);
    for (const char* id : {"REL-001", "REL-002", "REL-003"}) {
      INFO(id);
      const Finding& finding = finding_of(result, id);
      CHECK(finding.status == Status::fail);
      CHECK(finding.message ==
            "release_window is invalid; GATE-SCHEMA says why at " + schema[0]->where.to_string());
    }
    CHECK_FALSE(result.passed);
  }
}

TEST_CASE("Option --emergency waives only the window: other failing checks of the rule stay",
          "[evaluate]") {
  std::string rules = rule_text(
      "REL-002",
      "key = \"release_window\", window_open = true }, { key = \"nope.owner\", present = true");
  std::string body = k_short_retention + k_saturday_window;
  EvalContext emergency = context_over(k_tree);
  emergency.emergency = "INC-4711";
  const Finding& mixed = finding_of(run(body, rules, emergency), "REL-002");
  CHECK(mixed.status == Status::fail);
  CHECK_THAT(mixed.message, Catch::Contains("nope.owner is missing"));
}

TEST_CASE("Option --emergency waives window_open = true alone, never a condition beside it",
          "[evaluate]") {
  std::string body = k_short_retention + k_saturday_window;
  EvalContext emergency = context_over(k_tree);
  emergency.emergency = "INC-4711";
  // One table: a window longer than allowed and a closed window. The length fails on its own,
  // whichever operator comes first.
  for (const char* ops :
       {"window_max_hours = 1, window_open = true", "window_open = true, window_max_hours = 1"}) {
    std::string rules =
        rule_text("REL-003", std::string("key = \"release_window\", ") + ops, 1, "error");
    const Finding& both = finding_of(run(body, rules, emergency), "REL-003");
    CHECK(both.status == Status::fail);
    CHECK_THAT(both.message, Catch::Contains("at most 1h"));
  }
  // The same table with a length that holds: only the closed window fails, and is waived.
  std::string holds = rule_text(
      "REL-004", "key = \"release_window\", window_open = true, window_max_hours = 48", 1, "error");
  CHECK(finding_of(run(body, holds, emergency), "REL-004").status == Status::waived);
  // window_open = false (the window must be closed) is no release window to waive.
  std::string inverted =
      rule_text("REL-005", "key = \"release_window\", window_open = false", 1, "error");
  EvalContext saturday = context_over(k_tree);
  saturday.at = test::instant("2026-11-28T21:00:00+01:00");  // open: the rule fails
  saturday.emergency = "INC-4711";
  REQUIRE(finding_of(run(body, inverted, context_over(k_tree)), "REL-005").status == Status::pass);
  CHECK(finding_of(run(body, inverted, saturday), "REL-005").status != Status::waived);
}

TEST_CASE("A pack rule in area \"gate\" still counts for the level", "[evaluate]") {
  std::string rules =
      "[[rule]]\nid = \"G-1\"\narea = \"gate\"\ntitle = \"t\"\nseverity = \"error\"\n"
      "level = 1\ncheck = [ { key = \"nope.owner\", present = true } ]\n" +
      rule_text("G-2", "key = \"backup.retention_days\", min = 1", 2);
  ManifestResult result = run(k_short_retention, rules);
  REQUIRE(finding_of(result, "G-1").status == Status::fail);
  CHECK(result.level == 0);
}

// ---- schema and missing manifests --------------------------------------------------------

TEST_CASE("Schema problems become failed GATE-SCHEMA findings at their position", "[evaluate]") {
  ManifestResult result = run("tier = \"gold\"\n[backup]\nretention_days = 35\n", k_retention_rule);
  auto schema = findings_of(result, "GATE-SCHEMA");
  REQUIRE(schema.size() == 1);
  CHECK(schema[0]->status == Status::fail);
  CHECK(schema[0]->severity == Severity::error);
  CHECK(schema[0]->message ==
        "service.tier is \"gold\"; one of critical, high, medium, low is required");
  CHECK(schema[0]->where.to_string() == "operability.toml:5:8");
  CHECK(finding_of(result, "BKP-002").status == Status::pass);
  CHECK(result.level == 0);
  CHECK_FALSE(result.passed);
}

TEST_CASE("A valid manifest has one passing GATE-SCHEMA finding", "[evaluate]") {
  ManifestResult result = run("[backup]\nretention_days = 35\n", k_retention_rule);
  auto schema = findings_of(result, "GATE-SCHEMA");
  REQUIRE(schema.size() == 1);
  CHECK(schema[0]->status == Status::pass);
}

TEST_CASE("A missing manifest is a failed GATE-MANIFEST and skips every rule", "[evaluate]") {
  RuleSet rules = rules_from(k_retention_rule);
  MemoryTree tree;
  ManifestResult result =
      evaluate_missing_manifest("services/orders/operability.toml", rules, context_over(tree));
  const Finding& missing = finding_of(result, "GATE-MANIFEST");
  CHECK(missing.status == Status::fail);
  CHECK(missing.message == "services/orders/operability.toml does not exist in the in-memory tree");
  CHECK(finding_of(result, "BKP-002").status == Status::skipped);
  CHECK(result.level == 0);
  CHECK_FALSE(result.passed);
}

// ---- levels ------------------------------------------------------------------------------

namespace {

// Rules L-<level>-<n> whose pass/fail is decided by the manifest key flags.<id> = true/false.
std::string level_rule(const std::string& id, int level, const std::string& severity = "error",
                       const std::string& extra = "") {
  return rule_text(id, "key = \"flags." + id + "\", equals = true", level, severity, extra);
}

std::string flags(std::initializer_list<std::pair<const char*, bool>> values) {
  std::string out = "[flags]\n";
  for (const auto& [id, value] : values)
    out += std::string("\"") + id + "\" = " + (value ? "true" : "false") + "\n";
  return out;
}

}  // namespace

TEST_CASE("The level is the highest L whose rules up to L all passed", "[evaluate][level]") {
  std::string rules = level_rule("A-001", 1) + level_rule("A-002", 2) + level_rule("A-003", 3);
  CHECK(run(flags({{"A-001", true}, {"A-002", true}, {"A-003", true}}), rules).level == 3);
  CHECK(run(flags({{"A-001", true}, {"A-002", false}, {"A-003", true}}), rules).level == 1);
  CHECK(run(flags({{"A-001", false}, {"A-002", true}, {"A-003", true}}), rules).level == 0);
  CHECK(run(flags({{"A-001", true}, {"A-002", true}, {"A-003", false}}), rules).level == 2);
}

TEST_CASE("A level with no rule does not stop the climb", "[evaluate][level]") {
  std::string rules = level_rule("A-001", 1) + level_rule("A-003", 3);
  CHECK(run(flags({{"A-001", true}, {"A-003", true}}), rules).level == 3);
}

TEST_CASE("The level is no higher than the highest applicable rule", "[evaluate][level]") {
  std::string rules = level_rule("A-001", 1) + level_rule("A-002", 2) +
                      level_rule("A-005", 5, "error", "environments = [\"staging\"]\n");
  CHECK(run(flags({{"A-001", true}, {"A-002", true}, {"A-005", true}}), rules).level == 2);
}

TEST_CASE("Skipped rules are ignored by the level", "[evaluate][level]") {
  std::string rules =
      level_rule("A-001", 1, "error", "tiers = [\"critical\"]\n") + level_rule("A-002", 2);
  // A-001 is skipped (no tier) and would fail; A-002 passes.
  CHECK(run(flags({{"A-001", false}, {"A-002", true}}), rules).level == 2);
}

TEST_CASE("Severity does not matter for the level", "[evaluate][level]") {
  for (const char* severity : {"warning", "info"}) {
    INFO(severity);
    std::string rules = level_rule("A-001", 1, severity) + level_rule("A-002", 2);
    ManifestResult result = run(flags({{"A-001", false}, {"A-002", true}}), rules);
    CHECK(result.level == 0);
    CHECK(result.passed);  // while the gate itself passes at --fail-on error
  }
}

TEST_CASE("A waived rule counts as passed for the level", "[evaluate][level]") {
  std::string rules = level_rule("A-001", 1) + level_rule("A-002", 2);
  std::string body =
      flags({{"A-001", false}, {"A-002", true}}) + "[[waiver]]\nrule = \"A-001\"\n" + k_good_waiver;
  ManifestResult result = run(body, rules);
  CHECK(finding_of(result, "A-001").status == Status::waived);
  CHECK(result.level == 2);
}

TEST_CASE("The level is 0 when nothing applies", "[evaluate][level]") {
  std::string rules = level_rule("A-001", 1, "error", "tiers = [\"critical\"]\n");
  CHECK(run(flags({{"A-001", true}}), rules).level == 0);
}

TEST_CASE("The level is 0 when GATE-SCHEMA failed, whatever the rules", "[evaluate][level]") {
  std::string rules = level_rule("A-001", 1);
  CHECK(run("tier = \"gold\"\n" + flags({{"A-001", true}}), rules).level == 0);
}

TEST_CASE("GATE-WAIVER does not change the level", "[evaluate][level]") {
  std::string rules = level_rule("A-001", 1);
  std::string body = flags({{"A-001", true}}) + "[[waiver]]\nrule = \"NOPE-001\"\n" + k_good_waiver;
  ManifestResult result = run(body, rules);
  REQUIRE(findings_of(result, "GATE-WAIVER").size() == 1);
  CHECK(result.level == 1);
}

TEST_CASE("An unmet --min-level adds a failed GATE-MIN-LEVEL", "[evaluate][level]") {
  std::string rules = level_rule("A-001", 1) + level_rule("A-002", 2);
  std::string body = flags({{"A-001", true}, {"A-002", false}});
  EvalContext context = context_over(k_tree);
  context.min_level = 2;
  ManifestResult result = run(body, rules, context);
  CHECK(result.level == 1);
  const Finding& finding = finding_of(result, "GATE-MIN-LEVEL");
  CHECK(finding.status == Status::fail);
  CHECK(finding.severity == Severity::error);
  CHECK(finding.message == "billing-api reaches level 1; level 2 is required");
  CHECK_FALSE(result.passed);
  CHECK(std::is_sorted(result.findings.begin(), result.findings.end(),
                       [](const Finding& a, const Finding& b) { return a.rule < b.rule; }));

  context.min_level = 1;
  ManifestResult met = run(body, rules, context);
  CHECK(findings_of(met, "GATE-MIN-LEVEL").empty());
}

// ---- --fail-on ---------------------------------------------------------------------------

TEST_CASE("Option --fail-on warning fails the gate on a failed warning, never on info",
          "[evaluate]") {
  std::string warning = level_rule("A-001", 1, "warning");
  std::string info = level_rule("A-002", 1, "info");
  std::string body = flags({{"A-001", false}, {"A-002", false}});
  EvalContext context = context_over(k_tree);
  CHECK(run(body, warning + info, context).passed);
  context.fail_on = Severity::warning;
  CHECK_FALSE(run(body, warning + info, context).passed);
  CHECK(run(flags({{"A-001", true}, {"A-002", false}}), warning + info, context).passed);
}

TEST_CASE("fails_gate compares the severity with --fail-on", "[evaluate]") {
  Finding finding;
  finding.status = Status::fail;
  finding.severity = Severity::warning;
  CHECK_FALSE(fails_gate(finding, Severity::error));
  CHECK(fails_gate(finding, Severity::warning));
  finding.status = Status::waived;
  CHECK_FALSE(fails_gate(finding, Severity::warning));
  CHECK(status_name(Status::skipped) == "skipped");
}

}  // namespace evaluate_test
