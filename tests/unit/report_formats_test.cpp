// The JUnit, SARIF, Code Quality and Markdown renderers against golden files
// (tests/unit/golden/), over a report built by hand with fixed times and blob ids. After an
// intended change, `OPSGATE_UPDATE_GOLDEN=1 build/tests/opsgate_unit "[golden]"` rewrites them;
// review the diff before committing.

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "gate_fixtures.hpp"
#include "i18n.hpp"
#include "render.hpp"

namespace report_formats_test {

using namespace opsgate;
using json = nlohmann::json;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "<missing golden file " + path + ">";
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Compares `actual` with tests/unit/golden/NAME exactly, or rewrites the file when
// OPSGATE_UPDATE_GOLDEN=1.
void check_golden(const std::string& name, const std::string& actual) {
  std::string path = std::string(OPSGATE_GOLDEN_DIR) + "/" + name;
  const char* update = std::getenv("OPSGATE_UPDATE_GOLDEN");
  if (update && std::string(update) == "1") {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << actual;
    WARN("rewrote " << path);
    return;
  }
  INFO("golden file " << path << " (OPSGATE_UPDATE_GOLDEN=1 rewrites it)");
  CHECK(actual == read_file(path));
}

Finding finding(std::string rule, std::string title, Status status, Severity severity,
                std::string area, int level, std::string message, SourcePos where,
                std::string help = "") {
  Finding out;
  out.rule = std::move(rule);
  out.title = std::move(title);
  out.status = status;
  out.severity = severity;
  out.area = std::move(area);
  out.level = level;
  out.message = std::move(message);
  out.where = std::move(where);
  out.help = std::move(help);
  return out;
}

std::shared_ptr<const WaiverOutcome> waiver(bool accepted, std::string refusal, std::string reason,
                                            std::string expires, std::uint32_t line) {
  return std::make_shared<const WaiverOutcome>(
      WaiverOutcome{accepted, std::move(refusal), std::move(reason), "ops@example.org",
                    std::move(expires), SourcePos{"operability.toml", line, 1}});
}

// Two services: billing-api has every status (a gate failure, a warning and an info below
// --fail-on, a waived rule, a refused waiver, a skipped rule, two GATE-SCHEMA problems) and text
// that needs escaping in every format; the second manifest is missing.
Report sample() {
  const std::string manifest = "operability.toml";
  ManifestResult billing;
  billing.path = manifest;
  billing.blob = "5e01f4d17b13e0fa4c2a6f38f17580d136229d9c";
  billing.service = "billing-api";
  billing.level = 1;
  billing.passed = false;
  billing.findings = {
      finding("BKP-001", "Stateful services are backed up", Status::pass, Severity::error, "backup",
              1, "backup.enabled is true (the required value)", {manifest, 9, 11}),
      finding("BKP-002", "Backups are kept at least a week", Status::fail, Severity::error,
              "backup", 2, "backup.retention_days is 3; at least 7 is required", {manifest, 12, 18},
              "Set backup.retention_days to 7 or more."),
      finding("BKP-004", "Restores were tested <recently> & \"often\"", Status::waived,
              Severity::error, "backup", 3, "backup.last_restore_test is missing", {manifest},
              "Rehearse a restore."),
      finding("BKP-005", "Critical backups are stored off-site", Status::fail, Severity::error,
              "backup", 3, "backup.offsite is false; true is required", {manifest, 13, 11},
              "Copy backups off-site."),
      finding("GATE-SCHEMA", "The manifest follows schema 1", Status::fail, Severity::error, "gate",
              0, "backup.schedule is \"dayly\"; expected one of hourly, daily", {manifest, 14, 12},
              "Fix the key as the message says."),
      finding("GATE-SCHEMA", "The manifest follows schema 1", Status::fail, Severity::error, "gate",
              0, "runbook.last_review is not a date", {manifest, 20, 15},
              "Fix the key as the message says."),
      finding("MON-001", "Service has a dashboard", Status::fail, Severity::warning, "monitoring",
              2, "monitoring.dashboard is missing | <b>bold</b> *star* `tick`\x1b[31m\ttab",
              {manifest}, "Add a [dashboard](https://grafana.example.org) link."),
      finding("MON-009", "Dashboards are linked from the runbook", Status::fail, Severity::info,
              "monitoring", 4, "no dashboard link in docs/runbook.md", {"docs/runbook.md"}),
      finding("SVC-001", "Critical services name a contact", Status::skipped, Severity::error,
              "service", 1, "only for tiers critical; service.tier is \"high\"", {manifest}),
  };
  billing.findings[2].waiver =
      waiver(true, "", "restore test booked for 2026-12-03", "2026-12-15", 30);
  billing.findings[3].waiver =
      waiver(false, "expired on 2026-11-01", "offsite copy next quarter", "2026-11-01", 35);
  // Who set retention_days = 3 (blame), and a line whose history a shallow clone cut.
  billing.findings[1].provenance = std::make_shared<const Provenance>(
      Provenance{"7d3f0c2a9b1e4d5f6a7b8c9d0e1f2a3b4c5d6e7f", "Bob Martin", "bob@example.org",
                 opsgate::test::instant("2026-10-01T10:00:00+02:00").utc, ""});
  billing.findings[5].provenance = std::make_shared<const Provenance>(
      Provenance{"",
                 "",
                 "",
                 {},
                 "line 20 cannot be attributed: the history is cut (a shallow "
                 "or partial clone)"});
  billing.findings[7].evidence =
      std::make_shared<const std::vector<Evidence>>(std::vector<Evidence>{
          {"docs/runbook.md", "abc1234def5678abc1234def5678abc1234def56", "Ana", "ana@example.org",
           opsgate::test::instant("2023-03-14T10:00:00+01:00").utc}});

  ManifestResult missing;
  missing.path = "services/orders/operability.toml";
  missing.passed = false;
  missing.findings = {finding("GATE-MANIFEST", "The service declares an operability manifest",
                              Status::fail, Severity::error, "gate", 0,
                              "services/orders/operability.toml does not exist at the revision",
                              {"services/orders/operability.toml"},
                              "Write one: `opsgate init` prints a starter manifest.")};

  Report report;
  report.revision = "0123456789abcdef0123456789abcdef01234567";
  report.base = "89abcdef0123456789abcdef0123456789abcdef";
  report.changed_paths = 3;
  report.environment = "production";
  report.at = opsgate::test::instant("2026-11-26T10:00:00+01:00");
  report.emergency = "hotfix for INC-42 <payments down>";
  report.emergency_requested_by = "alice.oncall";
  report.notes = {"refs/heads/main was checked without a base (new branch)"};
  report.packs = {{"baseline", "1.0.0", "baseline", "installed /usr/share/opsgate/rules/baseline"},
                  {"acme", "2.3.1", "refs/remotes/origin/main:.opsgate",
                   "revision refs/remotes/origin/main:.opsgate at 89abcdef0123"}};
  report.manifests = {missing, billing};
  report.findings = {
      finding("GATE-RULES-CHANGED", "The change does not rewrite the rules that judge it",
              Status::fail, Severity::warning, "gate", 0,
              "the change modifies rule files of pack acme (.opsgate/acme.toml); "
              "this run used their base-side version",
              SourcePos{".opsgate/acme.toml"}, "Review rule changes in a change of their own.")};
  conclude(report);
  return report;
}

// The sample as a deploy with --fail-on-new: each failure new or inherited from the merge base,
// the inherited errors tolerated, a ratchet finding.
Report changed_report() {
  Report report = sample();
  report.stage = Stage::deploy;
  report.emergency.reset();
  report.emergency_requested_by.reset();
  for (ManifestResult& manifest : report.manifests) {
    for (Finding& finding : manifest.findings) {
      if (finding.status != Status::fail) continue;
      finding.is_new = finding.rule == "BKP-002" || finding.rule == "GATE-MANIFEST";
      if (!*finding.is_new && finding.severity == Severity::error)
        finding.tolerated = "already failing at the merge base (--fail-on-new)";
    }
    if (manifest.service == "billing-api")
      manifest.findings.insert(
          manifest.findings.begin() + 4,
          finding("GATE-LEVEL-DROP", "The change keeps the service's maturity level", Status::fail,
                  Severity::error, "gate", 0,
                  "billing-api drops from level 2 at the merge base to level 1: BKP-002 now fails",
                  {"operability.toml"}, "Fix the rules that now fail."));
    manifest.findings[std::min<std::size_t>(4, manifest.findings.size() - 1)].is_new = true;
  }
  for (Finding& finding : report.findings) finding.is_new = true;
  conclude(report);
  return report;
}

Report error_report() {
  Report report;
  report.environment = "production";
  report.at = opsgate::test::instant("2026-11-26T10:00:00+01:00");
  report.packs = {{"baseline", "1.0.0", "baseline"}};
  report.outcome = Outcome::error;
  report.error = "rules/acme.toml:3:9: unknown rule key 'severty' <\"&'>";
  conclude(report);
  return report;
}

Report empty_report() {
  Report report;
  report.revision = "0123456789abcdef0123456789abcdef01234567";
  report.environment = "staging";
  report.at = opsgate::test::instant("2026-11-26T10:00:00+01:00");
  report.packs = {{"baseline", "1.0.0", "baseline"}};
  conclude(report);
  return report;
}

}  // namespace

TEST_CASE("json report matches its golden files", "[report][golden]") {
  check_golden("report.json", render_json(sample()));
  check_golden("report_changed.json", render_json(changed_report()));
  check_golden("report_error.json", render_json(error_report()));
  check_golden("report_empty.json", render_json(empty_report()));
}

TEST_CASE("text report matches its golden files", "[report][golden]") {
  check_golden("report.txt", render_text(sample(), TextStyle{false, false, false}));
  check_golden("report_changed.txt", render_text(changed_report(), TextStyle{false, false, false}));
  check_golden("report_verbose.txt", render_text(sample(), TextStyle{false, true, false}));
  check_golden("report_error.txt", render_text(error_report(), TextStyle{false, false, false}));
  check_golden("report_empty.txt", render_text(empty_report(), TextStyle{false, false, false}));
}

TEST_CASE("junit report matches its golden files", "[report][golden]") {
  check_golden("report.junit.xml", render_junit(sample()));
  check_golden("report_changed.junit.xml", render_junit(changed_report()));
  check_golden("report_error.junit.xml", render_junit(error_report()));
  check_golden("report_empty.junit.xml", render_junit(empty_report()));
}

TEST_CASE("sarif report matches its golden files", "[report][golden]") {
  check_golden("report.sarif", render_sarif(sample()));
  check_golden("report_changed.sarif", render_sarif(changed_report()));
  check_golden("report_error.sarif", render_sarif(error_report()));
}

TEST_CASE("codequality report matches its golden files", "[report][golden]") {
  check_golden("report.codequality.json", render_codequality(sample()));
  check_golden("report_changed.codequality.json", render_codequality(changed_report()));
  check_golden("report_error.codequality.json", render_codequality(error_report()));
  check_golden("report_empty.codequality.json", render_codequality(empty_report()));
}

TEST_CASE("markdown report matches its golden files", "[report][golden]") {
  check_golden("report.md", render_markdown(sample()));
  check_golden("report_changed.md", render_markdown(changed_report()));
  check_golden("report_error.md", render_markdown(error_report()));
  check_golden("report_empty.md", render_markdown(empty_report()));
}

TEST_CASE("reports in French: headings, labels and verdicts from the catalog",
          "[report][golden][i18n]") {
  struct French {
    French() { set_language(Lang::fr); }
    ~French() { set_language(Lang::en); }
  } french;
  check_golden("report.fr.txt", render_text(sample(), TextStyle{false, false, false}));
  check_golden("report_changed.fr.txt",
               render_text(changed_report(), TextStyle{false, false, false}));
  check_golden("report_error.fr.txt", render_text(error_report(), TextStyle{false, false, false}));
  check_golden("report.fr.md", render_markdown(sample()));
  check_golden("report_changed.fr.md", render_markdown(changed_report()));
  check_golden("report_error.fr.md", render_markdown(error_report()));
  check_golden("report.fr.junit.xml", render_junit(sample()));
  check_golden("report.fr.codequality.json", render_codequality(sample()));
}

TEST_CASE("reports in French keep the machine fields English", "[report][i18n]") {
  const json english = json::parse(render_json(sample()));
  const json english_sarif = json::parse(render_sarif(sample()));
  set_language(Lang::fr);
  const json french = json::parse(render_json(sample()));
  const json french_sarif = json::parse(render_sarif(sample()));
  set_language(Lang::en);
  CHECK(english["lang"] == "en");
  CHECK(french["lang"] == "fr");
  // The same document but for "lang": the sample's texts come from its findings, and every
  // key, id, status, severity and outcome is the same in both languages.
  json without_lang = french;
  without_lang["lang"] = "en";
  CHECK(without_lang == english);
  CHECK_FALSE(english_sarif["runs"][0].contains("language"));
  CHECK(french_sarif["runs"][0]["language"] == "fr");
  json sarif_without_language = french_sarif;
  sarif_without_language["runs"][0].erase("language");
  CHECK(sarif_without_language == english_sarif);
}

TEST_CASE("junit failures are exactly the findings that fail the gate", "[report]") {
  std::string xml = render_junit(sample());
  // BKP-002, BKP-005 (refused waiver), two GATE-SCHEMA, GATE-MANIFEST; not MON-001 (a warning
  // below --fail-on error), MON-009 (info) nor the run's GATE-RULES-CHANGED (a warning), which
  // is a test of its own suite.
  CHECK(xml.find("<testsuites name=\"opsgate\" tests=\"11\" failures=\"5\" errors=\"0\" "
                 "skipped=\"1\"") != std::string::npos);
  CHECK(xml.find("\x1b") == std::string::npos);  // not even as a character reference
  CHECK(xml.find("\\x1B[31m") != std::string::npos);

  Report strict = sample();
  strict.fail_on = Severity::warning;
  conclude(strict);
  CHECK(render_junit(strict).find("failures=\"7\"") != std::string::npos);
  CHECK(xml.find("<testsuite name=\"opsgate: this run\"") != std::string::npos);
}

TEST_CASE("codequality fingerprints are stable and distinct", "[report]") {
  json first = json::parse(render_codequality(sample()));
  std::set<std::string> fingerprints;
  for (const json& entry : first) fingerprints.insert(entry["fingerprint"].get<std::string>());
  CHECK(fingerprints.size() == first.size());  // different findings, different fingerprints
  CHECK(first.size() == 8);  // every failed finding, the run's too; none waived or passed

  // The same findings after edits that move lines and change values: same fingerprints.
  Report edited = sample();
  for (ManifestResult& manifest : edited.manifests)
    for (Finding& item : manifest.findings) {
      item.where.line += 4;
      if (item.rule == "BKP-002") item.message = "backup.retention_days is 5; at least 7";
    }
  edited.at = opsgate::test::instant("2026-12-01T08:00:00Z");
  edited.revision = "fedcba9876543210fedcba9876543210fedcba98";
  json second = json::parse(render_codequality(edited));
  REQUIRE(second.size() == first.size());
  for (std::size_t i = 0; i < first.size(); ++i)
    CHECK(second[i]["fingerprint"] == first[i]["fingerprint"]);

  // The same rule in another manifest is another finding.
  Finding same = sample().manifests[0].findings[1];  // BKP-002
  CHECK(finding_fingerprint("operability.toml", same) !=
        finding_fingerprint("services/orders/operability.toml", same));
}

TEST_CASE("sarif lists results for failed and waived rules only", "[report]") {
  json sarif = json::parse(render_sarif(sample()));
  const json& run = sarif["runs"][0];
  std::set<std::string> rule_ids;
  for (const json& rule : run["tool"]["driver"]["rules"]) rule_ids.insert(rule["id"]);
  CHECK(rule_ids.contains("GATE-SCHEMA"));
  CHECK(rule_ids.contains("GATE-MANIFEST"));
  CHECK(rule_ids.contains("SVC-001"));  // every rule the run reported on
  int suppressed = 0;
  for (const json& result : run["results"]) {
    CHECK(result["ruleId"] != "BKP-001");
    CHECK(result["ruleId"] != "SVC-001");
    CHECK(run["tool"]["driver"]["rules"][result["ruleIndex"].get<std::size_t>()]["id"] ==
          result["ruleId"]);
    if (result.contains("suppressions")) ++suppressed;
  }
  CHECK(suppressed == 1);
  CHECK(run["invocations"][0]["executionSuccessful"] == true);
  CHECK(json::parse(render_sarif(
            error_report()))["runs"][0]["invocations"][0]["executionSuccessful"] == false);
}

namespace {

// nlohmann::json refuses to dump a string that is not well-formed UTF-8 (type_error 316): a
// strict check of a whole rendered document.
bool is_utf8(const std::string& text) {
  try {
    (void)json(text).dump();
    return true;
  } catch (const json::type_error&) {
    return false;
  }
}

// Bytes that do not decode, as they reach the renderers from git trees, --env and messages: a
// Latin-1 "é", two bytes that never start a sequence, a sequence cut short at the end.
Report not_utf8() {
  Report report = sample();
  ManifestResult& billing = report.manifests.front();
  REQUIRE(billing.service == "billing-api");
  billing.service = "caf\xe9-api";
  Finding& retention = billing.findings[1];
  REQUIRE(retention.rule == "BKP-002");
  retention.message = "retention \xff\xfe days";
  retention.title = "Backups are kept at least a week, d\xc3\xa9j\xc3\xa0 caf\xc3";
  conclude(report);
  return report;
}

const json& json_finding(const json& report, const std::string& rule) {
  for (const json& manifest : report["manifests"])
    for (const json& item : manifest["findings"])
      if (item["rule"] == rule) return item;
  FAIL("no finding " << rule);
  throw std::logic_error("unreachable");
}

const std::string k_replacement = "\xEF\xBF\xBD";  // U+FFFD

}  // namespace

TEST_CASE("json report is written a manifest at a time, as the whole document would print",
          "[report][json]") {
  // Only one manifest's values exist at a time; the text must still be dump(2) of the whole.
  for (const Report& report : {sample(), error_report(), empty_report(), not_utf8()}) {
    const std::string text = render_json(report);
    CHECK(text == nlohmann::ordered_json::parse(text).dump(2) + "\n");
    CHECK(json::parse(text)["manifests"].size() == report.manifests.size());
  }
}

TEST_CASE("json and junit reports reach their writer a manifest at a time", "[report]") {
  const Report report = sample();
  REQUIRE(report.manifests.size() >= 2);
  auto occurrences = [](std::string_view text, std::string_view what) {
    std::size_t count = 0;
    for (auto at = text.find(what); at != std::string_view::npos; at = text.find(what, at + 1))
      ++count;
    return count;
  };
  std::vector<std::string> pieces;
  auto collect = [&pieces](std::string_view piece) { pieces.emplace_back(piece); };
  write_json(report, collect);
  CHECK(pieces.size() > report.manifests.size());
  for (const std::string& piece : pieces) CHECK(occurrences(piece, "\"findings\":") <= 1);
  pieces.clear();
  write_junit(report, collect);
  CHECK(pieces.size() > report.manifests.size());
  for (const std::string& piece : pieces) CHECK(occurrences(piece, "<testsuite ") <= 1);
}

TEST_CASE("bytes that are not UTF-8 become U+FFFD in the JSON formats", "[report][json]") {
  const Report report = not_utf8();
  const std::string text = render_json(report);
  CHECK(is_utf8(text));
  json parsed = json::parse(text);  // throws on ill-formed UTF-8
  const json& retention = json_finding(parsed, "BKP-002");
  CHECK(retention["message"] == "retention " + k_replacement + k_replacement + " days");
  // Well-formed sequences stay as they are; the cut one becomes one replacement character.
  CHECK(retention["title"] ==
        "Backups are kept at least a week, d\xc3\xa9j\xc3\xa0 caf" + k_replacement);
  bool service_found = false;
  for (const json& manifest : parsed["manifests"])
    if (manifest["service"] == "caf" + k_replacement + "-api") service_found = true;
  CHECK(service_found);

  const std::string sarif_text = render_sarif(report);
  CHECK(is_utf8(sarif_text));
  json sarif = json::parse(sarif_text);
  bool result_found = false;
  for (const json& result : sarif["runs"][0]["results"])
    if (result["ruleId"] == "BKP-002") {
      result_found = true;
      CHECK(result["message"]["text"] == "retention " + k_replacement + k_replacement + " days");
      CHECK(result["properties"]["service"] == "caf" + k_replacement + "-api");
    }
  CHECK(result_found);
  const json& rules = sarif["runs"][0]["tool"]["driver"]["rules"];
  auto rule = std::find_if(rules.begin(), rules.end(),
                           [](const json& item) { return item["id"] == "BKP-002"; });
  REQUIRE(rule != rules.end());
  CHECK((*rule)["shortDescription"]["text"] ==
        "Backups are kept at least a week, d\xc3\xa9j\xc3\xa0 caf" + k_replacement);

  const std::string codequality_text = render_codequality(report);
  CHECK(is_utf8(codequality_text));
  json codequality = json::parse(codequality_text);
  CHECK(codequality.size() == 8);
  bool issue_found = false;
  for (const json& issue : codequality)
    if (issue["check_name"] == "BKP-002") {
      issue_found = true;
      CHECK(issue["description"].get<std::string>().find(k_replacement + k_replacement + " days") !=
            std::string::npos);
    }
  CHECK(issue_found);

  SECTION("the error report of an --env that is not UTF-8") {
    Report error = error_report();
    error.environment = "prod\xe9";
    json parsed_error = json::parse(render_json(error));
    CHECK(parsed_error["environment"] == "prod" + k_replacement);
    CHECK(parsed_error["outcome"] == "error");
    CHECK(is_utf8(render_sarif(error)));
  }
}

TEST_CASE("bytes that are not UTF-8 become U+FFFD in the JUnit XML", "[report]") {
  const std::string xml = render_junit(not_utf8());
  CHECK(is_utf8(xml));
  // Nothing XML 1.0 forbids: no control character but tab, line feed and carriage return.
  for (char c : xml) {
    const auto byte = static_cast<unsigned char>(c);
    INFO("byte " << int(byte));
    CHECK((byte >= 0x20 || c == '\t' || c == '\n' || c == '\r'));
  }
  CHECK(xml.find("retention " + k_replacement + k_replacement + " days") != std::string::npos);
  CHECK(xml.find("d\xc3\xa9j\xc3\xa0 caf" + k_replacement) != std::string::npos);
  CHECK(xml.find("caf" + k_replacement + "-api") != std::string::npos);
  CHECK(xml.find("\xff") == std::string::npos);
  CHECK(xml.find("\xe9-api") == std::string::npos);
}

namespace {

// A report whose every outside text carries a screen clear, a bell, a window title or a C1 CSI:
// the service name and path (manifest), a rule's title and help (rule file), a finding's message
// quoting a manifest value, a waiver, a note, the emergency reason, the environment.
Report hostile() {
  ManifestResult manifest;
  manifest.path = "svc/\x1b]0;owned\x07/operability.toml";
  manifest.service = "pay\x1b[2J\x07";
  manifest.level = 1;
  manifest.passed = false;
  manifest.findings = {
      finding("BKP-002", "Backups are kept\x1b[8m hidden", Status::fail, Severity::error, "backup",
              2, "backup.retention_days is \"3\x1b[2J\x07\"\nsecond line", {manifest.path, 12, 18},
              "Set it to 7\xc2\x9b"
              "31m or more\x7f."),
      finding("BKP-004", "Restores are tested", Status::waived, Severity::error, "backup\x1b[1m", 3,
              "backup.last_restore_test is missing", {manifest.path}),
  };
  manifest.findings[1].waiver = std::make_shared<const WaiverOutcome>(
      WaiverOutcome{true, "", "booked\x1b[2J", "ops\x07@example.org", "2026-12-15\x1b[0m",
                    SourcePos{manifest.path, 30, 1}});
  Report report;
  report.revision = "0123456789abcdef0123456789abcdef01234567";
  report.environment = "prod\x1b[2J";
  report.at = opsgate::test::instant("2026-11-26T10:00:00+01:00");
  report.emergency = "INC-42\x1b[2J\x07";
  report.notes = {"note\x1b]0;title\x07"};
  report.packs = {
      {"acme\x1b[2J", "1.0\x07", "origin/main:.opsgate", "origin/main:.opsgate\x1b[2J"}};
  report.manifests = {manifest};
  conclude(report);
  return report;
}

// The text without opsgate's own colours (the Painter's SGR sequences).
std::string without_painter_colours(std::string text) {
  for (std::string_view code :
       {"\x1b[31;1m", "\x1b[33m", "\x1b[32m", "\x1b[36m", "\x1b[2m", "\x1b[1m", "\x1b[0m"}) {
    for (std::size_t at = text.find(code); at != std::string::npos; at = text.find(code, at))
      text.erase(at, code.size());
  }
  return text;
}

// The first control byte (but those in `keep`) or C1 in UTF-8 that `text` holds; "" when none.
std::string first_control(std::string_view text, std::string_view keep = "\n") {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if ((byte < 0x20 && keep.find(text[i]) == std::string_view::npos) || byte == 0x7f ||
        (byte == 0xc2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) < 0xa0))
      return fmt::format("byte 0x{:02x} at {}: ...{}", byte, i,
                         text.substr(i >= 40 ? i - 40 : 0, 80));
  }
  return "";
}

}  // namespace

TEST_CASE("text report: control characters from manifests and rules are escaped", "[report]") {
  const Report report = hostile();
  for (bool verbose : {false, true}) {
    const std::string plain = render_text(report, TextStyle{false, verbose, false});
    CHECK(first_control(plain) == "");
    CHECK_THAT(plain,
               Catch::Contains("pay\\x1b[2J\\x07 (svc/\\x1b]0;owned\\x07/operability.toml)"));
    CHECK_THAT(plain, Catch::Contains("backup.retention_days is \"3\\x1b[2J\\x07\"\\nsecond line"));
    CHECK_THAT(plain, Catch::Contains("Backups are kept\\x1b[8m hidden"));
    CHECK_THAT(plain, Catch::Contains("Set it to 7\\u009b31m or more\\x7f."));
    CHECK_THAT(plain, Catch::Contains("waived: booked\\x1b[2J (approved by ops\\x07@example.org), "
                                      "until 2026-12-15\\x1b[0m"));
    CHECK_THAT(plain, Catch::Contains("emergency change: INC-42\\x1b[2J\\x07"));
    CHECK_THAT(plain, Catch::Contains("note: note\\x1b]0;title\\x07"));
    CHECK_THAT(plain, Catch::Contains("acme\\x1b[2J 1.0\\x07 (origin/main:.opsgate\\x1b[2J)"));
    CHECK_THAT(plain, Catch::Contains("prod\\x1b[2J"));
    CHECK_THAT(plain, Catch::Contains("  backup\\x1b[1m\n"));
    CHECK(first_control(render_text(report, TextStyle{false, verbose, true})) == "");
  }
  // opsgate's own colours still work, and are the only escape sequences in the output.
  const std::string coloured = render_text(report, TextStyle{true, false, false});
  CHECK_THAT(coloured, Catch::Contains("\x1b[1mpay\\x1b[2J\\x07\x1b[0m"));
  CHECK_THAT(coloured, Catch::Contains("\x1b[31;1mFAIL  \x1b[0m"));
  CHECK(first_control(without_painter_colours(coloured)) == "");
}

TEST_CASE("markdown report: control characters from manifests and rules are escaped", "[report]") {
  const std::string markdown = render_markdown(hostile());
  CHECK(first_control(markdown) == "");
  // Markdown then escapes the backslash and the bracket, so a reader sees "\x1b[2J".
  CHECK_THAT(markdown, Catch::Contains("| pay\\\\x1b\\[2J\\\\x07 |"));
  CHECK_THAT(markdown,
             Catch::Contains("backup.retention\\_days is \"3\\\\x1b\\[2J\\\\x07\" second line"));
  CHECK_THAT(markdown, Catch::Contains("`svc/\\x1b]0;owned\\x07/operability.toml`"));
  CHECK_THAT(markdown, Catch::Contains("Set it to 7\\\\u009b31m or more\\\\x7f."));
  CHECK_THAT(markdown, Catch::Contains("until 2026-12-15\\\\x1b\\[0m"));
  CHECK_THAT(markdown, Catch::Contains("INC-42\\\\x1b\\[2J\\\\x07"));

  SECTION("an error keeps its lines in the fence, nothing else") {
    Report error = error_report();
    error.error = "rules/acme.toml:3:9: title \"\x1b[2J\x07\"\n\tsecond line\r";
    const std::string text = render_markdown(error);
    CHECK(first_control(text, "\n\t") == "");
    CHECK_THAT(text, Catch::Contains("```text\nrules/acme.toml:3:9: title \"\\x1b[2J\\x07\"\n"
                                     "\tsecond line\\r\n```"));
  }
}

TEST_CASE("reports: bidi controls are escaped for a reader, kept exactly in the JSON formats",
          "[report]") {
  // "Trojan Source": after U+202E (RIGHT-TO-LEFT OVERRIDE) the rest of the title is shown
  // reversed; U+2066 (LEFT-TO-RIGHT ISOLATE) hides a reordering inside the service name.
  const std::string title = "Backups are kept \u202ekeew a tsael ta";
  const std::string service = "pay\u2066ments\u2069\x1b[2J";
  ManifestResult manifest;
  manifest.path = "operability.toml";
  manifest.service = service;
  manifest.passed = false;
  manifest.findings = {finding("BKP-002", title, Status::fail, Severity::error, "backup", 2,
                               "service.k\u200f\u061c is not a key", {manifest.path, 3, 1})};
  Report report;
  report.environment = "production";
  report.at = opsgate::test::instant("2026-11-26T10:00:00+01:00");
  report.manifests = {manifest};
  conclude(report);

  // The text report shows the escape; Markdown then escapes its backslash.
  const std::string text = render_text(report, TextStyle{false, true, false});
  const std::string markdown = render_markdown(report);
  for (const std::string* shown : {&text, &markdown})
    for (std::string_view bidi : {"\u202e", "\u2066", "\u2069", "\u200f", "\u061c"})
      CHECK(shown->find(bidi) == std::string::npos);
  CHECK_THAT(text, Catch::Contains("Backups are kept \\u202ekeew a tsael ta"));
  CHECK_THAT(text, Catch::Contains("pay\\u2066ments\\u2069\\x1b[2J"));
  CHECK_THAT(text, Catch::Contains("service.k\\u200f\\u061c is not a key"));
  CHECK_THAT(markdown, Catch::Contains("\\\\u202ekeew a tsael ta"));
  CHECK_THAT(markdown, Catch::Contains("pay\\\\u2066ments\\\\u2069"));
  CHECK_THAT(markdown, Catch::Contains("service.k\\\\u200f\\\\u061c is not a key"));
  const json parsed = json::parse(render_json(report));
  CHECK(json_finding(parsed, "BKP-002")["title"] == title);
  CHECK(parsed["manifests"][0]["service"] == service);
  const json sarif = json::parse(render_sarif(report));
  CHECK(sarif["runs"][0]["results"][0]["message"]["text"] == "service.k\u200f\u061c is not a key");
}

}  // namespace report_formats_test
