#include "options.hpp"

#include "i18n.hpp"
#include "terminal_text.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <cstdlib>

namespace opsgate::cli {

void add_rules_options(CLI::App& command, CommonOptions& options) {
  command
      .add_option("--rules", options.rules,
                  std::string(tr(
                      "Rule pack: directory, .toml file, REV:PATH or installed name (repeatable; "
                      "default: baseline)")))
      ->allow_extra_args(false);  // one value per --rules: `--rules P REPO` leaves REPO alone
  command.add_option("--env", options.env, std::string(tr("Target environment")))
      ->capture_default_str();
}

void add_output_options(CLI::App& command, CommonOptions& options) {
  command.add_flag("--no-color", options.no_color, std::string(tr("Plain output")));
  command.add_flag("--quiet,-q", options.quiet, std::string(tr("Only the verdict line")));
  command.add_flag("--verbose,-v", options.verbose,
                   std::string(tr("Details: passing and skipped rules too")));
}

CLI::Validator described_choices(const std::vector<std::string>& values) {
  return CLI::Validator(fmt::format("{{{}}}", fmt::join(values, ",")));
}

int report_error(const Error& error) {
  // The message may quote a file (a TOML key, a value, a path): made inert before it is shown.
  fmt::print(stderr, "{}\n", trf("opsgate: error: {}", escape_control(error.to_string())));
  return k_exit_error;
}

bool use_color(const CommonOptions& options) {
  if (options.no_color) return false;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color && *no_color) return false;
  return isatty(STDOUT_FILENO) != 0;
}

Expected<Instant> evaluation_time(const std::string& at) {
  if (at.empty()) return now_utc();
  auto parsed = parse_rfc3339(at);
  if (!parsed) return fail(ErrorKind::usage, trf("--at: {}", parsed.error().message));
  return parsed;
}

}  // namespace opsgate::cli
