// The JSON report: exactly the shape of CONTRACT.md, plus additive provenance fields.

#include <nlohmann/json.hpp>

#include "i18n.hpp"
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
  if (!waiver->code.empty()) out["code"] = waiver->code;
  if (!waiver->proof.empty()) out["proof"] = waiver->proof;
  return out;
}

json person(const std::string& name, const std::string& email) {
  if (name.empty() && email.empty()) return nullptr;
  if (email.empty() || name == email) return name.empty() ? email : name;
  return name + " <" + email + ">";
}

json evidence(const std::vector<Evidence>& items) {
  json out = json::array();
  for (const Evidence& item : items) {
    if (item.commit.empty()) {
      out.push_back(
          {{"path", item.path}, {"commit", nullptr}, {"author", nullptr}, {"date", nullptr}});
      continue;
    }
    out.push_back({{"path", item.path},
                   {"commit", item.commit},
                   {"author", person(item.author, item.email)},
                   {"date", format_utc(item.when)}});
  }
  return out;
}

json finding(const Finding& finding) {
  json out = {{"rule", finding.rule},
              {"title", finding.title.str()},
              {"status", status_name(finding.status)},
              {"severity", severity_name(finding.severity)},
              {"area", finding.area},
              {"level", finding.level},
              {"message", finding.message},
              {"location", location(finding.where)},
              {"help", finding.help.str()},
              {"waiver", waiver(finding.waiver)}};
  if (finding.is_new) out["new"] = *finding.is_new;
  if (!finding.tolerated.empty()) out["tolerated"] = finding.tolerated;
  if (finding.provenance) out["provenance"] = provenance_json(*finding.provenance);
  if (finding.evidence) out["evidence"] = evidence(*finding.evidence);
  return out;
}

json manifest_json(const ManifestResult& manifest) {
  json findings = json::array();
  for (const Finding& item : manifest.findings) findings.push_back(finding(item));
  return {{"path", manifest.path},
          {"blob", manifest.blob.empty() ? json(nullptr) : json(manifest.blob)},
          {"service", manifest.service},
          {"level", manifest.level},
          {"outcome", manifest.passed ? "pass" : "fail"},
          {"findings", std::move(findings)}};
}

// Appends `value` as dump(2) prints it `depth` levels deep in a document: each line after the
// first indented 2 * depth more (a dumped string holds no raw newline, so lines are safe to
// split). Paths from git trees and the values of --env or --emergency are bytes, not always
// UTF-8; JSON is UTF-8, so a byte that does not decode becomes U+FFFD (dump would throw).
void append_nested(std::string& out, const json& value, std::size_t depth) {
  const std::string dumped = value.dump(2, ' ', false, json::error_handler_t::replace);
  for (std::size_t start = 0;;) {
    const std::size_t end = dumped.find('\n', start);
    if (end == std::string::npos) {
      out.append(dumped, start);
      return;
    }
    out.append(dumped, start, end + 1 - start);
    out.append(2 * depth, ' ');
    start = end + 1;
  }
}

}  // namespace

nlohmann::ordered_json summary_json(const Summary& s) {
  return {{"passed", s.passed}, {"failed", s.failed}, {"warnings", s.warnings},
          {"info", s.info},     {"waived", s.waived}, {"skipped", s.skipped}};
}

nlohmann::ordered_json provenance_json(const Provenance& provenance) {
  if (provenance.commit.empty())
    return {{"commit", nullptr},
            {"author", nullptr},
            {"date", nullptr},
            {"unknown", provenance.unknown}};
  return {{"commit", provenance.commit},
          {"author", person(provenance.author, provenance.email)},
          {"date", format_utc(provenance.when)}};
}

nlohmann::ordered_json packs_json(const std::vector<PackInfo>& packs) {
  json out = json::array();
  for (const PackInfo& pack : packs)
    out.push_back({{"name", pack.name},
                   {"version", pack.version},
                   {"source", pack.source},
                   {"origin", pack.origin}});
  return out;
}

void write_json(const Report& report, const ReportWriter& write) {
  json packs = packs_json(report.packs);
  json run_findings = json::array();
  for (const Finding& item : report.findings) run_findings.push_back(finding(item));
  json out = {
      {"tool", {{"name", "opsgate"}, {"version", OPSGATE_VERSION}}},
      {"revision", optional_string(report.revision)},
      {"base", optional_string(report.base)},
      {"environment", report.environment},
      {"stage", stage_name(report.stage)},
      {"evaluated_at", format_utc(report.at.utc)},
      {"emergency", optional_string(report.emergency)},
      {"emergency_requested_by", optional_string(report.emergency_requested_by)},
      {"outcome", outcome_name(report.outcome)},
      {"manifests", json::array()},  // written one manifest at a time, below
      {"findings", run_findings},
      {"summary", summary_json(report.summary)},
      {"fail_on", severity_name(report.fail_on)},
      {"worktree", report.worktree},
      {"changed_paths", report.changed_paths ? json(*report.changed_paths) : json(nullptr)},
      {"rule_packs", std::move(packs)},
      // The language of the texts (messages, titles, help); ids, keys and values stay English.
      {"lang", lang_name(language())},
  };
  if (!report.notes.empty()) out["notes"] = report.notes;
  if (report.outcome == Outcome::error) out["error"] = report.error;

  // The text dump(2) gives for the whole document, but only one manifest's tree of values and
  // text exists at a time: a 200-service report as one document held ~1 KiB per finding (7,200
  // findings), more than the evaluation itself, then 5 MB of text.
  std::string text = "{\n";
  bool first = true;
  for (const auto& [key, value] : out.items()) {
    text += first ? "  " : ",\n  ";
    first = false;
    append_nested(text, json(key), 1);
    text += ": ";
    if (key != "manifests" || report.manifests.empty()) {
      append_nested(text, value, 1);
      continue;
    }
    text += "[\n";
    for (std::size_t i = 0; i < report.manifests.size(); ++i) {
      text += i == 0 ? "    " : ",\n    ";
      append_nested(text, manifest_json(report.manifests[i]), 2);
      write(text);
      text.clear();
    }
    text += "\n  ]";
  }
  text += "\n}\n";
  write(text);
}

std::string render_json(const Report& report) {
  std::string text;
  write_json(report, [&text](std::string_view piece) { text += piece; });
  return text;
}

}  // namespace opsgate
