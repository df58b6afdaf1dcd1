#pragma once
// check's options, and what the commands that end in a verdict (check, the hooks) share: the
// options turned into a library request, and a report turned into stdout, --report files, a
// commit status and an exit code.

#include <optional>
#include <string>
#include <vector>

#include "check.hpp"
#include "options.hpp"
#include "render.hpp"
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
  // --stage; unset: default_stage (commit with --worktree). Given empty, it is a usage error: a
  // deploy job's `--stage "$STAGE"` with the variable unset must not become a merge.
  std::optional<std::string> stage;
  std::string default_stage = "merge";
  bool fail_on_new = false;  // --fail-on-new
  bool timings = false;      // --timings: where the time went, on stderr
  unsigned jobs = 0;         // --jobs: manifests evaluated at once; 0 = one per usable CPU
  StatusOptions status;      // --post-status and its settings
};

// Registers check's options on `command`; `with_revisions` adds --rev, --base and --worktree
// (the hook modes take them from git instead).
void add_check_options(CLI::App& command, CheckOptions& options, bool with_revisions);

// The library request the options describe; a malformed option is a usage error.
Expected<CheckRequest> make_request(const CheckOptions& options);

// Renders `report` (or the error that replaced it) on stdout, writes every --report file, then
// posts the commit status (--post-status), and returns the exit code: 0 pass, 1 fail, 2 when
// there is no verdict, with the reports still written and the status posted as failed. A failed
// post only changes the exit code with --require-status (2).
// `target`, when given, names the revision an error report and status are about.
int finish(const CheckOptions& options, const Expected<Report>& outcome,
           const CheckTarget* target = nullptr);

}  // namespace opsgate::cli
