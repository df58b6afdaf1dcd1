#include "check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <numeric>
#include <set>

#include "evaluate.hpp"
#include "i18n.hpp"
#include "limits.hpp"
#include "manifest.hpp"
#include "paths.hpp"
#include "ratchet.hpp"
#include "references.hpp"
#include "rule_sources.hpp"
#include "scope.hpp"
#include "signatures.hpp"
#include "toml_util.hpp"

namespace fs = std::filesystem;

namespace opsgate {

namespace {

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

  // Whether take() would return nothing now.
  bool exhausted() const {
    std::lock_guard lock(m_mutex);
    return m_closed && m_next == m_paths.size();
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

// A manifest evaluated by one of the evaluators: its place in the queue and the outcome.
using Evaluated = std::pair<std::size_t, Expected<ManifestResult>>;

// Manifests found per evaluator: a worker opens the repository and walks the history again
// (~1 ms).
constexpr std::size_t k_manifests_per_job = 8;

// The text of a file of at most k_max_file_bytes (its size read from the object header, never
// inflated beyond), or none when it is missing, unreadable or larger.
std::optional<std::string> read_bounded(const Tree& tree, const std::string& path) {
  auto bytes = tree.size(path);
  if (!bytes || !*bytes || **bytes > k_max_file_bytes) return std::nullopt;
  auto text = tree.read(path);
  if (!text || !*text) return std::nullopt;
  return std::move(**text);
}

// The manifest as it was at the base, for GATE-WAIVER-ADDED; unreadable counts as absent.
std::optional<Manifest> read_base_manifest(const Tree& base, const std::string& path,
                                           const PackKeys& keys) {
  auto text = base.read(path);
  if (!text || !*text) return std::nullopt;
  auto manifest = parse_manifest(**text, path, base.blob_id(path), &keys);
  if (!manifest) return std::nullopt;
  return std::move(*manifest);
}

}  // namespace

Expected<RuleSet> load_rule_set(const std::vector<std::string>& sources,
                                std::string_view environment, const Repository* repo) {
  auto rules = load_rules(sources, repo);
  if (!rules) return rules;
  if (auto ok = check_environment(*rules, environment); !ok) return std::unexpected(ok.error());
  return rules;
}

// Paths of the manifests to evaluate: `given` (--manifest), else the root operability.toml,
// else every one in the tree.
Expected<std::vector<std::string>> find_manifest_paths(const std::vector<std::string>& given,
                                                       const Tree& tree) {
  std::vector<std::string> paths;
  for (const std::string& path : given) {
    auto normal = resolve_manifest_path("", path);
    if (!normal || normal->empty())
      return fail(ErrorKind::usage, trf("--manifest {}: not a path inside the repository", path));
    // The same manifest named twice (`x` and `./x`) is evaluated once.
    if (std::find(paths.begin(), paths.end(), *normal) == paths.end()) paths.push_back(*normal);
  }
  if (!paths.empty()) return paths;
  // Every manifest, the root one included: a root manifest does not hide nested services.
  auto found = tree.find(k_manifest_file);
  if (!found) return std::unexpected(found.error());
  if (found->empty()) return std::vector{std::string(k_manifest_file)};
  return found;
}

std::optional<Repository> try_open(const std::string& path) {
  auto repo = Repository::discover(path);
  if (!repo) return std::nullopt;
  return std::move(*repo);
}

bool uncommitted_in_work_tree(const Repository& repo, std::string_view path) {
  if (repo.is_bare()) return false;
  auto work = repo.work_tree();
  if (!work) return false;
  const EntryKind kind = (*work)->kind(path);
  if (kind != EntryKind::file && kind != EntryKind::executable) return false;
  auto head = repo.resolve_commit("HEAD");
  if (!head) return true;  // an unborn branch: nothing is committed
  auto tree = repo.tree_at(*head);
  return tree && (*tree)->kind(path) == EntryKind::missing;
}

std::string uncommitted_message(std::string_view path) {
  return trf("{} is in the work tree but not committed yet: commit it, or use --worktree", path);
}

Expected<std::unique_ptr<Tree>> open_tree(const Repository& repo, const std::string& rev,
                                          bool worktree, std::string& revision) {
  if (worktree) {
    if (auto head = repo.resolve_commit("HEAD")) revision = *head;
    return repo.work_tree();
  }
  auto commit = repo.resolve_commit(rev);
  if (!commit) return std::unexpected(commit.error());
  revision = *commit;
  return repo.tree_at(*commit);
}

struct Checker::State {
  CheckRequest request;
  Executor* executor = nullptr;
  Instant at;
  std::optional<Repository> repo;
  std::shared_ptr<const RuleSet> rules;
  // reuse_reads: manifests parsed so far, by blob id and path, and the markdown headings of
  // the caller's evaluations, by blob id (operators.cpp keys them so).
  mutable std::mutex parsed_mutex;
  mutable std::map<std::string, std::shared_ptr<const Manifest>> parsed;
  HeadingCache kept_headings;
  std::future<void> time_zones;  // the IANA database, read while the rules load
  // Signed approvals: the verifier programs, found once when a loaded pack asks for proof.
  SignatureTools tools;
  bool waiver_proof = false;     // a pack has waiver_proof = "signed"
  bool emergency_proof = false;  // a pack has emergency_proof = "signed"

  State() = default;
  State(const State&) = delete;
  State& operator=(const State&) = delete;
  // The database load is waited for on every path, an early error included: left running, it
  // would still be filling date's static database when the process exits and destroys it.
  ~State() {
    if (time_zones.valid()) executor->wait(time_zones);
  }

  void phase(std::string_view name) const {
    if (request.on_phase) request.on_phase(name);
  }

  // The history is walked on another core while manifests are read and parsed, back to the
  // oldest cutoff a changed_within_days of the loaded rules can ask for (a day early: the
  // cutoff is a calendar day in --at's offset).
  void prefetch_history(History& history, const Instant& when) const {
    std::int64_t deepest = -1;
    for (const Rule& rule : rules->rules)
      for (const auto* conditions : {&rule.when, &rule.check})
        for (const Condition& condition : *conditions)
          for (const Operator& op : condition.ops)
            if (op.kind == OpKind::changed_within_days && op.value)
              deepest = std::max(deepest, op.value->value_or<std::int64_t>(-1));
    if (deepest < 0) return;
    constexpr std::int64_t k_max_days = 1'000'000;  // beyond any history: walk it all
    history.prefetch(when.utc - std::chrono::days(std::min(deepest, k_max_days) + 1));
  }

  // `gone`: manifests the change removed (scope_to_change), judged missing whatever a symlink
  // in their place reads as.
  // `base_tree` and `base_history` are the merge base's (--base), else null.
  Expected<ManifestResult> evaluate_path(const std::string& path, const Tree& tree,
                                         const Tree* base_tree, History* base_history,
                                         const EvalContext& context, HeadingCache& headings,
                                         const std::map<std::string, LocalText>& gone,
                                         const std::map<std::string, std::string>& moved) const {
    std::optional<ManifestResult> result;
    std::shared_ptr<const Manifest> manifest;
    std::optional<Manifest> before;        // the manifest at the base, when it had one
    std::optional<ManifestResult> judged;  // `before`, evaluated as the revision is
    Expected<std::optional<std::string>> text = std::nullopt;
    // With reuse_reads, a manifest parsed at another commit with the same blob is not read
    // again (the parse depends on the text, the path and the rules only).
    const std::string cache_key =
        request.reuse_reads && !gone.contains(path) ? tree.blob_id(path) + '\0' + path : "";
    if (cache_key.size() > path.size() + 1) {
      std::lock_guard lock(parsed_mutex);
      if (auto found = parsed.find(cache_key); found != parsed.end()) manifest = found->second;
    }
    if (manifest) {
      // parsed at an earlier evaluate() (reuse_reads)
    } else if (auto removed = gone.find(path); removed != gone.end()) {
      result = evaluate_missing_manifest(path, *rules, context, removed->second);
    } else if (auto bytes = tree.size(path); !bytes) {
      return std::unexpected(bytes.error());
    } else if (*bytes && **bytes > k_max_file_bytes) {
      // Known from the object header: never inflated.
      return fail(ErrorKind::invalid, oversize_message(path, **bytes), SourcePos{path});
    } else if (text = tree.read(path); !text) {
      return std::unexpected(text.error());
    } else if (!*text) {
      result = evaluate_missing_manifest(path, *rules, context);
    } else {
      auto read = parse_manifest(**text, path, tree.blob_id(path), &rules->keys);
      if (!read) return std::unexpected(read.error());
      manifest = std::make_shared<const Manifest>(std::move(*read));
      if (cache_key.size() > path.size() + 1) {
        std::lock_guard lock(parsed_mutex);
        parsed.emplace(cache_key, manifest);
      }
    }
    if (manifest) {
      Manifest none;  // new at this path: every waiver it declares is the change's
      none.path = path;
      if (base_tree) {
        const auto from = moved.find(path);
        before =
            read_base_manifest(*base_tree, from == moved.end() ? path : from->second, rules->keys);
        if (before) {
          // The same rules, time, environment and stage, over the files and history of the
          // base: what the change is measured against (new findings, the ratchet).
          EvalContext at_base = context;
          at_base.tree = base_tree;
          at_base.history = base_history;
          at_base.cite_provenance = false;  // only the revision's findings are reported
          at_base.min_level.reset();
          HeadingCache base_headings;
          judged = evaluate_manifest(*before, *rules, at_base, base_headings);
        }
      }
      result = evaluate_manifest(*manifest, *rules, context, headings,
                                 base_tree ? (before ? &*before : &none) : nullptr);
    }
    if (base_tree)
      compare_with_base(
          *result, manifest.get(), tree,
          BaseSide{judged ? &*judged : nullptr, before ? &*before : nullptr, base_tree}, *rules,
          context);
    // Answers read from a tree or history that could not read an object may be wrong: no
    // verdict.
    for (const Tree* read : {&tree, base_tree})
      if (read)
        if (auto damage = read->damage()) return std::unexpected(*damage);
    for (History* read : {context.history, base_history})
      if (read)
        if (auto damage = read->damage()) return std::unexpected(*damage);
    return std::move(*result);
  }

  // A worker: evaluates the manifests it takes from the queue through a repository handle of
  // its own (libgit2 objects are not shared between threads), reading what the first handle
  // reads: the revision's tree or, with --worktree, the work tree. Rules and the context are
  // only read. A worker that cannot open what the first handle opened takes nothing: the
  // others evaluate every manifest.
  std::vector<Evaluated> evaluate_taken(ManifestQueue& queue, const std::string& revision,
                                        const std::string& merge_base, bool worktree,
                                        const EvalContext& shared,
                                        const History* shared_base_history,
                                        const std::map<std::string, LocalText>& gone,
                                        const std::map<std::string, std::string>& moved) const {
    std::vector<Evaluated> done;
    if (queue.exhausted()) return done;  // started late: the others took everything
    // Opened as the first handle was: a pre-receive hook's pushed objects are only reachable
    // through git's environment (the quarantine directory); a work tree is found from where
    // the run was pointed (its git directory may be elsewhere: --separate-git-dir).
    auto opened = request.repository_from_env ? Repository::open_from_env()
                  : worktree                  ? Repository::discover(request.repository)
                                              : Repository::discover(repo->git_dir());
    if (!opened || (worktree && opened->workdir() != repo->workdir())) return done;
    auto tree = worktree ? opened->work_tree() : opened->tree_at(revision);
    if (!tree) return done;
    std::unique_ptr<Tree> base_tree;
    std::unique_ptr<History> base_history;
    if (!merge_base.empty()) {
      auto at_base = opened->tree_at(merge_base);
      if (!at_base) return done;
      base_tree = std::move(*at_base);
      base_history = shared_base_history ? opened->history_sharing(*shared_base_history, merge_base)
                                         : opened->history_at(merge_base);
    }
    // The chain the first handle loads (and prefetches), shared: walked once for everyone.
    std::unique_ptr<History> history = shared.history
                                           ? opened->history_sharing(*shared.history, revision)
                                           : opened->history_at(revision, executor);
    EvalContext context = shared;
    context.tree = tree->get();
    context.history = history.get();
    std::optional<GitApprovals> approvals;  // libgit2 objects stay with their thread
    if (shared.approvals) {
      approvals.emplace(opened->raw(), tools);
      context.approvals = &*approvals;
    }
    HeadingCache headings;
    while (auto taken = queue.take()) {
      try {
        done.emplace_back(taken->first,
                          evaluate_path(taken->second, **tree, base_tree.get(), base_history.get(),
                                        context, headings, gone, moved));
      } catch (const std::exception& error) {
        done.emplace_back(taken->first, fail(ErrorKind::internal, error.what()));
      }
    }
    return done;
  }

  // With --base and no --manifest, only the manifests whose service directory the change
  // touches: found from the changed paths upwards, so that a merge request's check reads the
  // trees on their way, not every tree. A manifest the base had for a touched service and that
  // is gone, or no longer a regular file, at the revision is judged too (`gone` says what
  // happened to it): deleting a manifest or swapping it for a symlink must not end the
  // service's checks. It is let go only when its whole directory left with it.
  // A manifest new at its path whose service left another directory in the same change (`git
  // mv services/a services/b`) is recorded in `moved` (new path -> base path): it is judged
  // against where it came from (pair_moves).
  static Expected<std::vector<std::string>> scope_to_change(
      const Tree& tree, const Tree& base_tree, const std::vector<std::string>& changed,
      std::map<std::string, LocalText>& gone, std::map<std::string, std::string>& moved) {
    auto selected = select_manifests(tree, k_manifest_file, changed);
    if (!selected) return std::unexpected(selected.error());
    auto before = select_manifests(base_tree, k_manifest_file, changed);
    if (!before) return std::unexpected(before.error());
    std::vector<std::string> left;  // base manifests whose whole directory the change removed
    for (const std::string& path : *before) {
      if (std::binary_search(selected->begin(), selected->end(), path)) continue;
      auto listed = tree.is_listed_file(path);
      if (!listed) return std::unexpected(listed.error());
      if (*listed) {
        // Still a manifest, though the change's paths now belong to a nearer one (a manifest
        // planted inside its directory): it owned them at the base, so it is judged too.
        selected->push_back(path);
        continue;
      }
      const std::string dir = parent_dir(path);
      if (!dir.empty() && tree.kind(dir) != EntryKind::directory) {  // the service left
        left.push_back(path);
        continue;
      }
      const EntryKind now = tree.kind(path);
      gone.emplace(path, say_in_both([&] {
                     return now == EntryKind::missing
                                ? trf("{} was removed by the change: the base {} had it and its "
                                      "service directory is still there",
                                      path, base_tree.describe())
                                : trf("{} is no longer a regular file at {} (a symlink, directory "
                                      "or submodule took its place); the base {} had one",
                                      path, tree.describe(), base_tree.describe());
                   }));
      selected->push_back(path);
    }
    std::sort(selected->begin(), selected->end());
    if (!left.empty())
      if (auto found = find_moves(tree, base_tree, *selected, left, moved); !found)
        return std::unexpected(found.error());
    return selected;
  }

  // Pairs the manifests new at their path with the ones that left (see scope_to_change). One
  // that cannot be read or parsed on either side pairs with nothing: its own errors are
  // reported when it is evaluated.
  static Expected<void> find_moves(const Tree& tree, const Tree& base_tree,
                                   const std::vector<std::string>& selected,
                                   std::vector<std::string> left,
                                   std::map<std::string, std::string>& moved) {
    auto parse = [](const Tree& from, const std::string& path) -> std::optional<toml::table> {
      auto text = read_bounded(from, path);
      if (!text) return std::nullopt;
      auto doc = parse_toml(*text, path);
      if (!doc) return std::nullopt;
      return std::move(*doc);
    };
    std::vector<toml::table> left_docs, arrived_docs;
    std::vector<std::string> left_paths, arrived_paths;
    for (const std::string& path : left)
      if (auto doc = parse(base_tree, path)) {
        left_docs.push_back(std::move(*doc));
        left_paths.push_back(path);
      }
    if (left_docs.empty()) return {};
    for (const std::string& path : selected) {
      auto listed = base_tree.is_listed_file(path);
      if (!listed) return std::unexpected(listed.error());
      if (*listed) continue;  // the base had it here
      if (auto doc = parse(tree, path)) {
        arrived_docs.push_back(std::move(*doc));
        arrived_paths.push_back(path);
      }
    }
    auto pointers = [](const std::vector<toml::table>& docs) {
      std::vector<const toml::table*> out;
      for (const toml::table& doc : docs) out.push_back(&doc);
      return out;
    };
    auto paired = pair_moves(pointers(arrived_docs), pointers(left_docs));
    if (!paired) return std::unexpected(paired.error());
    for (std::size_t i = 0; i < paired->size(); ++i)
      if (const auto& from = (*paired)[i]) moved.emplace(arrived_paths[i], left_paths[*from]);
    return {};
  }

  // Manifests outside the change's service directories that name a file the change touches
  // (`/shared/runbook.md` from services/a, a symlink out of the service, a file in another
  // service's directory): a change deleting a shared runbook is judged against every service
  // naming it. A manifest left out of the change (nothing in its service directory moved) can
  // read something the change touched only when its text names a path outside its directory,
  // a symlink lies under its directory, or another service's directory does: those manifests
  // are parsed and their file references (the keys the loaded rules' file operators read)
  // compared between the two trees; one that differs in kind or content selects the
  // manifest. A manifest that cannot be read or parsed is left to the changes that touch it:
  // this change did not make it so.
  Expected<void> add_referencing(const Tree& tree, const Tree& base_tree,
                                 std::vector<std::string>& selected) const {
    auto all = tree.find(k_manifest_file);
    if (!all) return std::unexpected(all.error());
    auto links = tree.find_links();
    if (!links) return std::unexpected(links.error());
    // Whether a sorted list holds a path under `dir` ("" is the root) other than `self`.
    auto holds_under = [](const std::vector<std::string>& sorted, const std::string& dir,
                          const std::string& self) {
      const std::string prefix = dir.empty() ? std::string() : dir + "/";
      for (auto it = std::lower_bound(sorted.begin(), sorted.end(), prefix);
           it != sorted.end() && it->starts_with(prefix); ++it)
        if (*it != self) return true;
      return false;
    };
    const std::size_t scoped = selected.size();
    for (const std::string& path : *all) {
      if (std::binary_search(selected.begin(), selected.begin() + scoped, path)) continue;
      auto text = read_bounded(tree, path);
      if (!text) continue;
      const std::string dir = parent_dir(path);
      std::vector<std::string> files;
      // Without a symlink or another service under its directory, only a string naming a path
      // outside the directory can reach what the change touched: those strings are enough.
      auto outside = !holds_under(*all, dir, path) && *links && !holds_under(**links, dir, path)
                         ? outside_strings(*text)
                         : std::nullopt;
      if (outside) {
        for (const std::string& item : *outside)
          for (std::size_t end = item.size(); end != std::string::npos && end > 0;
               end = item.rfind('#', end - 1))
            if (auto file = resolve_manifest_path(dir, std::string_view(item).substr(0, end)))
              files.push_back(std::move(*file));
      } else {
        auto doc = parse_toml(*text, path);
        if (!doc) continue;
        Manifest manifest;
        manifest.path = path;
        manifest.dir = dir;
        manifest.doc = std::move(*doc);
        files = reference_candidates(manifest, *rules);
      }
      for (const std::string& file : files)
        if (tree.kind(file) != base_tree.kind(file) ||
            tree.blob_id(file) != base_tree.blob_id(file)) {
          selected.push_back(path);
          break;
        }
    }
    std::sort(selected.begin(), selected.end());
    return {};
  }

  // The change as a rule's when_changed sees it through the symlinks of the tree: a link
  // services/pay/migrations -> ../../db/pay makes db/pay/002.sql services/pay/migrations/002.sql
  // too. Links to links are followed a few rounds deep. Sorted and unique; a work tree (whose
  // links the search does not list) keeps the paths as they are.
  static Expected<std::vector<std::string>> through_links(const Tree& tree,
                                                          std::vector<std::string> changed) {
    // The search for manifests lists the links on its way, and scoping asks for it next.
    if (auto all = tree.find(k_manifest_file); !all) return std::unexpected(all.error());
    auto links = tree.find_links();
    if (!links) return std::unexpected(links.error());
    if (!*links) return changed;
    std::vector<std::pair<std::string, std::string>> targets;  // link, where it leads
    for (const std::string& link : **links)
      if (auto target = tree.real_path(link); target && *target != link)
        targets.emplace_back(link, std::move(*target));
    for (int round = 0; round < 4 && !targets.empty(); ++round) {
      std::vector<std::string> added;
      for (const auto& [link, target] : targets) {
        // Every path starting with `target` is in one run of the sorted list.
        for (auto it = std::lower_bound(changed.begin(), changed.end(), target);
             it != changed.end() && it->starts_with(target); ++it) {
          if (*it == target)
            added.push_back(link);
          else if (target.empty() || (*it)[target.size()] == '/')
            added.push_back(link + "/" + it->substr(target.empty() ? 0 : target.size() + 1));
          if (changed.size() + added.size() > k_max_tree_entries)
            return fail(ErrorKind::invalid,
                        trf("the change touches more than {} paths once seen through the tree's "
                            "symbolic links; opsgate does not judge it",
                            k_max_tree_entries));
        }
      }
      const std::size_t before = changed.size();
      changed.insert(changed.end(), added.begin(), added.end());
      std::sort(changed.begin(), changed.end());
      changed.erase(std::unique(changed.begin(), changed.end()), changed.end());
      if (changed.size() == before) break;
    }
    return changed;
  }

  // GATE-RULES-CHANGED: the change rewrites rule files this run loaded from the repository.
  Expected<std::vector<Finding>> rules_changed(const std::string& merge_base,
                                               const std::vector<std::string>& changed,
                                               const std::string& revision) const {
    std::vector<Finding> findings;
    auto workdir = repo->workdir();
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
    for (const Pack& pack : rules->packs) {
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
      if (pack.origin.kind == PackOrigin::Kind::revision) {
        auto ancestor = repo->is_ancestor(pack.origin.commit, merge_base);
        if (!ancestor) return std::unexpected(ancestor.error());
        base_side = *ancestor;
      }
      // Rules read from the repository's history must still load once the change lands: a
      // rule file that does not parse would stop every later check of the repository. Why they
      // do not, in the thread's language; empty when they load.
      const auto load_problem = [&]() -> std::string {
        if (pack.origin.kind != PackOrigin::Kind::revision || revision.empty()) return {};
        const std::string at_revision =
            revision + ":" + (pack.origin.is_dir ? pack.origin.dir : pack.origin.files.front());
        auto source = read_pack_source(at_revision, &*repo);
        RuleSetBuilder builder;
        Expected<void> loads = source ? builder.add(*source) : std::unexpected(source.error());
        return loads ? std::string() : loads.error().to_string();
      };
      const std::string problem = load_problem();
      const bool read_from_base = base_side;
      if (!problem.empty()) base_side = false;
      bool first_pass = true;  // the English copy asks the loader again, in English
      LocalText message = say_in_both([&] {
        const std::string why = first_pass || problem.empty() ? problem : load_problem();
        first_pass = false;
        std::string text =
            read_from_base
                ? trf("the change modifies rule files of pack {} ({}); this run used their "
                      "base-side version from {}",
                      pack.name, fmt::join(touched, ", "), pack.source)
                : trf("the change modifies rule files of pack {} ({}) and this run read them "
                      "from {}: a change must not judge itself with rules it rewrote",
                      pack.name, fmt::join(touched, ", "),
                      pack.origin.kind == PackOrigin::Kind::disk ? std::string(tr("the work tree"))
                                                                 : pack.source);
        if (!why.empty())
          text +=
              trf("; and as the change leaves them, they do not load ({}): merged, they would stop "
                  "every later check",
                  why);
        return text;
      });
      findings.push_back(make_gate_finding(
          "GATE-RULES-CHANGED",
          gate_title(tr_noop("The change does not rewrite the rules that judge it")), Status::fail,
          base_side ? Severity::warning : Severity::error, std::move(message),
          SourcePos{*touched.begin()},
          std::string(tr("Load the rules from the target side, e.g. --rules "
                         "origin/main:.opsgate/rules, and review rule changes in a change of "
                         "their own."))));
    }
    return findings;
  }

  // A manifest missing at the revision that the work tree has and HEAD lacks was written
  // (`opsgate init`) but not committed: GATE-MANIFEST says so, rather than "run opsgate init".
  // Only a missing manifest opens the work tree.
  void point_at_uncommitted(ManifestResult& result) const {
    // One text per language, as a rule's.
    static const SharedText k_helps[] = {
        "Commit the manifest (git add, git commit), or check the work tree as it is with "
        "--worktree (pre-commit use).",
        std::string(tr_in(Lang::fr,
                          "Commit the manifest (git add, git commit), or check the work tree as "
                          "it is with --worktree (pre-commit use)."))};
    for (Finding& finding : result.findings) {
      if (finding.rule != "GATE-MANIFEST" || finding.status != Status::fail) continue;
      if (!uncommitted_in_work_tree(*repo, result.path)) return;
      LocalText message = say_in_both([&] { return uncommitted_message(result.path); });
      finding.message = std::move(message.text);
      finding.english_message = std::move(message.english);
      finding.help = k_helps[language() == Lang::fr ? 1 : 0];
    }
  }

  Expected<void> evaluate(const CheckTarget& target, Report& report,
                          std::vector<ManifestError>* unevaluated) {
    const Instant eval_at = target.at.value_or(at);
    report.worktree = target.worktree;
    std::string revision;
    auto opened = open_tree(*repo, target.rev, target.worktree, revision);
    if (!opened) return std::unexpected(opened.error());
    std::unique_ptr<Tree> tree = std::move(*opened);
    std::shared_ptr<History> history;
    if (!revision.empty()) {
      report.revision = revision;
      history = target.history ? target.history : repo->history_at(revision, executor);
      prefetch_history(*history, eval_at);
    }

    std::unique_ptr<Tree> base_tree;
    std::unique_ptr<History> base_history;  // shared with the workers, like `history`
    std::string merge_base;
    std::vector<std::string> changed;  // sorted
    std::string base_commit;
    if (!target.base.empty()) {
      auto base = repo->resolve_commit(target.base);
      if (!base) return std::unexpected(base.error());
      base_commit = *base;
      if (revision.empty())
        return fail(
            ErrorKind::usage,
            std::string(tr("--base needs a revision to compare (the branch has no commit)")));
      auto found = repo->merge_base(*base, revision);
      if (!found) return std::unexpected(found.error());
      merge_base = *found;
    }
    // A rewind (the revision is an ancestor of the base: a force push back, --rev BAD --base
    // FIX) has no change of its own to scope to: the revision is judged in full.
    if (!merge_base.empty() && merge_base == revision && base_commit != revision &&
        !target.worktree) {
      report.notes.push_back(
          trf("{} is an ancestor of the base {}: a rewind, judged in full (every manifest)",
              revision.substr(0, 12), target.base));
      merge_base.clear();
    }
    if (!merge_base.empty()) {
      // With --worktree the change reaches into what is not committed yet.
      auto paths = repo->changed_paths(merge_base, target.worktree ? std::string() : revision);
      if (!paths) return std::unexpected(paths.error());
      auto tree_at_base = repo->tree_at(merge_base);
      if (!tree_at_base) return std::unexpected(tree_at_base.error());
      base_tree = std::move(*tree_at_base);
      base_history = repo->history_at(merge_base);
      report.base = merge_base;
      report.changed_paths = report.changed_paths.value_or(0) + paths->size();
      changed = std::move(*paths);
    }

    EvalContext context;
    context.environment = request.environment;
    context.stage = request.stage;
    context.fail_on_new = request.fail_on_new;
    context.at = eval_at;
    context.fail_on = request.fail_on;
    context.min_level = request.min_level;
    context.emergency = request.emergency;
    context.tree = tree.get();
    context.history = history.get();
    context.cite_provenance = !target.worktree && history;
    context.rules = &*rules;
    std::optional<GitApprovals> approvals;
    std::vector<CommitRef> change_commits;
    if (waiver_proof && context.cite_provenance) {
      approvals.emplace(repo->raw(), tools);
      context.approvals = &*approvals;
      if (!merge_base.empty()) {
        auto commits = repo->commits_between(merge_base, revision);
        if (!commits) return std::unexpected(commits.error());
        change_commits = std::move(*commits);
        context.change_commits = &change_commits;
      }
    }
    if (request.emergency && emergency_proof) {
      if (revision.empty() || target.worktree)
        return fail(ErrorKind::usage,
                    std::string(tr("--emergency needs a signed commit or tag (emergency_proof = "
                                   "\"signed\"): not with --worktree")));
      GitApprovals checker(repo->raw(), tools);
      Finding proof = emergency_finding(*repo, revision, *rules, checker);
      if (proof.status == Status::fail) context.emergency.reset();  // window rules stay failed
      report.findings.push_back(std::move(proof));
    }
    context.headings_by_blob = request.reuse_reads;
    context.report_provenance = request.cite_provenance;
    if (!merge_base.empty()) {
      auto seen = through_links(*tree, changed);
      if (!seen) return std::unexpected(seen.error());
      context.changed_paths = std::move(*seen);
      auto found = rules_changed(merge_base, changed, target.worktree ? std::string() : revision);
      if (!found) return std::unexpected(found.error());
      mark_run_findings(*found);
      for (Finding& finding : *found) report.findings.push_back(std::move(finding));
    }

    if (time_zones.valid()) executor->wait(time_zones);  // manifests name their zones from here
    // Evaluators besides this thread: one per k_manifests_per_job manifests found, up to
    // --jobs - 1 (else the executor's threads); none without a commit for them to open.
    const std::size_t max_workers =
        revision.empty() ? 0 : (request.jobs ? request.jobs - 1 : executor->threads());
    std::map<std::string, LocalText> gone;     // manifests the change removed: path -> what
    std::map<std::string, std::string> moved;  // manifests moved by the change: path -> base's
    ManifestQueue queue;
    std::vector<std::future<std::vector<Evaluated>>> workers;
    // Whatever happens below, the queue is closed and every worker waited for before `queue`,
    // `context` and the trees they read go away.
    struct Finish {
      ManifestQueue& queue;
      std::vector<std::future<std::vector<Evaluated>>>& workers;
      Executor& executor;
      ~Finish() {
        queue.cancel();
        for (auto& worker : workers)
          if (worker.valid()) {
            try {
              executor.wait(worker);
            } catch (...) {  // an error path already: its own error is reported
            }
          }
      }
    } finish{queue, workers, *executor};
    auto staff = [&](std::size_t found) {
      const std::size_t wanted =
          std::min(max_workers, std::max<std::size_t>(found / k_manifests_per_job, 1) - 1);
      while (workers.size() < wanted)
        workers.push_back(executor->submit([&, worker_context = context] {
          return evaluate_taken(queue, revision, merge_base, target.worktree, worker_context,
                                base_history.get(), gone, moved);
        }));
    };
    // Without --manifest or --base, every tree is searched; the manifests found are evaluated
    // as the search goes on.
    if (request.manifests.empty() && merge_base.empty()) {
      std::size_t found = 0;
      auto searched = tree->find_each(k_manifest_file, [&](std::string path) {
        found = queue.push(std::move(path));
        staff(found);
      });
      if (!searched) return std::unexpected(searched.error());
      if (found == 0) queue.push(std::string(k_manifest_file));  // GATE-MANIFEST
    } else {
      auto paths = !merge_base.empty() && request.manifests.empty()
                       ? scope_to_change(*tree, *base_tree, changed, gone, moved)
                       : find_manifest_paths(request.manifests, *tree);
      if (!paths) return std::unexpected(paths.error());
      if (!merge_base.empty() && request.manifests.empty() && request.stage != Stage::deploy)
        if (auto added = add_referencing(*tree, *base_tree, *paths); !added)
          return std::unexpected(added.error());
      // A deployment judges every service of the revision: evidence ages while code sits still,
      // and the deploy is where that must be caught. The change still marks what is new.
      if (request.stage == Stage::deploy && !merge_base.empty() && request.manifests.empty()) {
        auto all = find_manifest_paths({}, *tree);
        if (!all) return std::unexpected(all.error());
        for (std::string& path : *all)
          if (std::find(paths->begin(), paths->end(), path) == paths->end())
            paths->push_back(std::move(path));
      }
      if (auto damage = tree->damage()) return std::unexpected(*damage);
      for (std::string& path : *paths) queue.push(std::move(path));
      staff(paths->size());
    }
    queue.close();
    std::vector<std::vector<Evaluated>> by_evaluator;
    {
      std::vector<Evaluated> here;
      HeadingCache own_headings;
      HeadingCache& headings = request.reuse_reads ? kept_headings : own_headings;
      while (auto taken = queue.take())
        here.emplace_back(taken->first,
                          evaluate_path(taken->second, *tree, base_tree.get(), base_history.get(),
                                        context, headings, gone, moved));
      by_evaluator.push_back(std::move(here));
    }
    for (auto& worker : workers) {
      try {
        by_evaluator.push_back(executor->wait(worker));
      } catch (const std::exception& error) {
        return fail(ErrorKind::internal, std::string("evaluating manifests: ") + error.what());
      }
    }

    // In path order, whichever evaluator took them; the first error in that order stops the run.
    const std::vector<std::string> paths = queue.paths();
    std::vector<Expected<ManifestResult>> results(paths.size(),
                                                  fail(ErrorKind::internal, "not evaluated"));
    for (std::vector<Evaluated>& evaluated : by_evaluator)
      for (auto& [index, result] : evaluated) results[index] = std::move(result);
    std::vector<std::size_t> order(paths.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return paths[a] < paths[b]; });
    const std::size_t first_new = report.manifests.size();
    for (std::size_t index : order) {
      if (!results[index] && unevaluated) {
        unevaluated->push_back(ManifestError{paths[index], results[index].error()});
        continue;
      }
      if (!results[index]) return std::unexpected(results[index].error());
      report.manifests.push_back(std::move(*results[index]));
    }
    // A work tree holds the pusher's files, not the revision's on a server: asked only here.
    if (!target.worktree && !request.repository_from_env)
      for (std::size_t i = first_new; i < report.manifests.size(); ++i)
        if (!gone.contains(report.manifests[i].path)) point_at_uncommitted(report.manifests[i]);
    phase("evaluate");
    return {};
  }
};

Checker::Checker(std::unique_ptr<State> state) : m_state(std::move(state)) {}
Checker::Checker(Checker&&) noexcept = default;
Checker& Checker::operator=(Checker&&) noexcept = default;
Checker::~Checker() = default;

Expected<Checker> Checker::open(const CheckRequest& request, Executor& executor) {
  auto state = std::make_unique<State>();
  state->request = request;
  state->executor = &executor;
  state->time_zones = executor.submit(load_time_zones);
  state->at = request.at ? *request.at : now_utc();
  if (request.fail_on == Severity::info)
    return fail(ErrorKind::usage, std::string(tr("--fail-on info: expected error or warning")));
  if (request.min_level && (*request.min_level < 0 || *request.min_level > 5))
    return fail(ErrorKind::usage, std::string(tr("--min-level takes a level from 0 to 5")));
  auto opened = request.repository_from_env ? Repository::open_from_env()
                                            : Repository::discover(request.repository);
  if (!opened) return std::unexpected(opened.error());
  state->repo = std::move(*opened);
  state->phase("open-repository");
  if (request.loaded_rules) {
    state->rules = request.loaded_rules;
  } else {
    auto loaded = load_rule_set(request.rules, request.environment, &*state->repo);
    if (!loaded) return std::unexpected(loaded.error());
    state->rules = std::make_shared<const RuleSet>(std::move(*loaded));
  }
  for (const Pack& pack : state->rules->packs) {
    state->waiver_proof = state->waiver_proof || pack.waiver_proof_signed;
    state->emergency_proof = state->emergency_proof || pack.emergency_proof_signed;
  }
  if (state->waiver_proof || state->emergency_proof) {
    state->tools = SignatureTools::find();
    state->tools.timeout = request.verifier_timeout;
    if (auto ok = state->tools.require(state->rules->packs); !ok)
      return std::unexpected(ok.error());
  }
  state->phase("load-rules");
  return Checker(std::move(state));
}

Report Checker::new_report() const {
  Report report;
  report.environment = m_state->request.environment;
  report.stage = m_state->request.stage;
  report.at = m_state->at;
  report.fail_on = m_state->request.fail_on;
  report.emergency = m_state->request.emergency;
  if (report.emergency) report.emergency_requested_by = m_state->request.emergency_requested_by;
  report.packs = pack_infos(*m_state->rules);
  return report;
}

Expected<void> Checker::evaluate(const CheckTarget& target, Report& report) {
  return m_state->evaluate(target, report, nullptr);
}

Expected<void> Checker::evaluate(const CheckTarget& target, Report& report,
                                 std::vector<ManifestError>* unevaluated) {
  return m_state->evaluate(target, report, unevaluated);
}

const Repository& Checker::repository() const {
  return *m_state->repo;
}

const RuleSet& Checker::rules() const {
  return *m_state->rules;
}

Expected<Report> check(const CheckRequest& request, const CheckTarget& target,
                       Executor& executor) try {
  auto checker = Checker::open(request, executor);
  if (!checker) return std::unexpected(checker.error());
  Report report = checker->new_report();
  if (auto ok = checker->evaluate(target, report); !ok) return std::unexpected(ok.error());
  conclude(report);
  return report;
} catch (const std::bad_alloc&) {
  return fail(ErrorKind::unavailable, std::string(tr("out of memory while checking")));
}

Report error_report(const CheckRequest& request, const CheckTarget* target, const Error& error) {
  Report report;
  if (target && !target->rev.empty())
    if (auto repo = try_open(request.repository))
      if (auto revision = repo->resolve_commit(target->worktree ? "HEAD" : target->rev))
        report.revision = *revision;
  report.environment = request.environment;
  report.stage = request.stage;
  report.at = request.at ? *request.at : now_utc();
  report.fail_on = request.fail_on;
  report.emergency = request.emergency;
  if (report.emergency) report.emergency_requested_by = request.emergency_requested_by;
  report.outcome = Outcome::error;
  report.error = error.to_string();
  conclude(report);
  return report;
}

}  // namespace opsgate
