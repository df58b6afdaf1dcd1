#pragma once
// The inputs of an evaluation besides the manifest and the rules: environment, time, the files
// and history at the revision, and the change. Shared read-only by every rule of a run.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "approval.hpp"
#include "finding.hpp"
#include "history.hpp"
#include "markdown.hpp"
#include "rules.hpp"
#include "timeutil.hpp"
#include "tree.hpp"

namespace opsgate {

struct EvalContext {
  std::string environment = "production";
  Stage stage = Stage::merge;
  Instant at;
  Severity fail_on = Severity::error;
  bool fail_on_new = false;  // --fail-on-new: failures already at the merge base do not fail
  std::optional<int> min_level;
  std::optional<std::string> emergency;  // --emergency REASON
  const Tree* tree = nullptr;            // the files at the evaluated revision
  History* history = nullptr;            // its first-parent history; null when there is none
  // The manifest is read from the revision `history` starts at (not the work tree, not the
  // base's re-evaluation): failed findings cite the commit that last changed their line.
  bool cite_provenance = false;
  // Whether the findings carry that provenance (the caller shows it); cite_provenance alone
  // still lets signed waivers be proven by blame.
  bool report_provenance = true;
  // Checks the signatures that prove waivers of packs with waiver_proof = "signed"; null when
  // no loaded pack asks for proof (or nothing can be checked: --worktree, no repository).
  Approvals* approvals = nullptr;
  // The commits of the change (--base..--rev), for separation of duties; null without --base.
  const std::vector<CommitRef>* change_commits = nullptr;
  const RuleSet* rules = nullptr;  // freezes and holidays for window_open (evaluate_manifest)
  // Paths the change touches (--base), sorted and unique; std::nullopt when the change is unknown.
  std::optional<std::vector<std::string>> changed_paths;
  // The HeadingCache outlives this tree (kept across the commits of a fleet trend): headings
  // are cached by blob id, not by path. Off by default: a work tree's blob id is a hash of
  // the file.
  bool headings_by_blob = false;
};

// Parsed markdown headings by repository path, shared by every rule of a run.
using HeadingCache = std::map<std::string, std::optional<std::vector<Heading>>, std::less<>>;

}  // namespace opsgate
