#pragma once
// Builders shared by the unit tests: rule sets from TOML text, manifests from TOML text, an
// evaluation context over a MemoryTree. Each throws (failing the test) when its input is invalid,
// so a test only spells out what it is about.

#include <stdexcept>
#include <string>
#include <vector>

#include "evaluate.hpp"
#include "manifest.hpp"
#include "rules.hpp"
#include "timeutil.hpp"
#include "tree.hpp"

namespace opsgate::test {

inline Instant instant(const std::string& rfc3339) {
  auto parsed = parse_rfc3339(rfc3339);
  if (!parsed) throw std::runtime_error(parsed.error().to_string());
  return *parsed;
}

// One pack made of one rule file.
inline PackSource pack_source(const std::string& text, const std::string& name = "test",
                              const std::string& path = "rules/test.toml") {
  return PackSource{"rules/" + name, name, {RuleFile{path, text}}};
}

// Loads the packs in order; the error of the first failing step as text when loading fails.
inline Expected<RuleSet> try_rules(const std::vector<PackSource>& packs) {
  RuleSetBuilder builder;
  for (const PackSource& pack : packs)
    if (auto ok = builder.add(pack); !ok) return std::unexpected(ok.error());
  return builder.finish();
}

inline RuleSet rules_from(const std::string& text) {
  auto rules = try_rules({pack_source(text)});
  if (!rules) throw std::runtime_error("rules: " + rules.error().to_string());
  return std::move(*rules);
}

inline Manifest manifest_from(const std::string& text, const std::string& path = "operability.toml",
                              const PackKeys* keys = nullptr) {
  auto manifest = parse_manifest(text, path, hash_blob(text), keys);
  if (!manifest) throw std::runtime_error("manifest: " + manifest.error().to_string());
  return std::move(*manifest);
}

// A schema-valid manifest header; tests append the tables they are about.
inline constexpr const char* k_service_header =
    "schema = 1\n"
    "[service]\n"
    "name = \"billing-api\"\n"
    "owner = \"team-payments\"\n";

inline EvalContext context_over(const Tree& tree,
                                const std::string& at = "2026-11-26T10:00:00+01:00") {
  EvalContext context;
  context.at = instant(at);
  context.tree = &tree;
  return context;
}

inline ManifestResult evaluate(const std::string& manifest_text, const std::string& rules_text,
                               const EvalContext& context,
                               const std::string& path = "operability.toml") {
  RuleSet rules = rules_from(rules_text);
  Manifest manifest = manifest_from(manifest_text, path, &rules.keys);
  HeadingCache headings;
  return evaluate_manifest(manifest, rules, context, headings);
}

// A copy, so that `const Finding& f = finding_of(run(...), id)` stays valid.
inline Finding finding_of(const ManifestResult& result, const std::string& rule) {
  for (const Finding& finding : result.findings)
    if (finding.rule == rule) return finding;
  throw std::runtime_error("no finding for " + rule);
}

inline std::vector<const Finding*> findings_of(const ManifestResult& result,
                                               const std::string& rule) {
  std::vector<const Finding*> out;
  for (const Finding& finding : result.findings)
    if (finding.rule == rule) out.push_back(&finding);
  return out;
}

// One rule `id` at `level` with `severity` whose check is `check` (a TOML inline table body).
inline std::string rule_text(const std::string& id, const std::string& check, int level = 1,
                             const std::string& severity = "error", const std::string& extra = "") {
  return "[[rule]]\n"
         "id = \"" +
         id +
         "\"\n"
         "area = \"backup\"\n"
         "title = \"" +
         id +
         " holds\"\n"
         "severity = \"" +
         severity +
         "\"\n"
         "level = " +
         std::to_string(level) + "\n" + extra + "check = [ { " + check + " } ]\n";
}

}  // namespace opsgate::test
