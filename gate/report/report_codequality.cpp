// The GitLab Code Quality report (artifacts:reports:codequality, the Code Climate issue
// subset GitLab reads): one entry per failed finding, whatever its severity; passes, skips and
// accepted waivers are not issues. The format has no document-level place for provenance, so
// every entry carries it under "opsgate". An error report is one "blocker" entry (an empty
// array would read as "no issues" in the merge-request widget).

#include <nlohmann/json.hpp>

#include <set>

#include "i18n.hpp"
#include "render.hpp"
#include "tree.hpp"

namespace opsgate {

namespace {

using json = nlohmann::ordered_json;

std::string_view codequality_severity(Severity severity) {
  switch (severity) {
    case Severity::error:
      return "critical";
    case Severity::warning:
      return "minor";
    case Severity::info:
      return "info";
  }
  return "critical";
}

json provenance(const Report& report, const ManifestResult* manifest) {
  json packs = json::array();
  for (const PackInfo& pack : report.packs)
    packs.push_back({{"name", pack.name}, {"version", pack.version}});
  json out = {{"revision", report.revision ? json(*report.revision) : json(nullptr)}};
  if (manifest)
    out["manifest_blob"] = manifest->blob.empty() ? json(nullptr) : json(manifest->blob);
  out["environment"] = report.environment;
  out["stage"] = stage_name(report.stage);
  out["evaluated_at"] = format_utc(report.at.utc);
  out["rule_packs"] = std::move(packs);
  if (report.emergency) out["emergency"] = *report.emergency;
  if (report.emergency_requested_by) out["emergency_requested_by"] = *report.emergency_requested_by;
  return out;
}

json entry(const Report& report, const ManifestResult& manifest, const Finding& finding,
           std::string fingerprint) {
  std::string service = manifest.service.empty() ? manifest.path : manifest.service;
  std::string description =
      finding.rule + " " + (finding.message.empty() ? finding.title.str() : finding.message);
  if (finding.waiver && !finding.waiver->accepted)
    description += trf(" (waiver refused: {})", finding.waiver->refusal);
  if (finding.is_new == true) description += " " + std::string(tr("(new)"));
  if (finding.is_new == false)
    description += finding.tolerated.empty()
                       ? std::string(tr(" (already failing at the merge base)"))
                       : " (" + finding.tolerated + ")";
  json out = {{"type", "issue"},
              {"check_name", finding.rule},
              {"description", description},
              {"categories", json::array({"Bug Risk"})}};
  if (!finding.help.empty()) out["content"] = {{"body", finding.help.str()}};
  out["severity"] =
      codequality_severity(finding.tolerated.empty() ? finding.severity : Severity::warning);
  out["fingerprint"] = std::move(fingerprint);
  out["location"] = {{"path", finding.where.path.empty() ? manifest.path : finding.where.path},
                     {"lines", {{"begin", finding.where.line ? finding.where.line : 1}}}};
  out["engine_name"] = "opsgate";
  out["opsgate"] = provenance(report, &manifest);
  out["opsgate"]["service"] = service;
  out["opsgate"]["manifest"] = manifest.path;
  if (finding.is_new) out["opsgate"]["new"] = *finding.is_new;
  if (!finding.tolerated.empty()) out["opsgate"]["tolerated"] = finding.tolerated;
  return out;
}

}  // namespace

std::string render_codequality(const Report& report) {
  json out = json::array();
  if (report.outcome == Outcome::error) {
    out.push_back({{"type", "issue"},
                   {"check_name", "opsgate"},
                   {"description", trf("opsgate could not evaluate: {}", report.error)},
                   {"categories", json::array({"Bug Risk"})},
                   {"severity", "blocker"},
                   {"fingerprint", hash_blob("opsgate-error-v1")},
                   {"location", {{"path", "operability.toml"}, {"lines", {{"begin", 1}}}}},
                   {"engine_name", "opsgate"},
                   {"opsgate", provenance(report, nullptr)}});
    // Bytes that are not UTF-8 (a path, --env) become U+FFFD, as in render_json.
    return out.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
  }
  // GitLab needs fingerprints unique within a report: an exact repeat (same rule, manifest and,
  // for GATE-* findings, message) gets its ordinal mixed in.
  std::set<std::string, std::less<>> seen;
  const ManifestResult run = run_result(report);
  for (const ManifestResult* listed : results_of(report, run)) {
    const ManifestResult& manifest = *listed;
    for (const Finding& finding : manifest.findings) {
      if (finding.status != Status::fail) continue;
      std::string fingerprint = finding_fingerprint(manifest.path, finding);
      for (int repeat = 2; seen.contains(fingerprint); ++repeat)
        fingerprint =
            hash_blob(finding_fingerprint(manifest.path, finding) + "#" + std::to_string(repeat));
      seen.insert(fingerprint);
      out.push_back(entry(report, manifest, finding, std::move(fingerprint)));
    }
  }
  return out.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace opsgate
