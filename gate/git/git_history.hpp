#pragma once
// History over libgit2: the first-parent chain of one commit, loaded only as deep as the
// oldest cutoff asked for, and without a commit-graph only as deep as the first change found.
// Shallow clones end where `.git/shallow` says (libgit2 1.5's revwalk does not know about
// shallow boundaries). With a commit-graph the chain is read from it, and its changed-path
// Bloom filters skip the commits that cannot have touched a path (commit_graph.hpp); commits
// newer than the graph go through libgit2.

#include <future>
#include <memory>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <vector>

#include "commit_graph.hpp"
#include "executor.hpp"
#include "git_handles.hpp"
#include "history.hpp"

namespace opsgate {

// The first-parent chain of one commit, loaded as deep as the questions need and shared
// read-only by the histories of several threads (each reading trees through a repository handle
// of its own): a monorepo's evaluators walk the same chain once. Defined in git_history.cpp.
struct HistoryChain;

class GitHistory final : public History {
 public:
  // `executor`, when given, walks the commit-graph part of the chain in the background
  // (prefetch()); it must outlive this history.
  GitHistory(std::shared_ptr<git_repository> repo, const std::string& commit_id,
             Executor* executor = nullptr);
  // Another thread's history of the same commit as `other`, sharing its chain: links loaded by
  // either are loaded for both. `repo` is this thread's handle on the same repository.
  GitHistory(std::shared_ptr<git_repository> repo, const GitHistory& other);
  // The history of the commit `link` links down `other`'s first-parent chain (an ancestor on
  // it, already loaded), sharing the chain: the fleet trend's points, all on one chain, walk it
  // once instead of once a point.
  GitHistory(std::shared_ptr<git_repository> repo, const GitHistory& other, std::size_t link);
  ~GitHistory() override;
  GitHistory(const GitHistory&) = delete;
  GitHistory& operator=(const GitHistory&) = delete;
  Expected<FileChange> last_change(std::string_view path, Seconds cutoff) override;
  std::optional<Error> damage() const override { return m_damage; }
  Expected<FileChange> last_change_ever(std::string_view path) override;
  Expected<CommitRef> describe(std::string_view commit) override;
  // git_blame_file over the lines asked only (its cost grows with the history of those lines,
  // not of the file). Not first-parent: a line a signed commit brought through a merge is that
  // commit's (docs/rules.md, signed waivers). A line blamed on a shallow root, or a history
  // libgit2 cannot read, is unattributed.
  Expected<std::vector<LineOrigin>> blame(std::string_view path, std::size_t first,
                                          std::size_t last, bool bounded) override;
  // How far past what the questions loaded the bounded searches go (evidence, provenance):
  // on a history of hourly commits, half a year more than a freshness window.
  static constexpr std::size_t k_deep_search_links = 4096;
  // Walks the commit-graph part of the chain back to `cutoff` on another core (pure reads of
  // the mapped graph, no libgit2 call) while the caller parses manifests; the commits newer
  // than the graph are loaded here first. Questions asked meanwhile wait for the walk.
  void prefetch(Seconds cutoff) override;

  // The first-parent chain, newest first, back to its first commit older than `cutoff`
  // (included), or to its end. `cut` is set when the chain ends there because a shallow clone
  // lacks the parents, not because history begins. The fleet trend picks its points from it.
  struct Link {
    std::string commit;  // 40-hex
    Seconds when;        // committer time
  };
  Expected<std::vector<Link>> chain_until(Seconds cutoff, bool& cut);

  // How many commits the chain holds so far, a prefetch waited for (for benchmarks and tests).
  std::size_t commits_loaded();
  // How many of them came from the commit-graph, and how many path comparisons a Bloom filter
  // made unnecessary for this history's questions.
  std::size_t commits_from_graph();
  std::size_t comparisons_skipped() const { return m_skipped; }

  // Reads no commit-graph (tests compare both ways). Only before the first question.
  void ignore_commit_graph();

 private:
  Expected<FileChange> find_last_change(std::string_view path, Seconds cutoff,
                                        std::size_t max_links = SIZE_MAX);
  std::size_t deep_search_bound();
  // The ids of the path's directories and file at link `index`, outermost first; with
  // `stop_at`, reading stops at the first id equal to its counterpart there. Shorter than
  // `components` (or empty) when the path does not exist. The chain's lock is held.
  Expected<std::vector<git_oid>> ids_on_path(std::size_t index,
                                             const std::vector<std::string>& components,
                                             const std::vector<git_oid>* stop_at);
  void join_prefetch();

  std::shared_ptr<git_repository> m_repo;  // this thread's handle: trees and commits read here
  std::shared_ptr<HistoryChain> m_chain;
  std::size_t m_first = 0;  // the link of the chain this history's commit is
  std::size_t m_skipped = 0;
  std::size_t m_deep_bound = 0;   // deep_search_bound(), once computed
  std::optional<Error> m_damage;  // the first error last_change() returned
  Executor* m_executor = nullptr;
  std::future<Expected<void>> m_prefetch;  // only the history that started it waits for it
};

}  // namespace opsgate
