// The Markdown summary for a merge-request note or $GITHUB_STEP_SUMMARY: the verdict, a table
// of services with their level, the failures with their fix, the waivers, and the passes and
// skips folded in a <details>; provenance in a footer. Text from manifests and rules is escaped
// so it can neither break a table nor inject markup, nor carry a control character or an escape
// sequence to whoever prints the file.

#include <fmt/format.h>

#include <cctype>

#include <algorithm>

#include "i18n.hpp"
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
  if (manifest.path.empty()) return md(tr(manifest.service));  // run_result()'s "this run"
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
    label = ":x: " + std::string(severity_label(finding.severity));
  else if (finding.severity >= Severity::warning)
    label = ":warning: " + std::string(severity_label(finding.severity));
  else
    label = ":information_source: " + std::string(severity_label(Severity::info));
  if (finding.is_new == true) label += " **" + std::string(tr("new")) + "**";
  return label;
}

std::string counts_line(const Report& report) {
  const Summary& s = report.summary;
  std::size_t count = report.manifests.size();
  return fmt::format(
      "{} · {} · {}",
      trnf("{} failed, {} warning, {} info, {} passed, {} waived, {} skipped",
           "{} failed, {} warnings, {} info, {} passed, {} waived, {} skipped", s.warnings,
           s.failed, s.warnings, s.info, s.passed, s.waived, s.skipped),
      trnf("{} manifest", "{} manifests", count, count),
      trf("environment {} · stage {}", code(report.environment), code(stage_name(report.stage))));
}

void footer(std::string& out, const Report& report) {
  std::string line = fmt::format("opsgate {}", OPSGATE_VERSION);
  if (report.worktree)
    line += " · " + std::string(tr("the work tree"));
  else if (report.revision)
    line += " · " + trf("revision {}", code(*report.revision));
  if (report.base) line += " · " + trf("base {}", code(*report.base));
  for (const ManifestResult& manifest : report.manifests)
    if (!manifest.blob.empty())
      line += " · " + trf("{} blob {}", code(manifest.path), code(manifest.blob));
  if (!report.packs.empty()) {
    std::string packs;
    for (const PackInfo& pack : report.packs)
      packs += fmt::format("{}{}{}", packs.empty() ? "" : ", ", md(pack.name),
                           pack.version.empty() ? "" : " " + md(pack.version));
    line += " · " + trf("rules {}", packs);
  }
  line += " · " + trf("evaluated at {} · fail on {}", format_utc(report.at.utc),
                      severity_name(report.fail_on));
  out += "\n---\n<sub>" + line + "</sub>\n";
}

}  // namespace

std::string render_markdown(const Report& report) {
  std::string out;
  if (report.outcome == Outcome::error) {
    out += "### :boom: opsgate: " + std::string(tr("ERROR")) + "\n\n";
    out += std::string(tr("opsgate could not evaluate this change (exit 2):")) + "\n\n";
    const std::string error = escape_control(report.error, TextShape::block);
    out += fence(error) + "text\n" + error + "\n" + fence(error) + "\n";
    if (report.emergency)
      out += "\n**" + std::string(tr("Emergency change:")) + "** " + md(*report.emergency) + "\n";
    for (const std::string& note : report.notes)
      out += "\n> **" + std::string(tr("Note:")) + "** " + md(note) + "\n";
    footer(out, report);
    return out;
  }

  bool passed = report.outcome == Outcome::pass;
  out += fmt::format("### {} opsgate: {}\n\n",
                     passed ? ":white_check_mark:" : ":x:", passed ? tr("PASS") : tr("FAIL"));
  out += counts_line(report) + "\n";
  if (report.emergency)
    out +=
        "\n> :rotating_light: **" + std::string(tr("Emergency change:")) + "** " +
        md(*report.emergency) +
        (report.emergency_requested_by ? trf(" — asked by {}", md(*report.emergency_requested_by))
                                       : std::string()) +
        std::string(tr(" (release-window rules waived)")) + "\n";
  for (const std::string& note : report.notes)
    out += "\n> **" + std::string(tr("Note:")) + "** " + md(note) + "\n";
  if (report.manifests.empty()) {
    std::string nothing = nothing_to_evaluate(report);
    nothing.front() = static_cast<char>(std::toupper(static_cast<unsigned char>(nothing.front())));
    out += "\n" + nothing + ".\n";
  }

  if (!report.manifests.empty()) {
    out += "\n" + std::string(tr("| service | manifest | level | outcome |")) +
           "\n|---|---|---|---|\n";
    for (const ManifestResult& manifest : report.manifests)
      out += fmt::format("| {} | {} | {} | {} |\n", service_name(manifest), code(manifest.path),
                         manifest.level,
                         manifest.passed ? ":white_check_mark: " + std::string(tr("pass"))
                                         : ":x: " + std::string(tr("fail")));
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
            problem += trf(" (waiver refused: {})", md(finding.waiver->refusal));
          if (finding.is_new == false)
            problem += finding.tolerated.empty()
                           ? std::string(tr(" (already failing at the merge base)"))
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
            line += trf(" — approved by {}", md(finding.waiver->approved_by));
          if (finding.waiver && !finding.waiver->expires.empty())
            line += trf(", until {}", md(finding.waiver->expires));
          waived += line + "\n";
          break;
        }
        case Status::pass:
        case Status::skipped:
          (finding.status == Status::pass ? passes : skips)++;
          others += fmt::format("| {} | {} | {} | {} |\n",
                                finding.status == Status::pass ? tr("pass") : tr("skipped"), rule,
                                service_name(manifest), md(finding.message));
          break;
      }
    }
  }
  if (!failures.empty() || !inherited.empty())
    out += "\n#### " + std::string(tr("Failures")) + "\n\n" +
           std::string(tr("| | rule | service | where | problem | fix |")) +
           "\n|---|---|---|---|---|---|\n" + failures + inherited;
  if (!waived.empty()) out += "\n#### " + std::string(tr("Waived")) + "\n\n" + waived;
  if (!others.empty())
    out +=
        fmt::format("\n<details><summary>{}</summary>\n\n{}\n|---|---|---|---|\n{}\n</details>\n",
                    trf("{} passed, {} skipped", passes, skips),
                    tr("| status | rule | service | detail |"), others);
  footer(out, report);
  return out;
}

}  // namespace opsgate
