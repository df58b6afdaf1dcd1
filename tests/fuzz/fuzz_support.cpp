#include "fuzz_support.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "manifest.hpp"
#include "rule_sources.hpp"

namespace opsgate::fuzz {

namespace {

std::string read_source_file(const std::string& relative) {
  const std::string path = std::string(OPSGATE_FUZZ_SOURCE_DIR) + "/" + relative;
  std::ifstream in(path, std::ios::binary);
  if (!in) violated("a sample file of the source tree cannot be read", path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

bool is_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t tail = 0;
    std::uint32_t code = 0, minimum = 0;
    if (lead < 0x80) {
      ++i;
      continue;
    } else if ((lead & 0xE0) == 0xC0) {
      tail = 1, code = lead & 0x1F, minimum = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      tail = 2, code = lead & 0x0F, minimum = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      tail = 3, code = lead & 0x07, minimum = 0x10000;
    } else {
      return false;
    }
    if (text.size() - i <= tail) return false;
    for (std::size_t k = 1; k <= tail; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = code << 6 | (next & 0x3F);
    }
    if (code < minimum || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    i += tail + 1;
  }
  return true;
}

const Tree& sample_tree() {
  static const MemoryTree tree = [] {
    MemoryTree built;
    built.add("operability.toml", std::string(sample_manifest_text()));
    built.add("docs/runbook.md", read_source_file("examples/billing-api/docs/runbook.md"));
    built.add("monitoring/alerts.yaml",
              read_source_file("examples/billing-api/monitoring/alerts.yaml"));
    built.add("scripts/rollback.sh", "#!/bin/sh\nkubectl argo rollouts undo billing-api\n", true);
    built.add("README.md", "# billing-api\n\n## Runbook\n\nSee docs/runbook.md.\n");
    return built;
  }();
  return tree;
}

History& sample_history() {
  static MemoryHistory history({
      {"1111111111111111111111111111111111111111",
       Seconds(std::chrono::sys_days(std::chrono::year(2026) / 11 / 20)),
       {{"operability.toml", "b1"}, {"docs/runbook.md", "r2"}}},
      {"2222222222222222222222222222222222222222",
       Seconds(std::chrono::sys_days(std::chrono::year(2026) / 10 / 1)),
       {{"operability.toml", "b0"}, {"docs/runbook.md", "r2"}}},
      {"3333333333333333333333333333333333333333",
       Seconds(std::chrono::sys_days(std::chrono::year(2025) / 1 / 1)),
       {{"operability.toml", "b0"}, {"docs/runbook.md", "r1"}}},
  });
  return history;
}

Instant sample_instant() {
  static const Instant at = [] {
    auto parsed = parse_rfc3339("2026-11-26T10:00:00+01:00");
    if (!parsed) violated("the sample instant does not parse", parsed.error().message);
    return *parsed;
  }();
  return at;
}

const PackSource& baseline_source() {
  static const PackSource source = [] {
    auto read = read_pack_source(std::string(OPSGATE_FUZZ_SOURCE_DIR) + "/rules/baseline", nullptr);
    if (!read) violated("the baseline pack cannot be read", read.error().to_string());
    return std::move(*read);
  }();
  return source;
}

const RuleSet& baseline_rules() {
  static const RuleSet rules = [] {
    RuleSetBuilder builder;
    if (auto added = builder.add(baseline_source()); !added)
      violated("the baseline pack does not load", added.error().to_string());
    auto built = builder.finish();
    if (!built) violated("the baseline pack does not load", built.error().to_string());
    return std::move(*built);
  }();
  return rules;
}

std::string_view sample_manifest_text() {
  static const std::string text = read_source_file("examples/billing-api/operability.toml");
  return text;
}

ManifestResult evaluate_in_sample_world(const Manifest& manifest, const RuleSet& rules,
                                        std::string_view environment) {
  EvalContext context;
  context.environment = std::string(environment);
  context.at = sample_instant();
  context.tree = &sample_tree();
  context.history = &sample_history();
  context.changed_paths = std::vector<std::string>{"operability.toml", "docs/runbook.md"};
  HeadingCache headings;
  ManifestResult result = evaluate_manifest(manifest, rules, context, headings);
  check_manifest_result(result, rules);
  return result;
}

void check_manifest_result(const ManifestResult& result, const RuleSet& rules) {
  if (!std::is_sorted(result.findings.begin(), result.findings.end(),
                      [](const Finding& a, const Finding& b) { return a.rule < b.rule; }))
    violated("findings are not sorted by rule id");
  if (result.level < 0 || result.level > 5) violated("a maturity level outside 0..5");
  bool fails = std::any_of(result.findings.begin(), result.findings.end(),
                           [](const Finding& f) { return fails_gate(f, Severity::error); });
  if (result.passed == fails) violated("the manifest outcome disagrees with its findings");
  std::size_t rule_findings =
      std::count_if(result.findings.begin(), result.findings.end(),
                    [](const Finding& f) { return !f.rule.starts_with("GATE-"); });
  if (rule_findings != rules.rules.size()) violated("not exactly one finding per loaded rule");
}

}  // namespace opsgate::fuzz
