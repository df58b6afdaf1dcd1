// The human report: grouped by service, then area; failures first with their fix. Every text from
// a manifest, a rule file or the run goes through `safe` (control characters and escape sequences
// made visible) before the Painter adds opsgate's own colours.

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "i18n.hpp"
#include "render.hpp"
#include "terminal_text.hpp"

namespace opsgate {

namespace {

// One field of the report, on one line and inert in a terminal.
std::string safe(std::string_view text) {
  return escape_control(text, TextShape::line);
}

class Painter {
 public:
  explicit Painter(bool color) : m_color(color) {}
  std::string red(std::string_view text) const { return paint("31;1", text); }
  std::string yellow(std::string_view text) const { return paint("33", text); }
  std::string green(std::string_view text) const { return paint("32", text); }
  std::string cyan(std::string_view text) const { return paint("36", text); }
  std::string dim(std::string_view text) const { return paint("2", text); }
  std::string bold(std::string_view text) const { return paint("1", text); }

 private:
  std::string paint(std::string_view code, std::string_view text) const {
    if (!m_color) return std::string(text);
    return fmt::format("\033[{}m{}\033[0m", code, text);
  }
  bool m_color;
};

// The label padded to one width before colouring, so colour never shifts the layout.
std::string status_label(const Finding& finding, Severity fail_on, const Painter& paint) {
  auto pad = [](std::string_view label) { return fmt::format("{:<6}", label); };
  switch (finding.status) {
    case Status::pass:
      return paint.green(pad(tr("PASS")));
    case Status::waived:
      return paint.cyan(pad(tr("WAIVED")));
    case Status::skipped:
      return paint.dim(pad(tr("SKIP")));
    case Status::fail:
      if (fails_gate(finding, fail_on)) return paint.red(pad(tr("FAIL")));
      return finding.severity >= Severity::warning ? paint.yellow(pad(tr("WARN")))
                                                   : paint.dim(pad(tr("INFO")));
  }
  return pad("");
}

void render_finding(std::string& out, const Finding& finding, const Report& report,
                    const Painter& paint) {
  out += fmt::format("    {} {} {}{}\n", status_label(finding, report.fail_on, paint),
                     paint.bold(safe(finding.rule)), safe(finding.title),
                     finding.is_new == true ? " " + paint.bold(tr("(new)")) : std::string());
  std::string where = finding.where.line ? finding.where.to_string() + ": " : std::string();
  out += fmt::format("           {}\n", safe(where + finding.message));
  if (finding.provenance)
    out += fmt::format("           {}\n",
                       paint.dim(safe(describe_provenance(*finding.provenance, report.at))));
  if (finding.is_new == false)
    out += fmt::format("           {}\n",
                       paint.dim(finding.tolerated.empty()
                                     ? std::string(tr("already failing at the merge base"))
                                     : trf("{}: does not fail the gate", finding.tolerated)));
  if (finding.waiver) {
    const WaiverOutcome& waiver = *finding.waiver;
    if (waiver.accepted) {
      out += fmt::format(
          "           {}\n",
          safe(trf("waived: {}", waiver.reason) +
               (waiver.approved_by.empty() ? "" : trf(" (approved by {})", waiver.approved_by)) +
               (waiver.expires.empty() ? "" : trf(", until {}", waiver.expires))));
      if (!waiver.proof.empty())
        out += fmt::format("           {}\n", paint.dim(safe(trf("proof: {}", waiver.proof))));
    } else {
      out += fmt::format("           {}\n", safe(trf("waiver refused: {}", waiver.refusal)));
    }
  }
  if (finding.status == Status::fail && !finding.help.empty())
    out += fmt::format("           {} {}\n", paint.dim(tr("fix:")), safe(finding.help));
}

}  // namespace

std::string render_text(const Report& report, const TextStyle& style) {
  Painter paint(style.color);
  if (style.quiet) return safe(verdict_line(report)) + "\n";
  std::string out;
  std::string revision = report.worktree   ? std::string(tr("the work tree"))
                         : report.revision ? trf("revision {}", report.revision->substr(0, 12))
                                           : std::string(tr("no revision"));
  out +=
      fmt::format("opsgate {} · {} · {} · {} · {}\n", OPSGATE_VERSION, safe(report.environment),
                  trf("{} stage", stage_name(report.stage)), format_utc(report.at.utc), revision);
  if (!report.packs.empty()) {
    std::string packs;
    for (const PackInfo& pack : report.packs)
      packs += fmt::format("{}{}{} ({})", packs.empty() ? "" : ", ", pack.name,
                           pack.version.empty() ? "" : " " + pack.version,
                           pack.label.empty() ? pack.origin : pack.label);
    out += safe(trf("rules: {}", packs)) + "\n";
  }
  if (report.emergency)
    out += paint.yellow(safe(trf("emergency change: {}", *report.emergency) +
                             (report.emergency_requested_by
                                  ? trf(" (asked by {})", *report.emergency_requested_by)
                                  : std::string()))) +
           "\n";
  for (const std::string& note : report.notes) out += paint.dim(safe(trf("note: {}", note))) + "\n";
  if (report.outcome != Outcome::error && report.manifests.empty())
    out += nothing_to_evaluate(report) + "\n";
  if (!report.findings.empty()) {
    out += fmt::format("\n{}\n", paint.bold(tr("this run")));
    for (const Finding& finding : report.findings) render_finding(out, finding, report, paint);
  }

  for (const ManifestResult& manifest : report.manifests) {
    out += fmt::format("\n{} ({}) · {} · {}\n",
                       paint.bold(manifest.service.empty() ? std::string(tr("(unnamed service)"))
                                                           : safe(manifest.service)),
                       safe(manifest.path), trf("level {}", manifest.level),
                       manifest.passed ? paint.green(tr("pass")) : paint.red(tr("fail")));
    std::map<std::string, std::vector<const Finding*>> by_area;
    int hidden_pass = 0, hidden_skip = 0;
    for (const Finding& finding : manifest.findings) {
      bool shown =
          style.verbose || finding.status == Status::fail || finding.status == Status::waived;
      if (!shown) {
        (finding.status == Status::pass ? hidden_pass : hidden_skip)++;
        continue;
      }
      by_area[finding.area].push_back(&finding);
    }
    for (auto& [area, findings] : by_area) {
      // What the change brings first, then what it inherited.
      std::stable_partition(findings.begin(), findings.end(),
                            [](const Finding* finding) { return finding->is_new != false; });
      out += fmt::format("  {}\n", safe(area));
      for (const Finding* finding : findings) render_finding(out, *finding, report, paint);
    }
    if (hidden_pass || hidden_skip)
      out += paint.dim("  " + trf("{} passed, {} skipped (--verbose lists them)", hidden_pass,
                                  hidden_skip)) +
             "\n";
  }
  std::string verdict = safe(verdict_line(report));
  out += "\n";
  out += report.outcome == Outcome::pass ? paint.green(verdict) : paint.red(verdict);
  out += "\n";
  return out;
}

}  // namespace opsgate
