#include <fmt/format.h>
#include <fmt/ranges.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>

#include "paths.hpp"
#include "repo.hpp"
#include "scope.hpp"
#include "test_repo.hpp"

namespace scope_test {

namespace fs = std::filesystem;
using namespace opsgate;

namespace {

const std::vector<std::string> k_manifests = {
    "services/orders/operability.toml",
    "services/orders/worker/operability.toml",
    "services/search/operability.toml",
};

// The selection over a list of every manifest, written plainly: a path's service is the deepest
// manifest whose directory holds it; a listed manifest selects itself. (opsgate searched every
// tree for that list before --base looked manifests up from the changed paths.)
bool inside(const std::string& dir, const std::string& path) {
  return dir.empty() ||
         (path.size() > dir.size() && path.starts_with(dir) && path[dir.size()] == '/');
}

std::vector<std::string> select_over_list(const std::vector<std::string>& manifests,
                                          const std::vector<std::string>& changed) {
  std::set<std::string> selected;
  for (const std::string& path : changed) {
    if (std::find(manifests.begin(), manifests.end(), path) != manifests.end()) {
      selected.insert(path);
      continue;
    }
    std::string best;
    for (const std::string& manifest : manifests)
      if (inside(parent_dir(manifest), path) && (best.empty() || manifest.size() > best.size()))
        best = manifest;
    if (!best.empty()) selected.insert(best);
  }
  return {selected.begin(), selected.end()};
}

// opsgate's selection in a tree holding `manifests` and nothing else.
std::vector<std::string> select_manifests(const std::vector<std::string>& manifests,
                                          const std::vector<std::string>& changed) {
  MemoryTree tree;
  for (const std::string& manifest : manifests) tree.add(manifest, "schema = 1\n");
  auto selected = select_manifests(tree, "operability.toml", changed);
  REQUIRE(selected);
  return *selected;
}

// The manifest whose service owns `path`, or "".
std::string owning_manifest(const std::vector<std::string>& manifests, const std::string& path) {
  auto selected = select_manifests(manifests, {path});
  REQUIRE(selected.size() <= 1);
  return selected.empty() ? std::string() : selected.front();
}

}  // namespace

TEST_CASE("scope: the deepest manifest directory owns a path", "[scope]") {
  CHECK(owning_manifest(k_manifests, "services/orders/src/main.go") ==
        "services/orders/operability.toml");
  CHECK(owning_manifest(k_manifests, "services/orders/worker/job.go") ==
        "services/orders/worker/operability.toml");
  CHECK(owning_manifest(k_manifests, "libs/shared.go").empty());
}

TEST_CASE("scope: paths match by whole components", "[scope]") {
  CHECK(owning_manifest(k_manifests, "services/orders-v2/main.go").empty());
  CHECK(owning_manifest(k_manifests, "services/searchlight/x").empty());
}

TEST_CASE("scope: a root manifest owns what no deeper manifest owns", "[scope]") {
  std::vector<std::string> manifests = {"operability.toml", "tools/cli/operability.toml"};
  CHECK(owning_manifest(manifests, "README.md") == "operability.toml");
  CHECK(owning_manifest(manifests, "tools/cli/main.c") == "tools/cli/operability.toml");
  CHECK(owning_manifest(manifests, "tools/other.c") == "operability.toml");
}

TEST_CASE("scope: a change selects the services it touches and changed manifests", "[scope]") {
  CHECK(select_manifests(k_manifests, {"services/orders/worker/job.go"}) ==
        std::vector<std::string>{"services/orders/worker/operability.toml"});
  CHECK(select_manifests(k_manifests, {"services/search/operability.toml", "libs/x.go"}) ==
        std::vector<std::string>{"services/search/operability.toml"});
  CHECK(select_manifests(k_manifests, {"libs/x.go", "README.md"}).empty());
  CHECK(select_manifests(k_manifests, {"services/orders/a", "services/search/b"}) ==
        std::vector<std::string>{"services/orders/operability.toml",
                                 "services/search/operability.toml"});
}

TEST_CASE("scope: a deleted manifest is not selected, its files fall to the parent", "[scope]") {
  // The worker's manifest was deleted: it is not in the list of manifests at the revision.
  std::vector<std::string> manifests = {"services/orders/operability.toml"};
  CHECK(select_manifests(manifests, {"services/orders/worker/operability.toml"}) ==
        std::vector<std::string>{"services/orders/operability.toml"});
}

TEST_CASE("scope: a tree without its own lookup searches for what find() lists", "[scope]") {
  MemoryTree tree;
  tree.add("services/orders/operability.toml", "schema = 1\n");
  tree.add("services/orders/src/main.go", "package main\n");
  CHECK(*tree.is_listed_file("services/orders/operability.toml"));
  CHECK_FALSE(*tree.is_listed_file("services/orders/src/operability.toml"));
  CHECK(*select_manifests(tree, "operability.toml", {"services/orders/src/main.go"}) ==
        std::vector<std::string>{"services/orders/operability.toml"});
}

TEST_CASE(
    "scope: looked up from the changed paths in a git tree, the selection is the one over "
    "every manifest found",
    "[scope][git]") {
  // Random trees of manifests (regular and executable), directories and symlinks named
  // operability.toml, symlinked directories and a submodule, and random changes among their
  // paths, paths under the links and paths that do not exist (deleted manifests included).
  const int seed = GENERATE(1, 2, 3, 4, 5, 6);
  std::mt19937 random(static_cast<unsigned>(seed));
  const auto pick = [&](std::size_t n) { return static_cast<std::size_t>(random() % n); };
  const std::vector<std::string> names = {"a", "b", "a.b", "sp ace", "x#y"};
  test::TempRepo repo;
  const fs::path root = repo.path();
  std::vector<std::string> dirs{""};
  std::vector<std::string> paths;
  for (int i = 0; i < 30; ++i) {
    std::string dir;
    for (std::size_t depth = pick(4); depth > 0; --depth)
      dir = join_path(dir, names[pick(names.size())]);
    const std::string manifest = join_path(dir, "operability.toml");
    dirs.push_back(dir);
    paths.push_back(manifest);
    paths.push_back(join_path(dir, "new.txt"));  // never written
    if (fs::exists(root / manifest) || fs::is_symlink(root / manifest)) continue;
    switch (pick(6)) {
      case 0:
      case 1:
        repo.write(manifest, "schema = 1\n");
        break;
      case 2:
        repo.write(manifest, "schema = 1\n", true);
        break;
      case 3:  // a directory by the name
        repo.write(join_path(manifest, "inner.txt"), "x\n");
        paths.push_back(join_path(manifest, "inner.txt"));
        break;
      case 4:  // a symlink by the name, to a file
        repo.write(join_path(dir, "target.toml"), "schema = 1\n");
        fs::create_symlink("target.toml", root / manifest);
        break;
      case 5:  // a symlinked directory: git stores a link, find() does not follow it
        repo.write(join_path(dir, "file.txt"), "x\n");
        if (!fs::exists(root / dir / "link")) fs::create_symlink(".", root / dir / "link");
        paths.push_back(join_path(dir, "link/operability.toml"));
        paths.push_back(join_path(dir, "link/file.txt"));
        break;
    }
  }
  const std::string first = repo.commit("tree", "2026-11-20T10:00:00+01:00");
  // A submodule entry (a gitlink): find() does not enter it.
  repo.git("update-index --add --cacheinfo 160000," + first + ",b/sub");
  repo.commit("submodule", "2026-11-20T11:00:00+01:00");
  paths.push_back("b/sub/operability.toml");
  paths.push_back("b/sub/x.txt");

  auto opened = Repository::discover(root.string());
  REQUIRE(opened);
  auto commit = opened->resolve_commit("HEAD");
  REQUIRE(commit);
  auto tree = opened->tree_at(*commit);
  REQUIRE(tree);
  // The work tree (--worktree) too, with an ignored directory holding a manifest.
  repo.write(".gitignore", "ignored/\n");
  repo.write("ignored/operability.toml", "schema = 1\n");
  paths.push_back("ignored/operability.toml");
  paths.push_back("ignored/x.txt");
  std::ofstream(root / ".git" / "operability.toml") << "schema = 1\n";  // never a manifest
  paths.push_back(".git/operability.toml");
  auto work_tree = opened->work_tree();
  REQUIRE(work_tree);
  for (const Tree* each : {tree->get(), work_tree->get()}) {
    auto all = each->find("operability.toml");
    REQUIRE(all);
    for (int round = 0; round < 150; ++round) {
      std::vector<std::string> changed;
      for (std::size_t n = 1 + pick(6); n > 0; --n) changed.push_back(paths[pick(paths.size())]);
      std::sort(changed.begin(), changed.end());
      INFO(each->describe() << ", seed " << seed
                            << ", changed: " << fmt::format("{}", fmt::join(changed, " | ")));
      auto looked_up = select_manifests(*each, "operability.toml", changed);
      REQUIRE(looked_up);
      CHECK(*looked_up == select_over_list(*all, changed));
    }
  }
}

TEST_CASE("scope: a malformed git tree (unsorted, '/' in a name) is searched, not looked up",
          "[scope][git]") {
  // git_tree_entry_byname's binary search misses entries of such trees, which git_tree_walk (the
  // search) lists; a push can carry them (git fsck's treeNotSorted is not checked by default),
  // and a service they hid would skip the gate.
  test::TempRepo repo;
  const fs::path root = repo.path();
  repo.write("svc/operability.toml", "schema = 1\n");
  repo.write("svc/main.go", "package main\n");
  const std::string first = repo.commit("sane", "2026-11-20T10:00:00+01:00");
  const std::string svc = repo.git("rev-parse " + first + ":svc");
  const std::string blob = repo.git("rev-parse " + first + ":svc/main.go");
  // Raw tree bytes: "<mode> <name>\0<20-byte id>" per entry, in the order given.
  const auto entry = [](const std::string& mode, const std::string& name, const std::string& hex) {
    std::string out = mode + " " + name + '\0';
    for (std::size_t i = 0; i < hex.size(); i += 2)
      out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
    return out;
  };
  const std::string unsorted = entry("40000", "svc", svc) + entry("100644", "a", blob) +
                               entry("100644", "b", blob) + entry("100644", "c", blob) +
                               entry("100644", "d", blob) + entry("40000", "x/y", svc);
  std::ofstream(root / "tree.bin", std::ios::binary) << unsorted;
  const std::string tree_id =
      repo.git("hash-object -t tree --literally -w '" + (root / "tree.bin").string() + "'");
  const std::string commit = repo.git(
      "-c user.name=Test -c user.email=test@example.org commit-tree " + tree_id + " -m hostile");

  auto opened = Repository::discover(root.string());
  REQUIRE(opened);
  auto tree = opened->tree_at(commit);
  REQUIRE(tree);
  auto all = (*tree)->find("operability.toml");
  REQUIRE(all);
  REQUIRE(*all == std::vector<std::string>{"svc/operability.toml", "x/y/operability.toml"});
  CHECK(*(*tree)->is_listed_file("svc/operability.toml"));
  CHECK(*(*tree)->is_listed_file("x/y/operability.toml"));
  const std::vector<std::string> changed = {"a", "svc/main.go", "x/y/main.go"};
  auto looked_up = select_manifests(**tree, "operability.toml", changed);
  REQUIRE(looked_up);
  CHECK(*looked_up == select_over_list(*all, changed));
  CHECK(looked_up->size() == 2);
}

}  // namespace scope_test
