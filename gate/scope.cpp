#include "scope.hpp"

#include <algorithm>
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

}  // namespace opsgate
