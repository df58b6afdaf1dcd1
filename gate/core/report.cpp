#include "report.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "i18n.hpp"
#include "tree.hpp"

namespace opsgate {

std::string_view outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::pass:
      return "pass";
    case Outcome::fail:
      return "fail";
    case Outcome::error:
      return "error";
  }
  return "error";
}

Summary summarize(const std::vector<ManifestResult>& manifests, Severity fail_on) {
  Summary summary;
  for (const ManifestResult& manifest : manifests)
    add_to_summary(summary, manifest.findings, fail_on);
  return summary;
}

void add_to_summary(Summary& summary, const std::vector<Finding>& findings, Severity fail_on) {
  {
    for (const Finding& finding : findings) {
      switch (finding.status) {
        case Status::pass:
          ++summary.passed;
          break;
        case Status::waived:
          ++summary.waived;
          break;
        case Status::skipped:
          ++summary.skipped;
          break;
        case Status::fail:
          if (fails_gate(finding, fail_on))
            ++summary.failed;
          else if (finding.severity >= Severity::warning)  // a tolerated error counts here
            ++summary.warnings;
          else
            ++summary.info;
          break;
      }
    }
  }
}

void conclude(Report& report) {
  std::sort(report.manifests.begin(), report.manifests.end(),
            [](const ManifestResult& a, const ManifestResult& b) { return a.path < b.path; });
  std::sort(report.findings.begin(), report.findings.end(),
            [](const Finding& a, const Finding& b) { return a.rule < b.rule; });
  report.summary = summarize(report.manifests, report.fail_on);
  add_to_summary(report.summary, report.findings, report.fail_on);
  if (report.outcome != Outcome::error)
    report.outcome = report.summary.failed > 0 ? Outcome::fail : Outcome::pass;
}

ManifestResult run_result(const Report& report) {
  ManifestResult run;
  run.service = "this run";  // the same in every language: SARIF and Code Quality carry it
  run.findings = report.findings;
  for (const Finding& finding : run.findings)
    if (fails_gate(finding, report.fail_on)) run.passed = false;
  return run;
}

std::vector<const ManifestResult*> results_of(const Report& report, const ManifestResult& run) {
  std::vector<const ManifestResult*> out;
  out.reserve(report.manifests.size() + 1);
  for (const ManifestResult& manifest : report.manifests) out.push_back(&manifest);
  if (!run.findings.empty()) out.push_back(&run);
  return out;
}

std::string nothing_to_evaluate(const Report& report) {
  if (!report.changed_paths) return std::string(tr("no manifest to evaluate"));
  return trnf("{} path changed, none inside a service directory: no manifest to evaluate",
              "{} paths changed, none inside a service directory: no manifest to evaluate",
              *report.changed_paths, *report.changed_paths);
}

std::vector<PackInfo> pack_infos(const RuleSet& rules) {
  std::vector<PackInfo> out;
  for (const Pack& pack : rules.packs)
    out.push_back({pack.name, pack.version, pack.source, pack.origin.describe(pack.source),
                   pack.origin.label(pack.source)});
  return out;
}

std::string finding_fingerprint(const std::string& manifest_path, const Finding& finding) {
  std::string identity = "opsgate-finding-v1\n" + manifest_path + "\n" + finding.rule;
  if (finding.rule.starts_with("GATE-"))
    identity +=
        "\n" + (finding.english_message.empty() ? finding.message : finding.english_message);
  return hash_blob(identity);
}

std::string verdict_line(const Report& report) {
  if (report.outcome == Outcome::error) return trf("opsgate: ERROR: {}", report.error);
  const Summary& s = report.summary;
  std::string counts = trnf("{} failed, {} warning, {} passed, {} waived, {} skipped",
                            "{} failed, {} warnings, {} passed, {} waived, {} skipped", s.warnings,
                            s.failed, s.warnings, s.passed, s.waived, s.skipped);
  std::size_t count = report.manifests.size();
  return trf(
      "opsgate: {}: {} ({}, {}, {}{})", report.outcome == Outcome::pass ? tr("PASS") : tr("FAIL"),
      counts, trnf("{} manifest", "{} manifests", count, count), report.environment,
      trf("{} stage", stage_name(report.stage)), report.emergency ? tr(", emergency change") : "");
}

}  // namespace opsgate
