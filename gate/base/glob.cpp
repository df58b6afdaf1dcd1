#include "glob.hpp"

#include <fnmatch.h>

#include <string>
#include <vector>

#include "paths.hpp"

namespace opsgate {

namespace {

// Owned copies: fnmatch() needs NUL-terminated strings.
std::vector<std::string> components(std::string_view text) {
  std::vector<std::string> out;
  for (std::string_view part : path_components(text)) out.emplace_back(part);
  return out;
}

// Whether pattern[p..] matches a prefix path[i..j] for some j (a matched directory covers its
// contents, as in gitignore).
bool match_from(const std::vector<std::string>& pattern, std::size_t p,
                const std::vector<std::string>& path, std::size_t i) {
  if (p == pattern.size()) return i <= path.size() && i > 0;
  if (pattern[p] == "**") {
    for (std::size_t skip = i; skip <= path.size(); ++skip)
      if (match_from(pattern, p + 1, path, skip)) return true;
    return p + 1 == pattern.size() && i < path.size();
  }
  if (i == path.size()) return false;
  if (fnmatch(pattern[p].c_str(), path[i].c_str(), 0) != 0) return false;
  return match_from(pattern, p + 1, path, i + 1);
}

}  // namespace

bool glob_matches(std::string_view pattern, std::string_view path) {
  bool anchored = pattern.substr(0, pattern.size() - (pattern.ends_with('/') ? 1 : 0)).find('/') !=
                  std::string_view::npos;
  std::vector<std::string> parts = components(pattern);
  if (parts.empty()) return false;
  if (!anchored) parts.insert(parts.begin(), "**");
  return match_from(parts, 0, components(path), 0);
}

}  // namespace opsgate
