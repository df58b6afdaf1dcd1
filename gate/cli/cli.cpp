#include <fmt/format.h>

#include "commands.hpp"
#include "options.hpp"

namespace opsgate::cli {

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
    return k_exit_error;
  }
  return exit_code;
}

}  // namespace opsgate::cli
