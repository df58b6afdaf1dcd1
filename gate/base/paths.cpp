#include "paths.hpp"

namespace opsgate {

std::vector<std::string_view> path_components(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end > start) out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

namespace {

// True when normalizing leaves `path` as it is: no empty, "." or ".." component (most paths a
// check resolves, thousands of times in a monorepo).
bool already_normal(std::string_view path) {
  if (path.empty()) return true;
  for (std::size_t start = 0;;) {
    const std::size_t end = path.find('/', start);
    const std::string_view part =
        path.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (part.empty() || part == "." || part == "..") return false;
    if (end == std::string_view::npos) return true;
    start = end + 1;
  }
}

}  // namespace

std::optional<std::string> normalize_repo_path(std::string_view path) {
  if (already_normal(path)) return std::string(path);
  std::vector<std::string_view> parts;
  for (std::string_view part : path_components(path)) {
    if (part == "..") {
      if (parts.empty()) return std::nullopt;
      parts.pop_back();
    } else if (part != ".") {
      parts.push_back(part);
    }
  }
  std::string out;
  for (std::string_view part : parts) {
    if (!out.empty()) out += '/';
    out += part;
  }
  return out;
}

std::optional<std::string> resolve_manifest_path(std::string_view manifest_dir,
                                                 std::string_view reference) {
  if (reference.empty()) return std::nullopt;
  if (reference.front() == '/') return normalize_repo_path(reference.substr(1));
  return normalize_repo_path(join_path(manifest_dir, reference));
}

PathRef split_anchor(std::string_view reference) {
  std::size_t hash = reference.find('#');
  if (hash == std::string_view::npos) return {std::string(reference), {}};
  return {std::string(reference.substr(0, hash)), std::string(reference.substr(hash + 1))};
}

std::string parent_dir(std::string_view path) {
  std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string() : std::string(path.substr(0, slash));
}

std::string join_path(std::string_view dir, std::string_view name) {
  if (dir.empty()) return std::string(name);
  if (name.empty()) return std::string(dir);
  std::string out(dir);
  out += '/';
  out += name;
  return out;
}

}  // namespace opsgate
