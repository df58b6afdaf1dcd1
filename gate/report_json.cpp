// The JSON report: exactly the shape of CONTRACT.md, plus additive provenance fields.

#include <nlohmann/json.hpp>

#include "report_json.hpp"

namespace opsgate {

namespace {

using json = nlohmann::ordered_json;

json optional_string(const std::optional<std::string>& value) {
  return value ? json(*value) : json(nullptr);
}

json location(const SourcePos& where) {
  json out = {{"path", where.path}};
  out["line"] = where.line ? json(where.line) : json(nullptr);
  out["column"] = where.column ? json(where.column) : json(nullptr);
  return out;
}

json waiver(const std::shared_ptr<const WaiverOutcome>& waiver) {
  if (!waiver) return nullptr;
  json out = {
      {"accepted", waiver->accepted},
      {"refusal", waiver->refusal.empty() ? json(nullptr) : json(waiver->refusal)},
      {"reason", waiver->reason},
      {"approved_by", waiver->approved_by.empty() ? json(nullptr) : json(waiver->approved_by)},
      {"expires", waiver->expires.empty() ? json(nullptr) : json(waiver->expires)}};
  if (waiver->where.line) out["location"] = location(waiver->where);
  return out;
}

json finding(const Finding& finding) {
  return {{"rule", finding.rule},
          {"title", finding.title.str()},
          {"status", status_name(finding.status)},
          {"severity", severity_name(finding.severity)},
          {"area", finding.area},
          {"level", finding.level},
          {"message", finding.message},
          {"location", location(finding.where)},
          {"help", finding.help.str()},
          {"waiver", waiver(finding.waiver)}};
}

}  // namespace

nlohmann::ordered_json summary_json(const Summary& s) {
  return {{"passed", s.passed}, {"failed", s.failed}, {"warnings", s.warnings},
          {"info", s.info},     {"waived", s.waived}, {"skipped", s.skipped}};
}

std::string render_json(const Report& report) {
  json manifests = json::array();
  for (const ManifestResult& manifest : report.manifests) {
    json findings = json::array();
    for (const Finding& item : manifest.findings) findings.push_back(finding(item));
    manifests.push_back({{"path", manifest.path},
                         {"blob", manifest.blob.empty() ? json(nullptr) : json(manifest.blob)},
                         {"service", manifest.service},
                         {"level", manifest.level},
                         {"outcome", manifest.passed ? "pass" : "fail"},
                         {"findings", std::move(findings)}});
  }
  json packs = json::array();
  for (const PackInfo& pack : report.packs)
    packs.push_back({{"name", pack.name}, {"version", pack.version}, {"source", pack.source}});
  json out = {
      {"tool", {{"name", "opsgate"}, {"version", OPSGATE_VERSION}}},
      {"revision", optional_string(report.revision)},
      {"base", optional_string(report.base)},
      {"environment", report.environment},
      {"evaluated_at", format_utc(report.at.utc)},
      {"emergency", optional_string(report.emergency)},
      {"outcome", outcome_name(report.outcome)},
      {"manifests", std::move(manifests)},
      {"summary", summary_json(report.summary)},
      {"fail_on", severity_name(report.fail_on)},
      {"worktree", report.worktree},
      {"changed_paths", report.changed_paths ? json(*report.changed_paths) : json(nullptr)},
      {"rule_packs", std::move(packs)},
  };
  if (!report.notes.empty()) out["notes"] = report.notes;
  if (report.outcome == Outcome::error) out["error"] = report.error;
  // Paths from git trees and the values of --env or --emergency are bytes, not always UTF-8;
  // JSON is UTF-8, so a byte that does not decode becomes U+FFFD (dump would throw otherwise).
  return out.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace opsgate
