#pragma once
// What evaluation produces: one finding per rule and manifest, and a manifest's result.

#include <memory>
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
