// Fuzz target `tree`: the input is a little program that writes git objects into a libgit2
// in-memory object database (mempack: no disk), the way a hostile push can shape them: blobs,
// trees whose entries have any name ("..", "/", "a/b", empty, NUL inside, 4 KiB long, escape
// sequences) and any mode (symlink, submodule, odd and unparsable modes), unsorted and duplicate
// entries, ids that name nothing or the wrong kind of object, bytes that are no tree at all,
// chains nested past git's maxTreeDepth, "bombs" of one subtree repeated at every level, wide
// directories, manifests naming paths thousands of directories deep. Two commits, base and head,
// get two of those trees. The gate's own code then reads them through `Repository::wrap_odb`:
// the manifest search (find_manifest_paths over GitTree), the change between the commits
// (changed_paths), the monorepo scoping (select_manifests, nearest_listed), the path lookups
// (is_listed_file, kind, size, read, list) and the evaluation of the manifests found against
// the baseline pack, with the history of the head commit (GitHistory).
//
// Every answer is either an Error of kind invalid, io or not_found, or agrees with a reference
// walk of the same objects written here (libgit2's entries by index, one tree at a time): the
// files find() lists, the paths a change touches (for well-formed trees), is_listed_file and
// nearest_listed against the Tree defaults built on find(), size() against read().
//
// Inputs whose trees would make a walk read more than k_walk_budget entries or k_read_budget
// bytes of objects, or build more than k_path_budget bytes of paths, stop after the objects are
// written: the gate's own bounds
// (k_max_tree_entries, 4 million; k_max_walk_path_bytes, 256 MiB) take seconds under the
// sanitizers, and are what e2e's "a tree bomb is refused, not walked" and repo_test's "paths
// adding up past the bound" check. An input walks its trees about a dozen times (the reference
// walks, the searches, the lookups' defaults), mostly in this harness's own code: at 300,000
// entries, inputs took 1.1-3 s under the sanitizers, past afl-fuzz's 1 s hang limit.

#include <fmt/format.h>
#include <git2.h>
#include <git2/sys/mempack.h>

#include <algorithm>
#include <map>
#include <set>
#include <span>

#include "check.hpp"
#include "evaluate.hpp"
#include "fuzz_support.hpp"
#include "git_handles.hpp"
#include "limits.hpp"
#include "manifest.hpp"
#include "paths.hpp"
#include "repo.hpp"
#include "scope.hpp"

using namespace opsgate;
using fuzz::violated;

namespace {

constexpr std::uint64_t k_walk_budget = 50'000;
constexpr std::uint64_t k_path_budget = 4u << 20;   // bytes of the paths a full walk builds
constexpr std::uint64_t k_read_budget = 16u << 20;  // bytes of the objects a full walk reads
constexpr std::size_t k_max_ops = 64;
// Bytes of objects one program may write: a handful of long chains of 4 KiB names, deep
// manifests or wide copies otherwise make the harness, not the gate, take seconds under the
// sanitizers (afl-fuzz then calls it a hang).
constexpr std::uint64_t k_write_budget = 4u << 20;
constexpr std::size_t k_max_chain = 5000;   // past k_max_tree_depth (4096)
constexpr std::size_t k_max_wide = 12'000;  // past k_max_manifests (10,000)

// Entry names: what the gate looks for, what git refuses to check out, what a terminal obeys.
const std::vector<std::string>& name_table() {
  static const std::vector<std::string> table = {
      "operability.toml",
      "docs",
      "runbook.md",
      "monitoring",
      "alerts.yaml",
      "scripts",
      "rollback.sh",
      "services",
      "a",
      "b",
      "..",
      ".",
      ".git",
      "",
      "/",
      "a/b",
      "/a",
      "a/",
      "../operability.toml",
      "docs/runbook.md",
      "operability.toml/",
      "OPERABILITY.TOML",
      "operability.toml\n",
      " operability.toml",
      "\x1b[2J",
      "\xe2\x80\xae"
      "lmth.exe",
      "caf\xe9",
      "x\x01y",
      std::string(255, 'n'),
      std::string(4096, 'l'),
      std::string("operability.toml\0x", 18),  // cut at the NUL: the rest misreads as the id
  };
  return table;
}

// Modes as git writes them in a tree, octal: the five git knows, then odd and broken ones.
constexpr std::string_view k_modes[] = {
    "100644", "40000", "100755", "120000", "160000", "040000",  "100664",
    "0",      "644",   "755",    "1",      "177777", "200000",  "-1",
    "",       "40755", "140000", "060000", "10644",  " 100644",
};

bool is_tree_mode(std::string_view mode) {
  unsigned value = 0;
  if (mode.empty() || mode.size() > 7) return false;
  for (char c : mode) {
    if (c < '0' || c > '7') return false;
    value = value * 8 + static_cast<unsigned>(c - '0');
  }
  return (value & 0170000) == 0040000;
}

struct Entry {
  std::string mode;
  std::string name;
  git_oid id;
};

// An object written, as the program knows it: its id and, for a tree it built, its entries and
// how many entries a full walk from it reads (saturating).
struct Object {
  git_oid id;
  git_object_t type = GIT_OBJECT_INVALID;  // INVALID: an id nothing stores
  std::vector<Entry> entries;
  std::uint64_t walk_cost = 0;   // entries
  std::uint64_t path_bytes = 0;  // of their paths, relative to this tree
  std::uint64_t walk_bytes = 0;  // of the objects a full walk reads, this one's included
};

// Sums in double: a bomb's counts overflow 64 bits; only whether they pass a budget matters.
std::uint64_t saturating(double value) {
  return static_cast<std::uint64_t>(std::min(value, 1e12));
}

class ObjectWriter {
 public:
  explicit ObjectWriter(git_odb* odb) : m_odb(odb) {}

  const Object& blob(std::string_view content) {
    Object object;
    object.type = GIT_OBJECT_BLOB;
    write(object, content);
    return add(std::move(object));
  }

  const Object& raw_tree(std::string_view bytes) {
    Object object;
    object.type = GIT_OBJECT_TREE;
    object.walk_cost = 1;
    object.path_bytes = bytes.size();
    write(object, bytes);
    return add(std::move(object));
  }

  // A tree of `entries`, in git's order when `sorted` (a directory sorts as if its name ended
  // in '/'), else as given.
  const Object& tree(std::vector<Entry> entries, bool sorted) {
    if (sorted)
      std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
        // As if a directory's name ended in '/', without building the strings.
        const std::size_t n = std::min(a.name.size(), b.name.size());
        if (const int c = a.name.compare(0, n, b.name, 0, n); c != 0) return c < 0;
        auto at = [](const Entry& e, std::size_t i) -> int {
          if (i < e.name.size()) return static_cast<unsigned char>(e.name[i]);
          return i == e.name.size() && is_tree_mode(e.mode) ? '/' : -1;
        };
        for (std::size_t i = n; i <= n + 1; ++i)
          if (at(a, i) != at(b, i)) return at(a, i) < at(b, i);
        return false;
      });
    std::string bytes;
    Object object;
    object.type = GIT_OBJECT_TREE;
    double walk_cost = 0, path_bytes = 0, walk_bytes = 0;
    for (const Entry& entry : entries) {
      bytes += entry.mode;
      bytes += ' ';
      bytes += entry.name;
      bytes += '\0';
      bytes.append(reinterpret_cast<const char*>(entry.id.id), GIT_OID_RAWSZ);
      walk_cost += 1;
      path_bytes += static_cast<double>(entry.name.size());
      if (auto known = m_by_id.find(key(entry.id)); known != m_by_id.end())
        walk_bytes += static_cast<double>(m_objects[known->second].walk_bytes);
      if (is_tree_mode(entry.mode))
        if (auto known = m_by_id.find(key(entry.id)); known != m_by_id.end()) {
          const Object& below = m_objects[known->second];
          walk_cost += static_cast<double>(below.walk_cost);
          path_bytes +=
              static_cast<double>(below.path_bytes) +
              static_cast<double>(entry.name.size() + 1) * static_cast<double>(below.walk_cost);
        }
    }
    object.walk_cost = saturating(walk_cost);
    object.path_bytes = saturating(path_bytes);
    object.walk_bytes = saturating(walk_bytes + static_cast<double>(bytes.size()));
    object.entries = std::move(entries);
    write(object, bytes);
    return add(std::move(object));
  }

  const Object& commit(const git_oid& tree, const git_oid* parent, std::string_view when) {
    std::string text = "tree " + oid_hex(tree) + "\n";
    if (parent) text += "parent " + oid_hex(*parent) + "\n";
    text += fmt::format(
        "author F <f@example.org> {} +0000\ncommitter F <f@example.org> {} +0000\n\n"
        "fuzz\n",
        when, when);
    Object object;
    object.type = GIT_OBJECT_COMMIT;
    if (git_odb_write(&object.id, m_odb, text.data(), text.size(), GIT_OBJECT_COMMIT) != 0)
      violated("the in-memory object database refused a commit", git_error_message());
    return add(std::move(object));
  }

  // An id no object has.
  static git_oid missing(std::uint8_t seed) {
    git_oid id;
    std::fill(std::begin(id.id), std::end(id.id), static_cast<unsigned char>(seed | 1));
    id.id[0] = 0xfe;
    return id;
  }

  const std::vector<Object>& objects() const { return m_objects; }
  const Object* find(const git_oid& id) const {
    auto known = m_by_id.find(key(id));
    return known == m_by_id.end() ? nullptr : &m_objects[known->second];
  }

  // Whether the program has written its budget of bytes (k_write_budget).
  bool full() const { return m_written > k_write_budget; }

 private:
  static std::string key(const git_oid& id) {
    return std::string(reinterpret_cast<const char*>(id.id), GIT_OID_RAWSZ);
  }

  void write(Object& object, std::string_view bytes) {
    m_written += bytes.size();
    object.walk_bytes = std::max<std::uint64_t>(object.walk_bytes, bytes.size());
    if (git_odb_write(&object.id, m_odb, bytes.data(), bytes.size(), object.type) != 0)
      violated("the in-memory object database refused an object", git_error_message());
  }

  const Object& add(Object object) {
    // The same bytes twice are one object: keep the first.
    if (auto known = m_by_id.find(key(object.id)); known != m_by_id.end())
      return m_objects[known->second];
    m_by_id.emplace(key(object.id), m_objects.size());
    m_objects.push_back(std::move(object));
    return m_objects.back();
  }

  git_odb* m_odb;
  std::vector<Object> m_objects;
  std::map<std::string, std::size_t> m_by_id;
  std::uint64_t m_written = 0;
};

// The program's instructions: each reads its operands from the input.
class Program {
 public:
  Program(fuzz::ByteReader& in, ObjectWriter& out) : m_in(in), m_out(out) {}

  std::string name() {
    const std::uint8_t choice = m_in.byte();
    if (choice < 224) return name_table()[choice % name_table().size()];
    return m_in.text(32);
  }

  std::string mode() { return std::string(k_modes[m_in.below(std::size(k_modes))]); }

  // An object already written, the newest first; or, rarely, an id nothing stores.
  git_oid pick() {
    const std::uint8_t choice = m_in.byte();
    if (choice == 255) return ObjectWriter::missing(m_in.byte());
    const auto& objects = m_out.objects();
    return objects[objects.size() - 1 - choice % objects.size()].id;
  }

  // A tree already built from entries, the newest first, when there is one.
  const Object* pick_tree() {
    const std::uint8_t choice = m_in.byte();
    const auto& objects = m_out.objects();
    std::size_t seen = 0;
    for (auto it = objects.rbegin(); it != objects.rend(); ++it)
      if (it->type == GIT_OBJECT_TREE && !it->entries.empty() && seen++ == choice % 16) return &*it;
    return nullptr;
  }

  std::size_t count(std::size_t bound) {
    return (static_cast<std::size_t>(m_in.byte()) << 8 | m_in.byte()) % bound;
  }

  void step() {
    switch (m_in.below(9)) {
      case 0:
        m_out.blob(m_in.text(64));
        break;
      case 1:
        preset_blob();
        break;
      case 2: {
        std::vector<Entry> entries(m_in.below(9));
        for (Entry& entry : entries) {
          entry.mode = mode();
          entry.name = name();
          entry.id = pick();
        }
        m_out.tree(std::move(entries), !m_in.flag());
        break;
      }
      case 3: {  // a chain: one directory inside the other, `depth` times
        git_oid inner = pick();
        const std::string dir = name();
        for (std::size_t depth = count(k_max_chain) + 1; depth > 0 && !m_out.full(); --depth)
          inner = m_out.tree({Entry{"40000", dir, inner}}, true).id;
        break;
      }
      case 4: {  // a bomb: every level's entries point at the level below
        git_oid inner = pick();
        const std::size_t width = 2 + m_in.below(63), levels = 1 + m_in.below(6);
        for (std::size_t level = 0; level < levels && !m_out.full(); ++level) {
          std::vector<Entry> entries;
          for (std::size_t i = 0; i < width; ++i)
            entries.push_back(Entry{"40000", std::to_string(i), inner});
          inner = m_out.tree(std::move(entries), true).id;
        }
        break;
      }
      case 5: {  // a wide directory: many entries, one mode, one object
        const std::string entry_mode = mode();
        const git_oid id = pick();
        std::vector<Entry> entries(count(k_max_wide));
        for (std::size_t i = 0; i < entries.size(); ++i)
          entries[i] = Entry{entry_mode, fmt::format("s{:05}", i), id};
        m_out.tree(std::move(entries), true);
        break;
      }
      case 6:
        m_out.raw_tree(m_in.text(96));
        break;
      case 7: {  // a tree built before, with one entry added or replaced
        const Object* base = pick_tree();
        if (!base) break;
        std::vector<Entry> entries = base->entries;
        Entry entry{mode(), name(), pick()};
        auto same = std::find_if(entries.begin(), entries.end(),
                                 [&](const Entry& e) { return e.name == entry.name; });
        if (same != entries.end() && m_in.flag())
          *same = std::move(entry);
        else
          entries.push_back(std::move(entry));
        m_out.tree(std::move(entries), true);
        break;
      }
      case 8:
        deep_manifest();
        break;
    }
  }

 private:
  void preset_blob() {
    static const std::string runbook = **fuzz::sample_tree().read("docs/runbook.md");
    static const std::string alerts = **fuzz::sample_tree().read("monitoring/alerts.yaml");
    switch (m_in.below(10)) {
      case 0:
        m_out.blob(fuzz::sample_manifest_text());
        break;
      case 1:
        m_out.blob(runbook);
        break;
      case 2:
        m_out.blob(alerts);
        break;
      case 3:
        m_out.blob("../../../etc/passwd");  // a symlink's target out of the tree
        break;
      case 4:
        m_out.blob("docs");
        break;
      case 5:
        m_out.blob("operability.toml");
        break;
      case 6:
        m_out.blob("a/b/../../operability.toml");
        break;
      case 7:
        m_out.blob("/etc/passwd");
        break;
      case 8:
        m_out.blob(std::string(k_max_file_bytes + 1, '#'));  // over the size limit
        break;
      case 9:
        m_out.blob(name());
        break;
    }
  }

  // A manifest whose runbook lies `depth` directories down, each named `dir`.
  void deep_manifest() {
    std::string dir = name();
    for (char& c : dir)
      if (static_cast<unsigned char>(c) < 0x20 || c == '"' || c == '\\' || c == 0x7f) c = '_';
    // Up to just past the size limit: a longer manifest only meets the same limit.
    std::string path;
    for (std::size_t depth = count(k_max_chain); depth > 0 && path.size() <= k_max_file_bytes;
         --depth)
      path += dir + "/";
    m_out.blob(fmt::format(
        "schema = 1\n[service]\nname = \"deep\"\nowner = \"team\"\ntier = \"standard\"\n"
        "[runbook]\npath = \"{}runbook.md\"\nlast_review = 2026-09-15\n",
        path));
  }

  fuzz::ByteReader& m_in;
  ObjectWriter& m_out;
};

// ---- the reference walk ------------------------------------------------------------------

// What a walk of every tree under a root finds, read by index one tree at a time.
struct Listing {
  bool complete = true;                // every tree read, none deeper than k_max_tree_depth
  bool well_formed = true;             // every tree sorted, without duplicate, empty or '/' names
  std::vector<std::string> manifests;  // regular or executable files named operability.toml
  std::map<std::string, std::pair<std::string, git_filemode_t>> leaves;  // path -> id, mode
};

// git's order without duplicates, empty names or '/' (what git fsck calls treeNotSorted,
// duplicateEntries, emptyName, fullPathname).
bool sorted_and_unique(const git_tree* tree) {
  std::vector<std::string> keys;
  for (std::size_t i = 0, n = git_tree_entrycount(tree); i < n; ++i) {
    const git_tree_entry* entry = git_tree_entry_byindex(tree, i);
    std::string key = git_tree_entry_name(entry);
    if (key.empty() || key.find('/') != std::string::npos) return false;
    if (git_tree_entry_filemode(entry) == GIT_FILEMODE_TREE) key += '/';
    keys.push_back(std::move(key));
  }
  if (std::adjacent_find(keys.begin(), keys.end(), std::greater_equal<>()) != keys.end())
    return false;
  // One name once, whatever the kinds: a file "docs" and a directory "docs" sort apart.
  for (std::string& key : keys)
    if (key.ends_with('/')) key.pop_back();
  std::sort(keys.begin(), keys.end());
  return std::adjacent_find(keys.begin(), keys.end()) == keys.end();
}

Listing reference_walk(git_repository* repo, const git_oid& root) {
  Listing listing;
  // Depth-first over one path buffer ("a/b/" while in a/b): a directory's path is not copied
  // for each directory below it (under ASan, chains of long names made that seconds).
  struct Level {
    GitTreePtr tree;
    std::size_t next, count, dir_size;
  };
  std::vector<Level> stack;
  std::string dir;
  auto enter = [&](const git_oid& id) {
    git_tree* raw = nullptr;
    if (git_tree_lookup(&raw, repo, &id) != 0) {
      listing.complete = false;
      return;
    }
    GitTreePtr tree(raw);
    if (!sorted_and_unique(tree.get())) listing.well_formed = false;
    const std::size_t count = git_tree_entrycount(tree.get());
    stack.push_back({std::move(tree), 0, count, dir.size()});
  };
  enter(root);
  while (!stack.empty()) {
    Level& top = stack.back();
    if (top.next == top.count) {
      stack.pop_back();
      continue;
    }
    const git_tree_entry* entry = git_tree_entry_byindex(top.tree.get(), top.next++);
    dir.resize(top.dir_size);
    const std::size_t depth = stack.size() - 1;
    const git_filemode_t mode = git_tree_entry_filemode(entry);
    if (mode == GIT_FILEMODE_TREE) {
      if (depth + 1 > k_max_tree_depth) {
        listing.complete = false;
      } else {
        dir += git_tree_entry_name(entry);
        dir += '/';
        enter(*git_tree_entry_id(entry));
      }
      continue;
    }
    const std::string path = dir + git_tree_entry_name(entry);
    if ((mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE) &&
        git_tree_entry_name(entry) == k_manifest_file)
      listing.manifests.push_back(path);
    listing.leaves.emplace(path, std::pair{oid_hex(*git_tree_entry_id(entry)), mode});
  }
  std::sort(listing.manifests.begin(), listing.manifests.end());
  return listing;
}

// ---- the checks --------------------------------------------------------------------------

// The errors a hostile tree may cause: refused (invalid), unreadable (io), not there.
void expect_input_error(const Error& error, const char* what) {
  if (error.kind != ErrorKind::invalid && error.kind != ErrorKind::io &&
      error.kind != ErrorKind::not_found)
    violated(what, error.to_string());
  if (error.message.empty()) violated("an error without a message");
}

template <class T>
bool ok(const Expected<T>& result, const char* what) {
  if (!result) expect_input_error(result.error(), what);
  return result.has_value();
}

// The paths the checks ask about: the manifests found, a few leaves, their directories.
std::vector<std::string> sample_paths(const Listing& listing,
                                      const std::vector<std::string>& found) {
  std::set<std::string> paths(found.begin(),
                              found.begin() + std::min<std::size_t>(found.size(), 4));
  std::size_t taken = 0;
  for (const auto& [path, leaf] : listing.leaves) {
    if (taken++ == 8) break;
    paths.insert(path);
    paths.insert(parent_dir(path));
  }
  paths.insert("docs/runbook.md");
  paths.insert("a/../operability.toml");
  return {paths.begin(), paths.end()};
}

void check_lookups(const Tree& tree, const std::vector<std::string>& paths) {
  std::set<std::string> names_asked;
  for (const std::string& path : paths) {
    (void)tree.kind(path);
    (void)tree.blob_id(path);
    (void)tree.list(path);
    auto size = tree.size(path);
    if (ok(size, "size() failed otherwise than on the input") && *size &&
        **size <= k_max_file_bytes) {
      auto text = tree.read(path);
      if (ok(text, "read() failed otherwise than on the input") &&
          (!*text || (*text)->size() != **size))
        violated("read() disagrees with size()", path);
    }
    // The override (a binary search down the tree) against the default (the search by name),
    // for a few names: each default asks find() for a walk of the whole tree.
    const std::string name(path.substr(path.rfind('/') + 1));
    if (!names_asked.contains(name) && names_asked.size() == 4) continue;
    names_asked.insert(name);
    auto listed = tree.is_listed_file(path);
    auto by_search = tree.Tree::is_listed_file(path);
    if (ok(listed, "is_listed_file failed otherwise than on the input") &&
        ok(by_search, "the search failed otherwise than on the input") && *listed != *by_search)
      violated("is_listed_file disagrees with find()", path);
    // The default climbs, asking is_listed_file() from the root at each level: its cost is the
    // square of the depth, so only shallow directories are compared.
    const std::string dir = parent_dir(path);
    auto nearest = tree.nearest_listed(dir, k_manifest_file);
    if (std::count(dir.begin(), dir.end(), '/') > 64) continue;
    auto climbing = tree.Tree::nearest_listed(dir, k_manifest_file);
    if (ok(nearest, "nearest_listed failed otherwise than on the input") &&
        ok(climbing, "the climb failed otherwise than on the input") && *nearest != *climbing)
      violated("nearest_listed disagrees with is_listed_file climbing up", dir);
  }
}

// The manifest search, against the reference walk.
std::vector<std::string> check_search(const Tree& tree, const Listing& listing) {
  auto found = find_manifest_paths({}, tree);
  if (!found) {
    expect_input_error(found.error(), "the manifest search failed otherwise than on the input");
    if (listing.complete && listing.manifests.size() <= k_max_manifests)
      violated("the search refused a tree the reference walk reads", found.error().to_string());
    return {};
  }
  if (!listing.complete) violated("the search read a tree the reference walk cannot read");
  const std::vector<std::string> expected =
      listing.manifests.empty() ? std::vector{std::string(k_manifest_file)} : listing.manifests;
  if (*found != expected) violated("the search disagrees with the reference walk");
  // A few of them: each is a walk down its path.
  if (!listing.manifests.empty())
    for (const std::string& path :
         std::span(*found).first(std::min<std::size_t>(found->size(), 4))) {
      auto listed = tree.is_listed_file(path);
      if (ok(listed, "is_listed_file failed otherwise than on the input") && !*listed)
        violated("a manifest the search found is not listed", path);
    }
  return listing.manifests;
}

// The paths a change touches, against the leaves of both sides.
std::optional<std::vector<std::string>> check_change(const Repository& repo,
                                                     const std::string& base,
                                                     const std::string& head, const Listing* before,
                                                     const Listing* after) {
  auto changed = repo.changed_paths(base, head);
  const bool comparable = before && after && before->complete && after->complete &&
                          before->well_formed && after->well_formed;
  if (!changed) {
    expect_input_error(changed.error(), "changed_paths failed otherwise than on the input");
    if (comparable) violated("changed_paths refused trees the reference walk reads");
    return std::nullopt;
  }
  if (!std::is_sorted(changed->begin(), changed->end()) ||
      std::adjacent_find(changed->begin(), changed->end()) != changed->end())
    violated("changed paths not sorted and unique");
  if (comparable) {
    std::vector<std::string> expected;
    for (const auto& [path, leaf] : before->leaves)
      if (auto twin = after->leaves.find(path); twin == after->leaves.end() || twin->second != leaf)
        expected.push_back(path);
    for (const auto& [path, leaf] : after->leaves)
      if (!before->leaves.contains(path)) expected.push_back(path);
    std::sort(expected.begin(), expected.end());
    if (*changed != expected) violated("changed_paths disagrees with the leaves of both trees");
  }
  return std::move(*changed);
}

// The manifests evaluated as check() does: size from the header first, then read, parse and
// evaluate against the baseline pack.
void check_evaluation(const Repository& repo, const Tree& tree, const std::string& head,
                      const std::vector<std::string>& paths,
                      const std::optional<std::vector<std::string>>& changed) {
  std::unique_ptr<History> history = repo.history_at(head);
  EvalContext context;
  context.at = fuzz::sample_instant();
  context.tree = &tree;
  context.history = history.get();
  context.rules = &fuzz::baseline_rules();
  context.changed_paths = changed;
  HeadingCache headings;
  std::size_t evaluated = 0;
  for (const std::string& path : paths) {
    if (evaluated++ == 3) break;
    auto size = tree.size(path);
    if (!ok(size, "size() failed otherwise than on the input") ||
        (*size && **size > k_max_file_bytes))
      continue;
    auto text = tree.read(path);
    if (!ok(text, "read() failed otherwise than on the input")) continue;
    if (!*text) {
      fuzz::check_manifest_result(evaluate_missing_manifest(path, fuzz::baseline_rules(), context),
                                  fuzz::baseline_rules());
      continue;
    }
    auto manifest = parse_manifest(**text, path, tree.blob_id(path));
    if (!manifest) continue;  // TOML or schema errors: the manifest fuzz target's business
    fuzz::check_manifest_result(
        evaluate_manifest(*manifest, fuzz::baseline_rules(), context, headings),
        fuzz::baseline_rules());
  }
  if (auto damage = history->damage())
    expect_input_error(*damage, "history damage that is not about the input");
}

void run(const std::uint8_t* data, std::size_t size) {
  fuzz::ByteReader in(data, size);
  git_odb* raw_odb = nullptr;
  git_odb_backend* mempack = nullptr;
  if (git_odb_new(&raw_odb) != 0 || git_mempack_new(&mempack) != 0)
    violated("cannot create an in-memory object database", git_error_message());
  std::unique_ptr<git_odb, GitFree<git_odb_free>> odb(raw_odb);
  if (git_odb_add_backend(odb.get(), mempack, 1) != 0)  // the database owns the backend now
    violated("cannot add the mempack backend", git_error_message());

  ObjectWriter writer(odb.get());
  // What every program starts from: the sample service's files and its tree.
  const git_oid manifest = writer.blob(fuzz::sample_manifest_text()).id;
  const git_oid runbook = writer.blob(**fuzz::sample_tree().read("docs/runbook.md")).id;
  const git_oid alerts = writer.blob(**fuzz::sample_tree().read("monitoring/alerts.yaml")).id;
  const git_oid script = writer.blob("#!/bin/sh\nkubectl argo rollouts undo billing-api\n").id;
  writer.tree({}, true);
  const git_oid docs = writer.tree({{"100644", "runbook.md", runbook}}, true).id;
  const git_oid monitoring = writer.tree({{"100644", "alerts.yaml", alerts}}, true).id;
  const git_oid scripts = writer.tree({{"100755", "rollback.sh", script}}, true).id;
  writer.tree({{"100644", "operability.toml", manifest},
               {"40000", "docs", docs},
               {"40000", "monitoring", monitoring},
               {"40000", "scripts", scripts}},
              true);

  const std::uint8_t head_choice = in.byte(), base_choice = in.byte();
  Program program(in, writer);
  for (std::size_t op = 0; op < k_max_ops && in.remaining() && !writer.full(); ++op) program.step();

  // Head and base: counted back from the newest tree (any object when there are fewer trees).
  auto choose = [&](std::uint8_t choice) -> const Object& {
    const auto& objects = writer.objects();
    std::size_t seen = 0;
    for (auto it = objects.rbegin(); it != objects.rend(); ++it)
      if (it->type == GIT_OBJECT_TREE && seen++ == choice % 8) return *it;
    return objects[objects.size() - 1 - choice % objects.size()];
  };
  const Object& head_tree = choose(head_choice);
  const Object& base_tree = choose(base_choice);
  for (const Object* side : {&head_tree, &base_tree})
    if (side->walk_cost > k_walk_budget || side->path_bytes > k_path_budget ||
        side->walk_bytes > k_read_budget)
      return;
  const git_oid head_tree_id = head_tree.id, base_tree_id = base_tree.id;
  const git_oid base_commit = writer.commit(base_tree_id, nullptr, "1790000000").id;
  const git_oid head_commit = writer.commit(head_tree_id, &base_commit, "1795000000").id;
  const std::string base = oid_hex(base_commit), head = oid_hex(head_commit);

  auto repo = Repository::wrap_odb(odb.get());
  if (!repo) violated("cannot wrap the object database", repo.error().to_string());

  std::optional<Listing> before, after;
  std::unique_ptr<Tree> base_files, head_files;
  if (auto tree = repo->tree_at(base); ok(tree, "tree_at(base) failed otherwise")) {
    base_files = std::move(*tree);
    before = reference_walk(repo->raw(), base_tree_id);
  }
  if (auto tree = repo->tree_at(head); ok(tree, "tree_at(head) failed otherwise")) {
    head_files = std::move(*tree);
    after = reference_walk(repo->raw(), head_tree_id);
  }
  if (!head_files) return;

  std::vector<std::string> manifests = check_search(*head_files, *after);
  if (base_files) check_search(*base_files, *before);
  check_lookups(*head_files, sample_paths(*after, manifests));

  auto changed =
      check_change(*repo, base, head, before ? &*before : nullptr, after ? &*after : nullptr);
  if (changed) {
    auto selected = select_manifests(*head_files, k_manifest_file, *changed);
    if (ok(selected, "select_manifests failed otherwise than on the input"))
      for (const std::string& path : *selected) {
        auto listed = head_files->is_listed_file(path);
        if (ok(listed, "is_listed_file failed otherwise than on the input") && !*listed)
          violated("select_manifests chose a path that is no manifest", path);
        manifests.push_back(path);
      }
  }
  check_evaluation(*repo, *head_files, head, manifests, changed);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static GitLibrary library;
  try {
    run(data, size);
  } catch (const std::exception& error) {
    violated("an exception escaped", error.what());
  }
  return 0;
}
