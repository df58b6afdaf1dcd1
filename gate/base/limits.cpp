#include "limits.hpp"

#include <fmt/format.h>

#include "i18n.hpp"

namespace opsgate {

std::string oversize_message(std::string_view name, std::size_t bytes) {
  if (bytes <= k_max_file_bytes) return {};
  return trf("{} is {:.2f} MiB; opsgate reads files of at most {} MiB", name,
             static_cast<double>(bytes) / (1 << 20), k_max_file_bytes >> 20);
}

std::string long_paths_message(std::string_view what) {
  return trf(
      "{}: its paths add up to more than {} MiB (names thousands of bytes long, nested "
      "thousands of levels deep?); opsgate does not walk it",
      what, k_max_walk_path_bytes >> 20);
}

std::string too_deep_message(std::string_view where) {
  constexpr std::size_t k_shown = 80;
  std::string shown(where.substr(0, k_shown));
  if (where.size() > k_shown) shown += "...";
  return trf(
      "{}: the tree nests directories more than {} levels deep (git's own "
      "core.maxTreeDepth); opsgate does not walk it",
      shown, k_max_tree_depth);
}

}  // namespace opsgate
