#pragma once
// Repository path arithmetic, purely lexical. A manifest names files relative to its own
// directory, or from the repository root with a leading '/'; nothing may leave the repository.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace opsgate {

// The non-empty '/'-separated components of a path: "a//b/" -> {"a", "b"}.
std::vector<std::string_view> path_components(std::string_view path);

// Normalises "a/./b/../c" to "a/c". std::nullopt when ".." would climb past the root.
std::optional<std::string> normalize_repo_path(std::string_view path);

// Resolves `reference` (without any "#anchor") as written in a manifest living in directory
// `manifest_dir` ("" for the root). std::nullopt when it would leave the repository.
std::optional<std::string> resolve_manifest_path(std::string_view manifest_dir,
                                                 std::string_view reference);

// "docs/runbook.md#restore" -> {"docs/runbook.md", "restore"}.
struct PathRef {
  std::string path;
  std::string anchor;  // empty when none
};
PathRef split_anchor(std::string_view reference);

// Directory part of a repository path: "svc/a/operability.toml" -> "svc/a", "x" -> "".
std::string parent_dir(std::string_view path);

// Joins two repository paths, either of which may be empty.
std::string join_path(std::string_view dir, std::string_view name);

}  // namespace opsgate
