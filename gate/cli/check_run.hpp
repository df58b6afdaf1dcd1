#pragma once
// The gate run shared by `check` and the `hook` modes: prepare once (time, rules, repository),
// evaluate one or more revisions into one report, then render, write reports and exit.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "options.hpp"
#include "report.hpp"
#include "status.hpp"

namespace opsgate::cli {

struct CheckOptions : CommonOptions {
  std::string rev = "HEAD";
  std::string base;
  std::vector<std::string> manifests;
  std::string format = "text";
  std::vector<std::string> reports;  // FMT=FILE
  std::string fail_on = "error";
  std::optional<int> min_level;
  std::string emergency;
  bool worktree = false;
  bool timings = false;        // --timings: where the time went, on stderr
  unsigned jobs = 0;           // --jobs: manifests evaluated at once; 0 = one per CPU
  bool repo_from_env = false;  // open the repository from git's environment (hooks), not `repo`
  StatusOptions status;        // --post-status and its settings
};

// Registers check's options on `command`; `with_revisions` adds --rev, --base and --worktree
// (the hook modes take them from git instead).
void add_check_options(CLI::App& command, CheckOptions& options, bool with_revisions);

// The report formats a run can write.
Expected<void> check_format(const std::string& format, std::string_view option);
std::string render(const Report& report, const std::string& format, const TextStyle& style);

class Gate {
 public:
  explicit Gate(CheckOptions options);
  ~Gate();

  // Parses the options, opens the repository and loads the rules.
  Expected<void> prepare();

  // Evaluates `rev` (or the work tree), with the change from `base` when not empty, and adds its
  // manifests to the report.
  Expected<void> evaluate(const std::string& rev, const std::string& base, bool worktree);

  // Adds a line to the report's notes (printed in text, listed in JSON).
  void note(std::string text);

  // Renders stdout, writes every --report file, then posts the commit status (--post-status),
  // and returns the exit code; an error ends in 2 with the reports still written and the status
  // posted as failed. A failed post only changes the exit code with --require-status (2).
  int finish(const Expected<void>& outcome);

  const Repository* repository() const;

  // The report so far (manifests in evaluation order until finish() sorts them).
  const Report& report() const;

 private:
  struct State;
  std::unique_ptr<State> m_state;
};

}  // namespace opsgate::cli
