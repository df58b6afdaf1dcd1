// opsgate check: evaluate the manifest(s) at a revision against the rule packs.

#include <fmt/format.h>

#include <fstream>
#include <set>

#include "commands.hpp"
#include "manifest.hpp"
#include "options.hpp"
#include "paths.hpp"
#include "report.hpp"

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

Expected<std::vector<ReportTarget>> parse_report_targets(const std::vector<std::string>& specs) {
  std::vector<ReportTarget> targets;
  for (const std::string& spec : specs) {
    std::size_t equals = spec.find('=');
    if (equals == std::string::npos || equals == 0 || equals + 1 == spec.size())
      return fail(ErrorKind::usage, fmt::format("--report {}: expected FMT=FILE", spec));
    ReportTarget target{spec.substr(0, equals), spec.substr(equals + 1)};
    if (auto ok = check_format(target.format, "--report"); !ok) return std::unexpected(ok.error());
    targets.push_back(std::move(target));
  }
  return targets;
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

    if (auto ok = check_format(m_options.format, "--format"); !ok) return report_error(ok.error());
    auto targets = parse_report_targets(m_options.reports);
    if (!targets) return report_error(targets.error());
    m_targets = std::move(*targets);

    if (auto ok = evaluate(); !ok) {
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
    if (!m_options.base.empty())
      return fail(ErrorKind::usage,
                  fmt::format("--base is not supported yet by opsgate {}", OPSGATE_VERSION));

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

    EvalContext context;
    context.environment = m_options.env;
    context.at = m_report.at;
    context.fail_on = m_report.fail_on;
    context.min_level = m_options.min_level;
    context.emergency = m_report.emergency;
    context.tree = tree.get();
    context.history = history.get();

    auto paths = manifest_paths(m_options, *tree);
    if (!paths) return std::unexpected(paths.error());
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
      m_report.manifests.push_back(evaluate_manifest(*manifest, *rules, context, headings));
    }
    return {};
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
