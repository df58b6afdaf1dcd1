#pragma once
// History over libgit2: the first-parent chain of one commit, loaded lazily and only as deep
// as the oldest cutoff asked for. Shallow clones end where `.git/shallow` says (libgit2 1.5's
// revwalk does not know about shallow boundaries).

#include <memory>
#include <set>

#include "git_handles.hpp"
#include "history.hpp"

namespace opsgate {

class GitHistory final : public History {
 public:
  GitHistory(std::shared_ptr<git_repository> repo, const std::string& commit_id);
  Expected<FileChange> last_change(std::string_view path, Seconds cutoff) override;

  // How many commits the walk has loaded so far (for benchmarks and tests).
  std::size_t commits_loaded() const { return m_chain.size(); }

 private:
  // Ids only: objects are looked up again when needed (libgit2's bounded cache keeps that
  // cheap), so memory stays flat however many commits the window holds.
  struct Link {
    git_oid commit;
    git_oid tree;
    Seconds when;
  };
  // Loads the chain until `index` exists; false when history ends first.
  Expected<bool> load(std::size_t index);
  std::optional<git_oid> blob_at(std::size_t index, const std::string& path);

  std::shared_ptr<git_repository> m_repo;
  std::string m_start;
  std::vector<Link> m_chain;
  GitCommitPtr m_tip;  // the last commit loaded, to step to its parent
  std::set<std::string> m_shallow_roots;
  bool m_ended = false;
  bool m_ended_shallow = false;
};

}  // namespace opsgate
