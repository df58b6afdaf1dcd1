#include "evaluate.hpp"

#include "i18n.hpp"

#include <fmt/format.h>
#include <fnmatch.h>
#include <strings.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <ranges>

#include "glob.hpp"
#include "manifest_schema.hpp"
#include "operators.hpp"
#include "suggest.hpp"
#include "terminal_text.hpp"
#include "toml_util.hpp"

namespace opsgate {

std::string_view status_name(Status status) {
  switch (status) {
    case Status::pass:
      return "pass";
    case Status::fail:
      return "fail";
    case Status::waived:
      return "waived";
    case Status::skipped:
      return "skipped";
  }
  return "fail";
}

GateTitle gate_title(std::string_view msgid, Lang lang) {
  if (lang == Lang::en) return {std::string(msgid), {}};
  return {std::string(tr_in(lang, msgid)), std::string(msgid)};
}

Finding make_gate_finding(std::string id, GateTitle title, Status status, Severity severity,
                          GateMessage message, SourcePos where, SharedText help) {
  Finding finding = make_gate_finding(std::move(id), std::move(title), status, severity,
                                      std::move(message.text), std::move(where), std::move(help));
  finding.english_message = std::move(message.english);
  return finding;
}

Finding make_gate_finding(std::string id, GateTitle title, Status status, Severity severity,
                          std::string message, SourcePos where, SharedText help) {
  Finding finding;
  finding.rule = std::move(id);
  finding.title = std::move(title.text);
  finding.english_title = std::move(title.english);
  finding.status = status;
  finding.severity = severity;
  finding.area = "gate";
  finding.message = std::move(message);
  finding.where = std::move(where);
  finding.help = std::move(help);
  return finding;
}

bool is_gate_finding(const Finding& finding) {
  return finding.rule.starts_with("GATE-");
}

bool fails_gate(const Finding& finding, Severity fail_on) {
  return finding.status == Status::fail && finding.severity >= fail_on && finding.tolerated.empty();
}

namespace {

Finding rule_finding(const Rule& rule) {
  Finding finding;
  finding.rule = rule.id;
  finding.title = rule.title;
  finding.english_title = rule.english_title;
  finding.severity = rule.severity;
  finding.area = rule.area;
  finding.level = rule.level;
  finding.help = rule.help;
  return finding;
}

std::string join(const std::vector<std::string>& values) {
  return fmt::format("{}", fmt::join(values, ", "));
}

bool contains(const std::vector<std::string>& values, std::string_view value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

// Why `rule` does not apply, or std::nullopt when it does.
std::optional<std::string> not_applicable(const Rule& rule, const Manifest& manifest,
                                          const EvalContext& context, HeadingCache& headings,
                                          SourcePos& where) {
  if (!rule.stages.empty() &&
      std::find(rule.stages.begin(), rule.stages.end(), context.stage) == rule.stages.end()) {
    std::vector<std::string> names;
    for (Stage stage : rule.stages) names.emplace_back(stage_name(stage));
    return trnf("only at stage {}; checking at {}", "only at stages {}; checking at {}",
                names.size(), join(names), stage_name(context.stage));
  }
  if (!rule.environments.empty() && !contains(rule.environments, context.environment))
    return trnf("only for environment {}; evaluating {}", "only for environments {}; evaluating {}",
                rule.environments.size(), join(rule.environments), context.environment);
  if (!rule.tiers.empty()) {
    auto tier = manifest.tier();
    if (!tier || !contains(rule.tiers, *tier))
      return trnf("only for tier {}; service.tier is {}", "only for tiers {}; service.tier is {}",
                  rule.tiers.size(), join(rule.tiers),
                  tier ? "\"" + *tier + "\"" : std::string(tr("not set")));
  }
  if (!rule.when_changed.empty() && context.changed_paths) {
    // The changed paths are sorted: those under the manifest's directory are one run of them.
    const std::vector<std::string>& changed = *context.changed_paths;
    const std::string prefix = manifest.dir.empty() ? std::string() : manifest.dir + "/";
    std::vector<Glob> globs(rule.when_changed.begin(), rule.when_changed.end());
    bool touched = false;
    for (auto it = std::lower_bound(changed.begin(), changed.end(), prefix);
         !touched && it != changed.end() && it->starts_with(prefix); ++it) {
      const std::string_view relative = std::string_view(*it).substr(prefix.size());
      touched = std::any_of(globs.begin(), globs.end(),
                            [&](const Glob& glob) { return glob.matches(relative); });
    }
    if (!touched) return trf("the change touches nothing matching {}", join(rule.when_changed));
  }
  for (const Condition& condition : rule.when) {
    ConditionOutcome outcome = check_condition(condition, manifest, context, headings);
    if (!outcome.holds) {
      where = outcome.where;
      return trf("not applicable: {}", outcome.message);
    }
  }
  return std::nullopt;
}

bool approver_allowed(const Pack& pack, const std::string& approver) {
  if (pack.waiver_approvers.empty()) return true;
  for (const std::string& pattern : pack.waiver_approvers)
    if (fnmatch(pattern.c_str(), approver.c_str(), FNM_CASEFOLD) == 0) return true;
  return false;
}

// The manifest lines of a [[waiver]] table: its header to its last value.
std::pair<std::size_t, std::size_t> lines_of(const toml::table& table) {
  std::size_t first = table.source().begin.line, last = table.source().end.line;
  auto widen = [&](const toml::node& node) {
    if (node.source().begin.line)
      first =
          first ? std::min<std::size_t>(first, node.source().begin.line) : node.source().begin.line;
    last = std::max<std::size_t>(last, node.source().end.line);
  };
  for (const auto& [key, value] : table) {
    widen(value);
    if (const toml::array* array = value.as_array())
      for (const toml::node& item : *array) widen(item);
  }
  return {first, std::max(first, last)};
}

std::string short_id(const std::string& commit) {
  return commit.substr(0, 12);
}

// waiver_proof = "signed": every line of the waiver's table was last changed by a commit
// signed by a key the pack trusts, whose principal is approved_by; with --base, approved_by
// authored no other commit of the change. Every line, not only the newest commit's: commit
// dates are the pusher's to choose, so "the last commit" cannot be told by date. Sets the
// outcome's code and refusal, or its proof.
void prove_waiver(WaiverOutcome& outcome, const toml::table& waiver, const Pack& pack,
                  const EvalContext& context, const std::string& path) {
  auto refuse = [&](ProofRefusal code, std::string why) {
    outcome.accepted = false;
    outcome.code = std::string(refusal_code(code));
    outcome.refusal = fmt::format("{}: {}", outcome.code, why);
  };
  if (!context.cite_provenance || !context.history || !context.approvals)
    return refuse(ProofRefusal::unattributed,
                  trf("pack {} requires signed waivers, and {} is not read from a commit whose "
                      "history can be blamed",
                      pack.name, path));
  const auto [first, last] = lines_of(waiver);
  auto blamed = context.history->blame(path, first, last, /*bounded=*/false);
  if (!blamed)
    return refuse(ProofRefusal::unattributed, trf("blame cannot attribute lines {}-{} ({})", first,
                                                  last, blamed.error().message));
  std::vector<CommitRef> commits;  // distinct, in line order
  for (std::size_t i = 0; i < blamed->size(); ++i) {
    const LineOrigin& line = (*blamed)[i];
    if (!line.origin)
      return refuse(ProofRefusal::unattributed,
                    trf("line {} cannot be attributed to a commit (the history is cut: a shallow "
                        "or partial clone)",
                        first + i));
    if (std::none_of(commits.begin(), commits.end(),
                     [&](const CommitRef& c) { return c.commit == line.origin->commit; }))
      commits.push_back(*line.origin);
  }
  std::vector<std::string> proofs;
  for (const CommitRef& commit : commits) {
    const SignatureCheck check = context.approvals->check_commit(commit.commit, pack.trust);
    const std::string by = trf("{} (by {})", short_id(commit.commit), commit.author);
    switch (check.result) {
      case SignatureCheck::Result::unsigned_commit:
        return refuse(ProofRefusal::unsigned_commit,
                      trf("the waiver was last changed in commit {}, which is not signed", by));
      case SignatureCheck::Result::unknown_key:
        return refuse(ProofRefusal::unknown_key, trf("commit {} is {}", by, check.detail));
      case SignatureCheck::Result::bad_signature:
        return refuse(ProofRefusal::bad_signature,
                      trf("the signature of commit {} is not valid: {}", by, check.detail));
      case SignatureCheck::Result::valid:
        break;
    }
    if (std::none_of(check.principals.begin(), check.principals.end(),
                     [&](const std::string& p) { return principal_names(p, outcome.approved_by); }))
      return refuse(ProofRefusal::signer_not_approver,
                    trf("commit {} is signed by {}, and the waiver says approved_by {}", by,
                        join(check.principals), outcome.approved_by));
    proofs.push_back(trf("{} signed by {} ({} key {})", short_id(commit.commit),
                         outcome.approved_by, check.format, check.key));
  }
  if (context.change_commits) {
    for (const CommitRef& other : *context.change_commits) {
      if (std::any_of(commits.begin(), commits.end(),
                      [&](const CommitRef& c) { return c.commit == other.commit; }))
        continue;
      // Equality, not a pattern: the author email is the pusher's to write.
      if (strcasecmp(other.email.c_str(), outcome.approved_by.c_str()) == 0)
        return refuse(ProofRefusal::self_approval,
                      trf("{} approved the waiver and authored commit {} of the change",
                          outcome.approved_by, short_id(other.commit)));
    }
    outcome.proof = trf("{}; the signer authored no other commit of the change", join(proofs));
  } else {
    outcome.proof = trf("{}; separation of duties not checked (no --base)", join(proofs));
  }
}

WaiverOutcome judge_waiver(const toml::table& waiver, const Rule& rule, const RuleSet& rules,
                           const EvalContext& context, const std::string& path) {
  WaiverOutcome outcome;
  outcome.where = position_of(waiver, path);
  outcome.reason = waiver["reason"].value_or(std::string());
  outcome.approved_by = waiver["approved_by"].value_or(std::string());
  auto expires = waiver["expires"].value<toml::date>();
  if (expires) outcome.expires = format_day(to_days(*expires));
  const Pack& pack = rules.packs[rule.pack];
  Days today = context.at.local_day();

  if (!rule.waivable)
    outcome.refusal = trf("rule {} is not waivable", rule.id);
  else if (is_blank_text(outcome.reason))
    outcome.refusal = tr("the waiver gives no reason");
  else if (is_blank_text(outcome.approved_by))
    outcome.refusal = tr("the waiver has no approved_by");
  else if (!approver_allowed(pack, outcome.approved_by))
    outcome.refusal = trf("{} is not among the waiver approvers of pack {} ({})",
                          outcome.approved_by, pack.name, join(pack.waiver_approvers));
  else if (!expires)
    outcome.refusal = tr("the waiver has no expires date");
  else if (to_days(*expires) < today)
    outcome.refusal = trf("expired on {}", outcome.expires);
  else if (to_days(*expires) > today + std::chrono::days(pack.max_waiver_days))
    outcome.refusal = trf("expires on {}, more than {} days after {} (max_waiver_days of pack {})",
                          outcome.expires, pack.max_waiver_days, format_day(today), pack.name);
  else
    outcome.accepted = true;
  // Signatures are checked last: only a waiver that would otherwise count costs a blame and a
  // verifier's run.
  if (outcome.accepted && pack.waiver_proof_signed)
    prove_waiver(outcome, waiver, pack, context, path);
  return outcome;
}

int manifest_level(const std::vector<Finding>& findings) {
  int highest = 0;
  for (const Finding& finding : findings) {
    if (is_gate_finding(finding)) {
      if ((finding.rule == "GATE-MANIFEST" || finding.rule == "GATE-SCHEMA") &&
          finding.status == Status::fail)
        return 0;
      continue;
    }
    if (finding.status != Status::skipped) highest = std::max(highest, finding.level);
  }
  int level = 0;
  for (int candidate = 1; candidate <= highest; ++candidate) {
    for (const Finding& finding : findings)
      if (!is_gate_finding(finding) && finding.level == candidate && finding.status == Status::fail)
        return level;
    level = candidate;
  }
  return level;
}

void finish(ManifestResult& result, const EvalContext& context) {
  result.level = manifest_level(result.findings);
  if (context.min_level && result.level < *context.min_level)
    result.findings.push_back(make_gate_finding(
        "GATE-MIN-LEVEL", gate_title(tr_noop("The service reaches the required maturity level")),
        Status::fail, Severity::error,
        gate_message("{} reaches level {}; level {} is required",
                     result.service.empty() ? result.path : result.service, result.level,
                     *context.min_level),
        SourcePos{result.path},
        std::string(tr("Fix the failing rules of the levels up to the required one."))));
  // Sorted by rule id through an index, so that each finding moves once: a stable sort of the
  // findings themselves moved each several times (3% of a 200-service check).
  std::vector<Finding>& findings = result.findings;
  std::vector<std::size_t> order(findings.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&findings](std::size_t a, std::size_t b) {
    return findings[a].rule < findings[b].rule;
  });
  std::vector<Finding> sorted;
  sorted.reserve(findings.size());
  for (std::size_t index : order) sorted.push_back(std::move(findings[index]));
  findings = std::move(sorted);
  result.passed = std::none_of(result.findings.begin(), result.findings.end(),
                               [&](const Finding& f) { return fails_gate(f, context.fail_on); });
}

// A [[waiver]] entry of a manifest that names a rule.
struct DeclaredWaiver {
  const toml::table* table;
  const toml::node* rule_node;
  std::string rule;
  std::string expires;  // "2026-12-15", "" when absent
};

std::vector<DeclaredWaiver> declared_waivers(const Manifest& manifest) {
  std::vector<DeclaredWaiver> out;
  if (const toml::array* array = manifest.doc["waiver"].as_array())
    for (const toml::node& item : *array) {
      const toml::table* waiver = item.as_table();
      const toml::node* rule = waiver ? waiver->get("rule") : nullptr;
      if (!rule || !rule->is_string()) continue;
      auto expires = (*waiver)["expires"].value<toml::date>();
      out.push_back({waiver, rule, rule->as_string()->get(),
                     expires ? format_day(to_days(*expires)) : std::string()});
    }
  return out;
}

// GATE-WAIVER-ADDED: a change must not quietly excuse itself.
void added_waivers(const Manifest& head, const Manifest& base, std::vector<Finding>& findings) {
  std::map<std::string, std::string> before;  // rule -> latest expiry at the base
  for (const DeclaredWaiver& waiver : declared_waivers(base)) {
    auto [it, inserted] = before.emplace(waiver.rule, waiver.expires);
    if (!inserted && waiver.expires > it->second) it->second = waiver.expires;
  }
  const std::string_view help =
      tr("Waivers added or extended by a change deserve a second look from the approver.");
  for (const DeclaredWaiver& waiver : declared_waivers(head)) {
    auto old = before.find(waiver.rule);
    GateMessage message;
    if (old == before.end() && waiver.expires.empty())
      message = gate_message("the change adds a waiver for {}", waiver.rule);
    else if (old == before.end())
      message =
          gate_message("the change adds a waiver for {} (expires {})", waiver.rule, waiver.expires);
    else if (waiver.expires > old->second && old->second.empty())
      message = gate_message("the change extends the waiver for {} from no date to {}", waiver.rule,
                             waiver.expires);
    else if (waiver.expires > old->second)
      message = gate_message("the change extends the waiver for {} from {} to {}", waiver.rule,
                             old->second, waiver.expires);
    else
      continue;
    findings.push_back(make_gate_finding("GATE-WAIVER-ADDED",
                                         gate_title(tr_noop("The change adds no waiver unnoticed")),
                                         Status::fail, Severity::warning, std::move(message),
                                         position_of(*waiver.table, head.path), std::string(help)));
  }
}

// Failed findings at a manifest line cite the commit that last changed it: one blame of the
// span of those lines only (most manifests fail a handful of keys, close together), nothing
// when everything passes.
void cite_provenance(ManifestResult& result, History& history) {
  std::vector<Finding*> cited;
  std::size_t first = 0, last = 0;
  for (Finding& finding : result.findings) {
    if (finding.status != Status::fail || finding.where.line <= 0 ||
        finding.where.path != result.path)
      continue;
    const auto line = static_cast<std::size_t>(finding.where.line);
    first = cited.empty() ? line : std::min(first, line);
    last = cited.empty() ? line : std::max(last, line);
    cited.push_back(&finding);
  }
  if (cited.empty()) return;
  auto lines = history.blame(result.path, first, last, /*bounded=*/true);
  for (Finding* finding : cited) {
    Provenance provenance;
    if (!lines) {
      provenance.unknown = lines.error().message;
    } else {
      const LineOrigin& line = (*lines)[static_cast<std::size_t>(finding->where.line) - first];
      if (!line.origin) {
        provenance.unknown =
            trf("line {} cannot be attributed: the history is cut (a shallow or partial clone)",
                finding->where.line);
      } else {
        provenance.commit = line.origin->commit;
        provenance.author = line.origin->author;
        provenance.email = line.origin->email;
        provenance.when = line.origin->when;
      }
    }
    finding->provenance = std::make_shared<const Provenance>(std::move(provenance));
  }
}

}  // namespace

ManifestResult evaluate_manifest(const Manifest& manifest, const RuleSet& rules,
                                 const EvalContext& caller_context, HeadingCache& headings,
                                 const Manifest* base) {
  EvalContext context = caller_context;
  context.rules = &rules;  // window_open reads the packs' freezes and holidays
  ManifestResult result;
  result.path = manifest.path;
  result.blob = manifest.blob;
  result.service = manifest.service_name();
  result.owner = manifest.doc["service"]["owner"].value_or(std::string());
  result.tier = manifest.tier().value_or(std::string());
  // A finding per rule, and a few of the gate's own (schema, waivers, the run's).
  result.findings.reserve(rules.rules.size() + manifest.problems.size() + 4);

  // Shared by every manifest's GATE-SCHEMA finding, as a rule's text is by its findings (one
  // text per language).
  static const GateTitle k_schema_titles[] = {
      gate_title(tr_noop("The manifest follows schema 1"), Lang::en),
      gate_title(tr_noop("The manifest follows schema 1"), Lang::fr)};
  static const SharedText k_schema_helps[] = {
      "Fix the key as the message says; `opsgate init` writes a commented schema 1 manifest.",
      std::string(tr_in(Lang::fr,
                        "Fix the key as the message says; `opsgate init` writes a commented "
                        "schema 1 manifest."))};
  const GateTitle& k_schema_title = k_schema_titles[language() == Lang::fr ? 1 : 0];
  const SharedText& k_schema_help = k_schema_helps[language() == Lang::fr ? 1 : 0];
  if (manifest.problems.empty())
    result.findings.push_back(make_gate_finding(
        "GATE-SCHEMA", k_schema_title, Status::pass, Severity::error,
        gate_message("{} follows schema {}", manifest.path, k_manifest_schema_version),
        SourcePos{manifest.path}, k_schema_help));
  for (const SchemaProblem& problem : manifest.problems)
    result.findings.push_back(make_gate_finding(
        "GATE-SCHEMA", k_schema_title, Status::fail,
        problem.warning ? Severity::warning : Severity::error,
        GateMessage{problem.message, problem.english}, problem.where, k_schema_help));

  const std::vector<DeclaredWaiver> waivers = declared_waivers(manifest);

  for (const Rule& rule : rules.rules) {
    Finding finding = rule_finding(rule);
    finding.where = SourcePos{manifest.path};
    if (auto reason = not_applicable(rule, manifest, context, headings, finding.where)) {
      finding.status = Status::skipped;
      finding.message = std::move(*reason);
      result.findings.push_back(std::move(finding));
      continue;
    }
    finding.status = Status::pass;
    std::vector<std::string> messages;
    std::vector<Evidence> evidence;
    bool only_window_failed = true;  // --emergency waives window_open, nothing else
    for (const Condition& condition : rule.check) {
      ConditionOutcome outcome = check_condition(condition, manifest, context, headings);
      for (Evidence& item : outcome.evidence) evidence.push_back(std::move(item));
      if (!outcome.holds && !outcome.only_window_open) only_window_failed = false;
      if (outcome.holds) {
        if (finding.status == Status::pass) {
          messages.push_back(std::move(outcome.message));
          finding.where = outcome.where;
        }
        continue;
      }
      if (finding.status == Status::pass) {
        messages.clear();
        finding.where = outcome.where;
      }
      finding.status = Status::fail;
      messages.push_back(std::move(outcome.message));
    }
    finding.message = fmt::format("{}", fmt::join(messages, clause_separator()));
    if (!evidence.empty())
      finding.evidence = std::make_shared<const std::vector<Evidence>>(std::move(evidence));

    if (finding.status == Status::fail) {
      if (context.emergency && only_window_failed) {
        finding.status = Status::waived;
        finding.waiver = std::make_shared<const WaiverOutcome>(WaiverOutcome{
            true, {}, trf("emergency change: {}", *context.emergency), {}, {}, SourcePos{}});
      } else {
        for (const DeclaredWaiver& waiver : waivers) {
          if (waiver.rule != rule.id) continue;
          WaiverOutcome outcome = judge_waiver(*waiver.table, rule, rules, context, manifest.path);
          bool accepted = outcome.accepted;
          finding.waiver = std::make_shared<const WaiverOutcome>(std::move(outcome));
          if (accepted) {
            finding.status = Status::waived;
            break;
          }
        }
      }
    }
    result.findings.push_back(std::move(finding));
  }

  for (const DeclaredWaiver& waiver : waivers) {
    if (rules.find(waiver.rule)) continue;
    const auto guess = closest_id(waiver.rule, rules.rules | std::views::transform(&Rule::id));
    result.findings.push_back(make_gate_finding(
        "GATE-WAIVER", gate_title(tr_noop("Waivers name loaded rules")), Status::fail,
        Severity::warning,
        guess ? gate_message("the waiver names rule {}, which no loaded pack defines; did you mean "
                             "{}?",
                             waiver.rule, *guess)
              : gate_message("the waiver names rule {}, which no loaded pack defines", waiver.rule),
        position_of(*waiver.rule_node, manifest.path),
        std::string(
            tr("Remove the waiver, or fix the rule id (`opsgate rules list` shows the loaded "
               "rules)."))));
  }
  if (base) added_waivers(manifest, *base, result.findings);
  if (context.cite_provenance && context.report_provenance && context.history)
    cite_provenance(result, *context.history);
  finish(result, context);
  return result;
}

ManifestResult evaluate_missing_manifest(const std::string& path, const RuleSet& rules,
                                         const EvalContext& context, const LocalText& why) {
  ManifestResult result;
  result.path = path;
  // One text per language, shared by every manifest's finding.
  static const GateTitle k_titles[] = {
      gate_title(tr_noop("The service declares an operability manifest"), Lang::en),
      gate_title(tr_noop("The service declares an operability manifest"), Lang::fr)};
  static const SharedText k_helps[] = {
      "Run `opsgate init` to write a starter operability.toml, then commit it.",
      std::string(tr_in(
          Lang::fr, "Run `opsgate init` to write a starter operability.toml, then commit it."))};
  const std::size_t lang = language() == Lang::fr ? 1 : 0;
  result.findings.push_back(
      make_gate_finding("GATE-MANIFEST", k_titles[lang], Status::fail, Severity::error,
                        why.text.empty() ? say_in_both([&] {
                          return trf("{} does not exist in {}", path, context.tree->describe());
                        })
                                         : why,
                        SourcePos{path}, k_helps[lang]));
  for (const Rule& rule : rules.rules) {
    Finding finding = rule_finding(rule);
    finding.status = Status::skipped;
    finding.message = tr("no manifest to evaluate");
    finding.where = SourcePos{path};
    result.findings.push_back(std::move(finding));
  }
  finish(result, context);
  return result;
}

}  // namespace opsgate
