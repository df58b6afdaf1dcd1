#pragma once
// Bounds on what opsgate reads, so a hostile or broken input ends in a clear message instead of
// a slow or memory-hungry run. A gate's inputs are small: these are far above real use.

#include <cstddef>
#include <string>
#include <string_view>

namespace opsgate {

constexpr std::size_t k_max_file_bytes = 1u << 20;  // a manifest, rule file or referenced file
constexpr std::size_t k_max_rules = 5000;           // rules across every loaded pack
// Directories nested in a tree, as git's own core.maxTreeDepth (git 2.44 and later): deeper
// trees are refused (exit 2) by every walk, the search and the change's alike.
constexpr std::size_t k_max_tree_depth = 4096;

// Entries a walk over a revision's trees reads, and manifests it may find: a "tree bomb" (each
// level's entries pointing at the same subtree) costs a few hundred bytes to push and would
// otherwise be walked for hours. Far above real monorepos (a million files, thousands of
// services).
constexpr std::size_t k_max_tree_entries = 4'000'000;
constexpr std::size_t k_max_manifests = 10'000;
// Allow or deny windows one [release_window]-shaped table may declare, each list: a release
// window is a handful of them; each is searched at every evaluation.
constexpr std::size_t k_max_windows = 256;
// Bytes of the paths a walk over a revision's trees builds: the search for manifests appends
// each directory's name once as it enters it and builds a full path only for what it returns
// (files found, links); a change's comparison builds a path for each directory and file it
// finds changed. Names thousands of bytes long, nested thousands of levels deep, make each
// path megabytes long. A monorepo's search builds a few megabytes; a change of a million
// files, about 100 MiB.
constexpr std::size_t k_max_walk_path_bytes = 256u << 20;

// "a/b/c/...: the tree nests directories more than 4096 levels deep ..." as an Error.
std::string too_deep_message(std::string_view where);

// "<what>: its paths add up to more than 256 MiB ..." as an Error.
std::string long_paths_message(std::string_view what);

// "operability.toml is 2.0 MiB; opsgate reads files of at most 1 MiB", or "" when within bounds.
std::string oversize_message(std::string_view name, std::size_t bytes);

}  // namespace opsgate
