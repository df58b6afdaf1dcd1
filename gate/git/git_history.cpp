#include "git_history.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>

#include "paths.hpp"

namespace opsgate {

GitHistory::GitHistory(std::shared_ptr<git_repository> repo, const std::string& commit_id,
                       Executor* executor)
    : m_repo(std::move(repo)), m_start(commit_id), m_executor(executor) {
  std::ifstream shallow(std::string(git_repository_path(m_repo.get())) + "shallow");
  for (std::string line; std::getline(shallow, line);)
    if (!line.empty()) m_shallow_roots.insert(line);
  // git writes no commit-graph in a shallow repository; one left from before is not trusted.
  // core.commitGraph = false turns it off, as for git.
  int use_graph = 1;
  git_config* raw_config = nullptr;
  if (git_repository_config_snapshot(&raw_config, m_repo.get()) == 0) {
    GitConfigPtr config(raw_config);
    if (git_config_get_bool(&use_graph, config.get(), "core.commitGraph") != 0) use_graph = 1;
  }
  if (m_shallow_roots.empty() && use_graph)
    m_graph = CommitGraph::open(std::string(git_repository_path(m_repo.get())) + "objects");
}

GitHistory::~GitHistory() {
  join_prefetch();
}

void GitHistory::prefetch(Seconds cutoff) {
  join_prefetch();
  if (!m_graph || !m_executor || m_executor->threads() == 0) return;
  // Through libgit2 up to the graph, here; from there on only the mapped file is read.
  for (std::size_t i = m_chain.size();; ++i) {
    if (!m_chain.empty() &&
        (m_chain.back().when < cutoff || m_chain.back().graph_position != k_not_in_graph))
      break;
    auto more = load(i);
    if (!more || !*more) return;
  }
  if (m_chain.back().when < cutoff) return;
  // Its error, if any, is met again by last_change(), which loads the same links.
  m_prefetch = m_executor->submit([this, cutoff] { return load_window(cutoff); });
}

Expected<bool> GitHistory::load(std::size_t index) {
  while (m_chain.size() <= index) {
    if (m_ended) return false;
    // Once a commit is in the graph, so are all its ancestors: the rest of the chain is read
    // from it without parsing a commit.
    if (!m_chain.empty() && m_chain.back().graph_position != k_not_in_graph) {
      const std::uint32_t parent = m_chain.back().graph_parent;
      if (parent == k_not_in_graph) {
        m_ended = true;
        return false;
      }
      const CommitGraph::Commit commit = m_graph->at(parent);
      m_chain.push_back(Link{Seconds{std::chrono::seconds(commit.time)}, parent,
                             commit.first_parent, m_graph->filter_at(parent), commit.tree});
      ++m_from_graph;
      continue;
    }
    git_commit* raw = nullptr;
    if (!m_tip) {
      git_oid start;
      if (git_oid_fromstr(&start, m_start.c_str()) != 0 ||
          git_commit_lookup(&raw, m_repo.get(), &start) != 0)
        return fail(ErrorKind::not_found, fmt::format("commit {} not found", m_start));
    } else {
      std::string id = oid_hex(m_loose.back().commit);
      bool has_parent = git_commit_parentcount(m_tip.get()) > 0;
      // A commit listed in .git/shallow ends a truncated clone; a parent that is not there
      // otherwise is a damaged or incomplete repository: the history is unknown.
      if (!has_parent || m_shallow_roots.contains(id)) {
        m_ended = true;
        m_ended_shallow = has_parent;
        m_tip.reset();
        return false;
      }
      if (git_commit_parent(&raw, m_tip.get(), 0) != 0)
        return std::unexpected(missing_object(
            m_repo.get(), "commit", *git_commit_parent_id(m_tip.get(), 0),
            fmt::format("the parent of {} on the first-parent history", id.substr(0, 12))));
    }
    m_tip.reset(raw);
    Seconds when{std::chrono::seconds(git_commit_time(m_tip.get()))};
    m_chain.push_back(Link{when, k_not_in_graph, k_not_in_graph, {}});
    m_loose.push_back(LooseIds{*git_commit_id(m_tip.get()), *git_commit_tree_id(m_tip.get())});
    if (m_graph) {
      if (auto position = m_graph->find(m_loose.back().commit)) {
        Link& link = m_chain.back();
        link.graph_position = *position;
        link.graph_parent = m_graph->at(*position).first_parent;
        link.filter = m_graph->filter_at(*position);
        link.tree = m_loose.back().tree;
        // The rest of the chain is at most the whole graph: reserved at once up to two
        // years of hourly commits (address space until used), so a window's links are
        // rarely copied as it grows.
        m_chain.reserve(m_chain.size() + std::min<std::size_t>(m_graph->size(), 1u << 15));
        m_tip.reset();
      }
    }
  }
  return true;
}

Expected<void> GitHistory::load_window(Seconds cutoff) {
  if (auto loaded = load(0); !loaded) return std::unexpected(loaded.error());
  while (!m_ended && m_chain.back().when >= cutoff)
    if (auto more = load(m_chain.size()); !more) return std::unexpected(more.error());
  // Each link holds what the comparisons need of its record (time, parent, tree, filter
  // position): the records' pages can leave the resident set before trees are read, so the
  // two are not counted at once. Filters are read again from the page cache when probed.
  if (m_graph && m_from_graph > m_from_graph_released) {
    m_graph->release_pages();
    m_from_graph_released = m_from_graph;
  }
  return {};
}

git_oid GitHistory::commit_of(std::size_t index) const {
  const Link& link = m_chain[index];
  return link.graph_position == k_not_in_graph ? m_loose[index].commit
                                               : m_graph->id_at(link.graph_position);
}

git_oid GitHistory::tree_of(std::size_t index) const {
  const Link& link = m_chain[index];
  return link.graph_position == k_not_in_graph ? m_loose[index].tree : link.tree;
}

Expected<std::vector<git_oid>> GitHistory::ids_on_path(std::size_t index,
                                                       const std::vector<std::string>& components,
                                                       const std::vector<git_oid>* stop_at) {
  std::vector<git_oid> ids;
  // A tree the history names and the repository cannot read: the answer is unknown, never
  // "changed" or "absent".
  auto unreadable = [&](const git_oid& tree_id, std::size_t depth) {
    std::string path;
    for (std::size_t k = 0; k < depth; ++k) path += (k ? "/" : "") + components[k];
    const git_oid commit = commit_of(index);
    return std::unexpected(
        missing_object(m_repo.get(), "tree", tree_id,
                       fmt::format("{} in commit {}, while looking for the last change of {}",
                                   path.empty() ? "the root" : path, oid_hex(commit).substr(0, 12),
                                   fmt::join(components, "/"))));
  };
  git_tree* raw_tree = nullptr;
  const git_oid root = tree_of(index);
  if (git_tree_lookup(&raw_tree, m_repo.get(), &root) != 0) return unreadable(root, 0);
  GitTreePtr tree(raw_tree);
  for (std::size_t k = 0; k < components.size(); ++k) {
    const git_tree_entry* entry = git_tree_entry_byname(tree.get(), components[k].c_str());
    if (!entry) return ids;
    ids.push_back(*git_tree_entry_id(entry));
    // The same id means the same content below: no need to read further.
    if (stop_at && k < stop_at->size() && git_oid_equal(&ids.back(), &(*stop_at)[k])) return ids;
    if (k + 1 == components.size()) break;
    if (git_tree_entry_type(entry) != GIT_OBJECT_TREE) return std::vector<git_oid>{};
    git_tree* raw_subtree = nullptr;
    if (git_tree_lookup(&raw_subtree, m_repo.get(), &ids.back()) != 0)
      return unreadable(ids.back(), k + 1);
    tree.reset(raw_subtree);
  }
  return ids;
}

void GitHistory::index_probes() {
  const std::uint8_t hashes = m_graph ? m_graph->hashes() : 0;
  for (std::size_t j = m_probes.size(); j < m_chain.size(); ++j) {
    const Link& link = m_chain[j];
    const CommitGraph::Filter& filter = link.filter;
    std::uint8_t slot = k_general_probe;
    if (link.graph_position == k_not_in_graph || !filter.data)
      slot = k_compare;  // no filter to ask: the commit is compared
    else if (filter.bits <= 64 && hashes != 0 && filter.hashes == hashes)
      slot = CommitGraph::mask_slot(filter);
    m_probes.push_back(Probe{seconds_of(link.when), filter.word, slot});
  }
}

Expected<FileChange> GitHistory::last_change(std::string_view path, Seconds cutoff) {
  auto change = find_last_change(path, cutoff);
  if (!change && !m_damage) m_damage = change.error();
  return change;
}

Expected<FileChange> GitHistory::find_last_change(std::string_view path_view, Seconds cutoff) {
  join_prefetch();
  std::string path(path_view);
  auto loaded = load(0);
  if (!loaded) return std::unexpected(loaded.error());
  std::vector<std::string> components;
  for (std::string_view component : path_components(path)) components.emplace_back(component);
  // The ids of every directory on the path and of the file, at the revision.
  if (components.empty()) return FileChange{};
  auto head_ids = ids_on_path(0, components, nullptr);
  if (!head_ids) return std::unexpected(head_ids.error());
  const std::vector<git_oid>& head = *head_ids;
  if (head.size() != components.size()) return FileChange{};
  // With a graph, the whole window before the first comparison (a few milliseconds at most),
  // so that its pages are released before trees are read. Without one, each commit costs a
  // libgit2 parse: the chain grows only as far as the first change.
  if (m_graph)
    if (auto window = load_window(cutoff); !window) return std::unexpected(window.error());
  const CommitGraph::PathKey key = CommitGraph::key(path, m_graph ? m_graph->hashes() : 0);
  auto at = [&](FileChange::Kind kind, std::size_t i) {
    return FileChange{kind, oid_hex(commit_of(i)), m_chain[i].when};
  };
  const std::int64_t cutoff_seconds = seconds_of(cutoff);
  for (std::size_t i = 0;; ++i) {
    // The loaded links whose filter rules the path out, in a loop of their own over the compact
    // probes: a monorepo's check makes a million of these.
    index_probes();
    const std::size_t skip_from = i;
    const Probe* const probes = m_probes.data();
    const std::size_t last = m_chain.size() - 1;
    for (; i < last && probes[i].when >= cutoff_seconds; ++i) {
      const std::uint8_t slot = probes[i].slot;
      if (slot < k_general_probe) {
        if (CommitGraph::may_contain_masked(probes[i].word, slot, key)) break;
      } else if (slot != k_general_probe || CommitGraph::may_contain(m_chain[i].filter, key)) {
        break;
      }
    }
    m_skipped += i - skip_from;
    if (m_chain[i].when < cutoff) return at(FileChange::Kind::unchanged, i);
    // load() only when the chain must grow: an Expected per commit was half of this loop.
    Expected<bool> more = i + 1 < m_chain.size() ? Expected<bool>(true) : load(i + 1);
    if (!more) return std::unexpected(more.error());
    if (!*more) {
      if (m_ended_shallow) return at(FileChange::Kind::shallow, i);
      return at(FileChange::Kind::changed, i);  // added by the root commit
    }
    // The filter compares the commit with its first parent, the next link of the chain.
    if (m_chain[i].graph_position != k_not_in_graph &&
        !CommitGraph::may_contain(m_chain[i].filter, key)) {
      ++m_skipped;
      continue;
    }
    // Unchanged when some directory on the path, or the file itself, has the same id.
    auto parent_ids = ids_on_path(i + 1, components, &head);
    if (!parent_ids) return std::unexpected(parent_ids.error());
    const std::vector<git_oid>& parent = *parent_ids;
    if (parent.empty() || !git_oid_equal(&parent.back(), &head[parent.size() - 1]))
      return at(FileChange::Kind::changed, i);
  }
}

}  // namespace opsgate
