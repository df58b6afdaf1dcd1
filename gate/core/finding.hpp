#pragma once
// What evaluation produces: one finding per rule and manifest, and a manifest's result.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "error.hpp"
#include "rules.hpp"
#include "shared_text.hpp"

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
  // With --base, on a failed finding: whether the change brings it (it passed, was skipped or
  // was absent at the merge base) or it already failed there. Unset otherwise.
  std::optional<bool> is_new;
  // Why a failure does not fail the gate although its severity would (--fail-on-new: it was
  // already failing at the merge base); empty for every other finding.
  std::string tolerated;
};

struct ManifestResult {
  std::string path;
  std::string blob;
  std::string service;
  int level = 0;
  bool passed = true;
  std::vector<Finding> findings;  // sorted by rule id
};

}  // namespace opsgate
