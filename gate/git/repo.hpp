#pragma once
// libgit2 access: open (discover) a repository, resolve revisions, and read the tree of a
// commit through the Tree interface. Never writes into the repository.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "error.hpp"
#include "executor.hpp"
#include "git_handles.hpp"
#include "history.hpp"
#include "tree.hpp"

namespace opsgate {

class Repository {
 public:
  // Opens the repository containing `path` (searching upwards), bare or not.
  static Expected<Repository> discover(const std::string& path);

  // Opens the repository the way git's own commands do from a hook: GIT_DIR,
  // GIT_OBJECT_DIRECTORY, GIT_ALTERNATE_OBJECT_DIRECTORIES, … (so a pre-receive hook sees the
  // pushed objects still in git's quarantine), else the repository containing the current
  // directory.
  static Expected<Repository> open_from_env();

  // A repository of `odb` alone: no directory, references or configuration (the tree fuzz
  // target's in-memory object database). It holds its own reference to `odb`.
  static Expected<Repository> wrap_odb(git_odb* odb);

  // The 40-hex id of the commit `rev` names (tags and other objects are peeled).
  Expected<std::string> resolve_commit(std::string_view rev) const;
  // The ref a symbolic ref leads to, followed to the end (refs/heads/master ->
  // refs/heads/main); std::nullopt when `ref` is not symbolic or does not exist.
  std::optional<std::string> symbolic_target(const std::string& ref) const;

  // The files of commit `commit_id`.
  Expected<std::unique_ptr<Tree>> tree_at(const std::string& commit_id) const;

  // Whether the object database holds the object `id` (40 hex).
  bool contains(const std::string& id) const;

  // Where git looks for hooks: core.hooksPath (relative to the work tree, or the git directory
  // of a bare repository), else the hooks/ directory of the common git directory.
  Expected<std::string> hooks_dir() const;

  // The best common ancestor of two commits.
  Expected<std::string> merge_base(const std::string& a, const std::string& b) const;

  // Whether `ancestor` is `commit` or one of its ancestors.
  // An object that cannot be read is an error, never "not an ancestor".
  Expected<bool> is_ancestor(const std::string& ancestor, const std::string& commit) const;

  // Paths the change from `from` to `to` touches, sorted; a rename counts both its paths. An
  // empty `to` means the work tree (index and untracked files included).
  Expected<std::vector<std::string>> changed_paths(const std::string& from,
                                                   const std::string& to) const;

  // The commits of the change: reachable from `to`, not from `from`, with their authors
  // (separation of duties for signed waivers).
  Expected<std::vector<CommitRef>> commits_between(const std::string& from,
                                                   const std::string& to) const;

  // A commit signed by a trusted key, or an annotated tag pointing at it that is: the proof an
  // emergency needs (emergency_proof = "signed"). The tags are refs/tags/*.
  Expected<std::vector<std::string>> tags_pointing_at(const std::string& commit) const;

  // The first-parent history of commit `commit_id` (loaded lazily).
  // With an executor, the walk can start in the background (History::prefetch).
  std::unique_ptr<History> history_at(const std::string& commit_id,
                                      Executor* executor = nullptr) const;

  // This handle's history of the same commit as `other` (a history_at() of another handle on
  // this repository), sharing the first-parent chain `other` has loaded and will load: the
  // evaluators of a monorepo walk it once. `commit_id` is that commit.
  std::unique_ptr<History> history_sharing(const History& other,
                                           const std::string& commit_id) const;

  // The history of the commit `link` links down the first-parent chain of `other` (a
  // history_at() of this repository), sharing the links `other` has loaded: the fleet trend
  // evaluates several commits of one chain.
  std::unique_ptr<History> history_along(const History& other, std::size_t link) const;

  // The work tree, or an error for a bare repository.
  Expected<std::unique_ptr<Tree>> work_tree() const;

  bool is_bare() const;
  std::string git_dir() const;                 // with a trailing '/'; "" for wrap_odb's
  std::optional<std::string> workdir() const;  // with a trailing '/'
  git_repository* raw() const { return m_repo.get(); }

 private:
  explicit Repository(std::shared_ptr<git_repository> repo) : m_repo(std::move(repo)) {}

  // Shared with the trees it hands out, so a Tree may outlive this object.
  std::shared_ptr<git_repository> m_repo;
};

}  // namespace opsgate
