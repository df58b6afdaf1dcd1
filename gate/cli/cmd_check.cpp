// opsgate check: evaluate the manifest(s) at a revision against the rule packs.

#include "commands.hpp"
#include "i18n.hpp"
#include "output.hpp"
#include "timings.hpp"

namespace opsgate::cli {

void register_check(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<CheckOptions>();
  CLI::App* command = app.add_subcommand(
      "check", std::string(tr("Evaluate the manifest(s) of REPO at --rev against the rules (exit 0 "
                              "pass, 1 fail, 2 error)")));
  command->add_option(
      "repo", options->repo,
      std::string(tr("Repository (default: the one containing the current directory)")));
  add_check_options(*command, *options, true);
  command->callback([options, &exit_code] {
    Timings::process().mark("options");
    const CheckTarget target{options->rev, options->base, options->worktree};
    auto request = make_request(*options);
    if (!request) {
      exit_code = finish(*options, std::unexpected(request.error()), &target);
      return;
    }
    exit_code = finish(*options, check(*request, target), &target);
  });
}

}  // namespace opsgate::cli
