#pragma once
// The inputs of an evaluation besides the manifest and the rules: environment, time, the files
// and history at the revision, and the change. Shared read-only by every rule of a run.

#include <map>
#include <optional>
#include <string>
#include <vector>

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
  const RuleSet* rules = nullptr;        // freezes and holidays for window_open (evaluate_manifest)
  // Paths the change touches (--base), sorted and unique; std::nullopt when the change is unknown.
  std::optional<std::vector<std::string>> changed_paths;
};

// Parsed markdown headings by repository path, shared by every rule of a run.
using HeadingCache = std::map<std::string, std::optional<std::vector<Heading>>, std::less<>>;

}  // namespace opsgate
