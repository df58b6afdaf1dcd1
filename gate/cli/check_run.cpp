// The gate run shared by `check` and the hook modes.

#include "check_run.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <numeric>
#include <optional>
#include <set>
#include <thread>

#include "manifest.hpp"
#include "paths.hpp"
#include "scope.hpp"
#include "timeutil.hpp"
#include "timings.hpp"

namespace fs = std::filesystem;

namespace opsgate::cli {

namespace {

const std::set<std::string, std::less<>> k_formats = {"text",  "json",        "junit",
                                                      "sarif", "codequality", "markdown"};

// The manifests of a run, handed out one at a time to whichever evaluator asks first, as they
// are found: a monorepo's search reads every tree of the revision, and its first manifests are
// evaluated meanwhile on the other cores.
class ManifestQueue {
 public:
  // Adds a manifest; returns how many there are so far.
  std::size_t push(std::string path) {
    std::size_t count = 0;
    {
      std::lock_guard lock(m_mutex);
      m_paths.push_back(std::move(path));
      count = m_paths.size();
    }
    m_ready.notify_one();
    return count;
  }

  // No more manifests: take() ends once every one is taken.
  void close() {
    {
      std::lock_guard lock(m_mutex);
      m_closed = true;
    }
    m_ready.notify_all();
  }

  // close(), dropping the manifests nobody has taken.
  void cancel() {
    {
      std::lock_guard lock(m_mutex);
      m_closed = true;
      m_next = m_paths.size();
    }
    m_ready.notify_all();
  }

  // The next manifest nobody has taken, with its place in the order found; waits for one until
  // the queue is closed.
  std::optional<std::pair<std::size_t, std::string>> take() {
    std::unique_lock lock(m_mutex);
    m_ready.wait(lock, [this] { return m_next < m_paths.size() || m_closed; });
    if (m_next == m_paths.size()) return std::nullopt;
    const std::size_t index = m_next++;
    return std::pair{index, m_paths[index]};
  }

  // Every manifest added, in the order found.
  std::vector<std::string> paths() const {
    std::lock_guard lock(m_mutex);
    return m_paths;
  }

 private:
  mutable std::mutex m_mutex;
  std::condition_variable m_ready;
  std::vector<std::string> m_paths;
  std::size_t m_next = 0;
  bool m_closed = false;
};

// Closes the queue when the run leaves its scope, error or exception included, so that no
// evaluator waits for a manifest that will never come; what nobody took by then (the search
// failed) is dropped.
struct CloseOnExit {
  ManifestQueue& queue;
  ~CloseOnExit() { queue.cancel(); }
};

// A manifest evaluated by one of the evaluators: its place in the queue and the outcome.
using Evaluated = std::pair<std::size_t, Expected<ManifestResult>>;

}  // namespace

Expected<void> check_format(const std::string& format, std::string_view option) {
  if (k_formats.contains(format)) return {};
  return fail(ErrorKind::usage,
              fmt::format("{}: unknown format '{}' (text, json, junit, sarif, codequality, "
                          "markdown)",
                          option, format));
}

namespace {

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

// The report in `format`, handed to `write`: JSON and JUnit a manifest at a time (5 MB and
// 1.3 MB for 200 services, never whole in memory), the others whole.
void write_report(const Report& report, const std::string& format, const TextStyle& style,
                  const ReportWriter& write) {
  if (format == "json") return write_json(report, write);
  if (format == "junit") return write_junit(report, write);
  write(render(report, format, style));
}

// Straight to stdout: fmt::print would first copy the text.
void print_report(const Report& report, const std::string& format, const TextStyle& style) {
  write_report(report, format, style,
               [](std::string_view text) { std::fwrite(text.data(), 1, text.size(), stdout); });
}

}  // namespace

std::string render(const Report& report, const std::string& format, const TextStyle& style) {
  if (format == "json") return render_json(report);
  if (format == "junit") return render_junit(report);
  if (format == "sarif") return render_sarif(report);
  if (format == "codequality") return render_codequality(report);
  if (format == "markdown") return render_markdown(report);
  return render_text(report, style);
}

namespace {

// --post-status[=PROVIDER]: a flag whose `=` form carries the provider, so that
// `--post-status REPO` leaves REPO to the positional.
void add_status_options(CLI::App& command, StatusOptions& status) {
  command
      .add_flag("--post-status{auto}", status.provider,
                "Post the verdict as a commit status: --post-status[=auto|gitlab|github|gitea|"
                "bitbucket]")
      ->check(CLI::IsMember({"auto", "gitlab", "github", "gitea", "bitbucket"}));
  command.add_flag("--require-status", status.require, "A failed status post is exit 2");
  command.add_option("--api-url", status.api_url,
                     "API root for --post-status (default: CI_API_V4_URL, GITHUB_API_URL or "
                     "BITBUCKET_URL)");
  command.add_option("--project", status.project,
                     "GitLab project id or path, GitHub/Gitea owner/repo (default: CI_PROJECT_ID "
                     "or GITHUB_REPOSITORY)");
  command.add_option("--target-url", status.target_url,
                     "Link of the status (default: the CI job: CI_JOB_URL, the GitHub run, "
                     "BUILD_URL)");
  command.add_option("--status-sha", status.sha,
                     "Commit that gets the status (default: the evaluated revision)");
  command
      .add_option("--ca-file", status.ca_file,
                  "PEM CA bundle to verify the server with (a corporate CA)")
      ->check(CLI::ExistingFile);
  command
      .add_option("--status-timeout", status.timeout_seconds,
                  "Bound on the whole post, retries included, in seconds")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
}

}  // namespace

void add_check_options(CLI::App& command, CheckOptions& options, bool with_revisions) {
  if (with_revisions) {
    command.add_option("--rev", options.rev, "Revision to evaluate")->capture_default_str();
    command.add_option("--base", options.base,
                       "Base of the change (its merge base with --rev is used)");
    command.add_flag("--worktree", options.worktree, "Read files from the work tree, not --rev");
  }
  add_rules_options(command, options);
  command.add_option("--manifest", options.manifests, "Manifest path(s) inside the repository");
  command.add_option("--at", options.at, "Evaluation time, RFC 3339 (default: now)");
  command
      .add_option("--format", options.format,
                  "Report on stdout: text, json, junit, sarif, codequality, markdown")
      ->capture_default_str();
  command.add_option("--report", options.reports, "Also write a report: FMT=FILE (repeatable)");
  command.add_option("--fail-on", options.fail_on, "Lowest failing severity: error, warning")
      ->capture_default_str();
  command.add_option("--min-level", options.min_level,
                     "Fail unless every manifest reaches this maturity level");
  command.add_option("--emergency", options.emergency,
                     "Emergency change: waive release-window rules, recording REASON");
  add_status_options(command, options.status);
  add_output_options(command, options);
  command
      .add_option("--jobs", options.jobs,
                  "Manifests evaluated at once in a monorepo (default: one per CPU)")
      ->check(CLI::Range(1u, 64u));
  command.add_flag("--timings", options.timings,
                   "Print where the run's time went (start-up, rules, evaluation...) on stderr");
}

struct Gate::State {
  // First: rules and manifests are read while the time-zone database loads.
  std::optional<TimeZonePreload> time_zones;
  CheckOptions options;
  TextStyle style;
  std::vector<ReportTarget> targets;  // parsed at construction: even a usage error writes them
  Expected<void> targets_parsed;
  Report report;
  std::optional<Repository> repo;
  std::optional<RuleSet> rules;
  std::vector<std::string> changed;  // sorted, of the revision being evaluated

  Expected<void> prepare() {
    Timings::process().mark("options");
    time_zones.emplace();
    style = TextStyle{use_color(options), options.verbose, options.quiet};
    report.environment = options.env;
    if (!options.emergency.empty()) report.emergency = options.emergency;
    if (!targets_parsed) return targets_parsed;
    if (auto ok = check_format(options.format, "--format"); !ok) return ok;
    auto at = evaluation_time(options.at);
    if (!at) return std::unexpected(at.error());
    report.at = *at;
    auto fail_on = parse_severity(options.fail_on);
    if (!fail_on || *fail_on == Severity::info)
      return fail(ErrorKind::usage,
                  fmt::format("--fail-on {}: expected error or warning", options.fail_on));
    report.fail_on = *fail_on;
    if (options.min_level && (*options.min_level < 0 || *options.min_level > 5))
      return fail(ErrorKind::usage, "--min-level takes a level from 0 to 5");
    auto opened =
        options.repo_from_env ? Repository::open_from_env() : Repository::discover(options.repo);
    if (!opened) return std::unexpected(opened.error());
    repo = std::move(*opened);
    Timings::process().mark("open-repository");
    auto loaded = load_rule_set(options, &*repo);
    if (!loaded) return std::unexpected(loaded.error());
    rules = std::move(*loaded);
    report.packs = pack_infos(*rules);
    Timings::process().mark("load-rules");
    return {};
  }

  Expected<void> evaluate(const std::string& rev, const std::string& base_rev, bool worktree) {
    report.worktree = worktree;
    std::string revision;
    auto opened = open_tree(*repo, rev, worktree, revision);
    if (!opened) return std::unexpected(opened.error());
    std::unique_ptr<Tree> tree = std::move(*opened);
    std::unique_ptr<History> history;
    if (!revision.empty()) {
      report.revision = revision;
      history = repo->history_at(revision);
      prefetch_history(*history);
    }

    std::unique_ptr<Tree> base_tree;
    std::string merge_base;
    changed.clear();
    if (!base_rev.empty()) {
      auto base = repo->resolve_commit(base_rev);
      if (!base) return std::unexpected(base.error());
      if (revision.empty())
        return fail(ErrorKind::usage,
                    "--base needs a revision to compare (the branch has no commit)");
      auto found = repo->merge_base(*base, revision);
      if (!found) return std::unexpected(found.error());
      merge_base = *found;
      // With --worktree the change reaches into what is not committed yet.
      auto paths = repo->changed_paths(merge_base, worktree ? std::string() : revision);
      if (!paths) return std::unexpected(paths.error());
      auto tree_at_base = repo->tree_at(merge_base);
      if (!tree_at_base) return std::unexpected(tree_at_base.error());
      base_tree = std::move(*tree_at_base);
      report.base = merge_base;
      report.changed_paths = report.changed_paths.value_or(0) + paths->size();
      changed = std::move(*paths);
    }

    EvalContext context;
    context.environment = options.env;
    context.at = report.at;
    context.fail_on = report.fail_on;
    context.min_level = options.min_level;
    context.emergency = report.emergency;
    context.tree = tree.get();
    context.history = history.get();
    if (!merge_base.empty()) {
      context.changed_paths = changed;
      context.run_findings = rules_changed(*repo, *rules, merge_base);
    }

    if (time_zones) time_zones->wait();  // manifests name their zones from here on
    // Evaluators besides this thread: one per k_manifests_per_job manifests found, up to --jobs
    // (else one per CPU); none without a commit for them to open.
    const std::size_t max_workers =
        revision.empty()
            ? 0
            : (options.jobs ? options.jobs : std::max(1u, std::thread::hardware_concurrency())) - 1;
    ManifestQueue queue;
    std::vector<std::vector<Evaluated>> by_worker(max_workers);
    std::vector<std::jthread> workers;
    const CloseOnExit close_queue{queue};  // before the workers are joined, whatever happens
    bool threads_refused = false;
    auto staff = [&](std::size_t found) {
      const std::size_t wanted =
          std::min(max_workers, std::max<std::size_t>(found / k_manifests_per_job, 1) - 1);
      while (!threads_refused && workers.size() < wanted) {
        const std::size_t slot = workers.size();
        try {
          workers.emplace_back([&, slot] {
            evaluate_taken(queue, revision, merge_base, worktree, context, by_worker[slot]);
          });
        } catch (const std::system_error&) {  // no thread to be had: this one takes their share
          threads_refused = true;
        }
      }
    };
    // Without --manifest, --base or a manifest at the root, every tree is searched; the
    // manifests found are evaluated as the search goes on.
    if (options.manifests.empty() && merge_base.empty() &&
        tree->kind(k_manifest_file) == EntryKind::missing) {
      std::size_t found = 0;
      auto searched = tree->find_each(k_manifest_file, [&](std::string path) {
        found = queue.push(std::move(path));
        staff(found);
      });
      if (!searched) return std::unexpected(searched.error());
      if (found == 0) queue.push(std::string(k_manifest_file));  // GATE-MANIFEST
    } else {
      auto paths = !merge_base.empty() && options.manifests.empty()
                       ? scope_to_change(*tree)
                       : find_manifest_paths(options.manifests, *tree);
      if (!paths) return std::unexpected(paths.error());
      for (std::string& path : *paths) queue.push(std::move(path));
      staff(paths->size());
    }
    queue.close();
    std::vector<Evaluated> here;
    HeadingCache headings;
    while (auto taken = queue.take())
      here.emplace_back(taken->first,
                        evaluate_path(taken->second, *tree, base_tree.get(), context, headings));
    workers.clear();  // joins

    // In path order, whichever evaluator took them; the first error in that order stops the run.
    const std::vector<std::string> paths = queue.paths();
    std::vector<Expected<ManifestResult>> results(paths.size(),
                                                  fail(ErrorKind::internal, "not evaluated"));
    by_worker.push_back(std::move(here));
    for (std::vector<Evaluated>& evaluated : by_worker)
      for (auto& [index, result] : evaluated) results[index] = std::move(result);
    std::vector<std::size_t> order(paths.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return paths[a] < paths[b]; });
    for (std::size_t index : order) {
      if (!results[index]) return std::unexpected(results[index].error());
      report.manifests.push_back(std::move(*results[index]));
    }
    Timings::process().mark("evaluate");
    return {};
  }

  // The history is walked on another core while manifests are read and parsed, back to the
  // oldest cutoff a changed_within_days of the loaded rules can ask for (a day early: the
  // cutoff is a calendar day in --at's offset).
  void prefetch_history(History& history) const {
    std::int64_t deepest = -1;
    for (const Rule& rule : rules->rules)
      for (const auto* conditions : {&rule.when, &rule.check})
        for (const Condition& condition : *conditions)
          for (const Operator& op : condition.ops)
            if (op.kind == OpKind::changed_within_days && op.value)
              deepest = std::max(deepest, op.value->value_or<std::int64_t>(-1));
    if (deepest < 0) return;
    constexpr std::int64_t k_max_days = 1'000'000;  // beyond any history: walk it all
    history.prefetch(report.at.utc - std::chrono::days(std::min(deepest, k_max_days) + 1));
  }

  // Manifests found per evaluator: a worker opens the repository and walks the history again
  // (~1 ms).
  static constexpr std::size_t k_manifests_per_job = 8;

  Expected<ManifestResult> evaluate_path(const std::string& path, const Tree& tree,
                                         const Tree* base_tree, const EvalContext& context,
                                         HeadingCache& headings) {
    auto text = tree.read(path);
    if (!text) return std::unexpected(text.error());
    if (!*text) return evaluate_missing_manifest(path, *rules, context);
    auto manifest = parse_manifest(**text, path, tree.blob_id(path));
    if (!manifest) return std::unexpected(manifest.error());
    std::optional<Manifest> before;
    if (base_tree) before = read_base_manifest(*base_tree, path);
    return evaluate_manifest(*manifest, *rules, context, headings, before ? &*before : nullptr);
  }

  // A worker: evaluates the manifests it takes from the queue through a repository handle of
  // its own (libgit2 objects are not shared between threads), reading what the first handle
  // reads: the revision's tree or, with --worktree, the work tree. Rules and the context are
  // only read. When it cannot start, it takes nothing and the others evaluate every manifest.
  void evaluate_taken(ManifestQueue& queue, const std::string& revision,
                      const std::string& merge_base, bool worktree, const EvalContext& shared,
                      std::vector<Evaluated>& done) {
    std::optional<std::size_t> current;
    try {
      // Opened as the first handle was: a pre-receive hook's pushed objects are only reachable
      // through git's environment (the quarantine directory); a work tree is found from where
      // the run was pointed (its git directory may be elsewhere: --separate-git-dir).
      auto opened = options.repo_from_env ? Repository::open_from_env()
                    : worktree            ? Repository::discover(options.repo)
                                          : Repository::discover(repo->git_dir());
      if (!opened || (worktree && opened->workdir() != repo->workdir())) return;
      auto tree = worktree ? opened->work_tree() : opened->tree_at(revision);
      if (!tree) return;
      std::unique_ptr<Tree> base_tree;
      if (!merge_base.empty()) {
        auto at_base = opened->tree_at(merge_base);
        if (!at_base) return;
        base_tree = std::move(*at_base);
      }
      std::unique_ptr<History> history = opened->history_at(revision);
      prefetch_history(*history);
      EvalContext context = shared;
      context.tree = tree->get();
      context.history = history.get();
      HeadingCache headings;
      while (auto taken = queue.take()) {
        current = taken->first;
        done.emplace_back(taken->first,
                          evaluate_path(taken->second, **tree, base_tree.get(), context, headings));
        current.reset();
      }
    } catch (const std::exception& error) {
      if (current) done.emplace_back(*current, fail(ErrorKind::internal, error.what()));
    }
  }

  // With --base and no --manifest, only the manifests whose service directory the change
  // touches, among those find_manifest_paths() gives: found from the changed paths upwards, so
  // that a merge request's check reads the trees on their way, not every tree.
  Expected<std::vector<std::string>> scope_to_change(const Tree& tree) const {
    auto selected = select_manifests(tree, k_manifest_file, changed);
    if (!selected) return std::unexpected(selected.error());
    // Anything at the root by that name makes the repository one service, that manifest.
    if (tree.kind(k_manifest_file) == EntryKind::missing) return selected;
    const std::string root(k_manifest_file);
    if (std::binary_search(selected->begin(), selected->end(), root))
      return std::vector<std::string>{root};
    return std::vector<std::string>{};
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
  std::vector<Finding> rules_changed(const Repository& repo, const RuleSet& rules,
                                     const std::string& merge_base) const {
    std::vector<Finding> findings;
    auto workdir = repo.workdir();
    std::error_code ec;
    std::string root = workdir ? fs::weakly_canonical(*workdir, ec).string() : std::string();
    // A pack path as a repository path, or nullopt when it lies outside the repository.
    auto in_repo = [&](const Pack& pack, const std::string& path) -> std::optional<std::string> {
      if (pack.origin.kind == PackOrigin::Kind::revision) return path;
      if (root.empty()) return std::nullopt;
      std::string real = fs::weakly_canonical(path, ec).string();
      if (real == root) return std::string();
      if (!real.starts_with(root + "/")) return std::nullopt;
      return real.substr(root.size() + 1);
    };
    for (const Pack& pack : rules.packs) {
      std::set<std::string> touched;
      bool base_side = false;
      for (const std::string& file : pack.origin.files)
        if (auto path = in_repo(pack, file);
            path && std::binary_search(changed.begin(), changed.end(), *path))
          touched.insert(*path);
      // Rule files the change adds, deletes or renames in the pack's directory count too: a
      // change that deletes a rule file must not escape by being judged without it.
      if (auto dir = pack.origin.is_dir ? in_repo(pack, pack.origin.dir) : std::nullopt)
        for (const std::string& path : changed)
          if (parent_dir(path) == *dir && path.ends_with(".toml")) touched.insert(path);
      if (touched.empty()) continue;
      if (pack.origin.kind == PackOrigin::Kind::revision)
        base_side = repo.is_ancestor(pack.origin.commit, merge_base);
      std::string message =
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
      findings.push_back(make_gate_finding(
          "GATE-RULES-CHANGED", "The change does not rewrite the rules that judge it", Status::fail,
          base_side ? Severity::warning : Severity::error, std::move(message),
          SourcePos{*touched.begin()},
          "Load the rules from the target side, e.g. --rules origin/main:.opsgate/rules, and "
          "review rule changes in a change of their own."));
    }
    return findings;
  }

  // Writes every --report file; the first failure is returned (after trying them all).
  Expected<void> write_reports() {
    Expected<void> result = {};
    for (const ReportTarget& target : targets) {
      std::ofstream out(target.file, std::ios::binary | std::ios::trunc);
      write_report(report, target.format, TextStyle{false, true, false},
                   [&out](std::string_view text) { out.write(text.data(), text.size()); });
      out.close();
      if (!out && result)
        result = fail(ErrorKind::io,
                      fmt::format("cannot write the {} report to {}", target.format, target.file));
    }
    return result;
  }

  // Posts the verdict when --post-status asked for it (after the reports: a network failure
  // loses nothing). Returns false when the post failed; the token never reaches any output.
  bool post_status(StatusState state) {
    const StatusOptions& status = options.status;
    if (status.provider.empty()) return true;
    std::fflush(stdout);  // the verdict is out before a slow server is waited for
    std::string description = verdict_line(report);
    if (report.emergency) description += " \u2014 emergency: " + *report.emergency;
    LogSink log;
    if (options.verbose) log = [](std::string_view line) { fmt::print(stderr, "{}\n", line); };
    auto posted = post_commit_status(status, report.revision.value_or(""), state, description,
                                     process_environment(), log);
    if (posted) return true;
    fmt::print(stderr, "opsgate: {}: commit status not posted: {}\n",
               status.require ? "error" : "warning", posted.error().message);
    return false;
  }
};

Gate::Gate(CheckOptions options) : m_state(std::make_unique<State>()) {
  m_state->options = std::move(options);
  m_state->targets_parsed = parse_report_targets(m_state->options.reports, m_state->targets);
  // Until prepare() reads --at and --env, an error report still says when and for what.
  m_state->report.at = now_utc();
  m_state->report.environment = m_state->options.env;
}

Gate::~Gate() = default;

Expected<void> Gate::prepare() {
  return m_state->prepare();
}

Expected<void> Gate::evaluate(const std::string& rev, const std::string& base, bool worktree) {
  return m_state->evaluate(rev, base, worktree);
}

void Gate::note(std::string text) {
  m_state->report.notes.push_back(std::move(text));
}

const Repository* Gate::repository() const {
  return m_state->repo ? &*m_state->repo : nullptr;
}

const Report& Gate::report() const {
  return m_state->report;
}

int Gate::finish(const Expected<void>& outcome) {
  State& state = *m_state;
  if (!outcome) {
    // Every problem still writes the requested reports, with "outcome": "error".
    state.report.outcome = Outcome::error;
    state.report.error = outcome.error().to_string();
    state.report.manifests.clear();
    conclude(state.report);
    report_error(outcome.error());
    // A machine-readable stdout still gets its (error) report; text has the message on stderr.
    if (state.options.format != "text" && check_format(state.options.format, "--format"))
      print_report(state.report, state.options.format, state.style);
    if (auto written = state.write_reports();
        !written && written.error().message != outcome.error().message)
      report_error(written.error());
    state.post_status(StatusState::failed);  // exit 2 is posted as failed
    return k_exit_error;
  }
  conclude(state.report);
  // A report that cannot be written makes the run an error, and the others must say so too.
  if (auto written = state.write_reports(); !written) return finish(written);
  print_report(state.report, state.options.format, state.style);
  // A report cut short (a full disk) is no verdict a pipeline can read.
  if (std::fflush(stdout) != 0 || std::ferror(stdout))
    return finish(fail(ErrorKind::io, "cannot write the report to standard output"));
  Timings::process().mark("report");
  int code = state.report.outcome == Outcome::pass ? k_exit_pass : k_exit_fail;
  bool posted = state.post_status(code == k_exit_pass ? StatusState::success : StatusState::failed);
  if (!state.options.status.provider.empty()) Timings::process().mark("post-status");
  if (state.options.timings) {
    std::fflush(stdout);
    fmt::print(stderr, "{}\n", Timings::process().summary());
  }
  if (!posted && state.options.status.require) return k_exit_error;
  return code;
}

}  // namespace opsgate::cli
