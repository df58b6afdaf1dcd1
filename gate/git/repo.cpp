#include "repo.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <map>
#include <set>
#include <unordered_map>
#include <vector>

#include <filesystem>

#include "git_history.hpp"
#include "i18n.hpp"
#include "limits.hpp"
#include "paths.hpp"

namespace opsgate {

std::string git_error_message(const char* fallback) {
  const git_error* error = git_error_last();
  return error && error->message ? error->message : fallback;
}

std::string oid_hex(const git_oid& oid) {
  char hex[GIT_OID_HEXSZ + 1];
  git_oid_tostr(hex, sizeof hex, &oid);
  return hex;
}

Error missing_object(git_repository* repo, std::string_view kind, const git_oid& id,
                     std::string_view what) {
  const std::string cause = git_error_message("object not found");
  bool partial = false;
  git_config* raw = nullptr;
  if (git_repository_config_snapshot(&raw, repo) == 0) {
    GitConfigPtr config(raw);
    git_buf value = GIT_BUF_INIT;
    if (git_config_get_string_buf(&value, config.get(), "extensions.partialclone") == 0)
      partial = true;
    git_buf_dispose(&value);
    // Every entry, matched here: libgit2's regex iterator leaks pcre2 match data (1.5).
    git_config_iterator* raw_iterator = nullptr;
    if (git_config_iterator_new(&raw_iterator, config.get()) == 0) {
      git_config_entry* entry = nullptr;
      while (git_config_next(&entry, raw_iterator) == 0) {
        const std::string_view name = entry->name ? entry->name : "";
        if (name.starts_with("remote.") && name.ends_with(".promisor") && entry->value &&
            std::string_view(entry->value) == "true")
          partial = true;
      }
      git_config_iterator_free(raw_iterator);
    }
  }
  std::error_code ec;
  const char* git_dir = git_repository_path(repo);  // null for an object database alone
  const bool shallow = git_dir && std::filesystem::exists(std::string(git_dir) + "shallow", ec);
  std::string_view advice;
  if (partial)
    advice = tr(
        "this is a partial clone (git clone --filter=...), and opsgate reads only what is in the "
        "repository: run it on a full clone, or fetch what is missing: git config --unset "
        "remote.origin.partialclonefilter && git fetch --refetch origin");
  else if (shallow)
    advice =
        tr("this is a shallow clone and the object lies past its history: deepen it (git fetch "
           "--deepen=N, or git fetch --unshallow)");
  else
    advice = tr("the repository is damaged or incomplete: run git fsck, then fetch or re-clone");
  return Error{ErrorKind::io,
               trf("cannot read {} {} ({}): {}; {}", kind, oid_hex(id), what, cause, advice),
               std::nullopt};
}

namespace {

constexpr int k_max_symlink_hops = 40;

// The tree of one commit. Symlinks are followed only while they stay inside the tree. Answers
// are remembered (m_found, m_resolved): one thread at a time, as for the libgit2 objects.
class GitTree final : public Tree {
 public:
  // `commit`: the commit's id, as describe() names the tree.
  GitTree(std::shared_ptr<git_repository> repo, GitTreePtr root, std::string commit)
      : m_repo(std::move(repo)), m_root(std::move(root)), m_commit(std::move(commit)) {}

  EntryKind kind(std::string_view path) const override {
    auto entry = resolve(path);
    if (!entry) return EntryKind::missing;
    switch (entry->mode) {
      case GIT_FILEMODE_TREE:
        return EntryKind::directory;
      case GIT_FILEMODE_BLOB_EXECUTABLE:
        return EntryKind::executable;
      case GIT_FILEMODE_BLOB:
        return EntryKind::file;
      case GIT_FILEMODE_COMMIT:
        return EntryKind::submodule;
      default:
        return EntryKind::missing;
    }
  }

  Expected<std::optional<std::uint64_t>> size(std::string_view path) const override {
    auto entry = resolve(path);
    if (!entry || (entry->mode != GIT_FILEMODE_BLOB && entry->mode != GIT_FILEMODE_BLOB_EXECUTABLE))
      return std::optional<std::uint64_t>();
    if (m_damage) return std::unexpected(*m_damage);
    return std::optional<std::uint64_t>(entry->size);
  }

  Expected<std::optional<std::string>> read(std::string_view path) const override {
    auto entry = resolve(path);
    if (!entry || (entry->mode != GIT_FILEMODE_BLOB && entry->mode != GIT_FILEMODE_BLOB_EXECUTABLE))
      return std::nullopt;
    auto content = read_blob(entry->oid, path);
    if (!content) return std::unexpected(*m_damage);
    return *content;
  }

  Expected<std::vector<std::string>> find(std::string_view file_name) const override {
    auto listed = searched(file_name);
    if (!listed) return std::unexpected(listed.error());
    return **listed;
  }

  Expected<std::optional<std::vector<std::string>>> find_links() const override {
    // Any search walks every directory and notes the links on its way; a name no entry can
    // have (git ends names at a NUL) makes one when none ran yet.
    if (!m_links)
      if (auto listed = searched(std::string_view("\0", 1)); !listed)
        return std::unexpected(listed.error());
    return m_links;
  }

  Expected<void> find_each(std::string_view file_name,
                           const std::function<void(std::string)>& found) const override {
    if (auto cached = m_found.find(file_name); cached != m_found.end()) {
      for (const std::string& path : cached->second) found(path);
      return {};
    }
    // Depth-first with a stack of its own, not git_tree_walk: libgit2 recurses once per level,
    // and a tree nested tens of thousands of levels deep (git accepts it) overflowed the stack.
    // One path buffer holds the directory being read: entering a directory appends its name,
    // so a walk builds each name once, not every directory's full path (a chain of long names
    // thousands of levels deep cost the square of its depth). Full paths are built only for
    // what is returned.
    struct Level {
      GitTreePtr tree;
      std::size_t next = 0;   // the entry to read next
      std::size_t count = 0;  // entries
      std::size_t dir_size;   // of `dir` for this tree ("a/b/": 4)
    };
    std::vector<std::string> all, links;
    std::vector<Level> stack;
    std::string dir;
    std::size_t entries = 0;
    std::size_t path_bytes = 0;  // of the names appended and the paths returned
    auto too_long = [&](std::size_t bytes) {
      return (path_bytes += bytes) > k_max_walk_path_bytes;
    };
    auto enter = [&](GitTreePtr tree) -> Expected<void> {
      const std::size_t n = git_tree_entrycount(tree.get());
      if ((entries += n) > k_max_tree_entries)
        return fail(ErrorKind::invalid,
                    trf("{} holds more than {} entries in its trees (one tree repeated at every "
                        "level?); opsgate does not walk it",
                        describe(), k_max_tree_entries));
      stack.push_back({std::move(tree), 0, n, dir.size()});
      return {};
    };
    {
      git_tree* copy = nullptr;
      if (git_tree_dup(&copy, m_root.get()) != 0)
        return fail(ErrorKind::internal,
                    fmt::format("cannot walk {}: {}", describe(), git_error_message()));
      if (auto entered = enter(GitTreePtr(copy)); !entered) return entered;
    }
    while (!stack.empty()) {
      Level& top = stack.back();
      if (top.next == top.count) {
        stack.pop_back();
        continue;
      }
      const git_tree_entry* entry = git_tree_entry_byindex(top.tree.get(), top.next++);
      dir.resize(top.dir_size);
      const std::size_t depth = stack.size() - 1;  // of `top`; the root is 0
      const git_filemode_t mode = git_tree_entry_filemode(entry);
      const char* entry_name = git_tree_entry_name(entry);
      if ((mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE) &&
          file_name == entry_name) {
        if (all.size() == k_max_manifests)
          return fail(ErrorKind::invalid,
                      trf("{} holds more than {} files named {}; opsgate judges at most that "
                          "many in one run",
                          describe(), k_max_manifests, file_name));
        if (too_long(dir.size() + std::strlen(entry_name)))
          return fail(ErrorKind::invalid, long_paths_message(describe()));
        all.push_back(dir + entry_name);
        found(all.back());
      } else if (mode == GIT_FILEMODE_LINK) {
        if (too_long(dir.size() + std::strlen(entry_name)))
          return fail(ErrorKind::invalid, long_paths_message(describe()));
        links.push_back(dir + entry_name);
      } else if (mode == GIT_FILEMODE_TREE) {
        if (too_long(std::strlen(entry_name) + 1))
          return fail(ErrorKind::invalid, long_paths_message(describe()));
        dir += entry_name;
        dir += '/';
        if (depth + 1 > k_max_tree_depth) return fail(ErrorKind::invalid, too_deep_message(dir));
        GitTreePtr subtree = lookup_tree(*git_tree_entry_id(entry), dir);
        if (!subtree) return std::unexpected(*m_damage);
        if (auto entered = enter(std::move(subtree)); !entered) return entered;
      }
    }
    std::sort(all.begin(), all.end());
    m_found.emplace(std::string(file_name), std::move(all));
    if (!m_links) {
      std::sort(links.begin(), links.end());
      m_links = std::move(links);
    }
    return {};
  }

  Expected<bool> is_listed_file(std::string_view path) const override {
    // Down through tree entries only, as git_tree_walk goes: a symlink or a submodule on the way
    // ends the path. A name is looked up by binary search, which only a well-formed tree
    // answers as the walk would; a malformed one (unsorted, duplicate or '/' names: git fsck's
    // treeNotSorted and friends, which a push is not checked for by default) is searched.
    const git_tree* current = m_root.get();
    GitTreePtr owned;  // keeps `current` alive below the root
    for (std::size_t start = 0;;) {
      if (!well_formed(current)) {
        auto listed = searched(path.substr(path.rfind('/') + 1));
        if (!listed) return std::unexpected(listed.error());
        return std::binary_search((*listed)->begin(), (*listed)->end(), path);
      }
      const std::size_t slash = path.find('/', start);
      const std::string name(path.substr(
          start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
      const git_tree_entry* entry = git_tree_entry_byname(current, name.c_str());
      if (!entry) return false;
      const git_filemode_t mode = git_tree_entry_filemode(entry);
      if (slash == std::string_view::npos)
        return mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE;
      if (mode != GIT_FILEMODE_TREE) return false;
      owned = lookup_tree(*git_tree_entry_id(entry), path.substr(0, slash));
      if (!owned) return std::unexpected(*m_damage);
      current = owned.get();
      start = slash + 1;
    }
  }

  Expected<std::optional<std::string>> nearest_listed(std::string_view dir,
                                                      std::string_view file_name) const override {
    // Down once along `dir`, through tree entries only (as the search goes), noting the deepest
    // directory whose tree lists `file_name` as a regular or executable file. A malformed tree
    // on the way is answered by the search, as is_listed_file() does. The way down is kept for
    // the next call: a change's directories come sorted, so the next one shares most of it.
    const std::string name(file_name);
    auto lists_file = [&](const git_tree* tree) {
      const git_tree_entry* file = git_tree_entry_byname(tree, name.c_str());
      if (!file) return false;
      const git_filemode_t mode = git_tree_entry_filemode(file);
      return mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE;
    };
    if (std::count(dir.begin(), dir.end(), '/') + 1 > static_cast<long>(k_max_tree_depth))
      return fail(ErrorKind::invalid, too_deep_message(dir));
    if (!well_formed(m_root.get())) return nearest_in_search(dir, file_name);
    // The steps of the last walk still on the way to `dir`: those ending within the common
    // prefix, at a component boundary of `dir`.
    if (m_walk_name != file_name) {
      m_walk.clear();
      m_walk_name = file_name;
    }
    const std::size_t common = static_cast<std::size_t>(
        std::mismatch(dir.begin(), dir.end(), m_walk_dir.begin(), m_walk_dir.end()).first -
        dir.begin());
    std::size_t kept = 0;
    while (kept < m_walk.size() && m_walk[kept].end <= common &&
           (m_walk[kept].end == dir.size() || dir[m_walk[kept].end] == '/'))
      ++kept;
    m_walk.resize(kept);
    m_walk_dir.assign(dir);
    std::optional<std::size_t> deepest;  // length of the deepest prefix of `dir` found
    if (m_walk.empty()) {
      if (lists_file(m_root.get())) deepest = 0;
    } else {
      deepest = m_walk.back().deepest;
    }
    const git_tree* current = m_walk.empty() ? m_root.get() : m_walk.back().tree.get();
    for (std::size_t start = m_walk.empty() ? 0 : m_walk.back().end + 1;
         !dir.empty() && start <= dir.size();) {
      const std::size_t slash = dir.find('/', start);
      const std::size_t end = slash == std::string_view::npos ? dir.size() : slash;
      const std::string component(dir.substr(start, end - start));
      const git_tree_entry* entry = git_tree_entry_byname(current, component.c_str());
      if (!entry || git_tree_entry_filemode(entry) != GIT_FILEMODE_TREE) break;
      GitTreePtr owned = lookup_tree(*git_tree_entry_id(entry), dir.substr(0, end));
      if (!owned) {
        m_walk.clear();
        return std::unexpected(*m_damage);
      }
      current = owned.get();
      if (!well_formed(current)) {
        m_walk.clear();
        return nearest_in_search(dir, file_name);
      }
      if (lists_file(current)) deepest = end;
      m_walk.push_back({end, std::move(owned), deepest});
      start = end + 1;
    }
    if (!deepest) return std::optional<std::string>();
    return std::optional<std::string>(std::string(dir.substr(0, *deepest)));
  }

  Expected<std::vector<std::string>> list(std::string_view dir) const override {
    auto entry = resolve(dir);
    if (!entry || entry->mode != GIT_FILEMODE_TREE)
      return fail(ErrorKind::not_found,
                  trf("no directory {} at {}", dir.empty() ? "/" : dir, describe()));
    GitTreePtr subtree = lookup_tree(entry->oid, dir);
    if (!subtree) return std::unexpected(*m_damage);
    std::vector<std::string> out;
    for (std::size_t i = 0, n = git_tree_entrycount(subtree.get()); i < n; ++i) {
      const git_tree_entry* child = git_tree_entry_byindex(subtree.get(), i);
      git_filemode_t mode = git_tree_entry_filemode(child);
      if (mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE)
        out.emplace_back(git_tree_entry_name(child));
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  std::string blob_id(std::string_view path) const override {
    auto entry = resolve(path);
    return entry && entry->mode != GIT_FILEMODE_TREE ? oid_hex(entry->oid) : std::string();
  }

  std::string describe() const override { return trf("revision {}", m_commit.substr(0, 12)); }

  std::optional<Error> damage() const override { return m_damage; }

 private:
  struct Resolved {
    git_oid oid;
    git_filemode_t mode;
    std::uint64_t size = 0;  // a blob's, from its object header
  };

  // The search's sorted list of the files named `file_name`: walked once, then kept (manifest
  // discovery and --base scoping both ask; is_listed_file() and nearest_listed() ask again for
  // each path of a malformed tree, and a copy each time cost the square of a large list).
  Expected<const std::vector<std::string>*> searched(std::string_view file_name) const {
    auto cached = m_found.find(file_name);
    if (cached == m_found.end()) {
      if (auto walked = find_each(file_name, [](std::string) {}); !walked)
        return std::unexpected(walked.error());
      cached = m_found.find(file_name);
    }
    return &cached->second;
  }

  // nearest_listed() from the search's list, for a malformed tree on the way: the deepest
  // directory d, `dir` or one it is in, with join_path(d, file_name) listed. (The default
  // climbs with is_listed_file(), a walk down from the root at each level: the square of the
  // depth, for each directory a change touches.)
  Expected<std::optional<std::string>> nearest_in_search(std::string_view dir,
                                                         std::string_view file_name) const {
    auto listed = searched(file_name);
    if (!listed) return std::unexpected(listed.error());
    std::optional<std::string_view> deepest;
    for (std::string_view path : **listed) {
      std::string_view owner;  // "" for the root
      if (path != file_name) {
        if (path.size() <= file_name.size() + 1 || !path.ends_with(file_name) ||
            path[path.size() - file_name.size() - 1] != '/')
          continue;
        owner = path.substr(0, path.size() - file_name.size() - 1);
      }
      const bool encloses =
          owner.empty() || owner == dir || (dir.starts_with(owner) && dir[owner.size()] == '/');
      if (encloses && (!deepest || owner.size() > deepest->size())) deepest = owner;
    }
    if (!deepest) return std::optional<std::string>();
    return std::optional<std::string>(std::string(*deepest));
  }

  // Entries named, without '/', in git's order (a directory sorts as if its name ended in '/')
  // and without duplicates: what git_tree_entry_byname's binary search needs. Checked once per
  // tree (a monorepo's services/ is on the way to every service).
  bool well_formed(const git_tree* tree) const {
    const git_oid* id = git_tree_id(tree);
    std::string key(reinterpret_cast<const char*>(id->id), GIT_OID_RAWSZ);
    auto known = m_well_formed.find(key);
    if (known == m_well_formed.end()) known = m_well_formed.emplace(key, check_order(tree)).first;
    return known->second;
  }

  static bool check_order(const git_tree* tree) {
    std::string previous;
    std::vector<std::string_view> names;
    for (std::size_t i = 0, n = git_tree_entrycount(tree); i < n; ++i) {
      const git_tree_entry* entry = git_tree_entry_byindex(tree, i);
      std::string key = git_tree_entry_name(entry);
      if (key.empty() || key.find('/') != std::string::npos) return false;
      names.push_back(git_tree_entry_name(entry));
      if (git_tree_entry_filemode(entry) == GIT_FILEMODE_TREE) key += '/';
      if (i > 0 && !(previous < key)) return false;
      previous = std::move(key);
    }
    // A file and a directory of one name sort apart ("docs" < "docs-x" < "docs/"), and the
    // binary search finds either (found by the tree fuzz target).
    std::sort(names.begin(), names.end());
    return std::adjacent_find(names.begin(), names.end()) == names.end();
  }

  // A tree the revision names: one that cannot be read is damage, never "no such path".
  GitTreePtr lookup_tree(const git_oid& oid, std::string_view path) const {
    git_tree* tree = nullptr;
    if (git_tree_lookup(&tree, m_repo.get(), &oid) != 0) {
      note_damage("tree", oid, path);
      return nullptr;
    }
    return GitTreePtr(tree);
  }

  void note_damage(std::string_view kind, const git_oid& oid, std::string_view path) const {
    if (!m_damage)
      m_damage = missing_object(m_repo.get(), kind, oid,
                                trf("{} at {}", path.empty() ? "/" : path, describe()));
  }

  std::optional<std::string> read_blob(const git_oid& oid, std::string_view path) const {
    git_blob* raw = nullptr;
    if (git_blob_lookup(&raw, m_repo.get(), &oid) != 0) {
      note_damage("blob", oid, path);
      return std::nullopt;
    }
    GitBlobPtr blob(raw);
    const char* data = static_cast<const char*>(git_blob_rawcontent(blob.get()));
    return std::string(data, static_cast<std::size_t>(git_blob_rawsize(blob.get())));
  }

  // What `path` names, remembered: rules ask about the same few paths many times (a manifest's
  // runbook: exists, has sections, changed lately...), each a walk down from the root.
  std::optional<Resolved> resolve(std::string_view path) const {
    auto known = m_resolved.find(path);
    if (known == m_resolved.end()) {
      std::optional<Resolved> found = resolve_walk(path, 0);
      // A file's blob must be there: its size comes from the object header, so a blob that is
      // absent (a partial clone, a damaged repository) is damage, and a huge one is known
      // before it is inflated.
      if (found &&
          (found->mode == GIT_FILEMODE_BLOB || found->mode == GIT_FILEMODE_BLOB_EXECUTABLE)) {
        if (auto bytes = blob_size(found->oid))
          found->size = *bytes;
        else
          note_damage("blob", found->oid, path);
      }
      known = m_resolved.emplace(std::string(path), found).first;
    }
    return known->second;
  }

  std::optional<std::uint64_t> blob_size(const git_oid& oid) const {
    if (!m_odb) {
      git_odb* raw = nullptr;
      if (git_repository_odb(&raw, m_repo.get()) != 0) return std::nullopt;
      m_odb.reset(raw);
    }
    std::size_t bytes = 0;
    git_object_t type = GIT_OBJECT_INVALID;
    if (git_odb_read_header(&bytes, &type, m_odb.get(), &oid) != 0 || type != GIT_OBJECT_BLOB)
      return std::nullopt;
    return bytes;
  }

  // Walks `path` component by component so that a symlink anywhere on the way is followed
  // (or refused when it leaves the tree) exactly like a checkout would.
  std::optional<std::string> real_path(std::string_view path) const override {
    std::string real;
    if (kind(path) == EntryKind::missing || !resolve_walk(path, 0, &real)) return std::nullopt;
    return real;
  }

  std::optional<Resolved> resolve_walk(std::string_view path, int hops,
                                       std::string* real = nullptr) const {
    if (hops > k_max_symlink_hops) return std::nullopt;
    auto normal = normalize_repo_path(path);
    if (!normal) return std::nullopt;
    if (normal->empty()) {
      if (real) real->clear();
      return Resolved{*git_tree_id(m_root.get()), GIT_FILEMODE_TREE};
    }

    std::vector<std::string> parts;  // owned: git_tree_entry_byname needs NUL-terminated names
    for (std::string_view part : path_components(*normal)) parts.emplace_back(part);
    // Deeper than git's maxTreeDepth: nothing a walk of the gate accepts lies there.
    if (parts.size() > k_max_tree_depth + 1) return std::nullopt;

    GitTreePtr owned;  // keeps the current subtree alive
    const git_tree* current = m_root.get();
    // parts[0..i] joined, grown in place: copied at every level, a path thousands of
    // directories deep cost the square of its length.
    std::string walked;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      const git_tree_entry* entry = git_tree_entry_byname(current, parts[i].c_str());
      if (!entry) return std::nullopt;
      git_filemode_t mode = git_tree_entry_filemode(entry);
      Resolved here{*git_tree_entry_id(entry), mode};
      const std::size_t parent_length = walked.size();
      if (!walked.empty()) walked += '/';
      walked += parts[i];
      if (mode == GIT_FILEMODE_LINK) {
        auto target = read_blob(here.oid, walked);
        if (!target || target->empty() || target->front() == '/') return std::nullopt;
        std::string next = join_path(std::string_view(walked).substr(0, parent_length), *target);
        for (std::size_t j = i + 1; j < parts.size(); ++j) (next += '/') += parts[j];
        return resolve_walk(next, hops + 1, real);
      }
      if (i + 1 == parts.size()) {
        if (real) *real = std::move(walked);
        return here;
      }
      if (mode != GIT_FILEMODE_TREE) return std::nullopt;
      owned = lookup_tree(here.oid, walked);
      if (!owned) return std::nullopt;
      current = owned.get();
    }
    return std::nullopt;
  }

  std::shared_ptr<git_repository> m_repo;
  GitTreePtr m_root;
  std::string m_commit;
  mutable std::map<std::string, std::vector<std::string>, std::less<>> m_found;  // by file name
  mutable std::optional<std::vector<std::string>> m_links;  // symlinks, noted by any search
  mutable std::map<std::string, std::optional<Resolved>, std::less<>> m_resolved;  // by path
  mutable std::unordered_map<std::string, bool> m_well_formed;                     // by raw tree id
  // nearest_listed()'s last way down: the directory, the file name, and a step per directory
  // entered (where it ends in m_walk_dir, its tree, the deepest listing directory so far).
  struct WalkStep {
    std::size_t end;
    GitTreePtr tree;
    std::optional<std::size_t> deepest;
  };
  mutable std::string m_walk_dir, m_walk_name;
  mutable std::vector<WalkStep> m_walk;
  mutable std::optional<Error> m_damage;
  mutable std::unique_ptr<git_odb, GitFree<git_odb_free>> m_odb;
};

}  // namespace

std::optional<std::string> Repository::symbolic_target(const std::string& ref) const {
  std::string name = ref;
  bool symbolic = false;
  for (int hops = 0; hops < 8; ++hops) {  // git itself follows 5
    git_reference* raw = nullptr;
    if (git_reference_lookup(&raw, m_repo.get(), name.c_str()) != 0) break;
    std::unique_ptr<git_reference, GitFree<git_reference_free>> found(raw);
    if (git_reference_type(found.get()) != GIT_REFERENCE_SYMBOLIC) break;
    const char* target = git_reference_symbolic_target(found.get());
    if (!target) break;
    name = target;
    symbolic = true;
  }
  return symbolic && name != ref ? std::optional<std::string>(name) : std::nullopt;
}

Expected<Repository> Repository::discover(const std::string& path) {
  git_repository* raw = nullptr;
  if (git_repository_open_ext(&raw, path.c_str(), 0, nullptr) != 0)
    return fail(ErrorKind::not_found,
                trf("{}: not a git repository ({})", path, git_error_message()));
  return Repository(std::shared_ptr<git_repository>(raw, git_repository_free));
}

Expected<Repository> Repository::wrap_odb(git_odb* odb) {
  git_repository* raw = nullptr;
  if (git_repository_wrap_odb(&raw, odb) != 0)
    return fail(ErrorKind::internal,
                fmt::format("cannot wrap an object database: {}", git_error_message()));
  return Repository(std::shared_ptr<git_repository>(raw, git_repository_free));
}

Expected<Repository> Repository::open_from_env() {
  git_repository* raw = nullptr;
  if (git_repository_open_ext(&raw, nullptr, GIT_REPOSITORY_OPEN_FROM_ENV, nullptr) != 0) {
    const char* git_dir = std::getenv("GIT_DIR");
    // Git runs the hook inside the repository: failing to open it is the server's problem.
    return fail(ErrorKind::unavailable,
                trf("{}: not a git repository ({})", git_dir ? git_dir : ".", git_error_message()));
  }
  return Repository(std::shared_ptr<git_repository>(raw, git_repository_free));
}

bool Repository::contains(const std::string& id) const {
  git_oid oid;
  if (id.size() != GIT_OID_HEXSZ || git_oid_fromstr(&oid, id.c_str()) != 0) return false;
  git_odb* raw = nullptr;
  if (git_repository_odb(&raw, m_repo.get()) != 0) return false;
  std::unique_ptr<git_odb, GitFree<git_odb_free>> odb(raw);
  return git_odb_exists(odb.get(), &oid) == 1;
}

Expected<std::string> Repository::hooks_dir() const {
  git_config* raw = nullptr;
  if (git_repository_config_snapshot(&raw, m_repo.get()) != 0)
    return fail(ErrorKind::io, trf("cannot read the git configuration: {}", git_error_message()));
  GitConfigPtr config(raw);
  git_buf value = GIT_BUF_INIT;
  if (git_config_get_path(&value, config.get(), "core.hooksPath") == 0) {
    std::string path(value.ptr, value.size);
    git_buf_dispose(&value);
    if (!path.empty()) {
      if (path.front() == '/') return path;
      // Relative to where git runs hooks: the work tree, or the git directory when bare.
      return workdir().value_or(git_dir()) + path;
    }
  }
  git_buf_dispose(&value);
  return std::string(git_repository_commondir(m_repo.get())) + "hooks";
}

Expected<std::string> Repository::resolve_commit(std::string_view rev) const {
  std::string spec(rev);
  // A short name that several refs answer to (a pushed tag refs/tags/origin/main beside the
  // remote-tracking refs/remotes/origin/main) is refused, not resolved by git's precedence:
  // whoever can push a tag would choose the rules or the base that judge a change.
  const std::string name = spec.substr(0, spec.find_first_of("~^@:"));
  if (!name.empty() && !name.starts_with("refs/")) {
    std::vector<std::string> matches;
    for (const std::string& candidate :
         {name, "refs/" + name, "refs/tags/" + name, "refs/heads/" + name, "refs/remotes/" + name,
          "refs/remotes/" + name + "/HEAD"}) {
      git_reference* found = nullptr;
      if (git_reference_lookup(&found, m_repo.get(), candidate.c_str()) == 0) {
        git_reference_free(found);
        matches.push_back(candidate);
      }
    }
    if (matches.size() > 1)
      return fail(ErrorKind::usage,
                  trf("revision '{}' is ambiguous: {} all answer to '{}'; write the full "
                      "ref name (e.g. {})",
                      spec, fmt::join(matches, ", "), name, matches.back()));
  }
  git_object* raw = nullptr;
  if (git_revparse_single(&raw, m_repo.get(), spec.c_str()) != 0)
    return fail(ErrorKind::not_found,
                trf("revision '{}' not found ({})", spec, git_error_message()));
  GitObjectPtr object(raw);
  git_object* peeled = nullptr;
  if (git_object_peel(&peeled, object.get(), GIT_OBJECT_COMMIT) != 0)
    return fail(ErrorKind::not_found, trf("revision '{}' does not name a commit", spec));
  GitObjectPtr commit(peeled);
  return oid_hex(*git_object_id(commit.get()));
}

Expected<std::unique_ptr<Tree>> Repository::tree_at(const std::string& commit_id) const {
  git_oid oid;
  if (git_oid_fromstr(&oid, commit_id.c_str()) != 0)
    return fail(ErrorKind::not_found, trf("not a commit id: {}", commit_id));
  git_commit* raw_commit = nullptr;
  if (git_commit_lookup(&raw_commit, m_repo.get(), &oid) != 0)
    return fail(ErrorKind::not_found,
                trf("commit {} not found ({})", commit_id, git_error_message()));
  GitCommitPtr commit(raw_commit);
  git_tree* raw_tree = nullptr;
  if (git_commit_tree(&raw_tree, commit.get()) != 0)
    return std::unexpected(missing_object(m_repo.get(), "tree", *git_commit_tree_id(commit.get()),
                                          trf("the root of commit {}", commit_id.substr(0, 12))));
  return std::make_unique<GitTree>(m_repo, GitTreePtr(raw_tree), commit_id);
}

namespace {

std::optional<git_oid> parse_oid(const std::string& id) {
  git_oid oid;
  if (git_oid_fromstr(&oid, id.c_str()) != 0) return std::nullopt;
  return oid;
}

// The paths whose entries differ between two trees, sorted: what git_diff_tree_to_tree reports
// (both sides of a rename or a file/directory swap), found as git diff-tree finds them, going
// down only into the subtrees whose ids differ. libgit2 1.5 reads every tree of both sides: 6 ms
// for a one-file change in a monorepo of 800 directories, against a few tree reads here.
// Iterative, so that a hostile repository nested thousands of levels deep cannot overflow the
// stack, and bounded by k_max_tree_depth (`too_deep` names where). false when a tree cannot be
// read (git_error_last() says why) or nests too deep.
bool differing_paths(git_repository* repo, const git_tree* old_root, const git_tree* new_root,
                     std::vector<std::string>& paths, std::string& too_deep, bool& too_many,
                     bool& too_long) {
  struct Pending {
    GitTreePtr old_tree, new_tree;  // null: the side has no such directory
    std::string prefix;
    std::size_t depth = 0;
  };
  auto lookup = [&](const git_tree_entry* entry, GitTreePtr& out) {
    if (!entry || git_tree_entry_filemode(entry) != GIT_FILEMODE_TREE) return true;
    git_tree* tree = nullptr;
    if (git_tree_lookup(&tree, repo, git_tree_entry_id(entry)) != 0) return false;
    out.reset(tree);
    return true;
  };
  auto dup = [](const git_tree* tree) {
    git_tree* copy = nullptr;
    if (tree) git_tree_dup(&copy, const_cast<git_tree*>(tree));
    return GitTreePtr(copy);
  };
  std::vector<Pending> work;
  work.push_back({dup(old_root), dup(new_root), {}, 0});
  std::size_t path_bytes = 0;  // of every prefix and path built
  while (!work.empty()) {
    Pending pending = std::move(work.back());
    work.pop_back();
    // Each side against the other: names the other side lacks, or holds with another id/mode.
    for (int side = 0; side < 2; ++side) {
      const git_tree* tree = (side == 0 ? pending.old_tree : pending.new_tree).get();
      const git_tree* other = (side == 0 ? pending.new_tree : pending.old_tree).get();
      if (!tree) continue;
      for (std::size_t i = 0, n = git_tree_entrycount(tree); i < n; ++i) {
        const git_tree_entry* entry = git_tree_entry_byindex(tree, i);
        const char* name = git_tree_entry_name(entry);
        const git_tree_entry* twin = other ? git_tree_entry_byname(other, name) : nullptr;
        if (twin && git_oid_equal(git_tree_entry_id(entry), git_tree_entry_id(twin)) &&
            git_tree_entry_filemode(entry) == git_tree_entry_filemode(twin))
          continue;
        const bool is_tree = git_tree_entry_filemode(entry) == GIT_FILEMODE_TREE;
        const bool twin_is_tree = twin && git_tree_entry_filemode(twin) == GIT_FILEMODE_TREE;
        if ((path_bytes += pending.prefix.size() + std::strlen(name) + 1) > k_max_walk_path_bytes) {
          too_long = true;
          return false;
        }
        if (!is_tree) {
          if (paths.size() == k_max_tree_entries) {
            too_deep = pending.prefix + name;  // named as where the walk stopped
            too_many = true;
            return false;
          }
          paths.push_back(pending.prefix + name);
          continue;
        }
        // A directory on both sides is compared once, from the old side.
        if (twin_is_tree && side == 1) continue;
        if (pending.depth + 1 > k_max_tree_depth) {
          too_deep = pending.prefix + name + "/";
          return false;
        }
        Pending below{nullptr, nullptr, pending.prefix + name + "/", pending.depth + 1};
        GitTreePtr& mine = side == 0 ? below.old_tree : below.new_tree;
        GitTreePtr& theirs = side == 0 ? below.new_tree : below.old_tree;
        if (!lookup(entry, mine) || (twin_is_tree && !lookup(twin, theirs))) return false;
        work.push_back(std::move(below));
      }
    }
  }
  std::sort(paths.begin(), paths.end());
  paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
  return true;
}

}  // namespace

Expected<std::string> Repository::merge_base(const std::string& a, const std::string& b) const {
  auto x = parse_oid(a), y = parse_oid(b);
  git_oid base;
  if (!x || !y || git_merge_base(&base, m_repo.get(), &*x, &*y) != 0)
    return fail(ErrorKind::not_found, trf("{} and {} have no common ancestor ({})", a.substr(0, 12),
                                          b.substr(0, 12), git_error_message("none found")));
  return oid_hex(base);
}

Expected<bool> Repository::is_ancestor(const std::string& ancestor,
                                       const std::string& commit) const {
  auto x = parse_oid(ancestor), y = parse_oid(commit);
  if (!x || !y)
    return fail(ErrorKind::usage,
                trf("is {} an ancestor of {}: not a commit id", ancestor, commit));
  if (git_oid_equal(&*x, &*y)) return true;
  const int answer = git_graph_descendant_of(m_repo.get(), &*y, &*x);
  if (answer < 0)
    return fail(ErrorKind::internal, fmt::format("cannot tell whether {} is an ancestor of {}: {}",
                                                 ancestor, commit, git_error_message()));
  return answer == 1;
}

Expected<std::vector<CommitRef>> Repository::commits_between(const std::string& from,
                                                             const std::string& to) const {
  auto x = parse_oid(from), y = parse_oid(to);
  if (!x || !y) return fail(ErrorKind::usage, trf("{}..{}: not commit ids", from, to));
  git_revwalk* raw = nullptr;
  if (git_revwalk_new(&raw, m_repo.get()) != 0)
    return fail(ErrorKind::internal, git_error_message());
  std::unique_ptr<git_revwalk, FreeWith<git_revwalk_free>> walk(raw);
  if (git_revwalk_push(walk.get(), &*y) != 0 || git_revwalk_hide(walk.get(), &*x) != 0)
    return fail(ErrorKind::not_found, trf("cannot walk {}..{}: {}", from, to, git_error_message()));
  std::vector<CommitRef> commits;
  git_oid id;
  int next = 0;
  while ((next = git_revwalk_next(&id, walk.get())) == 0) {
    git_commit* found = nullptr;
    if (git_commit_lookup(&found, m_repo.get(), &id) != 0)
      return std::unexpected(missing_object(m_repo.get(), "commit", id, tr("of the change")));
    GitCommitPtr commit(found);
    const git_signature* author = git_commit_author(commit.get());
    CommitRef ref;
    ref.commit = oid_hex(id);
    ref.author = author && author->name ? author->name : "";
    ref.email = author && author->email ? author->email : "";
    ref.when = Seconds{std::chrono::seconds(git_commit_time(commit.get()))};
    commits.push_back(std::move(ref));
  }
  if (next != GIT_ITEROVER)
    return fail(ErrorKind::not_found, trf("cannot walk {}..{}: {}", from, to, git_error_message()));
  return commits;
}

Expected<std::vector<std::string>> Repository::tags_pointing_at(const std::string& commit) const {
  auto target = parse_oid(commit);
  if (!target) return fail(ErrorKind::usage, trf("{}: not a commit id", commit));
  git_reference_iterator* raw = nullptr;
  if (git_reference_iterator_glob_new(&raw, m_repo.get(), "refs/tags/*") != 0)
    return fail(ErrorKind::internal, git_error_message());
  std::unique_ptr<git_reference_iterator, FreeWith<git_reference_iterator_free>> refs(raw);
  std::vector<std::string> tags;
  git_reference* ref = nullptr;
  while (git_reference_next(&ref, refs.get()) == 0) {
    std::unique_ptr<git_reference, FreeWith<git_reference_free>> owned(ref);
    const git_oid* id = git_reference_target(ref);
    if (!id) continue;
    git_tag* tag = nullptr;
    if (git_tag_lookup(&tag, m_repo.get(), id) != 0) continue;  // a lightweight tag
    std::unique_ptr<git_tag, FreeWith<git_tag_free>> annotated(tag);
    if (git_tag_target_type(tag) == GIT_OBJECT_COMMIT &&
        git_oid_equal(git_tag_target_id(tag), &*target))
      tags.push_back(oid_hex(*id));
  }
  return tags;
}

Expected<std::vector<std::string>> Repository::changed_paths(const std::string& from,
                                                             const std::string& to) const {
  auto tree_of = [&](const std::string& id) -> Expected<GitTreePtr> {
    auto oid = parse_oid(id);
    git_commit* raw = nullptr;
    if (!oid || git_commit_lookup(&raw, m_repo.get(), &*oid) != 0)
      return fail(ErrorKind::not_found, trf("commit {} not found", id));
    GitCommitPtr commit(raw);
    git_tree* tree = nullptr;
    if (git_commit_tree(&tree, commit.get()) != 0)
      return fail(ErrorKind::io, trf("cannot read the tree of {}: {}", id, git_error_message()));
    return GitTreePtr(tree);
  };
  auto old_tree = tree_of(from);
  if (!old_tree) return std::unexpected(old_tree.error());
  if (!to.empty()) {
    auto new_tree = tree_of(to);
    if (!new_tree) return std::unexpected(new_tree.error());
    std::vector<std::string> paths;
    std::string too_deep;
    bool too_many = false, too_long = false;
    if (!differing_paths(m_repo.get(), old_tree->get(), new_tree->get(), paths, too_deep, too_many,
                         too_long)) {
      if (too_long) return fail(ErrorKind::invalid, long_paths_message(tr("the change")));
      if (too_many)
        return fail(ErrorKind::invalid,
                    trf("the change touches more than {} paths; opsgate does not judge "
                        "a change that large path by path",
                        k_max_tree_entries));
      if (!too_deep.empty()) return fail(ErrorKind::invalid, too_deep_message(too_deep));
      return fail(ErrorKind::io, trf("cannot diff: {}", git_error_message()));
    }
    return paths;
  }
  git_diff* raw = nullptr;
  {
    // The work tree as it is (staged or not, untracked files included), for --worktree.
    git_diff_options options = GIT_DIFF_OPTIONS_INIT;
    options.flags = GIT_DIFF_INCLUDE_UNTRACKED | GIT_DIFF_RECURSE_UNTRACKED_DIRS;
    if (git_diff_tree_to_workdir_with_index(&raw, m_repo.get(), old_tree->get(), &options) != 0)
      return fail(ErrorKind::io, trf("cannot diff the work tree: {}", git_error_message()));
  }
  GitDiffPtr diff(raw);
  git_diff_find_options find = GIT_DIFF_FIND_OPTIONS_INIT;
  find.flags = GIT_DIFF_FIND_RENAMES;
  if (git_diff_find_similar(diff.get(), &find) != 0)
    return fail(ErrorKind::io, trf("cannot detect renames: {}", git_error_message()));
  std::set<std::string> paths;
  for (std::size_t i = 0, n = git_diff_num_deltas(diff.get()); i < n; ++i) {
    const git_diff_delta* delta = git_diff_get_delta(diff.get(), i);
    if (delta->old_file.path) paths.insert(delta->old_file.path);
    if (delta->new_file.path) paths.insert(delta->new_file.path);
  }
  return std::vector<std::string>(paths.begin(), paths.end());
}

std::unique_ptr<History> Repository::history_sharing(const History& other,
                                                     const std::string& commit_id) const {
  if (const auto* git = dynamic_cast<const GitHistory*>(&other))
    return std::make_unique<GitHistory>(m_repo, *git);
  return history_at(commit_id);
}

std::unique_ptr<History> Repository::history_along(const History& other, std::size_t link) const {
  const auto* git = dynamic_cast<const GitHistory*>(&other);
  if (!git) return nullptr;
  return std::make_unique<GitHistory>(m_repo, *git, link);
}

std::unique_ptr<History> Repository::history_at(const std::string& commit_id,
                                                Executor* executor) const {
  return std::make_unique<GitHistory>(m_repo, commit_id, executor);
}

Expected<std::unique_ptr<Tree>> Repository::work_tree() const {
  auto dir = workdir();
  if (!dir)
    return fail(ErrorKind::usage,
                std::string(tr("--worktree needs a repository with a work tree")));
  auto tree = std::make_unique<DiskTree>(*dir, std::string(tr_noop("the work tree")));
  // Like git, manifest discovery passes over what .gitignore ignores (node_modules, builds).
  tree->set_ignore([repo = m_repo](const std::string& path) {
    int ignored = 0;
    return git_ignore_path_is_ignored(&ignored, repo.get(), path.c_str()) == 0 && ignored == 1;
  });
  return tree;
}

bool Repository::is_bare() const {
  return git_repository_is_bare(m_repo.get()) != 0;
}

std::string Repository::git_dir() const {
  const char* path = git_repository_path(m_repo.get());
  return path ? path : "";
}

std::optional<std::string> Repository::workdir() const {
  const char* dir = git_repository_workdir(m_repo.get());
  if (!dir) return std::nullopt;
  return std::string(dir);
}

}  // namespace opsgate
