#pragma once
// The pure core: a manifest, the rules and the files at the revision in; findings out. It
// never prints, never reads the clock (EvalContext::at is an input) and never touches the
// network, so every outcome is reproducible from its inputs.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "eval_context.hpp"
#include "finding.hpp"
#include "i18n.hpp"
#include "manifest.hpp"
#include "rules.hpp"

namespace opsgate {

// `base` is the same manifest at the base of the change (--base), when it existed there; it
// lets the gate flag waivers the change adds or extends (GATE-WAIVER-ADDED).
ManifestResult evaluate_manifest(const Manifest& manifest, const RuleSet& rules,
                                 const EvalContext& context, HeadingCache& headings,
                                 const Manifest* base = nullptr);

// The result for a manifest path that does not exist at the revision (GATE-MANIFEST).
// `why` says what happened to it when the gate knows more than "it does not exist" (the base
// had it and the change removed it, or turned it into a symlink).
ManifestResult evaluate_missing_manifest(const std::string& path, const RuleSet& rules,
                                         const EvalContext& context, const LocalText& why = {});

// A GATE-* finding's message in the process's language, and in English when it differs: a
// GATE-* finding's fingerprint includes its message and must be the same in every language.
using GateMessage = LocalText;
// `msgid` (a {fmt} format, translated by the catalog) formatted with `args`. A message built
// from several translated parts is made with say_in_both (i18n.hpp) instead.
template <typename... Args>
GateMessage gate_message(std::string_view msgid, const Args&... args) {
  std::string english = fmt::format(fmt::runtime(msgid), args...);
  if (language() == Lang::en) return {std::move(english), {}};
  return {trf(msgid, args...), std::move(english)};
}

// A GATE-* finding's title in a language, and in English when that differs (as a rule's:
// Finding::english_title).
struct GateTitle {
  SharedText text;
  SharedText english;  // empty when `text` is English
};
// `msgid` (marked with tr_noop) as a title in `lang`: a title many findings share is made once
// per language.
GateTitle gate_title(std::string_view msgid, Lang lang = language());

// One of the gate's own findings (GATE-*, area "gate", level 0).
Finding make_gate_finding(std::string id, GateTitle title, Status status, Severity severity,
                          std::string message, SourcePos where, SharedText help);
Finding make_gate_finding(std::string id, GateTitle title, Status status, Severity severity,
                          GateMessage message, SourcePos where, SharedText help);

// The gate's own findings carry the reserved GATE- prefix (packs cannot use it).
bool is_gate_finding(const Finding& finding);

// True when `finding` fails the gate at `fail_on`.
bool fails_gate(const Finding& finding, Severity fail_on);

}  // namespace opsgate
