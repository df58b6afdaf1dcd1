#include <fmt/format.h>

#include <string_view>
#include <vector>

#include "check_run.hpp"
#include "commands.hpp"
#include "options.hpp"

namespace opsgate::cli {

namespace {

// The --report FMT=FILE values of a command line CLI11 refused: those reports are still owed.
std::vector<std::string> requested_reports(int argc, char** argv) {
  std::vector<std::string> reports;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--report" && i + 1 < argc)
      reports.emplace_back(argv[++i]);
    else if (arg.starts_with("--report="))
      reports.emplace_back(arg.substr(9));
  }
  return reports;
}

}  // namespace

int run(int argc, char** argv) {
  CLI::App app{"opsgate: an operability quality gate for CI pipelines and git hooks", "opsgate"};
  app.require_subcommand(1);
  app.fallthrough(false);
  int exit_code = k_exit_error;
  register_check(app, exit_code);
  register_window(app, exit_code);
  register_explain(app, exit_code);
  register_rules(app, exit_code);
  register_init(app, exit_code);
  register_hook(app, exit_code);
  register_version(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForAllHelp& help) {
    return app.exit(help);
  } catch (const CLI::ParseError& error) {
    app.exit(error);  // prints the message and usage
    // Exit 2 after reports were requested still writes them, with "outcome": "error".
    if (auto reports = requested_reports(argc, argv); !reports.empty()) {
      CheckOptions options;
      options.reports = std::move(reports);
      Gate(std::move(options)).finish(fail(ErrorKind::usage, error.what()));
    }
    return k_exit_error;
  }
  return exit_code;
}

}  // namespace opsgate::cli
