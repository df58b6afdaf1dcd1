#pragma once
// The pure core: a manifest, the rules and the files at the revision in; findings out. It
// never prints, never reads the clock (EvalContext::at is an input) and never touches the
// network, so every outcome is reproducible from its inputs.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "history.hpp"
#include "manifest.hpp"
#include "markdown.hpp"
#include "rules.hpp"
#include "shared_text.hpp"
#include "timeutil.hpp"
#include "tree.hpp"

namespace opsgate {

enum class Status { pass, fail, waived, skipped };
std::string_view status_name(Status status);

struct WaiverOutcome {
  bool accepted = false;
  std::string refusal;  // why it was refused, when it was
  std::string reason;
  std::string approved_by;
  std::string expires;  // "2026-12-15", "" when absent
  SourcePos where;
};

struct Finding {
  std::string rule;
  SharedText title;  // the rule's, shared
  Status status = Status::pass;
  Severity severity = Severity::error;
  std::string area;
  int level = 0;  // 0 for the gate's own GATE-* findings
  std::string message;
  SourcePos where;  // in the manifest; line 0 when no key is involved
  SharedText help;  // the rule's, shared
  // How a [[waiver]] of the rule was judged; null for most findings, so held by pointer
  // (inline, it was 184 of a finding's bytes).
  std::shared_ptr<const WaiverOutcome> waiver;
};

struct ManifestResult {
  std::string path;
  std::string blob;
  std::string service;
  int level = 0;
  bool passed = true;
  std::vector<Finding> findings;  // sorted by rule id
};

struct EvalContext {
  std::string environment = "production";
  Instant at;
  Severity fail_on = Severity::error;
  std::optional<int> min_level;
  std::optional<std::string> emergency;  // --emergency REASON
  const Tree* tree = nullptr;            // the files at the evaluated revision
  History* history = nullptr;            // its first-parent history; null when there is none
  const RuleSet* rules = nullptr;        // freezes and holidays for window_open (evaluate_manifest)
  // Paths the change touches (--base); std::nullopt when the change is unknown.
  std::optional<std::vector<std::string>> changed_paths;
  // Findings about the whole run (GATE-RULES-CHANGED), added to every manifest's result.
  std::vector<Finding> run_findings;
};

// Parsed markdown headings by repository path, shared by every rule of a run.
using HeadingCache = std::map<std::string, std::optional<std::vector<Heading>>, std::less<>>;

// `base` is the same manifest at the base of the change (--base), when it existed there; it
// lets the gate flag waivers the change adds or extends (GATE-WAIVER-ADDED).
ManifestResult evaluate_manifest(const Manifest& manifest, const RuleSet& rules,
                                 const EvalContext& context, HeadingCache& headings,
                                 const Manifest* base = nullptr);

// The result for a manifest path that does not exist at the revision (GATE-MANIFEST).
ManifestResult evaluate_missing_manifest(const std::string& path, const RuleSet& rules,
                                         const EvalContext& context);

// One of the gate's own findings (GATE-*, area "gate", level 0).
Finding make_gate_finding(std::string id, SharedText title, Status status, Severity severity,
                          std::string message, SourcePos where, SharedText help);

// True when `finding` fails the gate at `fail_on`.
bool fails_gate(const Finding& finding, Severity fail_on);

}  // namespace opsgate
