// opsgate explain RULE-ID: a rule's title, area, severity, level, rationale and fix.

#include <fmt/format.h>

#include <string_view>
#include <vector>

#include "commands.hpp"
#include "options.hpp"
#include "terminal_text.hpp"
#include "toml_util.hpp"

namespace opsgate::cli {

namespace {

struct BuiltIn {
  std::string_view id, title, severity, help;
};

// The gate's own findings, which no pack defines.
constexpr BuiltIn k_builtins[] = {
    {"GATE-MANIFEST", "The service declares an operability manifest", "error",
     "The manifest (operability.toml) is missing at the evaluated revision. Run `opsgate init`, "
     "fill it in and commit it."},
    {"GATE-SCHEMA", "The manifest follows schema 1", "error",
     "A key is missing, misspelt, of the wrong type or outside its enumeration (schema 1's, or "
     "the type a loaded pack declares). The finding names the key and its line:column. A "
     "top-level table named a typo away from one of schema 1's is a warning."},
    {"GATE-WAIVER", "Waivers name loaded rules", "warning",
     "A [[waiver]] names a rule no loaded pack defines: remove it or fix the id."},
    {"GATE-MIN-LEVEL", "The service reaches the required maturity level", "error",
     "--min-level asks for a maturity level the manifest does not reach; fix the failing rules "
     "of the levels up to it."},
    {"GATE-RULES-CHANGED", "The change does not rewrite the rules that judge it",
     "error (warning when the rules were read from the base side)",
     "The change (--base..--rev) modifies rule files this run loaded from the same repository. "
     "Read repository rules from the target side (--rules origin/main:.opsgate/rules) so a "
     "change cannot judge itself with rules it rewrote, and review rule changes on their own."},
    {"GATE-WAIVER-ADDED", "The change adds no waiver unnoticed", "warning",
     "The change adds a [[waiver]] or moves its expiry later. It is accepted if valid; the "
     "warning asks the approver for a second look (--fail-on warning makes it blocking)."},
    {"GATE-LEVEL-DROP", "The change keeps the service's maturity level", "error",
     "With --base: the service's level at the revision is lower than at the merge base, both "
     "judged with the same rules, --at, --env and stage. Fix the rules that now fail; a pack "
     "that does not want the ratchet sets [pack] ratchet = false."},
    {"GATE-EVIDENCE-REMOVED", "The change keeps the evidence the rules checked", "error",
     "With --base: the change deletes or empties a file the manifest names, or removes a key, "
     "that a rule checked and passed at the merge base. Restore it, or point the manifest at "
     "where the evidence now lives."},
    {"GATE-SCOPE-CHANGED", "The change keeps the rules that apply to the service", "warning",
     "With --base: the change makes rules that applied at the merge base stop applying (a lower "
     "service.tier, stateful = false, ...); the finding lists them. Say why in the merge request "
     "so the ops team can take a second look."},
};

std::string describe_condition(const Condition& condition) {
  std::string out = condition.key;
  for (const Operator& op : condition.ops)
    out += fmt::format(" {} {}", op_name(op.kind), describe_value(*op.value));
  return out;
}

}  // namespace

void register_explain(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<CommonOptions>();
  auto id = std::make_shared<std::string>();
  CLI::App* command = app.add_subcommand(
      "explain", "Print a rule's title, area, severity, level, rationale and fix");
  command->add_option("rule", *id, "Rule id, e.g. BKP-002")->required();
  add_rules_options(*command, *options);
  command->callback([options, id, &exit_code] {
    for (const BuiltIn& builtin : k_builtins) {
      if (builtin.id != *id) continue;
      fmt::print("{}: {}\n  area: gate (built in)\n  severity: {}\n\n{}\n", builtin.id,
                 builtin.title, builtin.severity, builtin.help);
      exit_code = k_exit_pass;
      return;
    }
    auto repo = try_open(".");
    auto rules = load_rule_set(options->rules, options->env, repo ? &*repo : nullptr);
    if (!rules) {
      exit_code = report_error(rules.error());
      return;
    }
    const Rule* rule = rules->find(*id);
    if (!rule) {
      exit_code = report_error(Error{
          ErrorKind::not_found,
          fmt::format("no rule {} in the loaded packs (`opsgate rules list` lists them)", *id),
          std::nullopt});
      return;
    }
    // Everything below comes from a rule file: made inert (escape_control); the help keeps its
    // lines.
    const Pack& pack = rules->packs[rule->pack];
    auto line = [](std::string_view text) { return escape_control(text); };
    auto list = [&](const std::vector<std::string>& items) {
      return items.empty() ? std::string("all") : line(fmt::format("{}", fmt::join(items, ", ")));
    };
    fmt::print("{}: {}\n", line(rule->id), line(rule->title));
    fmt::print("  area: {}\n  severity: {}\n  level: {}\n", line(rule->area),
               severity_name(rule->severity), rule->level);
    fmt::print("  environments: {}\n  tiers: {}\n", list(rule->environments), list(rule->tiers));
    if (!rule->stages.empty()) {
      std::vector<std::string_view> stages;
      for (Stage stage : rule->stages) stages.push_back(stage_name(stage));
      fmt::print("  stages: {}\n", fmt::join(stages, ", "));
    }
    if (!rule->when_changed.empty()) fmt::print("  when changed: {}\n", list(rule->when_changed));
    for (const Condition& condition : rule->when)
      fmt::print("  applies when: {}\n", line(describe_condition(condition)));
    for (const Condition& condition : rule->check)
      fmt::print("  checks: {}\n", line(describe_condition(condition)));
    fmt::print("  waivable: {}\n", rule->waivable ? "yes" : "no");
    fmt::print("  pack: {}{} ({})\n", line(pack.name),
               pack.version.empty() ? "" : " " + line(pack.version), line(rule->where.to_string()));
    if (!rule->help.empty()) fmt::print("\n{}\n", escape_control(rule->help, TextShape::block));
    exit_code = k_exit_pass;
  });
}

}  // namespace opsgate::cli
