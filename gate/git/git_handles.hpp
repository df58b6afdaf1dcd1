#pragma once
// RAII owners for libgit2 handles: every handle lives in one of these, never freed by hand.

#include <git2.h>

#include <memory>
#include <string>

#include "c_handle.hpp"
#include "error.hpp"

namespace opsgate {

template <auto FreeFn>
using GitFree = FreeWith<FreeFn>;

using GitRepositoryPtr = std::unique_ptr<git_repository, GitFree<git_repository_free>>;
using GitObjectPtr = std::unique_ptr<git_object, GitFree<git_object_free>>;
using GitCommitPtr = std::unique_ptr<git_commit, GitFree<git_commit_free>>;
using GitTreePtr = std::unique_ptr<git_tree, GitFree<git_tree_free>>;
using GitBlobPtr = std::unique_ptr<git_blob, GitFree<git_blob_free>>;
using GitDiffPtr = std::unique_ptr<git_diff, GitFree<git_diff_free>>;
using GitConfigPtr = std::unique_ptr<git_config, GitFree<git_config_free>>;

// Keeps libgit2 initialised for as long as it lives; create one in main().
class GitLibrary {
 public:
  static constexpr std::size_t k_object_cache_bytes = 8u << 20;
  static constexpr std::size_t k_tree_cache_limit = 1u << 20;

  GitLibrary() {
    git_libgit2_init();
    // Bound memory on long histories: the walk touches one tree per commit in the window.
    git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, static_cast<ssize_t>(k_object_cache_bytes));
    // libgit2 caches trees up to 4 KiB only: a monorepo's services/ tree (200 entries) was
    // inflated again, through its delta chain, for every path looked up under it (60% of a
    // 200-service check). Trees are what the gate reads over and over.
    git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_TREE,
                     static_cast<std::size_t>(k_tree_cache_limit));
    // Like git, which re-hashes objects on fsck and transfer, not on every read: the SHA-1
    // (collision-detecting) of each blob and tree read was 6% of a monorepo check.
    git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
  }
  ~GitLibrary() { git_libgit2_shutdown(); }
  GitLibrary(const GitLibrary&) = delete;
  GitLibrary& operator=(const GitLibrary&) = delete;
};

// The message of libgit2's last error, or `fallback`.
std::string git_error_message(const char* fallback = "unknown libgit2 error");

std::string oid_hex(const git_oid& oid);

// An object the repository should have but cannot read: "cannot read tree 1a2b… (what): <why>",
// with the likely cause and its fix: a partial clone (fetch the objects or clone without
// --filter), a shallow clone (deepen it), or a damaged repository (git fsck).
Error missing_object(git_repository* repo, std::string_view kind, const git_oid& id,
                     std::string_view what);

}  // namespace opsgate
