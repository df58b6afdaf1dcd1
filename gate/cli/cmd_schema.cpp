// opsgate schema: the JSON Schema of operability.toml for the loaded packs, for editors (Even
// Better TOML, taplo).

#include <fmt/format.h>

#include "commands.hpp"
#include "i18n.hpp"
#include "manifest_json_schema.hpp"
#include "options.hpp"

namespace opsgate::cli {

namespace {

int print_schema(const CommonOptions& options) {
  auto repo = try_open(options.repo);  // for --rules REV:PATH
  auto rules = load_rule_set(options.rules, options.env, repo ? &*repo : nullptr);
  if (!rules) return report_error(rules.error());
  fmt::print("{}", manifest_json_schema(*rules));
  return k_exit_pass;
}

}  // namespace

void register_schema(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<CommonOptions>();
  CLI::App* command = app.add_subcommand(
      "schema",
      std::string(
          tr("Print the JSON Schema of operability.toml for the loaded packs (for editors)")));
  add_rules_options(*command, *options);
  command->callback([options, &exit_code] { exit_code = print_schema(*options); });
}

}  // namespace opsgate::cli
