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
#include <string>
#include <vector>

#include "commit_graph.hpp"
#include "executor.hpp"
#include "git_handles.hpp"
#include "history.hpp"

namespace opsgate {

class GitHistory final : public History {
 public:
  // `executor`, when given, walks the commit-graph part of the chain in the background
  // (prefetch()); it must outlive this history.
  GitHistory(std::shared_ptr<git_repository> repo, const std::string& commit_id,
             Executor* executor = nullptr);
  ~GitHistory() override;
  GitHistory(const GitHistory&) = delete;
  GitHistory& operator=(const GitHistory&) = delete;
  Expected<FileChange> last_change(std::string_view path, Seconds cutoff) override;
  std::optional<Error> damage() const override { return m_damage; }
  // Walks the commit-graph part of the chain back to `cutoff` on another core (pure reads of
  // the mapped graph, no libgit2 call) while the caller parses manifests; the commits newer
  // than the graph are loaded here first. Every other member waits for the walk to end.
  void prefetch(Seconds cutoff) override;

  // How many commits the walk has loaded so far (for benchmarks and tests).
  std::size_t commits_loaded() {
    join_prefetch();
    return m_chain.size();
  }
  // How many of them came from the commit-graph, and how many path comparisons a Bloom filter
  // made unnecessary.
  std::size_t commits_from_graph() {
    join_prefetch();
    return m_from_graph;
  }
  std::size_t comparisons_skipped() const { return m_skipped; }

  // Reads no commit-graph (tests compare both ways).
  void ignore_commit_graph() {
    join_prefetch();
    m_graph.reset();
  }

 private:
  // Ids only: objects are looked up again when needed (libgit2's bounded cache keeps that
  // cheap), so memory stays flat however many commits the window holds.
  static constexpr std::uint32_t k_not_in_graph = CommitGraph::k_no_position;
  // A commit of the chain, 72 bytes: a year of hourly commits fits in 620 KiB. The id of a
  // commit read from the graph stays there (read for an answer only); the ids of the commits
  // newer than the graph (always the first links of the chain) are kept in m_loose.
  struct Link {
    Seconds when;
    std::uint32_t graph_position = k_not_in_graph;
    std::uint32_t graph_parent = k_not_in_graph;
    CommitGraph::Filter filter;  // located once, probed for every path
    git_oid tree{};              // of a graph commit: its record is not read again
  };
  // What the skip loop of last_change() reads of a link, 24 bytes instead of 72: a monorepo's
  // check probes every link of the window once per service. `slot`: which of a PathKey's masks
  // the filter is probed with (version - 1) * 8 + bytes - 1, or k_general_probe (probed bit by
  // bit) or k_compare (no filter: compared).
  struct Probe {
    std::int64_t when;  // seconds since the epoch
    std::uint64_t word;
    std::uint8_t slot;
  };
  static constexpr std::uint8_t k_general_probe = 16;
  static constexpr std::uint8_t k_compare = 17;
  struct LooseIds {
    git_oid commit;
    git_oid tree;
  };
  git_oid commit_of(std::size_t index) const;
  git_oid tree_of(std::size_t index) const;
  // Loads the chain until `index` exists; false when history ends first.
  Expected<bool> load(std::size_t index);
  // Loads the chain back past `cutoff` (or to its end), then releases the graph's pages.
  Expected<void> load_window(Seconds cutoff);
  void index_probes();  // m_probes for every link of m_chain
  static std::int64_t seconds_of(Seconds when) { return when.time_since_epoch().count(); }
  void join_prefetch() {
    if (m_prefetch.valid()) m_executor->wait(m_prefetch);
  }
  // The ids of the path's directories and file at chain[index], outermost first; with
  // `stop_at`, reading stops at the first id equal to its counterpart there. Shorter than
  // `components` (or empty) when the path does not exist.
  Expected<FileChange> find_last_change(std::string_view path, Seconds cutoff);
  Expected<std::vector<git_oid>> ids_on_path(std::size_t index,
                                             const std::vector<std::string>& components,
                                             const std::vector<git_oid>* stop_at);

  std::shared_ptr<git_repository> m_repo;
  std::string m_start;
  std::vector<Link> m_chain;
  std::vector<LooseIds> m_loose;  // of m_chain[0 .. m_loose.size())
  std::vector<Probe> m_probes;    // of m_chain[0 .. m_probes.size())
  GitCommitPtr m_tip;             // the last commit loaded, to step to its parent
  std::set<std::string> m_shallow_roots;
  std::unique_ptr<CommitGraph> m_graph;
  std::size_t m_from_graph = 0;
  std::size_t m_from_graph_released = 0;  // m_from_graph when the graph's pages were released
  std::size_t m_skipped = 0;
  bool m_ended = false;
  bool m_ended_shallow = false;
  // Owns the chain (and everything load() writes) while it runs.
  std::optional<Error> m_damage;  // the first error last_change() returned
  Executor* m_executor = nullptr;
  std::future<Expected<void>> m_prefetch;
};

}  // namespace opsgate
