#pragma once
// A change judged against its merge base (--base): which failures it brings, and what it takes
// away. Maturity only goes up: a manifest cannot quietly lower its level, delete the evidence a
// rule checked, or make rules stop applying to itself.

#include "eval_context.hpp"
#include "finding.hpp"
#include "manifest.hpp"
#include "rules.hpp"
#include "tree.hpp"

namespace opsgate {

// The same manifest on both sides of a change. `base` is null when the merge base had no
// manifest at this path (a new service, or a moved one): everything that fails is new.
struct BaseSide {
  const ManifestResult* result = nullptr;  // evaluated with the same rules, --at, --env, stage
  const Manifest* manifest = nullptr;
  const Tree* tree = nullptr;  // the files at the merge base
};

// Which manifest of `left` (manifests at the merge base whose whole service directory the
// change removed) each of `arrived` (manifests new at their path), taken in order, continues:
// the one with the same non-empty [service] name, else the one at least half of whose values
// (key and value both) it keeps, the most kept first; each of `left` continues at most one.
// nullopt: a new service. A manifest moved with its directory is judged against where it came
// from, so that `git mv` does not reset the ratchet. Each manifest is flattened once; comparing
// values is bounded (k_max_move_comparisons), past which the change is an error rather than
// moves left unpaired (a crafted change must not reset the ratchet by being costly to pair).
Expected<std::vector<std::optional<std::size_t>>> pair_moves(
    const std::vector<const toml::table*>& arrived, const std::vector<const toml::table*>& left);
// How many values pairing may look up across all the comparisons of one change.
inline constexpr std::size_t k_max_move_comparisons = 4'000'000;

// Marks each failed finding of `head` new or not (Finding::is_new), adds GATE-LEVEL-DROP,
// GATE-EVIDENCE-REMOVED and GATE-SCOPE-CHANGED, then, with context.fail_on_new, tolerates the
// failures already present at the base (of waivable rules only) and recomputes `head.passed`.
// `manifest` is the head's manifest (null when the revision has none at this path).
void compare_with_base(ManifestResult& head, const Manifest* manifest, const Tree& tree,
                       const BaseSide& base, const RuleSet& rules, const EvalContext& context);

// Run-level findings with a base: each failure is the change's own (is_new), never tolerated.
void mark_run_findings(std::vector<Finding>& findings);

}  // namespace opsgate
