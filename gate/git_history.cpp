#include "git_history.hpp"

#include <fmt/format.h>

#include <fstream>

namespace opsgate {

GitHistory::GitHistory(std::shared_ptr<git_repository> repo, const std::string& commit_id)
    : m_repo(std::move(repo)), m_start(commit_id) {
  std::ifstream shallow(std::string(git_repository_path(m_repo.get())) + "shallow");
  for (std::string line; std::getline(shallow, line);)
    if (!line.empty()) m_shallow_roots.insert(line);
}

Expected<bool> GitHistory::load(std::size_t index) {
  while (m_chain.size() <= index) {
    if (m_ended) return false;
    git_commit* raw = nullptr;
    if (!m_tip) {
      git_oid start;
      if (git_oid_fromstr(&start, m_start.c_str()) != 0 ||
          git_commit_lookup(&raw, m_repo.get(), &start) != 0)
        return fail(ErrorKind::not_found, fmt::format("commit {} not found", m_start));
    } else {
      std::string id = oid_hex(m_chain.back().commit);
      bool has_parent = git_commit_parentcount(m_tip.get()) > 0;
      // A commit listed in .git/shallow, or whose parent object is absent, ends a truncated clone.
      if (!has_parent || m_shallow_roots.contains(id) ||
          git_commit_parent(&raw, m_tip.get(), 0) != 0) {
        m_ended = true;
        m_ended_shallow = has_parent;
        m_tip.reset();
        return false;
      }
    }
    m_tip.reset(raw);
    Seconds when{std::chrono::seconds(git_commit_time(m_tip.get()))};
    m_chain.push_back(Link{*git_commit_id(m_tip.get()), *git_commit_tree_id(m_tip.get()), when});
  }
  return true;
}

std::optional<git_oid> GitHistory::blob_at(std::size_t index, const std::string& path) {
  git_tree* raw_tree = nullptr;
  if (git_tree_lookup(&raw_tree, m_repo.get(), &m_chain[index].tree) != 0) return std::nullopt;
  GitTreePtr tree(raw_tree);
  git_tree_entry* raw = nullptr;
  if (git_tree_entry_bypath(&raw, tree.get(), path.c_str()) != 0) return std::nullopt;
  git_oid oid = *git_tree_entry_id(raw);
  git_tree_entry_free(raw);
  return oid;
}

Expected<FileChange> GitHistory::last_change(std::string_view path_view, Seconds cutoff) {
  std::string path(path_view);
  auto loaded = load(0);
  if (!loaded) return std::unexpected(loaded.error());
  auto head = blob_at(0, path);
  if (!head) return FileChange{};
  for (std::size_t i = 0;; ++i) {
    // Copies: load() below may grow m_chain and move its elements.
    std::string id = oid_hex(m_chain[i].commit);
    Seconds when = m_chain[i].when;
    if (when < cutoff) return FileChange{FileChange::Kind::unchanged, id, when};
    auto more = load(i + 1);
    if (!more) return std::unexpected(more.error());
    if (!*more) {
      if (m_ended_shallow) return FileChange{FileChange::Kind::shallow, id, when};
      return FileChange{FileChange::Kind::changed, id, when};  // added by the root commit
    }
    auto parent = blob_at(i + 1, path);
    if (!parent || !git_oid_equal(&*parent, &*head))
      return FileChange{FileChange::Kind::changed, id, when};
  }
}

}  // namespace opsgate
