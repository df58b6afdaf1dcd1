// The JUnit XML report, as Jenkins' `junit` step and GitLab's `artifacts:reports:junit` read it:
// one <testsuite> per manifest, one <testcase> per rule. A <failure> is exactly a finding that
// fails the gate, so the test tab and the exit code agree; a failed warning below --fail-on
// passes with the problem in <system-out>.

#include <fmt/format.h>

#include "i18n.hpp"
#include "render.hpp"

namespace opsgate {

namespace {

// The length of the well-formed UTF-8 sequence at the start of `text` (no overlong form,
// surrogate or value past U+10FFFF), or 0 when it does not start with one.
std::size_t utf8_sequence(std::string_view text) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(0);
  const std::size_t length = lead < 0x80                    ? 1
                             : lead >= 0xC2 && lead <= 0xDF ? 2
                             : lead >= 0xE0 && lead <= 0xEF ? 3
                             : lead >= 0xF0 && lead <= 0xF4 ? 4
                                                            : 0;
  if (length == 0 || length > text.size()) return 0;
  for (std::size_t i = 1; i < length; ++i)
    if ((byte(i) & 0xC0) != 0x80) return 0;
  // The second byte's range rules out overlong forms, surrogates and values past U+10FFFF.
  if ((lead == 0xE0 && byte(1) < 0xA0) || (lead == 0xED && byte(1) > 0x9F) ||
      (lead == 0xF0 && byte(1) < 0x90) || (lead == 0xF4 && byte(1) > 0x8F))
    return 0;
  return length;
}

// XML 1.0 text: markup characters as entities; in attributes also tab and line breaks as
// character references (attribute-value normalisation would turn them into spaces). Control
// characters XML 1.0 cannot carry at all (not even as references) become a visible "\xNN"; the
// document is declared UTF-8, so bytes that do not decode (paths from git trees, --env values)
// and the non-characters U+FFFE/U+FFFF become U+FFFD.
std::string xml_escape(std::string_view text, bool attribute) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    switch (c) {
      case '&':
        out += "&amp;";
        continue;
      case '<':
        out += "&lt;";
        continue;
      case '>':
        out += "&gt;";
        continue;
      case '"':
        out += attribute ? "&quot;" : "\"";
        continue;
      case '\'':
        out += attribute ? "&apos;" : "'";
        continue;
      case '\t':
        out += attribute ? "&#9;" : "\t";
        continue;
      case '\n':
        out += attribute ? "&#10;" : "\n";
        continue;
      case '\r':
        out += "&#13;";
        continue;
      default:
        break;
    }
    if (c < 0x20) {
      out += fmt::format("\\x{:02X}", c);
      continue;
    }
    const std::size_t length = utf8_sequence(text.substr(i));
    const std::string_view sequence = text.substr(i, length);
    const bool noncharacter = sequence == "\xEF\xBF\xBE" || sequence == "\xEF\xBF\xBF";
    out += length == 0 || noncharacter ? std::string_view("\xEF\xBF\xBD") : sequence;
    if (length > 0) i += length - 1;
  }
  return out;
}

std::string attr(std::string_view text) {
  return xml_escape(text, true);
}

std::string text(std::string_view value) {
  return xml_escape(value, false);
}

void property(std::string& out, std::string_view name, std::string_view value) {
  out += fmt::format("      <property name=\"{}\" value=\"{}\"/>\n", attr(name), attr(value));
}

// The provenance every suite carries: what was evaluated, against which rules, when.
void properties(std::string& out, const Report& report, const ManifestResult* manifest) {
  out += "    <properties>\n";
  property(out, "opsgate.version", OPSGATE_VERSION);
  if (report.revision) property(out, "revision", *report.revision);
  if (report.base) property(out, "base", *report.base);
  if (report.worktree) property(out, "worktree", "true");
  property(out, "environment", report.environment);
  property(out, "stage", stage_name(report.stage));
  property(out, "evaluated_at", format_utc(report.at.utc));
  property(out, "fail_on", severity_name(report.fail_on));
  if (report.emergency) property(out, "emergency", *report.emergency);
  if (report.emergency_requested_by)
    property(out, "emergency.requested_by", *report.emergency_requested_by);
  for (const PackInfo& pack : report.packs)
    property(out, "rule_pack", pack.version.empty() ? pack.name : pack.name + " " + pack.version);
  for (const std::string& note : report.notes) property(out, "note", note);
  if (manifest) {
    property(out, "manifest", manifest->path);
    if (!manifest->blob.empty()) property(out, "manifest.blob", manifest->blob);
    property(out, "level", std::to_string(manifest->level));
  }
  out += "    </properties>\n";
}

std::string where_text(const Finding& finding, const std::string& manifest_path) {
  SourcePos where = finding.where;
  if (where.path.empty()) where.path = manifest_path;
  return where.line ? fmt::format("{}:{}", where.path, where.line) : where.path;
}

void testcase(std::string& out, const Report& report, const ManifestResult& manifest,
              const Finding& finding) {
  std::string service = manifest.service.empty() ? manifest.path : manifest.service;
  // The English title in every language: CI servers keep a test's history by its name.
  const SharedText& title = finding.title_in_english();
  std::string name = title.empty() ? finding.rule : finding.rule + " " + title.str();
  std::string file = finding.where.path.empty() ? manifest.path : finding.where.path;
  out += fmt::format("    <testcase classname=\"{}\" name=\"{}\" file=\"{}\"",
                     attr(service + "." + finding.area), attr(name), attr(file));
  if (finding.where.line) out += fmt::format(" line=\"{}\"", finding.where.line);
  out += " time=\"0\"";

  std::string body;
  if (finding.status == Status::skipped) {
    body += fmt::format("      <skipped message=\"{}\"/>\n", attr(finding.message));
  } else if (fails_gate(finding, report.fail_on)) {
    std::string detail = fmt::format("{}: {}", where_text(finding, manifest.path), finding.message);
    if (finding.provenance) detail += "\n" + describe_provenance(*finding.provenance, report.at);
    if (finding.waiver && !finding.waiver->accepted)
      detail += "\n" + trf("waiver refused: {}", finding.waiver->refusal);
    if (finding.is_new)
      detail += "\n" + std::string(*finding.is_new ? tr("new: the change brings it")
                                                   : tr("already failing at the merge base"));
    if (!finding.help.empty()) detail += "\n" + std::string(tr("fix:")) + " " + finding.help.str();
    body += fmt::format("      <failure message=\"{}\" type=\"{}\">{}</failure>\n",
                        attr(finding.message), severity_name(finding.severity), text(detail));
  } else if (finding.status == Status::waived && finding.waiver) {
    const WaiverOutcome& waiver = *finding.waiver;
    std::string detail = trf("waived: {}", waiver.reason);
    if (!waiver.approved_by.empty()) detail += trf(" (approved by {})", waiver.approved_by);
    if (!waiver.expires.empty()) detail += trf(", until {}", waiver.expires);
    detail += fmt::format("\n{}: {}", where_text(finding, manifest.path), finding.message);
    body += fmt::format("      <system-out>{}</system-out>\n", text(detail));
  } else if (finding.status == Status::fail) {
    std::string detail =
        !finding.tolerated.empty()
            ? fmt::format("{} {}: {}: {}", severity_label(finding.severity), finding.tolerated,
                          where_text(finding, manifest.path), finding.message)
            : trf("{} below --fail-on {}: {}: {}", severity_label(finding.severity),
                  severity_name(report.fail_on), where_text(finding, manifest.path),
                  finding.message);
    if (finding.is_new == true) detail += "\n" + std::string(tr("new: the change brings it"));
    if (!finding.help.empty()) detail += "\n" + std::string(tr("fix:")) + " " + finding.help.str();
    body += fmt::format("      <system-out>{}</system-out>\n", text(detail));
  }
  out += body.empty() ? "/>\n" : ">\n" + body + "    </testcase>\n";
}

struct Counts {
  int tests = 0;
  int failures = 0;
  int errors = 0;
  int skipped = 0;
};

// The suite of a report without manifests: one failing test carrying the error, or a passing
// placeholder.
constexpr Counts k_error_suite{1, 0, 1, 0};
constexpr Counts k_placeholder_suite{1, 0, 0, 0};

Counts count(const Report& report, const ManifestResult& manifest) {
  Counts counts;
  for (const Finding& finding : manifest.findings) {
    ++counts.tests;
    if (finding.status == Status::skipped) ++counts.skipped;
    if (fails_gate(finding, report.fail_on)) ++counts.failures;
  }
  return counts;
}

std::string suite_open(std::string_view name, const Counts& counts) {
  return fmt::format(
      "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" "
      "time=\"0\">\n",
      attr(name), counts.tests, counts.failures, counts.errors, counts.skipped);
}

}  // namespace

void write_junit(const Report& report, const ReportWriter& write) {
  // The totals open the document, so they are counted first: the suites are then written one
  // at a time (a 200-service report is 1.3 MB; assembled around a copy of itself, twice that).
  Counts total;
  const ManifestResult run = run_result(report);
  const std::vector<const ManifestResult*> results = results_of(report, run);
  if (report.outcome == Outcome::error)
    total = k_error_suite;
  else if (results.empty())
    total = k_placeholder_suite;
  for (const ManifestResult* manifest : results) {
    Counts counts = count(report, *manifest);
    total.tests += counts.tests;
    total.failures += counts.failures;
    total.skipped += counts.skipped;
  }
  std::string out = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<testsuites name=\"opsgate\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" "
      "time=\"0\">\n",
      total.tests, total.failures, total.errors, total.skipped);
  if (report.outcome == Outcome::error) {
    // One failing test carrying the error, so a CI test tab shows why nothing was evaluated.
    out += suite_open("opsgate", k_error_suite);
    properties(out, report, nullptr);
    out += fmt::format(
        "    <testcase classname=\"opsgate\" name=\"opsgate\" time=\"0\">\n"
        "      <error message=\"{}\" type=\"error\">{}</error>\n"
        "    </testcase>\n",
        attr(report.error), text(trf("opsgate could not evaluate: {}", report.error)));
    out += "  </testsuite>\n";
  } else if (results.empty()) {
    // A passing placeholder: Jenkins' junit step fails a build whose reports hold no test.
    out += suite_open("opsgate", k_placeholder_suite);
    properties(out, report, nullptr);
    out += fmt::format(
        "    <testcase classname=\"opsgate\" name=\"{}\" time=\"0\"/>\n"
        "  </testsuite>\n",
        attr(tr("no manifest to evaluate")));
  }
  for (const ManifestResult* listed : results) {
    const ManifestResult& manifest = *listed;
    std::string name = manifest.service.empty() ? manifest.path
                       : manifest.path.empty()
                           ? "opsgate: " + std::string(tr(manifest.service))  // run_result()
                           : fmt::format("{} ({})", manifest.service, manifest.path);
    out += suite_open(name, count(report, manifest));
    properties(out, report, &manifest);
    for (const Finding& finding : manifest.findings) testcase(out, report, manifest, finding);
    out += "  </testsuite>\n";
    write(out);
    out.clear();
  }
  out += "</testsuites>\n";
  write(out);
}

std::string render_junit(const Report& report) {
  std::string text;
  write_junit(report, [&text](std::string_view piece) { text += piece; });
  return text;
}

}  // namespace opsgate
