#include "glob.hpp"

#include <fnmatch.h>

#include "paths.hpp"

namespace opsgate {

namespace {

// Whether pattern[p..] matches a prefix path[i..j] for some j (a matched directory covers its
// contents, as in gitignore). `name` is a scratch buffer: fnmatch() needs NUL-terminated text.
bool match_from(const std::vector<std::string>& pattern, std::size_t p,
                const std::vector<std::string_view>& path, std::size_t i, std::string& name) {
  if (p == pattern.size()) return i <= path.size() && i > 0;
  if (pattern[p] == "**") {
    for (std::size_t skip = i; skip <= path.size(); ++skip)
      if (match_from(pattern, p + 1, path, skip, name)) return true;
    return p + 1 == pattern.size() && i < path.size();
  }
  if (i == path.size()) return false;
  name.assign(path[i]);
  if (fnmatch(pattern[p].c_str(), name.c_str(), 0) != 0) return false;
  return match_from(pattern, p + 1, path, i + 1, name);
}

}  // namespace

Glob::Glob(std::string_view pattern) {
  const bool anchored =
      pattern.substr(0, pattern.size() - (pattern.ends_with('/') ? 1 : 0)).find('/') !=
      std::string_view::npos;
  for (std::string_view part : path_components(pattern)) m_parts.emplace_back(part);
  if (!m_parts.empty() && !anchored) m_parts.insert(m_parts.begin(), "**");
}

bool Glob::matches(std::string_view path) const {
  if (m_parts.empty()) return false;
  std::string name;
  return match_from(m_parts, 0, path_components(path), 0, name);
}

bool glob_matches(std::string_view pattern, std::string_view path) {
  return Glob(pattern).matches(path);
}

}  // namespace opsgate
