// Fuzz target `report`: the input bytes describe a Report (environment, revision, emergency
// reason, notes, packs, manifests with paths, services and findings with rule ids, statuses,
// severities, messages, positions and waivers; every text may hold invalid UTF-8, NUL and control
// characters, as paths from git trees and command-line values can), which is rendered in every
// format. The JSON formats (json, sarif, codequality) must parse with nlohmann::json and keep
// their documented shape, the JUnit XML must be well-formed UTF-8 without characters XML 1.0
// forbids, and none may throw; a violation aborts so the fuzzer records it.

#include <nlohmann/json.hpp>

#include <set>

#include "fuzz_support.hpp"
#include "render.hpp"
#include "terminal_text.hpp"

using namespace opsgate;
using json = nlohmann::json;

namespace {

// Rule ids as real reports carry them, or raw fuzz bytes.
std::string rule_id(fuzz::ByteReader& in) {
  static const std::array<const char*, 7> k_ids = {
      "BKP-001", "BKP-002", "MON-003", "GATE-SCHEMA", "GATE-WAIVER", "GATE-MIN-LEVEL", "ACME_X-7"};
  unsigned pick = in.below(9);
  return pick < k_ids.size() ? k_ids[pick] : in.text(16);
}

SourcePos position(fuzz::ByteReader& in, const std::string& manifest_path) {
  SourcePos where;
  unsigned form = in.below(3);
  where.path = form == 0 ? manifest_path : form == 1 ? in.text(24) : std::string();
  where.line = in.flag() ? in.u32() : in.below(200);
  where.column = in.flag() ? in.u32() : in.below(80);
  return where;
}

Finding finding(fuzz::ByteReader& in, const std::string& manifest_path) {
  Finding out;
  out.rule = rule_id(in);
  out.title = in.text();
  out.status = static_cast<Status>(in.below(4));
  out.severity = static_cast<Severity>(in.below(3));
  out.area = in.text(12);
  out.level = static_cast<int>(in.below(6));
  out.message = in.text(64);
  out.where = position(in, manifest_path);
  out.help = in.text();
  if (in.flag()) {
    WaiverOutcome waiver;
    waiver.accepted = in.flag();
    waiver.refusal = in.text();
    waiver.reason = in.text();
    waiver.approved_by = in.text(16);
    waiver.expires = in.flag() ? "2026-12-15" : in.text(12);
    waiver.where = position(in, manifest_path);
    out.waiver = std::make_shared<const WaiverOutcome>(std::move(waiver));
  }
  return out;
}

Report report(fuzz::ByteReader& in) {
  Report report;
  if (in.flag()) report.revision = in.flag() ? std::string(40, 'a') : in.text(40);
  if (in.flag()) report.base = in.text(40);
  if (in.flag()) report.changed_paths = in.u32();
  report.worktree = in.flag();
  report.environment = in.flag() ? "production" : in.text(16);
  report.at.utc = Seconds(std::chrono::seconds(std::int64_t{in.u32()} * 2));
  report.at.offset = std::chrono::minutes(static_cast<int>(in.below(1681)) - 840);
  if (in.flag()) report.emergency = in.text();
  report.fail_on = static_cast<Severity>(in.below(3));
  if (in.below(4) == 0) {
    report.outcome = Outcome::error;
    report.error = in.text(64);
  }
  for (unsigned n = in.below(3); n > 0; --n) report.notes.push_back(in.text());
  for (unsigned n = in.below(3); n > 0; --n)
    report.packs.push_back({in.text(16), in.text(8), in.text(24)});
  for (unsigned n = in.below(4); n > 0; --n) {
    ManifestResult manifest;
    manifest.path = in.flag() ? "operability.toml" : in.text(32);
    manifest.blob = in.flag() ? hash_blob(manifest.path) : in.text(8);
    manifest.service = in.text(16);
    manifest.level = static_cast<int>(in.below(6));
    for (unsigned k = in.below(9); k > 0; --k)
      manifest.findings.push_back(finding(in, manifest.path));
    std::stable_sort(manifest.findings.begin(), manifest.findings.end(),
                     [](const Finding& a, const Finding& b) { return a.rule < b.rule; });
    manifest.passed = std::none_of(manifest.findings.begin(), manifest.findings.end(),
                                   [&](const Finding& f) { return fails_gate(f, report.fail_on); });
    report.manifests.push_back(std::move(manifest));
  }
  conclude(report);
  return report;
}

json parsed(const std::string& output, const char* format) {
  json doc = json::parse(output, nullptr, false);
  if (doc.is_discarded()) fuzz::violated(format, output);
  return doc;
}

std::size_t count_findings(const Report& report, std::initializer_list<Status> statuses) {
  std::size_t count = 0;
  for (const ManifestResult& manifest : report.manifests)
    for (const Finding& finding : manifest.findings)
      if (std::find(statuses.begin(), statuses.end(), finding.status) != statuses.end()) ++count;
  return count;
}

void check_json(const Report& report) {
  const std::string output = render_json(report);
  json doc = parsed(output, "the json report does not parse");
  if (doc["outcome"] != outcome_name(report.outcome) ||
      doc["manifests"].size() != report.manifests.size())
    fuzz::violated("the json report lost its outcome or manifests", output);
  // Text that is UTF-8 comes back exactly.
  if (fuzz::is_utf8(report.environment) && doc["environment"] != report.environment)
    fuzz::violated("the json report changed the environment", output);
  for (std::size_t i = 0; i < report.manifests.size(); ++i) {
    const ManifestResult& manifest = report.manifests[i];
    const json& rendered = doc["manifests"][i];
    if (rendered["findings"].size() != manifest.findings.size())
      fuzz::violated("the json report lost findings", output);
    if (fuzz::is_utf8(manifest.path) && rendered["path"] != manifest.path)
      fuzz::violated("the json report changed a manifest path", output);
    for (std::size_t k = 0; k < manifest.findings.size(); ++k)
      if (fuzz::is_utf8(manifest.findings[k].message) &&
          rendered["findings"][k]["message"] != manifest.findings[k].message)
        fuzz::violated("the json report changed a message", output);
  }
}

void check_sarif(const Report& report) {
  const std::string output = render_sarif(report);
  json doc = parsed(output, "the sarif report does not parse");
  if (doc["version"] != "2.1.0" || doc["runs"].size() != 1)
    fuzz::violated("the sarif report is not one SARIF 2.1.0 run", output);
  const json& run = doc["runs"][0];
  if (run["results"].size() != count_findings(report, {Status::fail, Status::waived}))
    fuzz::violated("sarif results are not the failed and waived findings", output);
  for (const json& result : run["results"])
    if (result["ruleIndex"].get<std::size_t>() >= run["tool"]["driver"]["rules"].size())
      fuzz::violated("a sarif ruleIndex past the rules", output);
}

void check_codequality(const Report& report) {
  const std::string output = render_codequality(report);
  json doc = parsed(output, "the codequality report does not parse");
  std::size_t expected =
      report.outcome == Outcome::error ? 1 : count_findings(report, {Status::fail});
  if (!doc.is_array() || doc.size() != expected)
    fuzz::violated("codequality entries are not the failed findings", output);
  std::set<std::string> fingerprints;
  for (const json& entry : doc) {
    if (!fingerprints.insert(entry["fingerprint"].get<std::string>()).second)
      fuzz::violated("two codequality entries share a fingerprint", output);
    if (entry["location"]["lines"]["begin"].get<std::int64_t>() < 1)
      fuzz::violated("a codequality line before 1", output);
  }
}

void check_junit(const Report& report) {
  const std::string output = render_junit(report);
  if (!output.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites ") ||
      !output.ends_with("</testsuites>\n"))
    fuzz::violated("the junit report is not a <testsuites> document", output);
  if (!fuzz::is_utf8(output)) fuzz::violated("the junit report is not UTF-8", output);
  for (std::size_t i = 0; i < output.size(); ++i) {
    const auto c = static_cast<unsigned char>(output[i]);
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
      fuzz::violated("the junit report holds a control character XML 1.0 forbids", output);
    if (c == 0xEF && i + 2 < output.size() && static_cast<unsigned char>(output[i + 1]) == 0xBF &&
        (static_cast<unsigned char>(output[i + 2]) & 0xFE) == 0xBE)
      fuzz::violated("the junit report holds U+FFFE or U+FFFF", output);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::ByteReader in(data, size);
  const Report built = report(in);

  check_json(built);
  check_sarif(built);
  check_codequality(built);
  check_junit(built);
  if (render_markdown(built).empty()) fuzz::violated("an empty markdown report");
  // The text style comes from the bytes left (so the seeds stay readable by report()).
  const TextStyle style{in.flag(), in.flag(), false};
  if (render_text(built, style).empty()) fuzz::violated("an empty text report");
  // The verdict as a terminal may show it: control bytes and invalid UTF-8 escaped.
  if (render_text(built, {style.color, style.verbose, true}) !=
      escape_control(verdict_line(built)) + "\n")
    fuzz::violated("--quiet prints more than the verdict");
  for (const ManifestResult& manifest : built.manifests)
    for (const Finding& finding : manifest.findings)
      if (finding_fingerprint(manifest.path, finding).size() != 40)
        fuzz::violated("a fingerprint that is not 40 hex digits");
  return 0;
}
