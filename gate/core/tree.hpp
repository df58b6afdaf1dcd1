#pragma once
// "Files at a revision": the one interface evaluation reads the repository through, so tests
// can swap a real git tree for an in-memory one. Paths are repository-relative, '/'-separated
// and already normalised (see paths.hpp); implementations never read outside the repository.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "digest.hpp"
#include "error.hpp"
#include "i18n.hpp"

namespace opsgate {

enum class EntryKind { missing, file, executable, directory, submodule };

class Tree {
 public:
  virtual ~Tree() = default;

  // What is at `path` after following symlinks that stay inside the repository; a symlink
  // leading out of it (or dangling, or looping) is `missing`.
  virtual EntryKind kind(std::string_view path) const = 0;

  // The path `path` leads to once the symlinks on its way are followed (normalised, itself when
  // there are none), std::nullopt when it leads nowhere (kind() is missing): what a history
  // of the file must be asked about.
  virtual std::optional<std::string> real_path(std::string_view path) const;

  // The content of the regular file at `path`, std::nullopt when there is none.
  virtual Expected<std::optional<std::string>> read(std::string_view path) const = 0;

  // The size in bytes of the regular file at `path` (std::nullopt when there is none), known
  // without reading it: a file over the limit is refused before a byte of it is inflated.
  virtual Expected<std::optional<std::uint64_t>> size(std::string_view path) const;

  // Every regular file named `file_name`, sorted, as repository paths.
  virtual Expected<std::vector<std::string>> find(std::string_view file_name) const = 0;

  // The same files, each handed to `found` as soon as the search reaches it (in no particular
  // order): a caller can work on the first ones while the rest of the tree is read.
  virtual Expected<void> find_each(std::string_view file_name,
                                   const std::function<void(std::string)>& found) const {
    auto all = find(file_name);
    if (!all) return std::unexpected(all.error());
    for (std::string& path : *all) found(std::move(path));
    return {};
  }

  // Whether find() lists `path`: a regular or executable file reached through directories only
  // (no symlink followed, no submodule entered). Without an override, a search of the tree.
  virtual Expected<bool> is_listed_file(std::string_view path) const;

  // The deepest directory at or above `dir` ("" is the root) holding a file named `file_name`
  // that find() lists, or nullopt. Without an override, is_listed_file() on each directory
  // climbing up; trees that can override it walk down once (a path thousands of directories
  // deep costs its depth, not its depth squared).
  virtual Expected<std::optional<std::string>> nearest_listed(std::string_view dir,
                                                              std::string_view file_name) const;

  // Every symbolic link reached through directories only (as find() walks), sorted; std::nullopt
  // when this tree cannot tell, and whoever asks must then assume any path may lead anywhere.
  virtual Expected<std::optional<std::vector<std::string>>> find_links() const {
    return std::optional<std::vector<std::string>>();
  }

  // Names of the regular files directly in directory `path` ("" is the root), sorted.
  virtual Expected<std::vector<std::string>> list(std::string_view path) const = 0;

  // The git blob id (40 hex) of the file's content, or "" when not applicable.
  virtual std::string blob_id(std::string_view path) const = 0;

  // How to name this tree in messages, in the thread's language: "revision 1a2b3c4d5e6f", "the
  // work tree", a directory.
  virtual std::string describe() const = 0;

  // The first object this tree should have had and could not read (a partial or damaged
  // repository). kind() and blob_id() cannot say so themselves: once this is set, any answer
  // given may be wrong, and whoever asked must not turn it into a verdict.
  virtual std::optional<Error> damage() const { return std::nullopt; }
};

// An in-memory tree for fast unit tests: path -> content; executables are marked.
class MemoryTree final : public Tree {
 public:
  void add(std::string path, std::string content, bool executable = false);

  EntryKind kind(std::string_view path) const override;
  Expected<std::optional<std::string>> read(std::string_view path) const override;
  Expected<std::vector<std::string>> find(std::string_view file_name) const override;
  Expected<std::vector<std::string>> list(std::string_view path) const override;
  std::string blob_id(std::string_view path) const override;
  std::string describe() const override { return "the in-memory tree"; }

 private:
  struct File {
    std::string content;
    bool executable = false;
  };
  std::map<std::string, File, std::less<>> m_files;
};

// A directory on disk (a work tree, a rule pack case). Symlinks are followed only while the
// resolved path stays under `root`.
class DiskTree final : public Tree {
 public:
  // `description` is how messages name the tree: a message marked with tr_noop, or a name
  // (`root` when empty).
  explicit DiskTree(std::string root, std::string description = {});

  // Paths (repository-relative) that find() passes over, e.g. what .gitignore ignores.
  using IgnorePredicate = std::function<bool(const std::string& path)>;
  void set_ignore(IgnorePredicate ignored) {
    m_ignored = std::move(ignored);
    m_found.clear();
  }

  EntryKind kind(std::string_view path) const override;
  std::optional<std::string> real_path(std::string_view path) const override;
  Expected<std::optional<std::string>> read(std::string_view path) const override;
  Expected<std::optional<std::uint64_t>> size(std::string_view path) const override;
  // Searched once per file name (is_listed_file asks again and again).
  Expected<std::vector<std::string>> find(std::string_view file_name) const override;
  Expected<std::vector<std::string>> list(std::string_view path) const override;
  std::string blob_id(std::string_view path) const override;
  // In the thread's language when the description is a message (tr_noop("the work tree")).
  std::string describe() const override { return std::string(tr(m_description)); }

 private:
  std::optional<std::string> resolve(std::string_view path) const;

  std::string m_root;  // canonical
  std::string m_description;
  IgnorePredicate m_ignored;
  mutable std::map<std::string, std::vector<std::string>, std::less<>> m_found;  // by file name
};

}  // namespace opsgate
