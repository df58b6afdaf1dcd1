#include "scope.hpp"

#include <map>
#include <optional>
#include <set>

#include "paths.hpp"

namespace opsgate {

Expected<std::vector<std::string>> select_manifests(const Tree& tree,
                                                    std::string_view manifest_name,
                                                    const std::vector<std::string>& changed) {
  // The nearest manifest of each changed path's directory (a changed manifest is its own
  // directory's, so it selects itself), remembered per directory: a merge request changes
  // many files in few directories. Only those directories are remembered, never the ones
  // climbed through (a path 20,000 directories deep would store 20,000 long strings).
  std::map<std::string, std::optional<std::string>, std::less<>> nearest;
  std::set<std::string> selected;
  for (const std::string& path : changed) {
    std::string dir = parent_dir(path);
    auto known = nearest.find(dir);
    if (known == nearest.end()) {
      auto found = tree.nearest_listed(dir, manifest_name);
      if (!found) return std::unexpected(found.error());
      std::optional<std::string> manifest;
      if (*found) manifest = join_path(**found, manifest_name);
      known = nearest.emplace(std::move(dir), std::move(manifest)).first;
    }
    if (known->second) selected.insert(*known->second);
  }
  return std::vector<std::string>(selected.begin(), selected.end());
}

}  // namespace opsgate
