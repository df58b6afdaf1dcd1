#include "scope.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "paths.hpp"

namespace opsgate {

namespace {

bool inside(const std::string& dir, const std::string& path) {
  return dir.empty() ||
         (path.size() > dir.size() && path.starts_with(dir) && path[dir.size()] == '/');
}

}  // namespace

std::string owning_manifest(const std::vector<std::string>& manifests, const std::string& path) {
  std::string best;
  std::size_t best_depth = 0;
  bool found = false;
  for (const std::string& manifest : manifests) {
    std::string dir = parent_dir(manifest);
    if (!inside(dir, path)) continue;
    std::size_t depth = dir.empty() ? 0 : dir.size() + 1;
    if (!found || depth > best_depth) {
      best = manifest;
      best_depth = depth;
      found = true;
    }
  }
  return best;
}

std::vector<std::string> select_manifests(const std::vector<std::string>& manifests,
                                          const std::vector<std::string>& changed) {
  std::set<std::string> selected;
  for (const std::string& path : changed) {
    if (std::find(manifests.begin(), manifests.end(), path) != manifests.end()) {
      selected.insert(path);
      continue;
    }
    std::string owner = owning_manifest(manifests, path);
    if (!owner.empty()) selected.insert(owner);
  }
  return std::vector<std::string>(selected.begin(), selected.end());
}

Expected<std::vector<std::string>> select_manifests(const Tree& tree,
                                                    std::string_view manifest_name,
                                                    const std::vector<std::string>& changed) {
  // The nearest manifest at or above each directory looked at; a changed manifest is its own
  // directory's, so it selects itself.
  std::map<std::string, std::optional<std::string>, std::less<>> nearest;
  std::set<std::string> selected;
  for (const std::string& path : changed) {
    std::vector<std::string> climbed;  // directories without a manifest of their own
    std::optional<std::string> found;
    for (std::string dir = parent_dir(path);; dir = parent_dir(dir)) {
      if (auto known = nearest.find(dir); known != nearest.end()) {
        found = known->second;
        break;
      }
      std::string candidate = join_path(dir, manifest_name);
      auto listed = tree.is_listed_file(candidate);
      if (!listed) return std::unexpected(listed.error());
      if (*listed) {
        nearest.emplace(dir, candidate);
        found = std::move(candidate);
        break;
      }
      climbed.push_back(dir);
      if (dir.empty()) break;
    }
    for (std::string& dir : climbed) nearest.emplace(std::move(dir), found);
    if (found) selected.insert(*found);
  }
  return std::vector<std::string>(selected.begin(), selected.end());
}

}  // namespace opsgate
