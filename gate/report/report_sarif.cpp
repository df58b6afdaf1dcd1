// The SARIF 2.1.0 report (GitHub code scanning, GitLab, IDE viewers): one run whose
// tool.driver.rules are the rules this run reported on, GATE-* ones included; results for the
// failed and the waived rules (waived ones carry an accepted suppression). Provenance goes in
// run.properties (versionControlProvenance needs the repository's URI, which the gate does not
// know); an error report is a run without results whose invocation failed.

#include <nlohmann/json.hpp>

#include <map>

#include "i18n.hpp"
#include "report_json.hpp"

namespace opsgate {

namespace {

using json = nlohmann::ordered_json;

constexpr const char* k_schema = "https://json.schemastore.org/sarif-2.1.0.json";

std::string_view sarif_level(Severity severity) {
  switch (severity) {
    case Severity::error:
      return "error";
    case Severity::warning:
      return "warning";
    case Severity::info:
      return "note";
  }
  return "error";
}

json message(const std::string& text) {
  return {{"text", text}};
}

json physical_location(const SourcePos& where, const std::string& manifest_path) {
  json location = {
      {"artifactLocation",
       {{"uri", where.path.empty() ? manifest_path : where.path}, {"uriBaseId", "%SRCROOT%"}}}};
  if (where.line) {
    json region = {{"startLine", where.line}};
    if (where.column) region["startColumn"] = where.column;
    location["region"] = std::move(region);
  }
  return {{"physicalLocation", std::move(location)}};
}

json driver_rule(const Finding& finding) {
  json rule = {{"id", finding.rule}};
  if (!finding.title.empty()) {
    // An identifier (SARIF: "a rule identifier that is understandable to an end user"): the
    // English title in every language; shortDescription is in the report's.
    rule["name"] = finding.title_in_english().str();
    rule["shortDescription"] = message(finding.title.str());
  }
  if (!finding.help.empty()) rule["help"] = message(finding.help.str());
  rule["defaultConfiguration"] = {{"level", sarif_level(finding.severity)}};
  rule["properties"] = {{"area", finding.area}, {"maturityLevel", finding.level}};
  return rule;
}

json result(const Finding& finding, const ManifestResult& manifest, std::size_t rule_index) {
  json out = {
      {"ruleId", finding.rule},
      {"ruleIndex", rule_index},
      // A tolerated failure (--fail-on-new) is shown as what it counts as: a warning.
      {"level", sarif_level(finding.tolerated.empty() ? finding.severity : Severity::warning)},
      {"message", message(finding.message.empty() ? finding.title.str() : finding.message)},
      {"locations", json::array({physical_location(finding.where, manifest.path)})},
      {"partialFingerprints",
       {{"opsgateFinding/v1", finding_fingerprint(manifest.path, finding)}}}};
  if (finding.status == Status::waived && finding.waiver) {
    const WaiverOutcome& waiver = *finding.waiver;
    json suppression = {{"kind", "inSource"}, {"status", "accepted"}};
    if (!waiver.reason.empty()) suppression["justification"] = waiver.reason;
    if (waiver.where.line) suppression["location"] = physical_location(waiver.where, manifest.path);
    json properties = json::object();
    if (!waiver.approved_by.empty()) properties["approvedBy"] = waiver.approved_by;
    if (!waiver.expires.empty()) properties["expires"] = waiver.expires;
    if (!properties.empty()) suppression["properties"] = std::move(properties);
    out["suppressions"] = json::array({std::move(suppression)});
  }
  if (finding.is_new) out["baselineState"] = *finding.is_new ? "new" : "unchanged";
  json properties = {{"service", manifest.service}, {"area", finding.area}};
  if (finding.waiver && !finding.waiver->accepted)
    properties["waiverRefused"] = finding.waiver->refusal;
  // Who last changed the manifest line (the JSON report's "provenance").
  if (finding.provenance) properties["provenance"] = provenance_json(*finding.provenance);
  out["properties"] = std::move(properties);
  return out;
}

json provenance(const Report& report) {
  json packs = packs_json(report.packs);
  json manifests = json::array();
  for (const ManifestResult& manifest : report.manifests)
    manifests.push_back({{"path", manifest.path},
                         {"blob", manifest.blob.empty() ? json(nullptr) : json(manifest.blob)},
                         {"service", manifest.service},
                         {"level", manifest.level},
                         {"outcome", manifest.passed ? "pass" : "fail"}});
  json out = {
      {"revision", report.revision ? json(*report.revision) : json(nullptr)},
      {"base", report.base ? json(*report.base) : json(nullptr)},
      {"worktree", report.worktree},
      {"environment", report.environment},
      {"stage", stage_name(report.stage)},
      {"evaluatedAt", format_utc(report.at.utc)},
      {"emergency", report.emergency ? json(*report.emergency) : json(nullptr)},
      {"emergencyRequestedBy",
       report.emergency_requested_by ? json(*report.emergency_requested_by) : json(nullptr)},
      {"failOn", severity_name(report.fail_on)},
      {"outcome", outcome_name(report.outcome)},
      {"rulePacks", std::move(packs)},
      {"manifests", std::move(manifests)},
      {"summary", summary_json(report.summary)}};
  if (!report.notes.empty()) out["notes"] = report.notes;
  return out;
}

}  // namespace

std::string render_sarif(const Report& report) {
  json rules = json::array();
  std::map<std::string, std::size_t, std::less<>> rule_index;
  json results = json::array();
  const ManifestResult run_findings = run_result(report);
  for (const ManifestResult* listed : results_of(report, run_findings)) {
    const ManifestResult& manifest = *listed;
    for (const Finding& finding : manifest.findings) {
      auto [it, added] = rule_index.try_emplace(finding.rule, rules.size());
      if (added) rules.push_back(driver_rule(finding));
      if (finding.status == Status::fail || finding.status == Status::waived)
        results.push_back(result(finding, manifest, it->second));
    }
  }

  json invocation = {{"executionSuccessful", report.outcome != Outcome::error}};
  if (report.outcome == Outcome::error)
    invocation["toolExecutionNotifications"] =
        json::array({{{"level", "error"}, {"message", message(report.error)}}});

  json run = {
      {"tool",
       {{"driver",
         {{"name", "opsgate"},
          {"version", OPSGATE_VERSION},
          {"semanticVersion", OPSGATE_VERSION},
          {"rules", std::move(rules)}}}}},
      {"invocations", json::array({std::move(invocation)})},
      {"automationDetails", {{"id", "opsgate/" + report.environment + "/"}}},
      {"results", std::move(results)},
      {"properties", provenance(report)},
  };
  // The language of the messages, titles and help (SARIF's default is en-US).
  if (language() != Lang::en) run["language"] = lang_name(language());
  json out = {{"$schema", k_schema}, {"version", "2.1.0"}, {"runs", json::array({std::move(run)})}};
  // Bytes that are not UTF-8 (a path, --env) become U+FFFD, as in render_json.
  return out.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace opsgate
