#include "git_history.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>

#include "i18n.hpp"
#include "paths.hpp"

namespace opsgate {

// What every history of one commit shares. Loading takes the lock exclusively; questions read
// under a shared lock, so that the loops over the links read them without copying.
struct HistoryChain {
  // Ids only: objects are looked up again when needed (libgit2's bounded cache keeps that
  // cheap), so memory stays flat however many commits the window holds.
  static constexpr std::uint32_t k_not_in_graph = CommitGraph::k_no_position;
  // A commit of the chain, 72 bytes: a year of hourly commits fits in 620 KiB. The id of a
  // commit read from the graph stays there (read for an answer only); the ids of the commits
  // newer than the graph (always the first links of the chain) are kept in `loose`.
  struct Link {
    Seconds when;
    std::uint32_t graph_position = k_not_in_graph;
    std::uint32_t graph_parent = k_not_in_graph;
    CommitGraph::Filter filter;  // located once, probed for every path
    git_oid tree{};              // of a graph commit: its record is not read again
  };
  struct LooseIds {
    git_oid commit;
    git_oid tree;
  };

  std::shared_mutex mutex;
  std::string start;
  std::vector<Link> links;
  std::vector<LooseIds> loose;  // of links[0 .. loose.size())
  std::set<std::string> shallow_roots;
  std::unique_ptr<CommitGraph> graph;
  std::size_t from_graph = 0;
  std::size_t from_graph_released = 0;  // from_graph when the graph's pages were released
  bool ended = false;
  bool ended_shallow = false;

  git_oid commit_of(std::size_t index) const {
    const Link& link = links[index];
    return link.graph_position == k_not_in_graph ? loose[index].commit
                                                 : graph->id_at(link.graph_position);
  }

  git_oid tree_of(std::size_t index) const {
    const Link& link = links[index];
    return link.graph_position == k_not_in_graph ? loose[index].tree : link.tree;
  }

  // Loads the chain until `index` exists, reading commits through `repo` (the caller's
  // handle); false when history ends first. Lock held exclusively.
  Expected<bool> load(std::size_t index, git_repository* repo);
  // Loads the chain back past `cutoff` (or to its end), then releases the graph's pages.
  Expected<void> load_window(Seconds cutoff, git_repository* repo,
                             std::size_t max_links = SIZE_MAX);
};

Expected<bool> HistoryChain::load(std::size_t index, git_repository* repo) {
  while (links.size() <= index) {
    if (ended) return false;
    // Once a commit is in the graph, so are all its ancestors: the rest of the chain is read
    // from it without parsing a commit.
    if (!links.empty() && links.back().graph_position != k_not_in_graph) {
      const std::uint32_t parent = links.back().graph_parent;
      if (parent == k_not_in_graph) {
        ended = true;
        return false;
      }
      const CommitGraph::Commit commit = graph->at(parent);
      links.push_back(Link{Seconds{std::chrono::seconds(commit.time)}, parent, commit.first_parent,
                           graph->filter_at(parent), commit.tree});
      ++from_graph;
      continue;
    }
    // The next commit through libgit2: the start, or the first parent of the last one loaded
    // (looked up again by id in this thread's handle: libgit2 objects stay with their thread).
    if (!repo) return fail(ErrorKind::internal, "history: a commit outside the graph to load");
    git_commit* raw = nullptr;
    if (loose.empty()) {
      git_oid id;
      if (git_oid_fromstr(&id, start.c_str()) != 0 || git_commit_lookup(&raw, repo, &id) != 0)
        return fail(ErrorKind::not_found, trf("commit {} not found", start));
    } else {
      const std::string id = oid_hex(loose.back().commit);
      git_commit* last_raw = nullptr;
      if (git_commit_lookup(&last_raw, repo, &loose.back().commit) != 0)
        return std::unexpected(
            missing_object(repo, "commit", loose.back().commit, tr("on the first-parent history")));
      GitCommitPtr last(last_raw);
      const bool has_parent = git_commit_parentcount(last.get()) > 0;
      // A commit listed in .git/shallow ends a truncated clone; a parent that is not there
      // otherwise is a damaged or incomplete repository: the history is unknown.
      if (!has_parent || shallow_roots.contains(id)) {
        ended = true;
        ended_shallow = has_parent;
        return false;
      }
      if (git_commit_parent(&raw, last.get(), 0) != 0)
        return std::unexpected(
            missing_object(repo, "commit", *git_commit_parent_id(last.get(), 0),
                           trf("the parent of {} on the first-parent history", id.substr(0, 12))));
    }
    GitCommitPtr commit(raw);
    Seconds when{std::chrono::seconds(git_commit_time(commit.get()))};
    links.push_back(Link{when, k_not_in_graph, k_not_in_graph, {}});
    loose.push_back(LooseIds{*git_commit_id(commit.get()), *git_commit_tree_id(commit.get())});
    if (graph) {
      if (auto position = graph->find(loose.back().commit)) {
        Link& link = links.back();
        link.graph_position = *position;
        link.graph_parent = graph->at(*position).first_parent;
        link.filter = graph->filter_at(*position);
        link.tree = loose.back().tree;
        // The rest of the chain is at most the whole graph: reserved at once up to two
        // years of hourly commits (address space until used), so a window's links are
        // rarely copied as it grows.
        links.reserve(links.size() + std::min<std::size_t>(graph->size(), 1u << 15));
      }
    }
  }
  return true;
}

Expected<void> HistoryChain::load_window(Seconds cutoff, git_repository* repo,
                                         std::size_t max_links) {
  if (auto loaded = load(0, repo); !loaded) return std::unexpected(loaded.error());
  while (!ended && links.back().when >= cutoff && links.size() <= max_links)
    if (auto more = load(links.size(), repo); !more) return std::unexpected(more.error());
  // Each link holds what the comparisons need of its record (time, parent, tree, filter
  // position): the records' pages can leave the resident set before trees are read, so the
  // two are not counted at once. Filters are read again from the page cache when probed.
  if (graph && from_graph > from_graph_released) {
    graph->release_pages();
    from_graph_released = from_graph;
  }
  return {};
}

GitHistory::GitHistory(std::shared_ptr<git_repository> repo, const std::string& commit_id,
                       Executor* executor)
    : m_repo(std::move(repo)), m_chain(std::make_shared<HistoryChain>()), m_executor(executor) {
  HistoryChain& chain = *m_chain;
  chain.start = commit_id;
  // No directory (Repository::wrap_odb): no shallow file, no commit-graph.
  const char* git_dir = git_repository_path(m_repo.get());
  if (!git_dir) return;
  std::ifstream shallow(std::string(git_dir) + "shallow");
  for (std::string line; std::getline(shallow, line);)
    if (!line.empty()) chain.shallow_roots.insert(line);
  // git writes no commit-graph in a shallow repository; one left from before is not trusted.
  // core.commitGraph = false turns it off, as for git.
  int use_graph = 1;
  git_config* raw_config = nullptr;
  if (git_repository_config_snapshot(&raw_config, m_repo.get()) == 0) {
    GitConfigPtr config(raw_config);
    if (git_config_get_bool(&use_graph, config.get(), "core.commitGraph") != 0) use_graph = 1;
  }
  if (chain.shallow_roots.empty() && use_graph)
    chain.graph = CommitGraph::open(std::string(git_dir) + "objects");
}

GitHistory::GitHistory(std::shared_ptr<git_repository> repo, const GitHistory& other)
    : m_repo(std::move(repo)), m_chain(other.m_chain), m_first(other.m_first) {}

GitHistory::GitHistory(std::shared_ptr<git_repository> repo, const GitHistory& other,
                       std::size_t link)
    : m_repo(std::move(repo)), m_chain(other.m_chain), m_first(other.m_first + link) {}

GitHistory::~GitHistory() {
  join_prefetch();
}

void GitHistory::join_prefetch() {
  if (m_prefetch.valid()) m_executor->wait(m_prefetch);
}

Expected<std::vector<GitHistory::Link>> GitHistory::chain_until(Seconds cutoff, bool& cut) {
  join_prefetch();
  std::unique_lock lock(m_chain->mutex);
  HistoryChain& chain = *m_chain;
  if (auto loaded = chain.load_window(cutoff, m_repo.get()); !loaded)
    return std::unexpected(loaded.error());
  if (auto loaded = chain.load(m_first, m_repo.get()); !loaded)
    return std::unexpected(loaded.error());
  std::vector<Link> links;
  for (std::size_t i = m_first; i < chain.links.size(); ++i) {
    links.push_back(Link{oid_hex(chain.commit_of(i)), chain.links[i].when});
    if (chain.links[i].when < cutoff) break;
  }
  cut = chain.ended && chain.ended_shallow && (links.empty() || links.back().when >= cutoff);
  return links;
}

std::size_t GitHistory::commits_loaded() {
  join_prefetch();  // a walk in the background is counted once done, not half way
  std::shared_lock lock(m_chain->mutex);
  return m_chain->links.size();
}

std::size_t GitHistory::commits_from_graph() {
  join_prefetch();
  std::shared_lock lock(m_chain->mutex);
  return m_chain->from_graph;
}

void GitHistory::ignore_commit_graph() {
  join_prefetch();
  std::unique_lock lock(m_chain->mutex);
  m_chain->graph.reset();
}

void GitHistory::prefetch(Seconds cutoff) {
  join_prefetch();
  if (!m_executor || m_executor->threads() == 0) return;
  std::unique_lock lock(m_chain->mutex);
  HistoryChain& chain = *m_chain;
  if (!chain.graph) return;
  // Through libgit2 up to the graph, here; from there on only the mapped file is read.
  for (std::size_t i = chain.links.size();; ++i) {
    if (!chain.links.empty() && (chain.links.back().when < cutoff ||
                                 chain.links.back().graph_position != HistoryChain::k_not_in_graph))
      break;
    auto more = chain.load(i, m_repo.get());
    if (!more || !*more) break;
  }
  if (chain.links.empty() || chain.links.back().when < cutoff ||
      chain.links.back().graph_position == HistoryChain::k_not_in_graph)
    return;
  // Its error, if any, is met again by last_change(), which loads the same links. The walk
  // reads no libgit2 object (the links left are in the graph): no repository handle.
  m_prefetch = m_executor->submit([chain = m_chain, cutoff]() -> Expected<void> {
    std::unique_lock walking(chain->mutex);
    return chain->load_window(cutoff, nullptr);
  });
}

Expected<std::vector<git_oid>> GitHistory::ids_on_path(std::size_t index,
                                                       const std::vector<std::string>& components,
                                                       const std::vector<git_oid>* stop_at) {
  const HistoryChain& chain = *m_chain;
  std::vector<git_oid> ids;
  // A tree the history names and the repository cannot read: the answer is unknown, never
  // "changed" or "absent".
  auto unreadable = [&](const git_oid& tree_id, std::size_t depth) {
    std::string path;
    for (std::size_t k = 0; k < depth; ++k) path += (k ? "/" : "") + components[k];
    const git_oid commit = chain.commit_of(index);
    return std::unexpected(missing_object(
        m_repo.get(), "tree", tree_id,
        path.empty() ? trf("the root in commit {}, while looking for the last change of {}",
                           oid_hex(commit).substr(0, 12), fmt::join(components, "/"))
                     : trf("{} in commit {}, while looking for the last change of {}", path,
                           oid_hex(commit).substr(0, 12), fmt::join(components, "/"))));
  };
  git_tree* raw_tree = nullptr;
  const git_oid root = chain.tree_of(index);
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

namespace {

const Seconds k_beginning{std::chrono::seconds{-(std::int64_t{1} << 40)}};

}  // namespace

Expected<FileChange> GitHistory::last_change(std::string_view path, Seconds cutoff) {
  auto change = find_last_change(path, cutoff);
  if (!change && !m_damage) m_damage = change.error();
  return change;
}

Expected<FileChange> GitHistory::find_last_change(std::string_view path_view, Seconds cutoff,
                                                  std::size_t max_links) {
  HistoryChain& chain = *m_chain;
  std::string path(path_view);
  std::vector<std::string> components;
  for (std::string_view component : path_components(path)) components.emplace_back(component);
  if (components.empty()) return FileChange{};
  // The links are read under a shared lock; whenever the chain must grow, the lock is taken
  // exclusively for the load, then shared again (the links may have moved: indexes only).
  std::shared_lock lock(chain.mutex);
  auto grow = [&](auto&& loader) -> decltype(loader()) {
    lock.unlock();
    decltype(loader()) result;
    {
      std::unique_lock exclusive(chain.mutex);
      result = loader();
    }
    lock.lock();
    return result;
  };
  if (chain.links.size() <= m_first) {
    auto loaded = grow([&] { return chain.load(m_first, m_repo.get()); });
    if (!loaded) return std::unexpected(loaded.error());
    if (!*loaded) return fail(ErrorKind::internal, "history: a link past the chain's end");
  }
  // The ids of every directory on the path and of the file, at the revision.
  auto head_ids = ids_on_path(m_first, components, nullptr);
  if (!head_ids) return std::unexpected(head_ids.error());
  const std::vector<git_oid>& head = *head_ids;
  if (head.size() != components.size()) return FileChange{};
  // With a graph, the whole window before the first comparison (a few milliseconds at most),
  // so that its pages are released before trees are read. Without one, each commit costs a
  // libgit2 parse: the chain grows only as far as the first change.
  if (chain.graph && !chain.ended && chain.links.back().when >= cutoff)
    if (auto window = grow([&] { return chain.load_window(cutoff, m_repo.get(), max_links); });
        !window)
      return std::unexpected(window.error());
  const CommitGraph::PathKey key = CommitGraph::key(path, chain.graph ? chain.graph->hashes() : 0);
  auto at = [&](FileChange::Kind kind, std::size_t i) {
    return FileChange{kind, oid_hex(chain.commit_of(i)), chain.links[i].when, {}};
  };
  // Changed in link `i`: a change undone inside the window is none. The file is compared with
  // its content at the window's start, the first link dated before the cutoff (a delete and
  // restore, or an edit and its revert, must not make an old runbook fresh).
  auto net_of_window = [&](std::size_t i) -> Expected<FileChange> {
    if (cutoff <= k_beginning) return at(FileChange::Kind::changed, i);
    for (std::size_t j = i + 1;; ++j) {
      if (j >= chain.links.size()) {
        auto more = grow([&] { return chain.load(j, m_repo.get()); });
        if (!more) return std::unexpected(more.error());
        if (!*more) {
          if (!chain.ended_shallow) return at(FileChange::Kind::changed, i);  // the root's
          FileChange cut = at(FileChange::Kind::shallow, chain.links.size() - 1);
          cut.since = oid_hex(chain.commit_of(i));
          return cut;
        }
      }
      if (chain.links[j].when >= cutoff) continue;
      if (j == i + 1) return at(FileChange::Kind::changed, i);  // compared already
      auto then = ids_on_path(j, components, &head);
      if (!then) return std::unexpected(then.error());
      if (then->empty() || !git_oid_equal(&then->back(), &head[then->size() - 1]))
        return at(FileChange::Kind::changed, i);
      FileChange undone = at(FileChange::Kind::reverted, i);
      undone.since = oid_hex(chain.commit_of(j));
      return undone;
    }
  };
  for (std::size_t i = m_first;; ++i) {
    // The loaded links whose filter rules the path out, in a loop of their own: a monorepo's
    // check makes a million of these.
    const std::size_t skip_from = i;
    const std::size_t last = std::min(chain.links.size() - 1, max_links);
    for (; i < last && chain.links[i].when >= cutoff; ++i) {
      const HistoryChain::Link& link = chain.links[i];
      if (link.graph_position == HistoryChain::k_not_in_graph ||
          CommitGraph::may_contain(link.filter, key))
        break;
    }
    m_skipped += i - skip_from;
    if (chain.links[i].when < cutoff || i >= max_links) return at(FileChange::Kind::unchanged, i);
    // load() only when the chain must grow: an Expected per commit was half of this loop.
    Expected<bool> more = i + 1 < chain.links.size()
                              ? Expected<bool>(true)
                              : grow([&] { return chain.load(i + 1, m_repo.get()); });
    if (!more) return std::unexpected(more.error());
    if (!*more) {
      if (chain.ended_shallow) return at(FileChange::Kind::shallow, i);
      return at(FileChange::Kind::changed, i);  // added by the root commit
    }
    // The filter compares the commit with its first parent, the next link of the chain.
    if (chain.links[i].graph_position != HistoryChain::k_not_in_graph &&
        !CommitGraph::may_contain(chain.links[i].filter, key)) {
      ++m_skipped;
      continue;
    }
    // Unchanged when some directory on the path, or the file itself, has the same id.
    auto parent_ids = ids_on_path(i + 1, components, &head);
    if (!parent_ids) return std::unexpected(parent_ids.error());
    const std::vector<git_oid>& parent = *parent_ids;
    if (parent.empty() || !git_oid_equal(&parent.back(), &head[parent.size() - 1]))
      return net_of_window(i);
  }
}

std::size_t GitHistory::deep_search_bound() {
  // Fixed at the first deep search: the evidence and provenance searches share one bound
  // rather than each extending the other's.
  if (m_deep_bound == 0) {
    std::shared_lock lock(m_chain->mutex);
    m_deep_bound = m_chain->links.size() + k_deep_search_links;
  }
  return m_deep_bound;
}

Expected<FileChange> GitHistory::last_change_ever(std::string_view path) {
  // Not last_change(): an object missing this deep is unknown evidence, not damage. Bounded:
  // the links the window loaded and k_deep_search_links more.
  const std::size_t bound = deep_search_bound();
  auto change = find_last_change(path, k_beginning, bound);
  if (change && change->kind == FileChange::Kind::unchanged)
    return fail(ErrorKind::unavailable,
                trf("its last change is older than the {} first-parent commits searched", bound));
  return change;
}

namespace {

CommitRef commit_ref(const git_oid& id, const git_signature* author) {
  CommitRef ref;
  ref.commit = oid_hex(id);
  if (author) {
    ref.author = author->name ? author->name : "";
    ref.email = author->email ? author->email : "";
    if (ref.author.empty()) ref.author = ref.email;
    ref.when = Seconds{std::chrono::seconds(author->when.time)};
  }
  return ref;
}

}  // namespace

Expected<CommitRef> GitHistory::describe(std::string_view commit) {
  git_oid id;
  const std::string hex(commit);
  git_commit* raw = nullptr;
  if (git_oid_fromstr(&id, hex.c_str()) != 0 || git_commit_lookup(&raw, m_repo.get(), &id) != 0)
    return fail(ErrorKind::not_found, trf("commit {} cannot be read", hex));
  GitCommitPtr found(raw);
  CommitRef ref = commit_ref(id, git_commit_author(found.get()));
  ref.when = Seconds{std::chrono::seconds(git_commit_time(found.get()))};
  return ref;
}

Expected<std::vector<LineOrigin>> GitHistory::blame(std::string_view path, std::size_t first,
                                                    std::size_t last, bool bounded) {
  if (first == 0 || last < first) return std::vector<LineOrigin>{};
  git_blame_options options;
  git_blame_options_init(&options, GIT_BLAME_OPTIONS_VERSION);
  // Blame starts at the last first-parent commit that changed the file (the chain and its
  // Bloom filters find it cheaply, and the file is the same from there on): libgit2's walk
  // visits every commit from its start, so a manifest untouched for 100,000 commits would cost
  // 100,000 tree comparisons from the revision.
  std::string start = m_chain->start;
  const std::size_t bound = bounded ? deep_search_bound() : SIZE_MAX;
  auto changed = find_last_change(path, k_beginning, bound);
  if (m_first > 0) {  // a history along another's chain (a fleet trend point): its own commit
    std::shared_lock lock(m_chain->mutex);
    if (m_first >= m_chain->links.size())
      return fail(ErrorKind::internal, "blame: a link past the chain's end");
    start = oid_hex(m_chain->commit_of(m_first));
  }
  if (changed && changed->kind == FileChange::Kind::changed) {
    start = changed->commit;
  } else if (bounded && changed && changed->kind == FileChange::Kind::unchanged) {
    // Provenance is worth a bounded cost: an older change is not looked for.
    return fail(ErrorKind::unavailable,
                trf("{} is unchanged in the {} first-parent commits searched (the "
                    "search for provenance is bounded)",
                    path, bound));
  }
  if (git_oid_fromstr(&options.newest_commit, start.c_str()) != 0)
    return fail(ErrorKind::internal, "blame: no commit to start from");
  options.min_line = first;
  options.max_line = last;
  // libgit2 1.5 knows no shallow boundary: a blame reaching a cut parent fails, and leaks its
  // walk on the way out. One cut point is given as the oldest commit (lines reaching it are
  // unknown, below); with several, any of them may be reached: provenance is unknown, never
  // guessed from a partial walk (a pusher may choose the CI's clone depth).
  if (m_chain->shallow_roots.size() > 1)
    return fail(ErrorKind::unavailable,
                trf("the clone is shallow with {} cut points: fetch the whole history "
                    "(git fetch --unshallow) to know who changed {}",
                    m_chain->shallow_roots.size(), path));
  if (m_chain->shallow_roots.size() == 1 &&
      git_oid_fromstr(&options.oldest_commit, m_chain->shallow_roots.begin()->c_str()) != 0)
    return fail(ErrorKind::internal, "blame: a shallow root that is not an object id");
  const std::string file(path);
  git_blame* raw = nullptr;
  if (git_blame_file(&raw, m_repo.get(), file.c_str(), &options) != 0)
    return fail(ErrorKind::unavailable, trf("blame of {} failed: {}", file, git_error_message()));
  std::unique_ptr<git_blame, FreeWith<git_blame_free>> blamed(raw);
  std::vector<LineOrigin> lines(last - first + 1);
  for (std::size_t line = first; line <= last; ++line) {
    const git_blame_hunk* hunk = git_blame_get_hunk_byline(blamed.get(), line);
    if (!hunk) continue;  // past the end of the file
    CommitRef ref = commit_ref(hunk->final_commit_id, hunk->final_signature);
    // A line "added" by the shallow root (the oldest commit) may be older.
    if (m_chain->shallow_roots.contains(ref.commit)) continue;
    lines[line - first].origin = std::move(ref);
  }
  return lines;
}

}  // namespace opsgate
