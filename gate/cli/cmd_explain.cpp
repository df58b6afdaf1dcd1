// opsgate explain RULE-ID: a rule's title, area, severity, level, rationale and fix.

#include <fmt/format.h>

#include <string_view>
#include <vector>

#include "commands.hpp"
#include "i18n.hpp"
#include "options.hpp"
#include "suggest.hpp"
#include "terminal_text.hpp"
#include "toml_util.hpp"

namespace opsgate::cli {

namespace {

struct BuiltIn {
  std::string_view id, title, severity, help;
};

// The gate's own findings, which no pack defines.
constexpr BuiltIn k_builtins[] = {
    {"GATE-MANIFEST", tr_noop("The service declares an operability manifest"), "error",
     tr_noop("The manifest (operability.toml) is missing at the evaluated revision. Run `opsgate "
             "init`, "
             "fill it in and commit it.")},
    {"GATE-SCHEMA", tr_noop("The manifest follows schema 1"), "error",
     tr_noop(
         "A key is missing, misspelt, of the wrong type or outside its enumeration (schema 1's, or "
         "the type a loaded pack declares). The finding names the key and its line:column. A "
         "top-level table named a typo away from one of schema 1's is a warning.")},
    {"GATE-WAIVER", tr_noop("Waivers name loaded rules"), "warning",
     tr_noop("A [[waiver]] names a rule no loaded pack defines: remove it or fix the id.")},
    {"GATE-MIN-LEVEL", tr_noop("The service reaches the required maturity level"), "error",
     tr_noop(
         "--min-level asks for a maturity level the manifest does not reach; fix the failing rules "
         "of the levels up to it.")},
    {"GATE-RULES-CHANGED", tr_noop("The change does not rewrite the rules that judge it"),
     tr_noop("error (warning when the rules were read from the base side)"),
     tr_noop(
         "The change (--base..--rev) modifies rule files this run loaded from the same repository. "
         "Read repository rules from the target side (--rules origin/main:.opsgate/rules) so a "
         "change cannot judge itself with rules it rewrote, and review rule changes on their "
         "own.")},
    {"GATE-WAIVER-ADDED", tr_noop("The change adds no waiver unnoticed"), "warning",
     tr_noop("The change adds a [[waiver]] or moves its expiry later. It is accepted if valid; the "
             "warning asks the approver for a second look (--fail-on warning makes it blocking).")},
    {"GATE-LEVEL-DROP", tr_noop("The change keeps the service's maturity level"), "error",
     tr_noop(
         "With --base: the service's level at the revision is lower than at the merge base, both "
         "judged with the same rules, --at, --env and stage. Fix the rules that now fail; a pack "
         "that does not want the ratchet sets [pack] ratchet = false.")},
    {"GATE-EVIDENCE-REMOVED", tr_noop("The change keeps the evidence the rules checked"), "error",
     tr_noop(
         "With --base: the change deletes or empties a file the manifest names, or removes a key, "
         "that a rule checked and passed at the merge base. Restore it, or point the manifest at "
         "where the evidence now lives.")},
    {"GATE-SCOPE-CHANGED", tr_noop("The change keeps the rules that apply to the service"),
     "warning",
     tr_noop("With --base: the change makes rules that applied at the merge base stop applying (a "
             "lower "
             "service.tier, stateful = false, ...); the finding lists them. Say why in the merge "
             "request "
             "so the ops team can take a second look.")},
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
      "explain", std::string(tr("Print a rule's title, area, severity, level, rationale and fix")));
  command->add_option("rule", *id, std::string(tr("Rule id, e.g. BKP-002")))->required();
  add_rules_options(*command, *options);
  command->callback([options, id, &exit_code] {
    for (const BuiltIn& builtin : k_builtins) {
      if (builtin.id != *id) continue;
      fmt::print("{}: {}\n{}\n\n{}\n", builtin.id, tr(builtin.title),
                 trf("  area: gate (built in)\n  severity: {}", tr(builtin.severity)),
                 tr(builtin.help));
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
      std::vector<std::string_view> ids;
      for (const Rule& loaded : rules->rules) ids.push_back(loaded.id);
      for (const BuiltIn& builtin : k_builtins) ids.push_back(builtin.id);
      const auto guess = closest_id(*id, ids);
      exit_code = report_error(Error{
          ErrorKind::not_found,
          guess ? trf("no rule {} in the loaded packs; did you mean {}? (`opsgate rules list` "
                      "lists them)",
                      *id, *guess)
                : trf("no rule {} in the loaded packs (`opsgate rules list` lists them)", *id),
          std::nullopt});
      return;
    }
    // Everything below comes from a rule file: made inert (escape_control); the help keeps its
    // lines.
    const Pack& pack = rules->packs[rule->pack];
    auto line = [](std::string_view text) { return escape_control(text); };
    // `every` is "all" in the context of what the list holds (French agrees it with the noun).
    auto list = [&](const std::vector<std::string>& items, std::string_view every) {
      return items.empty() ? std::string(every) : line(fmt::format("{}", fmt::join(items, ", ")));
    };
    fmt::print("{}: {}\n", line(rule->id), line(rule->title));
    fmt::print("{}\n", trf("  area: {}\n  severity: {}\n  level: {}", line(rule->area),
                           tr(severity_name(rule->severity)), rule->level));
    fmt::print("{}\n", trf("  environments: {}\n  tiers: {}",
                           list(rule->environments, trc("environments", "all")),
                           list(rule->tiers, trc("tiers", "all"))));
    if (!rule->stages.empty()) {
      std::vector<std::string_view> stages;
      for (Stage stage : rule->stages) stages.push_back(stage_name(stage));
      fmt::print("{}\n", trf("  stages: {}", fmt::join(stages, ", ")));
    }
    if (!rule->when_changed.empty())
      fmt::print("{}\n", trf("  when changed: {}", list(rule->when_changed, {})));
    for (const Condition& condition : rule->when)
      fmt::print("{}\n", trf("  applies when: {}", line(describe_condition(condition))));
    for (const Condition& condition : rule->check)
      fmt::print("{}\n", trf("  checks: {}", line(describe_condition(condition))));
    fmt::print("{}\n", trf("  waivable: {}", rule->waivable ? tr("yes") : tr("no")));
    fmt::print("{}\n", trf("  pack: {}{} ({})", line(pack.name),
                           pack.version.empty() ? "" : " " + line(pack.version),
                           line(rule->where.to_string())));
    if (!rule->help.empty()) fmt::print("\n{}\n", escape_control(rule->help, TextShape::block));
    exit_code = k_exit_pass;
  });
}

}  // namespace opsgate::cli
