#include "ratchet.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "evaluate.hpp"
#include "i18n.hpp"
#include "paths.hpp"
#include "references.hpp"
#include "toml_util.hpp"

namespace opsgate {

namespace {

// A finding's identity on both sides: a rule's id; for the gate's own findings, several of
// which may occur at once, the id and the message.
std::string identity(const Finding& finding) {
  return is_gate_finding(finding) ? finding.rule + '\n' + finding.message : finding.rule;
}

std::string comma_list(const std::vector<std::string>& values) {
  return fmt::format("{}", fmt::join(values, ", "));
}

// A file with content: what a rule's evidence was at the base.
bool has_content(const Tree& tree, const std::string& path) {
  const EntryKind kind = tree.kind(path);
  if (kind != EntryKind::file && kind != EntryKind::executable) return false;
  auto size = tree.size(path);
  return size && *size && **size > 0;
}

// A value as messages show it; its English form is also what tells whether it changed.
std::string describe_node(const toml::node* node) {
  if (!node) return std::string(tr("not set"));
  if (const auto* text = node->as_string()) return fmt::format("\"{}\"", text->get());
  if (const auto* flag = node->as_boolean()) return flag->get() ? "true" : "false";
  return std::string(tr("set"));
}

// GATE-EVIDENCE-REMOVED: a rule that passed at the base fails because the change removed the
// key it read or deleted or emptied the file that key named.
void removed_evidence(const ManifestResult& head, const Manifest& manifest, const Tree& tree,
                      const BaseSide& base, const std::map<std::string, const Finding*>& before,
                      const RuleSet& rules, std::vector<Finding>& added) {
  std::set<std::string> reported;  // a key or a file once, however many rules read it
  std::map<std::string, Status> now_status;
  for (const Finding& finding : head.findings) now_status.emplace(finding.rule, finding.status);
  // Every rule that passed at the base, whatever it says now: an emptied runbook still passes
  // path_exists, and is still evidence removed.
  for (const auto& [id, was] : before) {
    if (is_gate_finding(*was) || was->status != Status::pass) continue;
    const Rule* rule = rules.find(was->rule);
    if (!rule) continue;
    auto status = now_status.find(rule->id);
    const bool fails_now = status != now_status.end() && status->second == Status::fail;
    for (const Condition& condition : rule->check) {
      const toml::node* at_base = lookup(base.manifest->doc, condition.key);
      if (!at_base) continue;
      const toml::node* now = lookup(manifest.doc, condition.key);
      GateMessage message;
      SourcePos where{manifest.path};
      if (!now) {
        if (!reported.insert("key " + condition.key).second) continue;
        message = gate_message(
            "the change removes {}, which rule {} checked and passed at the merge base",
            condition.key, rule->id);
      } else if (checks_files(condition)) {
        const std::vector<std::string> still = referenced_paths(manifest, now);
        for (const std::string& path : referenced_paths(*base.manifest, at_base)) {
          if (!has_content(*base.tree, path) || has_content(tree, path)) continue;
          // Pointed elsewhere: the rule judges the new file (and fails when it is missing).
          if (!fails_now && std::find(still.begin(), still.end(), path) == still.end()) continue;
          if (!reported.insert("file " + path).second) continue;
          message = tree.kind(path) == EntryKind::missing
                        ? gate_message(
                              "the change deletes {}, which {} names and rule {} checked and "
                              "passed at the merge base",
                              path, condition.key, rule->id)
                        : gate_message(
                              "the change empties {}, which {} names and rule {} checked and "
                              "passed at the merge base",
                              path, condition.key, rule->id);
          where = position_of(*now, manifest.path);
          break;
        }
      }
      if (message.text.empty()) continue;
      added.push_back(make_gate_finding(
          "GATE-EVIDENCE-REMOVED",
          gate_title(tr_noop("The change keeps the evidence the rules checked")), Status::fail,
          Severity::error, std::move(message), std::move(where),
          std::string(tr("Restore the file or key, or point the manifest at where the evidence "
                         "now lives. Evidence is removed on purpose only with the rule's owners: "
                         "a waiver says so."))));
    }
  }
}

// GATE-SCOPE-CHANGED: rules that applied at the base and no longer do.
void changed_scope(const ManifestResult& head, const Manifest& manifest,
                   const std::map<std::string, const Finding*>& before, const BaseSide& base,
                   std::vector<Finding>& added) {
  std::vector<std::string> dropped;
  for (const Finding& finding : head.findings) {
    if (is_gate_finding(finding) || finding.status != Status::skipped) continue;
    auto was = before.find(identity(finding));
    if (was != before.end() && was->second->status != Status::skipped)
      dropped.push_back(finding.rule);
  }
  if (dropped.empty()) return;
  // Built in the thread's language, and again in English for the fingerprint.
  const auto message = [&] {
    std::vector<std::string> why;
    for (const char* key : {"service.tier", "service.stateful"}) {
      const toml::node* old_value = lookup(base.manifest->doc, key);
      const toml::node* new_value = lookup(manifest.doc, key);
      const std::string from = describe_node(old_value);
      const std::string to = describe_node(new_value);
      if (from != to) why.push_back(fmt::format("{} {} -> {}", key, from, to));
    }
    return why.empty()
               ? trnf("the change makes {} rule that applied at the merge base stop applying: {}",
                      "the change makes {} rules that applied at the merge base stop applying: {}",
                      dropped.size(), dropped.size(), comma_list(dropped))
               : trnf(
                     "the change makes {} rule that applied at the merge base stop applying: {} "
                     "({})",
                     "the change makes {} rules that applied at the merge base stop applying: {} "
                     "({})",
                     dropped.size(), dropped.size(), comma_list(dropped), comma_list(why));
  };
  const toml::node* tier = lookup(manifest.doc, "service.tier");
  added.push_back(make_gate_finding(
      "GATE-SCOPE-CHANGED",
      gate_title(tr_noop("The change keeps the rules that apply to the service")), Status::fail,
      Severity::warning, say_in_both(message),
      tier ? position_of(*tier, manifest.path) : SourcePos{manifest.path},
      std::string(tr("A manifest that lowers its own tier or scope deserves a second look from "
                     "the ops team: say why in the merge request."))));
}

void sort_by_rule(std::vector<Finding>& findings) {
  std::stable_sort(findings.begin(), findings.end(),
                   [](const Finding& a, const Finding& b) { return a.rule < b.rule; });
}

// Every leaf value as "key = value" (array items by index): what two manifests share.
void flatten(const toml::node& node, const std::string& key, std::set<std::string>& out) {
  if (const toml::table* table = node.as_table()) {
    for (const auto& [name, child] : *table)
      flatten(child, key.empty() ? std::string(name.str()) : key + '.' + std::string(name.str()),
              out);
  } else if (const toml::array* array = node.as_array()) {
    for (std::size_t i = 0; i < array->size(); ++i)
      flatten(*array->get(i), fmt::format("{}[{}]", key, i), out);
  } else {
    out.insert(key + " = " + describe_value(node));
  }
}

std::string service_name(const toml::table& doc) {
  const toml::node* name = lookup(doc, "service.name");
  return name && name->is_string() ? name->value_or(std::string()) : std::string();
}

}  // namespace

Expected<std::vector<std::optional<std::size_t>>> pair_moves(
    const std::vector<const toml::table*>& arrived, const std::vector<const toml::table*>& left) {
  std::vector<std::optional<std::size_t>> paired(arrived.size());
  if (left.empty()) return paired;
  // The left manifests by name, in order; and their values, flattened once, when needed.
  std::unordered_map<std::string, std::vector<std::size_t>> by_name;
  for (std::size_t i = 0; i < left.size(); ++i)
    if (std::string name = service_name(*left[i]); !name.empty())
      by_name[std::move(name)].push_back(i);
  std::vector<bool> taken(left.size(), false);
  std::vector<std::optional<std::vector<std::string>>> left_values(left.size());
  std::size_t budget = k_max_move_comparisons;
  for (std::size_t a = 0; a < arrived.size(); ++a) {
    if (const std::string name = service_name(*arrived[a]); !name.empty()) {
      if (auto same = by_name.find(name); same != by_name.end()) {
        auto free = std::ranges::find_if(same->second, [&](std::size_t i) { return !taken[i]; });
        if (free != same->second.end()) {
          paired[a] = *free;
          taken[*free] = true;
          continue;
        }
      }
    }
    std::set<std::string> flat;
    flatten(*arrived[a], "", flat);
    const std::unordered_set<std::string> kept(flat.begin(), flat.end());
    std::optional<std::size_t> best;
    double best_share = 0.5;  // at least half, as git's rename detection
    for (std::size_t i = 0; i < left.size(); ++i) {
      if (taken[i]) continue;
      if (!left_values[i]) {
        std::set<std::string> was;
        flatten(*left[i], "", was);
        left_values[i].emplace(was.begin(), was.end());
      }
      const std::vector<std::string>& was = *left_values[i];
      if (was.empty()) continue;
      if (was.size() > budget)
        return fail(ErrorKind::invalid,
                    trf("the change moves or renames more manifests than can be paired with "
                        "the ones it removed ({} values compared): split it, or keep each moved "
                        "service's [service] name",
                        k_max_move_comparisons));
      budget -= was.size();
      const auto shared = static_cast<double>(
          std::ranges::count_if(was, [&](const std::string& item) { return kept.contains(item); }));
      if (const double share = shared / static_cast<double>(was.size()); share >= best_share) {
        if (!best || share > best_share) best = i;
        best_share = share;
      }
    }
    if (best) {
      paired[a] = best;
      taken[*best] = true;
    }
  }
  return paired;
}

void compare_with_base(ManifestResult& head, const Manifest* manifest, const Tree& tree,
                       const BaseSide& base, const RuleSet& rules, const EvalContext& context) {
  std::map<std::string, const Finding*> before;
  if (base.result)
    for (const Finding& finding : base.result->findings)
      before.emplace(identity(finding), &finding);

  std::vector<Finding> added;
  if (base.result && base.manifest && base.tree && manifest) {
    if (rules.ratchet() && head.level < base.result->level) {
      std::vector<std::string> now_failing;
      for (const Finding& finding : head.findings) {
        if (is_gate_finding(finding) || finding.status != Status::fail ||
            finding.level > base.result->level)
          continue;
        auto was = before.find(identity(finding));
        if (was == before.end() || was->second->status != Status::fail)
          now_failing.push_back(finding.rule);
      }
      const auto message = [&] {
        const std::string who = head.service.empty() ? head.path : head.service;
        const std::string moved = base.manifest->path != head.path
                                      ? trf(" (as {}, moved by the change)", base.manifest->path)
                                      : std::string();
        if (now_failing.empty())
          return trf("{} drops from level {} at the merge base{} to level {}", who,
                     base.result->level, moved, head.level);
        return trnf("{} drops from level {} at the merge base{} to level {}: {} now fails",
                    "{} drops from level {} at the merge base{} to level {}: {} now fail",
                    now_failing.size(), who, base.result->level, moved, head.level,
                    comma_list(now_failing));
      };
      added.push_back(make_gate_finding(
          "GATE-LEVEL-DROP", gate_title(tr_noop("The change keeps the service's maturity level")),
          Status::fail, Severity::error, say_in_both(message), SourcePos{head.path},
          std::string(tr("Fix the rules that now fail; a pack that does not want the ratchet "
                         "sets [pack] ratchet = false."))));
    }
    removed_evidence(head, *manifest, tree, base, before, rules, added);
    changed_scope(head, *manifest, before, base, added);
  }

  for (Finding& finding : head.findings) {
    if (finding.status != Status::fail) continue;
    auto was = before.find(identity(finding));
    finding.is_new = was == before.end() || was->second->status != Status::fail;
  }
  for (Finding& finding : added) finding.is_new = true;
  for (Finding& finding : added) head.findings.push_back(std::move(finding));
  if (!added.empty()) sort_by_rule(head.findings);

  // Tolerating a failure excuses it as a waiver would: never for a rule no waiver may excuse
  // (the baseline's release-window gate, WIN-003, fails at the merge base too whenever the window
  // is closed, so a deploy with --fail-on-new would otherwise go out at any time).
  auto waivable = [&](const Finding& finding) {
    const Rule* rule = rules.find(finding.rule);
    return !rule || rule->waivable;
  };
  if (context.fail_on_new)
    for (Finding& finding : head.findings)
      if (finding.status == Status::fail && finding.is_new == false &&
          finding.severity >= context.fail_on && waivable(finding))
        finding.tolerated = tr("already failing at the merge base (--fail-on-new)");
  head.passed = std::none_of(head.findings.begin(), head.findings.end(),
                             [&](const Finding& f) { return fails_gate(f, context.fail_on); });
}

void mark_run_findings(std::vector<Finding>& findings) {
  for (Finding& finding : findings)
    if (finding.status == Status::fail) finding.is_new = true;
}

}  // namespace opsgate
