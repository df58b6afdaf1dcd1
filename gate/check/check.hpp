#pragma once
// The library entry point: one call per verdict. check() opens the repository, loads the rules
// (trusted sources included), resolves the revision and the merge base, scopes a monorepo to the
// change, evaluates every manifest on the shared executor and adds the run-level findings. The
// commands (cli/), the hooks and the fleet scan only turn flags into a request and a report into
// output; everything that decides a verdict lives here.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "error.hpp"
#include "executor.hpp"
#include "repo.hpp"
#include "report.hpp"
#include "rules.hpp"
#include "timeutil.hpp"

namespace opsgate {

struct CheckRequest {
  std::string repository = ".";      // searched upwards from here
  bool repository_from_env = false;  // opened from git's environment (hooks: the quarantine)
  std::vector<std::string> rules;    // --rules sources in order; empty: the installed baseline
  std::string environment = "production";
  Stage stage = Stage::merge;  // rules with `stages` apply only at theirs; deploy judges every
                               // service of the revision, whatever --base says
  bool fail_on_new = false;    // with a base: failures already there do not fail the gate
  std::optional<Instant> at;   // the evaluation time; empty: now (the only clock read)
  Severity fail_on = Severity::error;
  std::optional<int> min_level;
  std::optional<std::string> emergency;               // --emergency REASON
  std::optional<std::string> emergency_requested_by;  // recorded with it, from the CI
  std::vector<std::string> manifests;                 // --manifest paths; empty: found in the tree
  unsigned jobs = 0;  // manifests evaluated at once; 0: the executor's threads and the caller
  // Rules already loaded, used instead of loading `rules` (the fleet scan loads them once for
  // every repository); `environment` must have been checked against them.
  std::shared_ptr<const RuleSet> loaded_rules;
  // Keep parsed manifests and markdown headings, by blob id, across evaluate() calls: the
  // fleet trend evaluates one repository at many commits whose service files rarely change.
  // Off for a check: a monorepo's parsed manifests would stay in memory until the end.
  bool reuse_reads = false;
  // Failed findings cite the commit that last changed their line (a blame per manifest with
  // failures). Off for the fleet scan, whose reports show no provenance: its trend would blame
  // every failing manifest at every point. Signed waivers are proven either way.
  bool cite_provenance = true;
  // How long a signature verifier (ssh-keygen, gpg) may take before it is killed and its
  // signature refused (bad-signature).
  std::chrono::milliseconds verifier_timeout{10'000};
  // Told when a phase ends ("open-repository", "load-rules", "evaluate"), for --timings.
  std::function<void(std::string_view phase)> on_phase;
};

// What one evaluation looks at: a revision (or the work tree), and the change from a base.
struct CheckTarget {
  std::string rev = "HEAD";
  std::string base;  // empty: no base, every manifest judged in full
  bool worktree = false;
  // The evaluation time for this target instead of the request's (the fleet trend judges an
  // older commit as of that date: evidence ages are computed then).
  std::optional<Instant> at;
  // The revision's first-parent history, when the caller has it (the fleet trend's points
  // share one chain); else read from the repository.
  std::shared_ptr<History> history;
};

// A manifest that could not be evaluated (invalid TOML, an unsupported schema), when the
// caller asked to go on with the others.
struct ManifestError {
  std::string path;
  Error error;
};

// A gate ready to evaluate: the request validated, the repository opened and the rules loaded
// once, so that a hook can judge several pushed tips into one report.
class Checker {
 public:
  static Expected<Checker> open(const CheckRequest& request, Executor& executor);
  Checker(Checker&&) noexcept;
  Checker& operator=(Checker&&) noexcept;
  ~Checker();

  // A report with the run's header filled in (environment, time, packs), no manifest yet.
  Report new_report() const;

  // Evaluates `target` and adds its manifests to `report`.
  Expected<void> evaluate(const CheckTarget& target, Report& report);
  // The same, but a manifest that cannot be evaluated goes into `unevaluated` (in path order)
  // and the others are still evaluated: the fleet view reports it as a service in error.
  // Errors that are not one manifest's (the revision, the tree search) still end the call.
  Expected<void> evaluate(const CheckTarget& target, Report& report,
                          std::vector<ManifestError>* unevaluated);

  const Repository& repository() const;
  const RuleSet& rules() const;

 private:
  struct State;
  explicit Checker(std::unique_ptr<State> state);
  std::unique_ptr<State> m_state;
};

// One call, one verdict: the report of `target`, concluded (summary and outcome), or the
// error that kept it from being evaluated (exit 2).
Expected<Report> check(const CheckRequest& request, const CheckTarget& target,
                       Executor& executor = Executor::shared());

// The report of a run that could not evaluate: outcome error and the message, with what the
// request says (environment, time, emergency) and, when `target` is given and resolves, its
// revision (the commit a failed status is posted on), for the --report files still owed.
Report error_report(const CheckRequest& request, const CheckTarget* target, const Error& error);

// The rules of `sources` (the installed baseline when empty), with `environment` checked
// against the environments the packs declare. `repo` serves REV:PATH sources; it may be null.
Expected<RuleSet> load_rule_set(const std::vector<std::string>& sources,
                                std::string_view environment, const Repository* repo);

// The repository containing `path`, when there is one.
std::optional<Repository> try_open(const std::string& path);

// The files to read: the work tree with `worktree`, else the tree at `rev`. `revision` gets the
// commit id (HEAD's for the work tree, "" when there is none).
Expected<std::unique_ptr<Tree>> open_tree(const Repository& repo, const std::string& rev,
                                          bool worktree, std::string& revision);

// Whether `path` is a file of the work tree that HEAD lacks: a manifest `opsgate init` wrote and
// nobody committed yet. False for a bare repository (no work tree) and when HEAD has the file
// (the revision asked for is then simply another one).
bool uncommitted_in_work_tree(const Repository& repo, std::string_view path);

// What GATE-MANIFEST and `opsgate window` say of such a manifest.
std::string uncommitted_message(std::string_view path);

// Paths of the manifests to evaluate: `given` (--manifest, normalised), else the root
// operability.toml, else every one in the tree.
Expected<std::vector<std::string>> find_manifest_paths(const std::vector<std::string>& given,
                                                       const Tree& tree);

}  // namespace opsgate
