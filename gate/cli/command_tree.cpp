#include "command_tree.hpp"

#include <fmt/format.h>

namespace opsgate::cli {

namespace {

// CLI11 appends each validator's description to the type name: "TEXT:{auto,gitlab}" for
// CLI::IsMember and for a described_choices() option. Those braces are the value set.
std::vector<std::string> choices_of(const std::string& type_name) {
  const std::size_t open = type_name.find(":{");
  if (open == std::string::npos || !type_name.ends_with('}')) return {};
  std::vector<std::string> values;
  std::string_view rest(type_name);
  rest = rest.substr(open + 2, rest.size() - open - 3);
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    values.emplace_back(rest.substr(0, comma));
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return values;
}

std::string base_type_name(const std::string& type_name) {
  return type_name.substr(0, type_name.find(':'));
}

// What a value names, where the choices do not tell: a rule pack for --rules, a rule id for
// explain, a directory for a repository; nothing to offer for a number. Everything else
// completes as a path, as a shell does by default.
ValueKind kind_of(const std::vector<std::string>& path, const std::string& name,
                  const std::string& value_name, bool has_choices) {
  if (has_choices) return ValueKind::choice;
  if (name == "rules") return ValueKind::pack;
  if (name == "rule" && path == std::vector<std::string>{"explain"}) return ValueKind::rule_id;
  if (name == "repo" || name == "dir") return ValueKind::directory;
  if (value_name == "INT" || value_name == "UINT" || value_name == "FLOAT") return ValueKind::text;
  return ValueKind::path;
}

CommandSpec describe(const CLI::App& app, std::vector<std::string> path) {
  CommandSpec spec;
  spec.path = path;
  spec.name = path.empty() ? app.get_name() : path.back();
  spec.description = app.get_description();
  spec.subcommand_required = app.get_require_subcommand_min() > 0;
  for (const CLI::Option* option : app.get_options()) {
    if (option->get_group().empty()) continue;  // hidden
    const std::string type_name = option->get_type_name();
    std::vector<std::string> choices = choices_of(type_name);
    const bool flag = option->get_expected_max() == 0;
    const bool repeatable = option->get_items_expected_max() > 1 ||
                            option->get_multi_option_policy() == CLI::MultiOptionPolicy::TakeAll;
    if (option->get_positional()) {
      PositionalSpec positional;
      positional.name = option->get_name(true);
      positional.value_name = base_type_name(type_name);
      positional.repeatable = repeatable;
      positional.required = option->get_required();
      positional.description = option->get_description();
      positional.kind = kind_of(path, positional.name, positional.value_name, !choices.empty());
      spec.positionals.push_back(std::move(positional));
      continue;
    }
    OptionSpec spec_option;
    spec_option.long_names = option->get_lnames();
    spec_option.short_names = option->get_snames();
    // A flag takes no value, unless it names its values (--post-status[=PROVIDER]).
    spec_option.value_name = flag && choices.empty() ? "" : base_type_name(type_name);
    if (spec_option.value_name.empty() && !choices.empty()) spec_option.value_name = "VALUE";
    spec_option.value_optional = flag && !choices.empty();
    spec_option.repeatable = !flag && repeatable;
    spec_option.required = option->get_required();
    spec_option.description = option->get_description();
    spec_option.default_value = option->get_default_str();
    const std::string& name = spec_option.long_names.empty() ? spec_option.short_names.front()
                                                             : spec_option.long_names.front();
    spec_option.kind = kind_of(path, name, spec_option.value_name, !choices.empty());
    spec_option.choices = std::move(choices);
    spec.options.push_back(std::move(spec_option));
  }
  for (const CLI::App* sub : app.get_subcommands({})) {
    if (sub->get_group().empty()) continue;  // hidden
    std::vector<std::string> sub_path = path;
    sub_path.push_back(sub->get_name());
    spec.subcommands.push_back(describe(*sub, std::move(sub_path)));
  }
  return spec;
}

}  // namespace

std::string CommandSpec::full_name() const {
  return path.empty() ? name : fmt::format("opsgate {}", fmt::join(path, " "));
}

CommandSpec describe_cli(const CLI::App& app) {
  return describe(app, {});
}

}  // namespace opsgate::cli
