#include "push.hpp"

#include "i18n.hpp"

#include <fmt/format.h>
#include <fnmatch.h>

#include <algorithm>
#include <sstream>

namespace opsgate {

namespace {

std::string short_id(std::string_view id) {
  return std::string(id.substr(0, 12));
}

// The rules a tip failed (at or above --fail-on), from the manifests it added to the report.
std::vector<std::string> failing_rules(const Report& report, std::size_t first_manifest) {
  std::vector<std::string> rules;
  for (std::size_t i = first_manifest; i < report.manifests.size(); ++i)
    for (const Finding& finding : report.manifests[i].findings)
      if (finding.status == Status::fail && finding.severity >= report.fail_on &&
          std::find(rules.begin(), rules.end(), finding.rule) == rules.end())
        rules.push_back(finding.rule);
  return rules;
}

// Checks one pushed tip into `report`.
Expected<void> check_tip(Checker& checker, const RefUpdate& update, Report& report,
                         std::vector<TipVerdict>& verdicts) {
  const Repository& repo = checker.repository();
  std::string from = update.source.empty() || update.source == update.ref
                         ? update.ref
                         : trf("{} (from {})", update.ref, update.source);
  auto tip = repo.resolve_commit(update.new_id);
  if (!tip) {
    // A tag to a tree or a blob would carry files past the gate unjudged.
    if (repo.contains(update.new_id))
      return fail(ErrorKind::invalid,
                  trf("{}: {} is not a commit (a tag to a tree or a blob): opsgate judges "
                      "commits, so such a ref cannot be pushed through it",
                      from, short_id(update.new_id)));
    return std::unexpected(tip.error());
  }
  std::string base;
  if (is_zero_id(update.old_id)) {
    report.notes.push_back(
        trf("{}: new ref, {} checked without a base (every manifest)", from, short_id(*tip)));
  } else if (!repo.contains(update.old_id)) {
    report.notes.push_back(
        trf("{}: {} checked without a base: the previous tip {} is not in this "
            "repository (fetch first to scope the check to the change)",
            from, short_id(*tip), short_id(update.old_id)));
  } else if (auto old_tip = repo.resolve_commit(update.old_id); !old_tip) {
    report.notes.push_back(trf("{}: {} checked without a base: the previous tip {} is not a commit",
                               from, short_id(*tip), short_id(update.old_id)));
  } else if (auto shared = repo.merge_base(*old_tip, *tip); !shared) {
    report.notes.push_back(
        trf("{}: {} checked without a base: it shares no history with the "
            "previous tip {}",
            from, short_id(*tip), short_id(update.old_id)));
  } else if (*shared != *old_tip) {
    // A forced update drops commits of the previous tip: what the ref loses is part of the
    // change too (a sibling of a fix can undo it), so the new tip is judged whole.
    report.notes.push_back(
        trf("{}: {} checked in full: a forced update that drops commits of the previous "
            "tip {}",
            from, short_id(*tip), short_id(update.old_id)));
  } else {
    base = update.old_id;
    report.notes.push_back(
        trf("{}: {} checked against {}", from, short_id(*tip), short_id(update.old_id)));
  }
  std::size_t first_manifest = report.manifests.size();
  if (auto ok = checker.evaluate(CheckTarget{*tip, base, false}, report); !ok) return ok;
  verdicts.push_back({update.ref, failing_rules(report, first_manifest)});
  return {};
}

}  // namespace

bool is_zero_id(std::string_view id) {
  return !id.empty() && id.find_first_not_of('0') == std::string_view::npos;
}

Expected<std::vector<RefUpdate>> parse_ref_updates(std::string_view text, HookKind kind) {
  std::vector<RefUpdate> updates;
  std::istringstream in{std::string(text)};
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    std::istringstream fields(line);
    std::vector<std::string> words;
    for (std::string word; fields >> word;) words.push_back(std::move(word));
    if (words.empty()) continue;
    if (kind == HookKind::pre_push && words.size() == 4) {
      updates.push_back({words[2], words[0], words[3], words[1]});
    } else if (kind == HookKind::pre_receive && words.size() == 3) {
      updates.push_back({words[2], "", words[0], words[1]});
    } else {
      return fail(
          ErrorKind::usage,
          trf("stdin line {}: expected git's {} line ({}), got '{}'", number,
              kind == HookKind::pre_push ? "pre-push" : "pre-receive",
              kind == HookKind::pre_push ? "<local ref> <local sha> <remote ref> <remote sha>"
                                         : "<old sha> <new sha> <ref>",
              line));
    }
  }
  return updates;
}

bool ref_selected(const std::vector<std::string>& globs, const std::string& ref) {
  if (globs.empty()) return true;
  std::string short_name = ref;
  for (std::string_view prefix : {"refs/heads/", "refs/tags/"})
    if (ref.starts_with(prefix)) short_name = ref.substr(prefix.size());
  return std::any_of(globs.begin(), globs.end(), [&](const std::string& glob) {
    return fnmatch(glob.c_str(), ref.c_str(), 0) == 0 ||
           fnmatch(glob.c_str(), short_name.c_str(), 0) == 0;
  });
}

PushPlan plan_push(const std::vector<RefUpdate>& updates, const std::vector<std::string>& globs) {
  PushPlan plan;
  for (const RefUpdate& update : updates) {
    if (is_zero_id(update.new_id))
      plan.skipped.push_back(trf("{}: deleted, nothing to check", update.ref));
    else if (update.ref.starts_with("refs/notes/") &&
             (update.lands_on.empty() || update.lands_on.starts_with("refs/notes/")))
      plan.skipped.push_back(trf("{}: git notes, not code: nothing to check", update.ref));
    else if (!ref_selected(globs, update.ref) &&
             (update.lands_on.empty() || !ref_selected(globs, update.lands_on)))
      plan.skipped.push_back(trf("{}: not selected by --refs", update.ref));
    else
      plan.checked.push_back(update);
  }
  return plan;
}

Expected<PushReport> check_push(const CheckRequest& request, const PushPlan& plan,
                                Executor& executor) try {
  auto checker = Checker::open(request, executor);
  if (!checker) return std::unexpected(checker.error());
  PushReport result{checker->new_report(), {}};
  for (const std::string& line : plan.skipped) result.report.notes.push_back(line);
  for (const RefUpdate& update : plan.checked)
    if (auto ok = check_tip(*checker, update, result.report, result.verdicts); !ok)
      return std::unexpected(ok.error());
  conclude(result.report);
  return result;
} catch (const std::bad_alloc&) {
  return fail(ErrorKind::unavailable, std::string(tr("out of memory while checking the push")));
}

}  // namespace opsgate
