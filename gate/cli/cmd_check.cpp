// opsgate check: evaluate the manifest(s) at a revision against the rule packs.

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "commands.hpp"
#include "manifest.hpp"
#include "options.hpp"
#include "paths.hpp"
#include "report.hpp"
#include "scope.hpp"

namespace fs = std::filesystem;

namespace opsgate::cli {

namespace {

struct CheckOptions : CommonOptions {
  std::string rev = "HEAD";
  std::string base;
  std::vector<std::string> manifests;
  std::string format = "text";
  std::vector<std::string> reports;  // FMT=FILE
  std::string fail_on = "error";
  std::optional<int> min_level;
  std::string emergency;
  bool worktree = false;
};

const std::set<std::string, std::less<>> k_formats = {"text", "json"};
const std::set<std::string, std::less<>> k_planned_formats = {"junit", "sarif", "codequality",
                                                              "markdown"};

Expected<void> check_format(const std::string& format, std::string_view option) {
  if (k_formats.contains(format)) return {};
  if (k_planned_formats.contains(format))
    return fail(ErrorKind::usage, fmt::format("{}: format '{}' is not supported yet by opsgate {}",
                                              option, format, OPSGATE_VERSION));
  return fail(ErrorKind::usage,
              fmt::format("{}: unknown format '{}' (text, json, junit, sarif, codequality, "
                          "markdown)",
                          option, format));
}

struct ReportTarget {
  std::string format;
  std::string file;
};

// Keeps every well-formed FMT=FILE in `targets` (so they can still carry an error report) and
// returns the first problem.
Expected<void> parse_report_targets(const std::vector<std::string>& specs,
                                    std::vector<ReportTarget>& targets) {
  Expected<void> first = {};
  for (const std::string& spec : specs) {
    std::size_t equals = spec.find('=');
    if (equals == std::string::npos || equals == 0 || equals + 1 == spec.size()) {
      if (first)
        first = fail(ErrorKind::usage, fmt::format("--report {}: expected FMT=FILE", spec));
      continue;
    }
    ReportTarget target{spec.substr(0, equals), spec.substr(equals + 1)};
    if (auto ok = check_format(target.format, "--report"); !ok) {
      if (first) first = std::unexpected(ok.error());
      continue;
    }
    targets.push_back(std::move(target));
  }
  return first;
}

std::string render(const Report& report, const std::string& format, const TextStyle& style) {
  if (format == "json") return render_json(report);
  return render_text(report, style);
}

// Paths of the manifests to evaluate: --manifest, else the root one, else every one in the tree.
Expected<std::vector<std::string>> manifest_paths(const CheckOptions& options, const Tree& tree) {
  std::vector<std::string> paths;
  for (const std::string& given : options.manifests) {
    auto normal = resolve_manifest_path("", given);
    if (!normal || normal->empty())
      return fail(ErrorKind::usage,
                  fmt::format("--manifest {}: not a path inside the repository", given));
    paths.push_back(*normal);
  }
  if (!paths.empty()) return paths;
  if (tree.kind(k_manifest_file) != EntryKind::missing)
    return std::vector{std::string(k_manifest_file)};
  auto found = tree.find(k_manifest_file);
  if (!found) return std::unexpected(found.error());
  if (found->empty()) return std::vector{std::string(k_manifest_file)};
  return found;
}

class CheckRun {
 public:
  explicit CheckRun(CheckOptions options) : m_options(std::move(options)) {}

  int run() {
    m_style = TextStyle{use_color(m_options), m_options.verbose, m_options.quiet};
    m_report.environment = m_options.env;
    m_report.worktree = m_options.worktree;
    if (!m_options.emergency.empty()) m_report.emergency = m_options.emergency;

    // Every problem from here on still writes the requested reports, with "outcome": "error".
    auto ok = parse_report_targets(m_options.reports, m_targets);
    if (ok) ok = check_format(m_options.format, "--format");
    if (ok) ok = evaluate();
    if (!ok) {
      m_report.outcome = Outcome::error;
      m_report.error = ok.error().to_string();
      m_report.manifests.clear();
      conclude(m_report);
      report_error(ok.error());
      if (m_options.format == "json") fmt::print("{}", render_json(m_report));
      write_reports();
      return k_exit_error;
    }
    conclude(m_report);
    fmt::print("{}", render(m_report, m_options.format, m_style));
    if (!write_reports()) return k_exit_error;
    return m_report.outcome == Outcome::pass ? k_exit_pass : k_exit_fail;
  }

 private:
  Expected<void> evaluate() {
    auto at = evaluation_time(m_options.at);
    if (!at) return std::unexpected(at.error());
    m_report.at = *at;
    auto fail_on = parse_severity(m_options.fail_on);
    if (!fail_on || *fail_on == Severity::info)
      return fail(ErrorKind::usage,
                  fmt::format("--fail-on {}: expected error or warning", m_options.fail_on));
    m_report.fail_on = *fail_on;
    if (m_options.min_level && (*m_options.min_level < 0 || *m_options.min_level > 5))
      return fail(ErrorKind::usage, "--min-level takes a level from 0 to 5");

    auto repo = Repository::discover(m_options.repo);
    if (!repo) return std::unexpected(repo.error());
    auto rules = load_rule_set(m_options, &*repo);
    if (!rules) return std::unexpected(rules.error());
    m_report.packs = pack_infos(*rules);

    std::unique_ptr<Tree> tree;
    std::unique_ptr<History> history;
    if (m_options.worktree) {
      if (auto head = repo->resolve_commit("HEAD")) {
        m_report.revision = *head;
        history = repo->history_at(*head);
      }
      auto work = repo->work_tree();
      if (!work) return std::unexpected(work.error());
      tree = std::move(*work);
    } else {
      auto commit = repo->resolve_commit(m_options.rev);
      if (!commit) return std::unexpected(commit.error());
      m_report.revision = *commit;
      history = repo->history_at(*commit);
      auto at_rev = repo->tree_at(*commit);
      if (!at_rev) return std::unexpected(at_rev.error());
      tree = std::move(*at_rev);
    }

    std::string head = m_report.revision.value_or("");
    std::unique_ptr<Tree> base_tree;
    if (!m_options.base.empty()) {
      auto base = repo->resolve_commit(m_options.base);
      if (!base) return std::unexpected(base.error());
      if (head.empty())
        return fail(ErrorKind::usage,
                    "--base needs a revision to compare (the branch has no commit)");
      auto merge_base = repo->merge_base(*base, head);
      if (!merge_base) return std::unexpected(merge_base.error());
      auto changed = repo->changed_paths(*merge_base, head);
      if (!changed) return std::unexpected(changed.error());
      auto tree_at_base = repo->tree_at(*merge_base);
      if (!tree_at_base) return std::unexpected(tree_at_base.error());
      base_tree = std::move(*tree_at_base);
      m_report.base = *merge_base;
      m_report.changed_paths = changed->size();
      m_changed = std::move(*changed);
    }

    EvalContext context;
    context.environment = m_options.env;
    context.at = m_report.at;
    context.fail_on = m_report.fail_on;
    context.min_level = m_options.min_level;
    context.emergency = m_report.emergency;
    context.tree = tree.get();
    context.history = history.get();
    if (m_report.base) {
      context.changed_paths = m_changed;
      context.run_findings = rules_changed(*repo, *rules);
    }

    auto paths = manifest_paths(m_options, *tree);
    if (!paths) return std::unexpected(paths.error());
    if (m_report.base && m_options.manifests.empty()) {
      auto scoped = scope_to_change(*tree, *paths);
      if (!scoped) return std::unexpected(scoped.error());
      paths = std::move(scoped);
    }
    HeadingCache headings;
    for (const std::string& path : *paths) {
      auto text = tree->read(path);
      if (!text) return std::unexpected(text.error());
      if (!*text) {
        m_report.manifests.push_back(evaluate_missing_manifest(path, *rules, context));
        continue;
      }
      auto manifest = parse_manifest(**text, path, tree->blob_id(path));
      if (!manifest) return std::unexpected(manifest.error());
      std::optional<Manifest> before;
      if (base_tree) before = read_base_manifest(*base_tree, path);
      m_report.manifests.push_back(
          evaluate_manifest(*manifest, *rules, context, headings, before ? &*before : nullptr));
    }
    return {};
  }

  // With --base, only the manifests whose service directory the change touches.
  Expected<std::vector<std::string>> scope_to_change(const Tree& tree,
                                                     const std::vector<std::string>& candidates) {
    auto all = tree.find(k_manifest_file);
    if (!all) return std::unexpected(all.error());
    std::vector<std::string> selected;
    for (const std::string& path : select_manifests(*all, m_changed))
      if (std::find(candidates.begin(), candidates.end(), path) != candidates.end())
        selected.push_back(path);
    return selected;
  }

  // The manifest as it was at the base, for GATE-WAIVER-ADDED; unreadable counts as absent.
  static std::optional<Manifest> read_base_manifest(const Tree& base, const std::string& path) {
    auto text = base.read(path);
    if (!text || !*text) return std::nullopt;
    auto manifest = parse_manifest(**text, path, base.blob_id(path));
    if (!manifest) return std::nullopt;
    return std::move(*manifest);
  }

  // GATE-RULES-CHANGED: the change rewrites rule files this run loaded from the repository.
  std::vector<Finding> rules_changed(const Repository& repo, const RuleSet& rules) const {
    std::vector<Finding> findings;
    auto workdir = repo.workdir();
    std::error_code ec;
    std::string root = workdir ? fs::weakly_canonical(*workdir, ec).string() : std::string();
    for (const Pack& pack : rules.packs) {
      std::vector<std::string> touched;
      bool base_side = false;
      for (const std::string& file : pack.origin.files) {
        std::string path = file;
        if (pack.origin.kind == PackOrigin::Kind::disk) {
          if (root.empty()) continue;
          std::string real = fs::weakly_canonical(file, ec).string();
          if (!real.starts_with(root + "/")) continue;
          path = real.substr(root.size() + 1);
        }
        if (std::binary_search(m_changed.begin(), m_changed.end(), path)) touched.push_back(path);
      }
      if (touched.empty()) continue;
      if (pack.origin.kind == PackOrigin::Kind::revision)
        base_side = repo.is_ancestor(pack.origin.commit, *m_report.base);
      Finding finding;
      finding.rule = "GATE-RULES-CHANGED";
      finding.title = "The change does not rewrite the rules that judge it";
      finding.status = Status::fail;
      finding.severity = base_side ? Severity::warning : Severity::error;
      finding.area = "gate";
      finding.message =
          base_side
              ? fmt::format(
                    "the change modifies rule files of pack {} ({}); this run used their "
                    "base-side version from {}",
                    pack.name, fmt::join(touched, ", "), pack.source)
              : fmt::format(
                    "the change modifies rule files of pack {} ({}) and this run read "
                    "them from {}: a change must not judge itself with rules it rewrote",
                    pack.name, fmt::join(touched, ", "),
                    pack.origin.kind == PackOrigin::Kind::disk ? "the work tree" : pack.source);
      finding.where = SourcePos{touched.front()};
      finding.help =
          "Load the rules from the target side, e.g. --rules origin/main:.opsgate/rules, and "
          "review rule changes in a change of their own.";
      findings.push_back(std::move(finding));
    }
    return findings;
  }

  bool write_reports() {
    bool ok = true;
    for (const ReportTarget& target : m_targets) {
      std::ofstream out(target.file, std::ios::binary | std::ios::trunc);
      out << render(m_report, target.format, TextStyle{false, true, false});
      out.close();
      if (!out) {
        fmt::print(stderr, "opsgate: error: cannot write the {} report to {}\n", target.format,
                   target.file);
        ok = false;
      }
    }
    return ok;
  }

  CheckOptions m_options;
  std::vector<std::string> m_changed;  // sorted
  TextStyle m_style;
  std::vector<ReportTarget> m_targets;
  Report m_report;
};

}  // namespace

void register_check(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<CheckOptions>();
  CLI::App* command = app.add_subcommand(
      "check",
      "Evaluate the manifest(s) of REPO at --rev against the rules (exit 0 pass, 1 fail, "
      "2 error)");
  command->add_option("repo", options->repo,
                      "Repository (default: the one containing the "
                      "current directory)");
  command->add_option("--rev", options->rev, "Revision to evaluate")->capture_default_str();
  command->add_option("--base", options->base, "Base of the change");
  add_rules_options(*command, *options);
  command->add_option("--manifest", options->manifests, "Manifest path(s) inside the repository");
  command->add_option("--at", options->at, "Evaluation time, RFC 3339 (default: now)");
  command->add_option("--format", options->format, "Report on stdout: text, json")
      ->capture_default_str();
  command->add_option("--report", options->reports, "Also write a report: FMT=FILE (repeatable)");
  command->add_option("--fail-on", options->fail_on, "Lowest failing severity: error, warning")
      ->capture_default_str();
  command->add_option("--min-level", options->min_level,
                      "Fail unless every manifest reaches this maturity level");
  command->add_option("--emergency", options->emergency,
                      "Emergency change: waive release-window rules, recording REASON");
  command->add_flag("--worktree", options->worktree, "Read files from the work tree, not --rev");
  add_output_options(*command, *options);
  command->callback([options, &exit_code] { exit_code = CheckRun(*options).run(); });
}

}  // namespace opsgate::cli
