// opsgate check: evaluate the manifest(s) at a revision against the rule packs.

#include "check_run.hpp"
#include "commands.hpp"

namespace opsgate::cli {

void register_check(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<CheckOptions>();
  CLI::App* command = app.add_subcommand(
      "check",
      "Evaluate the manifest(s) of REPO at --rev against the rules (exit 0 pass, 1 fail, 2 error)");
  command->add_option("repo", options->repo,
                      "Repository (default: the one containing the current directory)");
  add_check_options(*command, *options, true);
  command->callback([options, &exit_code] {
    Gate gate(*options);
    auto ok = gate.prepare();
    if (ok) ok = gate.evaluate(options->rev, options->base, options->worktree);
    exit_code = gate.finish(ok);
  });
}

}  // namespace opsgate::cli
