#pragma once
// The renderers: pure functions of a Report (no I/O, no clock), one per format.

#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "error.hpp"
#include "report.hpp"

namespace opsgate {

struct TextStyle {
  bool color = false;
  bool verbose = false;  // also list passing and skipped rules
  bool quiet = false;    // only the verdict line
};

// Where a streamed report goes, a piece at a time (a file, stdout, a string).
using ReportWriter = std::function<void(std::string_view)>;

std::string render_json(const Report& report);
// The same text handed to `write` a manifest at a time, never whole in memory.
void write_json(const Report& report, const ReportWriter& write);
std::string render_text(const Report& report, const TextStyle& style);
// JUnit XML: one <testsuite> per manifest, one <testcase> per rule; <failure> for exactly the
// findings that fail the gate (failed findings below --fail-on pass, noted in <system-out>).
std::string render_junit(const Report& report);
// The same text handed to `write` a test suite (a manifest) at a time.
void write_junit(const Report& report, const ReportWriter& write);
// SARIF 2.1.0: one run; results for failed and waived rules (waived ones as suppressions).
std::string render_sarif(const Report& report);
// GitLab Code Quality: a JSON array of the failed findings (an error report is one entry).
std::string render_codequality(const Report& report);
// A compact Markdown summary for a merge-request note or $GITHUB_STEP_SUMMARY.
std::string render_markdown(const Report& report);

// "last changed by Ana in 1a2b3c4d5e6f on 2026-03-14" (the day in `at`'s offset), or
// "provenance unknown: <why>", for the text and Markdown reports.
std::string describe_provenance(const Provenance& provenance, const Instant& at);

// A severity as a person reads it, in the process's language (severity_name() is the id).
std::string_view severity_label(Severity severity);

// The formats a report can be written in: text, json, junit, sarif, codequality, markdown.
std::vector<std::string> report_formats();
bool is_report_format(std::string_view format);
// "--format xml: unknown format 'xml' (text, json, ...)" as a usage error.
Expected<void> check_format(std::string_view format, std::string_view option);

// The report in `format` (one of is_report_format()'s).
std::string render(const Report& report, std::string_view format, const TextStyle& style);
// The same handed to `write`: JSON and JUnit a manifest at a time (never whole in memory), the
// others whole.
void write_report(const Report& report, std::string_view format, const TextStyle& style,
                  const ReportWriter& write);

}  // namespace opsgate
