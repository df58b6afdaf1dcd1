// The Markdown summary for a merge-request note or $GITHUB_STEP_SUMMARY: the verdict, a table
// of services with their level, the failures with their fix, the waivers, and the passes and
// skips folded in a <details>; provenance in a footer. Text from manifests and rules is escaped
// so it can neither break a table nor inject markup, nor carry a control character or an escape
// sequence to whoever prints the file.

#include <fmt/format.h>

#include <cctype>

#include <algorithm>

#include "render.hpp"
#include "terminal_text.hpp"

namespace opsgate {

namespace {

// Inline text: line breaks and tabs folded into spaces so a table row stays one line, other
// control characters made visible (escape_control), then Markdown and HTML punctuation
// backslash-escaped (CommonMark renders "\*" as "*").
std::string md(std::string_view text) {
  std::string folded(text);
  for (char& c : folded)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  const std::string visible = escape_control(folded);
  std::string out;
  out.reserve(visible.size());
  for (char c : visible) {
    switch (c) {
      case '\\':
      case '`':
      case '*':
      case '_':
      case '[':
      case ']':
      case '<':
      case '>':
      case '|':
      case '~':
      case '&':
      case '$':
      case '#':
        out += '\\';
        out += c;
        break;
      default:
        out += c;
    }
  }
  return out;
}

// A code span, unless the text itself holds a backtick or a pipe (then escaped plain text).
std::string code(std::string_view text) {
  if (text.empty()) return "";
  if (text.find_first_of("`|\n\r") != std::string_view::npos) return md(text);
  return fmt::format("`{}`", escape_control(text));
}

// A code fence longer than any run of backticks in `text`, so the text cannot close it.
std::string fence(std::string_view text) {
  std::size_t longest = 0, run = 0;
  for (char c : text) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  return std::string(std::max<std::size_t>(3, longest + 1), '`');
}

std::string service_name(const ManifestResult& manifest) {
  return manifest.service.empty() ? code(manifest.path) : md(manifest.service);
}

std::string location(const Finding& finding, const ManifestResult& manifest) {
  SourcePos where = finding.where;
  if (where.path.empty()) where.path = manifest.path;
  return code(where.line ? fmt::format("{}:{}", where.path, where.line) : where.path);
}

std::string failure_label(const Finding& finding, Severity fail_on) {
  std::string label;
  if (fails_gate(finding, fail_on))
    label = ":x: " + std::string(severity_name(finding.severity));
  else if (finding.severity >= Severity::warning)
    label = ":warning: " + std::string(severity_name(finding.severity));
  else
    label = ":information_source: info";
  if (finding.is_new == true) label += " **new**";
  return label;
}

std::string counts_line(const Report& report) {
  const Summary& s = report.summary;
  std::size_t count = report.manifests.size();
  return fmt::format(
      "{} failed, {} warning{}, {} info, {} passed, {} waived, {} skipped · {} manifest{} · "
      "environment {} · stage {}",
      s.failed, s.warnings, s.warnings == 1 ? "" : "s", s.info, s.passed, s.waived, s.skipped,
      count, count == 1 ? "" : "s", code(report.environment), code(stage_name(report.stage)));
}

void footer(std::string& out, const Report& report) {
  std::string line = fmt::format("opsgate {}", OPSGATE_VERSION);
  if (report.worktree)
    line += " · the work tree";
  else if (report.revision)
    line += " · revision " + code(*report.revision);
  if (report.base) line += " · base " + code(*report.base);
  for (const ManifestResult& manifest : report.manifests)
    if (!manifest.blob.empty())
      line += fmt::format(" · {} blob {}", code(manifest.path), code(manifest.blob));
  if (!report.packs.empty()) {
    std::string packs;
    for (const PackInfo& pack : report.packs)
      packs += fmt::format("{}{}{}", packs.empty() ? "" : ", ", md(pack.name),
                           pack.version.empty() ? "" : " " + md(pack.version));
    line += " · rules " + packs;
  }
  line += fmt::format(" · evaluated at {} · fail on {}", format_utc(report.at.utc),
                      severity_name(report.fail_on));
  out += "\n---\n<sub>" + line + "</sub>\n";
}

}  // namespace

std::string render_markdown(const Report& report) {
  std::string out;
  if (report.outcome == Outcome::error) {
    out += "### :boom: opsgate: ERROR\n\n";
    out += "opsgate could not evaluate this change (exit 2):\n\n";
    const std::string error = escape_control(report.error, TextShape::block);
    out += fence(error) + "text\n" + error + "\n" + fence(error) + "\n";
    if (report.emergency) out += "\n**Emergency change:** " + md(*report.emergency) + "\n";
    for (const std::string& note : report.notes) out += "\n> **Note:** " + md(note) + "\n";
    footer(out, report);
    return out;
  }

  bool passed = report.outcome == Outcome::pass;
  out += fmt::format("### {} opsgate: {}\n\n",
                     passed ? ":white_check_mark:" : ":x:", passed ? "PASS" : "FAIL");
  out += counts_line(report) + "\n";
  if (report.emergency)
    out += "\n> :rotating_light: **Emergency change:** " + md(*report.emergency) +
           (report.emergency_requested_by ? " — asked by " + md(*report.emergency_requested_by)
                                          : std::string()) +
           " (release-window rules waived)\n";
  for (const std::string& note : report.notes) out += "\n> **Note:** " + md(note) + "\n";
  if (report.manifests.empty()) {
    std::string nothing = nothing_to_evaluate(report);
    nothing.front() = static_cast<char>(std::toupper(static_cast<unsigned char>(nothing.front())));
    out += "\n" + nothing + ".\n";
  }

  if (!report.manifests.empty()) {
    out += "\n| service | manifest | level | outcome |\n|---|---|---|---|\n";
    for (const ManifestResult& manifest : report.manifests)
      out += fmt::format("| {} | {} | {} | {} |\n", service_name(manifest), code(manifest.path),
                         manifest.level, manifest.passed ? ":white_check_mark: pass" : ":x: fail");
  }

  std::string failures, inherited, waived, others;  // new failures first, then inherited
  int passes = 0, skips = 0;
  const ManifestResult run = run_result(report);
  for (const ManifestResult* listed : results_of(report, run)) {
    const ManifestResult& manifest = *listed;
    for (const Finding& finding : manifest.findings) {
      std::string rule = fmt::format("**{}** {}", md(finding.rule), md(finding.title));
      switch (finding.status) {
        case Status::fail: {
          std::string problem = md(finding.message);
          if (finding.provenance)
            problem += " (" + md(describe_provenance(*finding.provenance, report.at)) + ")";
          if (finding.waiver && !finding.waiver->accepted)
            problem += " (waiver refused: " + md(finding.waiver->refusal) + ")";
          if (finding.is_new == false)
            problem += finding.tolerated.empty() ? " (already failing at the merge base)"
                                                 : " (" + md(finding.tolerated) + ")";
          (finding.is_new == false ? inherited : failures) += fmt::format(
              "| {} | {} | {} | {} | {} | {} |\n", failure_label(finding, report.fail_on), rule,
              service_name(manifest), location(finding, manifest), problem, md(finding.help));
          break;
        }
        case Status::waived: {
          std::string line = fmt::format("- {} ({}): {}", rule, service_name(manifest),
                                         finding.waiver ? md(finding.waiver->reason) : "");
          if (finding.waiver && !finding.waiver->approved_by.empty())
            line += " — approved by " + md(finding.waiver->approved_by);
          if (finding.waiver && !finding.waiver->expires.empty())
            line += ", until " + md(finding.waiver->expires);
          waived += line + "\n";
          break;
        }
        case Status::pass:
        case Status::skipped:
          (finding.status == Status::pass ? passes : skips)++;
          others += fmt::format("| {} | {} | {} | {} |\n",
                                finding.status == Status::pass ? "pass" : "skipped", rule,
                                service_name(manifest), md(finding.message));
          break;
      }
    }
  }
  if (!failures.empty() || !inherited.empty())
    out +=
        "\n#### Failures\n\n| | rule | service | where | problem | fix |\n"
        "|---|---|---|---|---|---|\n" +
        failures + inherited;
  if (!waived.empty()) out += "\n#### Waived\n\n" + waived;
  if (!others.empty())
    out += fmt::format(
        "\n<details><summary>{} passed, {} skipped</summary>\n\n"
        "| status | rule | service | detail |\n|---|---|---|---|\n{}\n</details>\n",
        passes, skips, others);
  footer(out, report);
  return out;
}

}  // namespace opsgate
