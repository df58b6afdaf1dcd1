#include "history.hpp"

#include "i18n.hpp"

#include <fmt/format.h>

namespace opsgate {

namespace {

const std::string* blob_of(const MemoryHistory::Commit& commit, std::string_view path) {
  for (const auto& [name, blob] : commit.blobs)
    if (name == path) return &blob;
  return nullptr;
}

}  // namespace

Expected<FileChange> MemoryHistory::last_change(std::string_view path, Seconds cutoff) {
  if (m_commits.empty() || !blob_of(m_commits.front(), path)) return FileChange{};
  const std::string head = *blob_of(m_commits.front(), path);
  for (std::size_t i = 0; i < m_commits.size(); ++i) {
    const Commit& commit = m_commits[i];
    if (commit.when < cutoff)
      return FileChange{FileChange::Kind::unchanged, commit.id, commit.when, {}};
    bool last = i + 1 == m_commits.size();
    if (last && m_shallow) return FileChange{FileChange::Kind::shallow, commit.id, commit.when, {}};
    const std::string* parent = last ? nullptr : blob_of(m_commits[i + 1], path);
    if (!parent || *parent != head) {
      // Net of the window: the content at the first commit before the cutoff.
      for (std::size_t j = i + 1; j < m_commits.size(); ++j) {
        if (m_commits[j].when >= cutoff) continue;
        const std::string* then = blob_of(m_commits[j], path);
        if (then && *then == head)
          return FileChange{FileChange::Kind::reverted, commit.id, commit.when, m_commits[j].id};
        return FileChange{FileChange::Kind::changed, commit.id, commit.when, {}};
      }
      // No commit before the cutoff: a cut history cannot say what the window started with.
      if (m_shallow)
        return FileChange{FileChange::Kind::shallow, m_commits.back().id, m_commits.back().when,
                          commit.id};
      return FileChange{FileChange::Kind::changed, commit.id, commit.when, {}};
    }
  }
  return FileChange{};
}

Expected<CommitRef> MemoryHistory::describe(std::string_view id) {
  for (const Commit& commit : m_commits)
    if (commit.id == id) return CommitRef{commit.id, commit.author, {}, commit.when};
  return fail(ErrorKind::not_found, trf("commit {} not found", id));
}

Expected<std::vector<LineOrigin>> MemoryHistory::blame(std::string_view path, std::size_t,
                                                       std::size_t, bool) {
  return fail(ErrorKind::unavailable, trf("no line history of {} in memory", path));
}

}  // namespace opsgate
