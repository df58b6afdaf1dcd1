#include "scope.hpp"

#include <map>
#include <optional>
#include <set>

#include "paths.hpp"

namespace opsgate {

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
