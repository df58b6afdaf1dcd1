#pragma once
// The report model every renderer (report/) reads: what a run evaluated and its verdict.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "evaluate.hpp"
#include "rules.hpp"

namespace opsgate {

struct Summary {
  int passed = 0;
  int failed = 0;    // failed findings at or above --fail-on
  int warnings = 0;  // failed warnings below --fail-on
  int info = 0;      // failed info findings below --fail-on
  int waived = 0;
  int skipped = 0;
};

struct PackInfo {
  std::string name;
  std::string version;
  std::string source;      // as given to --rules
  std::string origin;      // where it was read: PackOrigin::describe(), the same in every language
  std::string label = {};  // the same for people, in the report's language; empty: `origin`
};

enum class Outcome { pass, fail, error };
std::string_view outcome_name(Outcome outcome);

struct Report {
  std::optional<std::string> revision;       // 40-hex commit id
  std::optional<std::string> base;           // the merge base actually used
  std::optional<std::size_t> changed_paths;  // how many paths the change touches
  bool worktree = false;
  std::string environment;
  Stage stage = Stage::merge;
  Instant at;
  std::optional<std::string> emergency;
  // Who asked for the emergency, as the CI server says (GITLAB_USER_LOGIN, GITHUB_ACTOR,
  // BUILD_USER_ID); unset without an emergency or when no CI variable names anyone.
  std::optional<std::string> emergency_requested_by;
  Severity fail_on = Severity::error;
  Outcome outcome = Outcome::pass;
  std::string error;  // the message when outcome == error
  std::vector<std::string>
      notes;  // things the reader should know (e.g. a tip checked without base)
  std::vector<PackInfo> packs;
  std::vector<ManifestResult> manifests;  // sorted by path
  // Findings about the run rather than one service (GATE-RULES-CHANGED): they count in the
  // summary and the verdict like any other, even when no manifest was selected.
  std::vector<Finding> findings;
  Summary summary;
};

Summary summarize(const std::vector<ManifestResult>& manifests, Severity fail_on);
void add_to_summary(Summary& summary, const std::vector<Finding>& findings, Severity fail_on);

// The run-level findings dressed as one more result, for renderers that list results (JUnit
// suites, SARIF results, Code Quality entries): service "this run" (English in every language;
// human formats show tr(service) for it), no manifest path.
ManifestResult run_result(const Report& report);

// Every result a renderer lists: the manifests', then the run's when it has findings.
std::vector<const ManifestResult*> results_of(const Report& report, const ManifestResult& run);

// Fills summary and outcome from the manifests (sorting them by path).
void conclude(Report& report);

std::vector<PackInfo> pack_infos(const RuleSet& rules);

// The identity of a finding across runs, as 40 hex digits (a git blob id of "manifest path,
// rule id", plus the message for the gate's own GATE-* findings, several of which may occur in
// one manifest and whose message names the key, waiver or pack they are about). Line numbers,
// values and the rest of the message stay out of it, so editing a manifest keeps it stable.
std::string finding_fingerprint(const std::string& manifest_path, const Finding& finding);

// What a report without manifests says instead: "3 paths changed, none inside a service
// directory: no manifest to evaluate" with --base, else "no manifest to evaluate".
std::string nothing_to_evaluate(const Report& report);

// The one-line verdict: "opsgate: FAIL — 3 failed, 1 warning (2 manifests, production)".
std::string verdict_line(const Report& report);

}  // namespace opsgate
