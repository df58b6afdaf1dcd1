// Fuzz target `rules`: the input is the text of one rule file, loaded as a pack of its own and,
// when it overrides something, as a pack over the baseline. A loaded rule set must hold its
// documented invariants and evaluate the sample manifest (every operator, with the fuzzed operator
// values, against a real manifest and a small repository); its freezes and holidays must close
// the sample release window without trouble. A malformed rule file is an expected Error.

#include <set>

#include "fuzz_support.hpp"
#include "manifest.hpp"
#include "window.hpp"

using namespace opsgate;

namespace {

void check_rule_set(const RuleSet& rules) {
  std::set<std::string, std::less<>> ids;
  for (std::size_t i = 0; i < rules.rules.size(); ++i) {
    const Rule& rule = rules.rules[i];
    if (i > 0 && !(rules.rules[i - 1].id < rule.id)) fuzz::violated("rules not sorted by id");
    if (!ids.insert(rule.id).second) fuzz::violated("a duplicate rule id", rule.id);
    if (rule.pack >= rules.packs.size()) fuzz::violated("a rule of no pack", rule.id);
    if (rule.level < 1 || rule.level > 5) fuzz::violated("a rule level outside 1..5", rule.id);
    if (rule.check.empty()) fuzz::violated("a rule without check", rule.id);
    for (const auto* conditions : {&rule.when, &rule.check})
      for (const Condition& condition : *conditions) {
        if (condition.key.empty() || condition.ops.empty())
          fuzz::violated("a condition without key or operator", rule.id);
        for (const Operator& op : condition.ops) {
          if (!op.value) fuzz::violated("an operator without value", rule.id);
          if (op.kind == OpKind::matches && !op.regex) fuzz::violated("matches without regex");
        }
      }
    if (!rules.find(rule.id)) fuzz::violated("RuleSet::find misses a rule", rule.id);
  }
  if (rules.calendars.size() != rules.packs.size()) fuzz::violated("a pack without calendar");
  for (const Calendar& calendar : rules.calendars)
    for (const Freeze& freeze : calendar.freezes)
      if (!(freeze.from < freeze.to)) fuzz::violated("a freeze that does not end after it starts");
}

const Manifest& sample_manifest() {
  static const Manifest manifest = [] {
    auto parsed = parse_manifest(fuzz::sample_manifest_text(), "operability.toml", "sample");
    if (!parsed) fuzz::violated("the sample manifest does not parse", parsed.error().message);
    return std::move(*parsed);
  }();
  return manifest;
}

// A manifest with team tables and odd values for rules on custom keys.
const Manifest& custom_manifest() {
  static const Manifest manifest = [] {
    auto parsed = parse_manifest(
        "schema = 1\n"
        "[service]\nname = \"ünï-cødé\"\nowner = \"x\"\ntier = \"low\"\nstateful = false\n"
        "[security]\npentest_date = 2026-01-31\nscore = 7.5\nlist = [1, \"two\", 3.0]\n"
        "stamp = 2026-11-26T09:59:59Z\nlocal = 2026-11-26T09:59:59\nempty = \"\"\n"
        "nested = { a = { b = { c = [] } } }\n"
        "[[waiver]]\nrule = \"ACME-1\"\nreason = \"r\"\nexpires = 2026-12-01\n"
        "approved_by = \"ops@example.org\"\n",
        "services/custom/operability.toml", "custom");
    if (!parsed) fuzz::violated("the custom manifest does not parse", parsed.error().message);
    return std::move(*parsed);
  }();
  return manifest;
}

const Schedule& sample_schedule() {
  static const Schedule schedule = [] {
    std::vector<SchemaProblem> problems;
    Schedule parsed = parse_schedule(*sample_manifest().doc["release_window"].as_table(),
                                     "release_window", "operability.toml", problems);
    if (!problems.empty()) fuzz::violated("the sample window is invalid", problems[0].message);
    return parsed;
  }();
  return schedule;
}

void use(const RuleSet& rules) {
  check_rule_set(rules);
  for (std::string_view environment : {"production", "staging"})
    if (check_environment(rules, environment)) {
      fuzz::evaluate_in_sample_world(sample_manifest(), rules, environment);
      fuzz::evaluate_in_sample_world(custom_manifest(), rules, environment);
      WindowState state =
          window_state(sample_schedule(), rules.calendars, environment, fuzz::sample_instant().utc);
      if (state.open && state.next_open) fuzz::violated("an open window with a next opening");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(fuzz::as_text(data, size));
  const PackSource fuzzed{"rules/fuzz.toml", "fuzz", {RuleFile{"rules/fuzz.toml", text}}, {}};

  RuleSetBuilder alone;
  if (alone.add(fuzzed)) {
    if (auto rules = alone.finish()) use(*rules);
  }
  if (text.find("override") != std::string::npos) {
    RuleSetBuilder layered;
    if (layered.add(fuzz::baseline_source()) && layered.add(fuzzed)) {
      if (auto rules = layered.finish()) use(*rules);
    }
  }
  return 0;
}
