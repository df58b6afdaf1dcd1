#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <regex>

#include "gate_fixtures.hpp"
#include "render.hpp"

namespace report_test {

using namespace opsgate;
using opsgate::test::context_over;
using opsgate::test::instant;
using opsgate::test::k_service_header;
using opsgate::test::rule_text;
using opsgate::test::rules_from;
using ordered_json = nlohmann::ordered_json;

namespace {

const MemoryTree k_tree;
const std::string k_revision = "0123456789abcdef0123456789abcdef01234567";

Finding make(const std::string& rule, Status status, Severity severity) {
  Finding finding;
  finding.rule = rule;
  finding.status = status;
  finding.severity = severity;
  finding.area = "backup";
  finding.level = 1;
  return finding;
}

ManifestResult with(std::string path, std::vector<Finding> findings) {
  ManifestResult result;
  result.path = std::move(path);
  result.findings = std::move(findings);
  return result;
}

// A report over one real evaluation: BKP-002 fails, BKP-001 passes, MON-001 (warning) fails,
// SVC-001 is skipped, BKP-004 is waived, BKP-005 has a refused waiver.
Report sample_report(Severity fail_on = Severity::error) {
  std::string rules =
      rule_text("BKP-002", "key = \"backup.retention_days\", min = 7", 2) +
      rule_text("BKP-001", "key = \"backup.enabled\", equals = true", 1) +
      rule_text("MON-001", "key = \"monitoring.dashboard\", present = true", 2, "warning") +
      rule_text("SVC-001", "key = \"service.contact\", present = true", 1, "error",
                "tiers = [\"critical\"]\n") +
      rule_text("BKP-004", "key = \"backup.last_restore_test\", max_age_days = 90", 4) +
      rule_text("BKP-005", "key = \"backup.offsite\", equals = true", 3);
  std::string manifest = std::string(k_service_header) +
                         "[backup]\n"
                         "enabled = true\n"
                         "retention_days = 3\n"
                         "offsite = false\n"
                         "[[waiver]]\n"
                         "rule = \"BKP-004\"\n"
                         "reason = \"restore test booked\"\n"
                         "approved_by = \"ops-lead@example.org\"\n"
                         "expires = 2026-12-15\n"
                         "[[waiver]]\n"
                         "rule = \"BKP-005\"\n"
                         "reason = \"offsite copy next quarter\"\n"
                         "approved_by = \"ops-lead@example.org\"\n"
                         "expires = 2026-11-01\n";
  EvalContext context = context_over(k_tree);
  context.fail_on = fail_on;
  Report report;
  report.revision = k_revision;
  report.environment = "production";
  report.at = instant("2026-11-26T10:00:00+01:00");
  report.fail_on = fail_on;
  report.manifests.push_back(opsgate::test::evaluate(manifest, rules, context));
  conclude(report);
  return report;
}

std::vector<std::string> keys_of(const ordered_json& object) {
  std::vector<std::string> out;
  for (const auto& [key, value] : object.items()) out.push_back(key);
  return out;
}

// True when `expected` appears in `actual` in the same order (additive keys may sit between).
bool in_order(const std::vector<std::string>& actual, const std::vector<std::string>& expected) {
  std::size_t next = 0;
  for (const std::string& key : actual)
    if (next < expected.size() && key == expected[next]) ++next;
  return next == expected.size();
}

std::string strip_ansi(const std::string& text) {
  static const std::regex ansi("\x1b\\[[0-9;]*m");
  return std::regex_replace(text, ansi, "");
}

const ordered_json& finding_json(const ordered_json& manifest, const std::string& rule) {
  for (const ordered_json& finding : manifest["findings"])
    if (finding["rule"] == rule) return finding;
  FAIL("no finding " << rule);
  throw;
}

}  // namespace

// ---- summary -----------------------------------------------------------------------------

TEST_CASE("summarize counts failures at or above --fail-on as failed", "[report]") {
  std::vector<ManifestResult> manifests = {
      with("a/operability.toml",
           {make("A-1", Status::pass, Severity::error), make("A-2", Status::fail, Severity::error),
            make("A-3", Status::fail, Severity::warning), make("A-4", Status::fail, Severity::info),
            make("A-5", Status::waived, Severity::error),
            make("A-6", Status::skipped, Severity::error)}),
      with("b/operability.toml", {make("A-1", Status::pass, Severity::warning),
                                  make("A-2", Status::fail, Severity::error),
                                  make("A-3", Status::skipped, Severity::warning)}),
  };
  Summary at_error = summarize(manifests, Severity::error);
  CHECK(at_error.passed == 2);
  CHECK(at_error.failed == 2);
  CHECK(at_error.warnings == 1);
  CHECK(at_error.info == 1);
  CHECK(at_error.waived == 1);
  CHECK(at_error.skipped == 2);

  Summary at_warning = summarize(manifests, Severity::warning);
  CHECK(at_warning.failed == 3);
  CHECK(at_warning.warnings == 0);
  CHECK(at_warning.info == 1);
}

TEST_CASE("conclude sorts manifests by path and fails only when failed > 0", "[report]") {
  Report report;
  report.manifests = {with("z/operability.toml", {make("A-1", Status::pass, Severity::error)}),
                      with("a/operability.toml", {make("A-1", Status::fail, Severity::warning)})};
  conclude(report);
  CHECK(report.manifests[0].path == "a/operability.toml");
  CHECK(report.manifests[1].path == "z/operability.toml");
  CHECK(report.outcome == Outcome::pass);
  CHECK(report.summary.warnings == 1);

  report.fail_on = Severity::warning;
  conclude(report);
  CHECK(report.outcome == Outcome::fail);

  report.outcome = Outcome::error;
  conclude(report);
  CHECK(report.outcome == Outcome::error);  // an error is never turned into a verdict
}

TEST_CASE("A report with no manifest passes", "[report]") {
  Report report;
  conclude(report);
  CHECK(report.outcome == Outcome::pass);
  auto json = ordered_json::parse(render_json(report));
  CHECK(json["manifests"] == ordered_json::array());
  CHECK(json["outcome"] == "pass");
}

// ---- JSON --------------------------------------------------------------------------------

TEST_CASE("The JSON report has the contract's keys in the contract's order", "[report][json]") {
  auto json = ordered_json::parse(render_json(sample_report()));
  CHECK(in_order(keys_of(json), {"tool", "revision", "base", "environment", "evaluated_at",
                                 "emergency", "outcome", "manifests", "summary"}));
  CHECK(json["tool"]["name"] == "opsgate");
  CHECK(json["tool"]["version"].is_string());
  CHECK(json["revision"] == k_revision);
  CHECK(json["base"].is_null());
  CHECK(json["environment"] == "production");
  CHECK(json["evaluated_at"] == "2026-11-26T09:00:00Z");
  CHECK(json["emergency"].is_null());
  CHECK(json["outcome"] == "fail");

  REQUIRE(json["manifests"].size() == 1);
  const ordered_json& manifest = json["manifests"][0];
  CHECK(keys_of(manifest) ==
        std::vector<std::string>{"path", "blob", "service", "level", "outcome", "findings"});
  CHECK(manifest["path"] == "operability.toml");
  CHECK(manifest["blob"].get<std::string>().size() == 40);
  CHECK(manifest["service"] == "billing-api");
  CHECK(manifest["level"] == 1);
  CHECK(manifest["outcome"] == "fail");

  CHECK(keys_of(json["summary"]) ==
        std::vector<std::string>{"passed", "failed", "warnings", "info", "waived", "skipped"});
}

TEST_CASE("JSON findings: every rule once, sorted by id, with the contract's keys",
          "[report][json]") {
  auto json = ordered_json::parse(render_json(sample_report()));
  const ordered_json& findings = json["manifests"][0]["findings"];
  std::vector<std::string> ids;
  for (const ordered_json& finding : findings) {
    ids.push_back(finding["rule"]);
    INFO(finding.dump());
    CHECK(in_order(keys_of(finding), {"rule", "status", "severity", "area", "level", "message",
                                      "location", "help", "waiver"}));
    CHECK(keys_of(finding["location"]) == std::vector<std::string>{"path", "line", "column"});
  }
  CHECK(ids == std::vector<std::string>{"BKP-001", "BKP-002", "BKP-004", "BKP-005", "GATE-SCHEMA",
                                        "MON-001", "SVC-001"});

  const ordered_json& failed = finding_json(json["manifests"][0], "BKP-002");
  CHECK(failed["status"] == "fail");
  CHECK(failed["severity"] == "error");
  CHECK(failed["area"] == "backup");
  CHECK(failed["level"] == 2);
  CHECK(failed["message"] == "backup.retention_days is 3; at least 7 is required");
  CHECK(failed["location"] ==
        ordered_json({{"path", "operability.toml"}, {"line", 7}, {"column", 18}}));
  CHECK(failed["waiver"].is_null());

  CHECK(finding_json(json["manifests"][0], "BKP-001")["status"] == "pass");
  CHECK(finding_json(json["manifests"][0], "SVC-001")["status"] == "skipped");
  CHECK(finding_json(json["manifests"][0], "MON-001")["severity"] == "warning");
}

TEST_CASE("JSON waivers say whether they were accepted and why not", "[report][json]") {
  auto json = ordered_json::parse(render_json(sample_report()));
  const ordered_json& waived = finding_json(json["manifests"][0], "BKP-004");
  CHECK(waived["status"] == "waived");
  CHECK(waived["waiver"]["accepted"] == true);
  CHECK(waived["waiver"]["refusal"].is_null());

  const ordered_json& refused = finding_json(json["manifests"][0], "BKP-005");
  CHECK(refused["status"] == "fail");
  CHECK(refused["waiver"]["accepted"] == false);
  CHECK(refused["waiver"]["refusal"] == "expired on 2026-11-01");
  CHECK(in_order(keys_of(refused["waiver"]), {"accepted", "refusal"}));
}

TEST_CASE("JSON summary sums per the contract", "[report][json]") {
  auto json = ordered_json::parse(render_json(sample_report()));
  // BKP-001 and GATE-SCHEMA pass; BKP-002 and BKP-005 fail (error); MON-001 fails (warning);
  // BKP-004 is waived; SVC-001 is skipped.
  CHECK(json["summary"] == ordered_json({{"passed", 2},
                                         {"failed", 2},
                                         {"warnings", 1},
                                         {"info", 0},
                                         {"waived", 1},
                                         {"skipped", 1}}));
  auto strict = ordered_json::parse(render_json(sample_report(Severity::warning)));
  CHECK(strict["summary"]["failed"] == 3);
  CHECK(strict["summary"]["warnings"] == 0);
}

TEST_CASE("A file-level location has null line and column", "[report][json]") {
  auto json = ordered_json::parse(render_json(sample_report()));
  const ordered_json& schema = finding_json(json["manifests"][0], "GATE-SCHEMA");
  CHECK(schema["location"]["path"] == "operability.toml");
  CHECK(schema["location"]["line"].is_null());
  CHECK(schema["location"]["column"].is_null());
}

TEST_CASE("An error report says outcome error with the message", "[report][json]") {
  Report report;
  report.environment = "production";
  report.at = instant("2026-11-26T10:00:00+01:00");
  report.outcome = Outcome::error;
  report.error = "rules/x.toml:3:1: unknown operator 'exists'";
  conclude(report);
  auto json = ordered_json::parse(render_json(report));
  CHECK(json["outcome"] == "error");
  CHECK(json["error"] == "rules/x.toml:3:1: unknown operator 'exists'");
  CHECK(json["revision"].is_null());
  CHECK(verdict_line(report) == "opsgate: ERROR: rules/x.toml:3:1: unknown operator 'exists'");
}

TEST_CASE("An emergency is recorded with its reason", "[report][json]") {
  Report report = sample_report();
  report.emergency = "INC-4711";
  auto json = ordered_json::parse(render_json(report));
  CHECK(json["emergency"] == "INC-4711");
  CHECK_THAT(verdict_line(report), Catch::Contains("emergency"));
}

// ---- text --------------------------------------------------------------------------------

TEST_CASE("The verdict line gives the outcome and the counts", "[report][text]") {
  CHECK(verdict_line(sample_report()) ==
        "opsgate: FAIL: 2 failed, 1 warning, 2 passed, 1 waived, 1 skipped (1 manifest, "
        "production, merge stage)");
}

TEST_CASE("Text has no colour codes unless asked", "[report][text]") {
  Report report = sample_report();
  std::string plain = render_text(report, TextStyle{false, true, false});
  CHECK(plain.find('\x1b') == std::string::npos);
  std::string colored = render_text(report, TextStyle{true, true, false});
  CHECK(colored.find("\x1b[") != std::string::npos);
  CHECK_THAT(colored, Catch::Contains("\x1b[31;1mFAIL  \x1b[0m"));
}

TEST_CASE("Colour changes the colours only, not the layout", "[report][text]") {
  Report report = sample_report();
  std::string plain = render_text(report, TextStyle{false, true, false});
  std::string colored = render_text(report, TextStyle{true, true, false});
  CHECK(strip_ansi(colored) == plain);
}

TEST_CASE("Quiet text is the verdict line alone", "[report][text]") {
  Report report = sample_report();
  std::string quiet = render_text(report, TextStyle{false, false, true});
  CHECK(quiet == verdict_line(report) + "\n");
  CHECK(render_text(report, TextStyle{true, false, true}).find("\n") == quiet.size() - 1);
}

TEST_CASE("Text shows failures with their position, fix and waiver refusal", "[report][text]") {
  std::string text = render_text(sample_report(), TextStyle{});
  CHECK_THAT(text, Catch::Contains("billing-api (operability.toml) · level 1 · fail"));
  CHECK_THAT(
      text,
      Catch::Contains("operability.toml:7:18: backup.retention_days is 3; at least 7 is required"));
  CHECK_THAT(text, Catch::Contains("waiver refused: expired on 2026-11-01"));
  CHECK_THAT(text, Catch::Contains("waived: restore test booked (approved by "
                                   "ops-lead@example.org), until 2026-12-15"));
  CHECK_THAT(text, Catch::Contains("WARN"));
  // Passing and skipped rules are counted, not listed, without --verbose.
  CHECK_THAT(text, Catch::Contains("2 passed, 1 skipped (--verbose lists them)"));
  CHECK(text.find("BKP-001") == std::string::npos);
  CHECK_THAT(render_text(sample_report(), TextStyle{false, true, false}),
             Catch::Contains("BKP-001"));
}

TEST_CASE("Text groups findings by area", "[report][text]") {
  std::string text = render_text(sample_report(), TextStyle{false, true, false});
  std::size_t backup = text.find("\n  backup\n");
  std::size_t gate = text.find("\n  gate\n");
  REQUIRE(backup != std::string::npos);
  REQUIRE(gate != std::string::npos);
  CHECK(text.find("BKP-002") > backup);
  CHECK(text.find("BKP-002") < gate);
}

TEST_CASE("pack_infos lists the loaded packs in order", "[report]") {
  RuleSet rules = rules_from("[pack]\nname = \"baseline\"\nversion = \"1.0.0\"\n" +
                             rule_text("BKP-002", "key = \"a\", present = true"));
  auto packs = pack_infos(rules);
  REQUIRE(packs.size() == 1);
  CHECK(packs[0].name == "baseline");
  CHECK(packs[0].version == "1.0.0");
  CHECK(packs[0].source == "rules/test");
}

}  // namespace report_test
