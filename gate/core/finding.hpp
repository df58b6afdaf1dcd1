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
#include "timeutil.hpp"

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
  // With waiver_proof = "signed": the refusal's fixed code (approval.hpp's refusal_code), or
  // what proved the waiver when it was accepted.
  std::string code;
  std::string proof;
};

// Who last changed the manifest line a failed finding points at (blame over the whole
// history), or why that is unknown. Never part of a verdict.
struct Provenance {
  std::string commit;  // 40-hex; empty when unknown
  std::string author;
  std::string email;
  Seconds when{};       // author date
  std::string unknown;  // why it is unknown, when it is
};

// The commit that last changed a file a freshness check (changed_within_days) read.
struct Evidence {
  std::string path;
  std::string commit;  // 40-hex; empty when unknown
  std::string author;
  std::string email;
  Seconds when{};  // committer date, as the check counts it
};

struct Finding {
  std::string rule;
  SharedText title;  // the rule's, shared
  // The title in English when `title` is translated, shared too: JUnit's test names and SARIF's
  // rule names read it (identifiers a CI keeps history by, the same in every language); empty
  // otherwise.
  SharedText english_title;
  Status status = Status::pass;
  Severity severity = Severity::error;
  std::string area;
  int level = 0;        // 0 for the gate's own GATE-* findings
  std::string message;  // in the process's language
  // A GATE-* finding's message in English when `message` is translated (its fingerprint reads
  // it, so that fingerprints are the same in every language); empty otherwise.
  std::string english_message;
  SourcePos where;  // in the manifest; line 0 when no key is involved
  SharedText help;  // the rule's, shared
  // How a [[waiver]] of the rule was judged; null for most findings, so held by pointer
  // (inline, it was 184 of a finding's bytes).
  std::shared_ptr<const WaiverOutcome> waiver;
  // With --base, on a failed finding: whether the change brings it (it passed, was skipped or
  // was absent at the merge base) or it already failed there. Unset otherwise.
  std::optional<bool> is_new;
  // On a failed finding at a manifest key of a committed revision; null otherwise.
  std::shared_ptr<const Provenance> provenance;
  // The files a changed_within_days check read, passing or not; null when none.
  std::shared_ptr<const std::vector<Evidence>> evidence;
  // Why a failure does not fail the gate although its severity would (--fail-on-new: it was
  // already failing at the merge base); empty for every other finding.
  std::string tolerated;

  const SharedText& title_in_english() const {
    return english_title.empty() ? title : english_title;
  }
};

struct ManifestResult {
  std::string path;
  std::string blob;
  std::string service;
  std::string owner;  // service.owner and service.tier when they are strings (the fleet view
  std::string tier;   // groups by them), else ""
  int level = 0;
  bool passed = true;
  std::vector<Finding> findings;  // sorted by rule id
};

}  // namespace opsgate
