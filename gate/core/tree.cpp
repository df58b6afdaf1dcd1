#include "tree.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "digest.hpp"
#include "i18n.hpp"
#include "paths.hpp"

namespace fs = std::filesystem;

namespace opsgate {

std::optional<std::string> Tree::real_path(std::string_view path) const {
  if (kind(path) == EntryKind::missing) return std::nullopt;
  return normalize_repo_path(path);
}

Expected<std::optional<std::string>> Tree::nearest_listed(std::string_view dir,
                                                          std::string_view file_name) const {
  for (std::string current(dir);; current = parent_dir(current)) {
    auto listed = is_listed_file(join_path(current, file_name));
    if (!listed) return std::unexpected(listed.error());
    if (*listed) return std::optional<std::string>(current);
    if (current.empty()) return std::optional<std::string>();
  }
}

Expected<bool> Tree::is_listed_file(std::string_view path) const {
  const std::size_t slash = path.rfind('/');
  auto listed = find(slash == std::string_view::npos ? path : path.substr(slash + 1));
  if (!listed) return std::unexpected(listed.error());
  return std::binary_search(listed->begin(), listed->end(), path);
}

// ---- MemoryTree -------------------------------------------------------------------------

void MemoryTree::add(std::string path, std::string content, bool executable) {
  m_files[std::move(path)] = File{std::move(content), executable};
}

EntryKind MemoryTree::kind(std::string_view path) const {
  if (auto it = m_files.find(path); it != m_files.end())
    return it->second.executable ? EntryKind::executable : EntryKind::file;
  std::string prefix = std::string(path) + "/";
  auto it = m_files.lower_bound(prefix);
  if (path.empty() || (it != m_files.end() && it->first.starts_with(prefix)))
    return EntryKind::directory;
  return EntryKind::missing;
}

Expected<std::optional<std::uint64_t>> Tree::size(std::string_view path) const {
  auto text = read(path);
  if (!text) return std::unexpected(text.error());
  if (!*text) return std::optional<std::uint64_t>();
  return std::optional<std::uint64_t>((*text)->size());
}

Expected<std::optional<std::uint64_t>> DiskTree::size(std::string_view path) const {
  EntryKind entry = kind(path);
  if (entry != EntryKind::file && entry != EntryKind::executable)
    return std::optional<std::uint64_t>();
  std::error_code ec;
  const std::uintmax_t bytes = fs::file_size(*resolve(path), ec);
  if (ec) return fail(ErrorKind::io, trf("cannot read {}: {}", path, ec.message()));
  return std::optional<std::uint64_t>(bytes);
}

Expected<std::optional<std::string>> MemoryTree::read(std::string_view path) const {
  if (auto it = m_files.find(path); it != m_files.end()) return it->second.content;
  return std::nullopt;
}

Expected<std::vector<std::string>> MemoryTree::find(std::string_view file_name) const {
  std::vector<std::string> out;
  for (const auto& [path, file] : m_files) {
    std::string_view name = path;
    if (std::size_t slash = name.rfind('/'); slash != std::string_view::npos)
      name = name.substr(slash + 1);
    if (name == file_name) out.push_back(path);
  }
  return out;
}

Expected<std::vector<std::string>> MemoryTree::list(std::string_view dir) const {
  std::vector<std::string> out;
  for (const auto& [path, file] : m_files)
    if (parent_dir(path) == dir) out.push_back(path.substr(dir.empty() ? 0 : dir.size() + 1));
  return out;
}

std::string MemoryTree::blob_id(std::string_view path) const {
  auto it = m_files.find(path);
  return it == m_files.end() ? std::string() : hash_blob(it->second.content);
}

// ---- DiskTree ---------------------------------------------------------------------------

DiskTree::DiskTree(std::string root, std::string description)
    : m_description(description.empty() ? root : std::move(description)) {
  std::error_code ec;
  fs::path canonical = fs::canonical(root, ec);
  m_root = ec ? root : canonical.string();
}

std::optional<std::string> DiskTree::resolve(std::string_view path) const {
  if (path == ".git" || path.starts_with(".git/")) return std::nullopt;
  std::error_code ec;
  fs::path full = path.empty() ? fs::path(m_root) : fs::path(m_root) / fs::path(path);
  fs::path real = fs::canonical(full, ec);
  if (ec) return std::nullopt;
  std::string text = real.string();
  if (text != m_root && !text.starts_with(m_root + "/")) return std::nullopt;
  // The repository's own metadata is not part of the work tree, even through a symlink.
  std::string_view inside = std::string_view(text).substr(std::min(text.size(), m_root.size() + 1));
  if (inside == ".git" || inside.starts_with(".git/")) return std::nullopt;
  return text;
}

std::optional<std::string> DiskTree::real_path(std::string_view path) const {
  auto real = resolve(path);
  if (!real || kind(path) == EntryKind::missing) return std::nullopt;
  return real->size() > m_root.size() ? real->substr(m_root.size() + 1) : std::string();
}

EntryKind DiskTree::kind(std::string_view path) const {
  auto real = resolve(path);
  if (!real) return EntryKind::missing;
  std::error_code ec;
  fs::file_status status = fs::status(*real, ec);
  if (ec) return EntryKind::missing;
  if (fs::is_directory(status)) return EntryKind::directory;
  if (!fs::is_regular_file(status)) return EntryKind::missing;
  return (status.permissions() & fs::perms::owner_exec) != fs::perms::none ? EntryKind::executable
                                                                           : EntryKind::file;
}

Expected<std::optional<std::string>> DiskTree::read(std::string_view path) const {
  EntryKind entry = kind(path);
  if (entry != EntryKind::file && entry != EntryKind::executable) return std::nullopt;
  std::string real = *resolve(path);
  std::ifstream in(real, std::ios::binary);
  if (!in) return fail(ErrorKind::io, trf("cannot read {}", real));
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

Expected<std::vector<std::string>> DiskTree::find(std::string_view file_name) const {
  if (auto cached = m_found.find(file_name); cached != m_found.end()) return cached->second;
  std::vector<std::string> out;
  std::error_code ec;
  fs::recursive_directory_iterator it(m_root, fs::directory_options::skip_permission_denied, ec);
  if (ec) return fail(ErrorKind::io, trf("cannot list {}: {}", m_root, ec.message()));
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) return fail(ErrorKind::io, trf("cannot list {}: {}", m_root, ec.message()));
    if (it->path().filename() == ".git") {
      it.disable_recursion_pending();
      continue;
    }
    if (m_ignored && m_ignored(fs::relative(it->path(), m_root).generic_string())) {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file() && !it->is_symlink() && it->path().filename() == file_name)
      out.push_back(fs::relative(it->path(), m_root).generic_string());
  }
  std::sort(out.begin(), out.end());
  m_found.emplace(std::string(file_name), out);
  return out;
}

Expected<std::vector<std::string>> DiskTree::list(std::string_view dir) const {
  auto real = resolve(dir);
  if (!real || kind(dir) != EntryKind::directory)
    return fail(ErrorKind::not_found, trf("no directory {} in {}", dir, describe()));
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(*real, ec))
    if (entry.is_regular_file()) out.push_back(entry.path().filename().string());
  if (ec) return fail(ErrorKind::io, trf("cannot list {}: {}", *real, ec.message()));
  std::sort(out.begin(), out.end());
  return out;
}

std::string DiskTree::blob_id(std::string_view path) const {
  auto content = read(path);
  if (!content || !*content) return {};
  return hash_blob(**content);
}

}  // namespace opsgate
