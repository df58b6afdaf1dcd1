#include <git2/sys/mempack.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <tuple>

#include "limits.hpp"
#include "repo.hpp"
#include "test_repo.hpp"

namespace repo_test {

namespace fs = std::filesystem;

using opsgate::EntryKind;
using opsgate::ErrorKind;
using opsgate::Repository;
using opsgate::Tree;
using opsgate::test::TempDir;
using opsgate::test::TempRepo;

namespace {

Repository open(const fs::path& path) {
  auto repo = Repository::discover(path.string());
  if (!repo) FAIL(repo.error().to_string());
  return std::move(*repo);
}

std::unique_ptr<Tree> tree_of(const Repository& repo, const std::string& rev) {
  auto commit = repo.resolve_commit(rev);
  if (!commit) FAIL(commit.error().to_string());
  auto tree = repo.tree_at(*commit);
  if (!tree) FAIL(tree.error().to_string());
  return std::move(*tree);
}

std::string read(const Tree& tree, const std::string& path) {
  auto content = tree.read(path);
  if (!content) FAIL(content.error().to_string());
  return content->value_or("<none>");
}

}  // namespace

TEST_CASE("Files are read from the commit, not from the work tree", "[repo]") {
  TempRepo repo;
  repo.write("operability.toml", "schema = 1 # committed\n");
  std::string first = repo.commit("first", "2026-11-01T10:00:00+01:00");
  repo.write("operability.toml", "schema = 1 # second\n");
  std::string second = repo.commit("second", "2026-11-20T10:00:00+01:00");
  repo.write("operability.toml", "schema = 1 # uncommitted\n");
  repo.write("untracked.md", "new\n");

  Repository opened = open(repo.path());
  CHECK_FALSE(opened.is_bare());
  auto head = opened.resolve_commit("HEAD");
  REQUIRE(head);
  CHECK(*head == second);
  CHECK(read(*tree_of(opened, "HEAD"), "operability.toml") == "schema = 1 # second\n");
  CHECK(tree_of(opened, "HEAD")->kind("untracked.md") == EntryKind::missing);

  SECTION("an older revision shows the older content") {
    CHECK(read(*tree_of(opened, "HEAD~1"), "operability.toml") == "schema = 1 # committed\n");
    CHECK(read(*tree_of(opened, first), "operability.toml") == "schema = 1 # committed\n");
    CHECK(read(*tree_of(opened, first.substr(0, 10)), "operability.toml") ==
          "schema = 1 # committed\n");
  }
  SECTION("the work tree is a separate view") {
    auto work = opened.work_tree();
    REQUIRE(work);
    CHECK(read(**work, "operability.toml") == "schema = 1 # uncommitted\n");
  }
}

TEST_CASE("The repository is discovered from a subdirectory", "[repo]") {
  TempRepo repo;
  repo.write("services/orders/operability.toml", "schema = 1\n");
  std::string head = repo.commit("first", "2026-11-01T10:00:00+01:00");
  Repository opened = open(repo.path() / "services/orders");
  auto commit = opened.resolve_commit("HEAD");
  REQUIRE(commit);
  CHECK(*commit == head);
}

TEST_CASE("A directory outside any repository is not_found", "[repo]") {
  TempDir dir;
  auto repo = Repository::discover(dir.path().string());
  REQUIRE_FALSE(repo);
  CHECK(repo.error().kind == ErrorKind::not_found);
  CHECK_THAT(repo.error().message, Catch::Contains("not a git repository"));
}

TEST_CASE("An unknown revision is not_found and names the revision", "[repo]") {
  TempRepo repo;
  repo.write("a.txt", "a\n");
  repo.commit("first", "2026-11-01T10:00:00+01:00");
  Repository opened = open(repo.path());
  auto commit = opened.resolve_commit("no-such-branch");
  REQUIRE_FALSE(commit);
  CHECK(commit.error().kind == ErrorKind::not_found);
  CHECK_THAT(commit.error().message, Catch::Contains("no-such-branch"));
}

TEST_CASE("A bare repository is read like any other", "[repo]") {
  TempRepo repo;
  repo.write("operability.toml", "schema = 1\n");
  repo.write("scripts/rollback.sh", "#!/bin/sh\n", true);
  std::string head = repo.commit("first", "2026-11-01T10:00:00+01:00");
  TempDir dir;
  fs::path bare = dir.path() / "bare.git";
  repo.git("clone -q --bare . '" + bare.string() + "'");

  Repository opened = open(bare);
  CHECK(opened.is_bare());
  CHECK_FALSE(opened.workdir());
  auto commit = opened.resolve_commit("main");
  REQUIRE(commit);
  CHECK(*commit == head);
  auto tree = tree_of(opened, "HEAD");
  CHECK(read(*tree, "operability.toml") == "schema = 1\n");
  CHECK(tree->kind("scripts/rollback.sh") == EntryKind::executable);

  auto work = opened.work_tree();
  REQUIRE_FALSE(work);
  CHECK(work.error().kind == ErrorKind::usage);
}

TEST_CASE("Tags are peeled to their commit, lightweight or annotated", "[repo]") {
  TempRepo repo;
  repo.write("a.txt", "v1\n");
  std::string first = repo.commit("first", "2026-11-01T10:00:00+01:00");
  repo.git(
      "-c user.name=Test -c user.email=test@example.org -c tag.gpgsign=false "
      "tag -a v1.0.0 -m release");
  repo.git("tag light");
  repo.write("a.txt", "v2\n");
  repo.commit("second", "2026-11-02T10:00:00+01:00");

  Repository opened = open(repo.path());
  auto annotated = opened.resolve_commit("v1.0.0");
  REQUIRE(annotated);
  CHECK(*annotated == first);
  auto light = opened.resolve_commit("light");
  REQUIRE(light);
  CHECK(*light == first);
  CHECK(read(*tree_of(opened, "v1.0.0"), "a.txt") == "v1\n");

  SECTION("a revision naming a tree is not a commit") {
    auto tree = opened.resolve_commit("HEAD^{tree}");
    REQUIRE_FALSE(tree);
    CHECK_THAT(tree.error().message, Catch::Contains("does not name a commit"));
  }
}

TEST_CASE("The executable bit comes from the commit", "[repo]") {
  TempRepo repo;
  repo.write("scripts/rollback.sh", "#!/bin/sh\n", true);
  repo.write("scripts/notes.txt", "x\n");
  repo.commit("first", "2026-11-01T10:00:00+01:00");
  auto tree = tree_of(open(repo.path()), "HEAD");
  CHECK(tree->kind("scripts/rollback.sh") == EntryKind::executable);
  CHECK(tree->kind("scripts/notes.txt") == EntryKind::file);
  CHECK(tree->kind("scripts") == EntryKind::directory);
  CHECK(tree->kind("") == EntryKind::directory);
  CHECK(tree->kind("scripts/none.sh") == EntryKind::missing);
}

TEST_CASE("Symlinks inside the tree are followed", "[repo]") {
  TempRepo repo;
  repo.write("docs/runbook.md", "# Runbook\n");
  repo.write("README.md", "readme\n");
  fs::create_symlink("docs/runbook.md", repo.path() / "RUNBOOK.md");
  fs::create_directory_symlink("docs", repo.path() / "documentation");
  fs::create_symlink("../README.md", repo.path() / "docs/readme-link.md");
  repo.commit("links", "2026-11-01T10:00:00+01:00");
  auto tree = tree_of(open(repo.path()), "HEAD");

  CHECK(tree->kind("RUNBOOK.md") == EntryKind::file);
  CHECK(read(*tree, "RUNBOOK.md") == "# Runbook\n");
  CHECK(tree->kind("documentation") == EntryKind::directory);
  CHECK(read(*tree, "documentation/runbook.md") == "# Runbook\n");
  CHECK(read(*tree, "docs/readme-link.md") == "readme\n");
  CHECK(tree->blob_id("RUNBOOK.md") == repo.git("rev-parse HEAD:docs/runbook.md"));
}

TEST_CASE("Symlinks leaving the tree, dangling or looping read as missing", "[repo]") {
  TempRepo repo;
  repo.write("docs/runbook.md", "# Runbook\n");
  fs::create_symlink("/etc/passwd", repo.path() / "absolute");
  fs::create_symlink("../../etc/passwd", repo.path() / "docs/relative");
  fs::create_directory_symlink("..", repo.path() / "up");
  fs::create_symlink("nowhere.md", repo.path() / "dangling");
  fs::create_symlink("loop-b", repo.path() / "loop-a");
  fs::create_symlink("loop-a", repo.path() / "loop-b");
  repo.commit("links", "2026-11-01T10:00:00+01:00");
  auto tree = tree_of(open(repo.path()), "HEAD");

  for (const char* path : {"absolute", "docs/relative", "up", "up/etc/passwd", "dangling", "loop-a",
                           "../etc/passwd"}) {
    INFO(path);
    CHECK(tree->kind(path) == EntryKind::missing);
    auto content = tree->read(path);
    REQUIRE(content);
    CHECK_FALSE(*content);
  }
}

TEST_CASE("find() lists every manifest of a monorepo, sorted", "[repo]") {
  TempRepo repo;
  repo.write("services/orders/operability.toml", "schema = 1\n");
  repo.write("services/billing/operability.toml", "schema = 1\n");
  repo.write("services/billing/docs/operability.toml.md", "not a manifest\n");
  repo.write("README.md", "x\n");
  repo.commit("monorepo", "2026-11-01T10:00:00+01:00");
  auto tree = tree_of(open(repo.path()), "HEAD");
  auto found = tree->find("operability.toml");
  REQUIRE(found);
  CHECK(*found == std::vector<std::string>{"services/billing/operability.toml",
                                           "services/orders/operability.toml"});
}

TEST_CASE("list() names the files of a directory at the revision", "[repo]") {
  TempRepo repo;
  repo.write(".opsgate/rules/backup.toml", "");
  repo.write(".opsgate/rules/service.toml", "");
  repo.write(".opsgate/rules/tests/case/expect.toml", "");
  repo.commit("rules", "2026-11-01T10:00:00+01:00");
  auto tree = tree_of(open(repo.path()), "HEAD");
  auto names = tree->list(".opsgate/rules");
  REQUIRE(names);
  CHECK(*names == std::vector<std::string>{"backup.toml", "service.toml"});
  auto missing = tree->list("nope");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().kind == ErrorKind::not_found);
}

TEST_CASE("blob_id is the blob git records for the path", "[repo]") {
  TempRepo repo;
  repo.write("operability.toml", "schema = 1\n");
  repo.commit("first", "2026-11-01T10:00:00+01:00");
  auto tree = tree_of(open(repo.path()), "HEAD");
  CHECK(tree->blob_id("operability.toml") == repo.git("rev-parse HEAD:operability.toml"));
  CHECK(tree->blob_id("nope.toml").empty());
}

TEST_CASE("HEAD of a repository without commits is not_found", "[repo]") {
  TempRepo repo;
  Repository opened = open(repo.path());
  auto head = opened.resolve_commit("HEAD");
  REQUIRE_FALSE(head);
  CHECK(head.error().kind == ErrorKind::not_found);
  CHECK_THAT(head.error().message, Catch::Contains("HEAD"));
}

TEST_CASE("contains says whether the object database holds an id", "[repo]") {
  TempRepo repo;
  repo.write("a.txt", "a\n");
  std::string head = repo.commit("first", "2026-11-01T10:00:00+01:00");
  Repository opened = open(repo.path());
  CHECK(opened.contains(head));
  CHECK_FALSE(opened.contains("1111111111111111111111111111111111111111"));
  CHECK_FALSE(opened.contains(head.substr(0, 12)));  // only full ids
  CHECK_FALSE(opened.contains("not an id"));
}

TEST_CASE("hooks_dir follows core.hooksPath, relative to the work tree", "[repo]") {
  TempRepo repo;
  repo.write("a.txt", "a\n");
  repo.commit("first", "2026-11-01T10:00:00+01:00");
  SECTION("default: hooks/ of the git directory") {
    auto dir = open(repo.path()).hooks_dir();
    REQUIRE(dir);
    CHECK(fs::path(*dir) == fs::canonical(repo.path()) / ".git" / "hooks");
  }
  SECTION("a relative core.hooksPath") {
    repo.git("config core.hooksPath .githooks");
    auto dir = open(repo.path()).hooks_dir();
    REQUIRE(dir);
    CHECK(fs::path(*dir) == fs::canonical(repo.path()) / ".githooks");
  }
  SECTION("an absolute core.hooksPath") {
    TempDir elsewhere;
    repo.git("config core.hooksPath '" + elsewhere.path().string() + "'");
    auto dir = open(repo.path()).hooks_dir();
    REQUIRE(dir);
    CHECK(*dir == elsewhere.path().string());
  }
}

TEST_CASE("changed_paths between commits is what git diff reports, both sides of a move",
          "[repo]") {
  TempRepo repo;
  std::vector<std::string> commits;
  auto commit = [&](const std::string& message) {
    commits.push_back(
        repo.commit(message, "2026-11-0" + std::to_string(commits.size() + 1) + "T10:00:00+01:00"));
  };
  repo.write("README.md", "top\n");
  repo.write("services/orders/operability.toml", "schema = 1\n");
  repo.write("services/orders/src/main.go", "package main\n");
  repo.write("services/billing/docs/runbook.md", "# Runbook\n");
  repo.write("services/billing/run.sh", "#!/bin/sh\n");
  repo.write("deep/a/b/c/d/e/f.txt", "deep\n");
  repo.write("swap", "a file that becomes a directory\n");
  commit("start");
  repo.write("services/orders/src/main.go", "package main // changed\n");  // one file, deep
  commit("modify");
  repo.git("mv services/billing/docs/runbook.md services/billing/RUNBOOK.md");  // a move
  repo.write("services/billing/run.sh", "#!/bin/sh\n", true);                   // mode only
  commit("move and chmod");
  repo.remove("swap");
  repo.write("swap/inside.txt", "now a directory\n");  // file -> directory
  repo.remove("deep/a/b/c/d/e/f.txt");                 // a whole subtree goes
  repo.write("new/dir/file.txt", "added\n");           // a whole subtree comes
  commit("swap");
  // A submodule and a symlink, as entries of the tree.
  repo.git("update-index --add --cacheinfo 160000," + commits.front() + ",vendor/lib");
  repo.git("update-index --add --cacheinfo 120000," + repo.git("hash-object -w README.md") +
           ",link");
  repo.git("commit -q -m gitlink");
  commits.push_back(repo.git("rev-parse HEAD"));
  repo.write("README.md", "top, same tree otherwise\n");
  commit("readme");

  Repository opened = open(repo.path());
  for (const std::string& from : commits)
    for (const std::string& to : commits) {
      auto paths = opened.changed_paths(from, to);
      REQUIRE(paths);
      std::string listed = repo.git("diff --no-renames --name-status " + from + " " + to);
      std::vector<std::string> expected;
      std::istringstream lines(listed);
      for (std::string line; std::getline(lines, line);)
        if (auto tab = line.find('\t'); tab != std::string::npos)
          expected.push_back(line.substr(tab + 1));
      std::sort(expected.begin(), expected.end());
      INFO(from << ".." << to);
      CHECK(*paths == expected);
    }
  auto moved = opened.changed_paths(commits[1], commits[2]);
  REQUIRE(moved);
  CHECK(*moved == std::vector<std::string>{"services/billing/RUNBOOK.md",
                                           "services/billing/docs/runbook.md",
                                           "services/billing/run.sh"});
}

TEST_CASE("A tree whose objects cannot be read says so instead of answering \"missing\"",
          "[repo]") {
  TempRepo repo;
  repo.write("operability.toml", "schema = 1\n");
  repo.write("docs/runbook.md", "# Runbook\n");
  repo.commit("first", "2026-11-01T10:00:00+01:00");
  const std::string docs = repo.git("rev-parse HEAD:docs");
  fs::remove(repo.path() / ".git" / "objects" / docs.substr(0, 2) / docs.substr(2));

  Repository opened = open(repo.path());
  auto tree = tree_of(opened, "HEAD");
  CHECK_FALSE(tree->damage());
  CHECK(tree->kind("operability.toml") == EntryKind::file);
  CHECK_FALSE(tree->damage());
  // The answer itself cannot carry the error; the tree remembers it.
  CHECK(tree->kind("docs/runbook.md") == EntryKind::missing);
  REQUIRE(tree->damage());
  CHECK_THAT(tree->damage()->message, Catch::Contains(docs));
  CHECK_THAT(tree->damage()->message, Catch::Contains("docs at revision"));
}

namespace {

// Objects written into libgit2's in-memory object database (mempack), and a repository over
// it: trees git's own commands refuse to write, built without a disk.
class MemoryObjects {
 public:
  MemoryObjects() {
    git_odb* raw = nullptr;
    git_odb_backend* mempack = nullptr;
    REQUIRE(git_odb_new(&raw) == 0);
    m_odb.reset(raw);
    REQUIRE(git_mempack_new(&mempack) == 0);
    REQUIRE(git_odb_add_backend(m_odb.get(), mempack, 1) == 0);  // owned by the database
  }

  git_oid blob(std::string_view content) { return write(GIT_OBJECT_BLOB, content); }

  // Entries as given: git's order and unique names are the caller's business.
  git_oid tree(const std::vector<std::tuple<std::string, std::string, git_oid>>& entries) {
    std::string bytes;
    for (const auto& [mode, name, id] : entries) {
      bytes += mode + " " + name;
      bytes += '\0';
      bytes.append(reinterpret_cast<const char*>(id.id), GIT_OID_RAWSZ);
    }
    return write(GIT_OBJECT_TREE, bytes);
  }

  std::string commit(const git_oid& tree, const std::string& parent = {}) {
    std::string text = "tree " + opsgate::oid_hex(tree) + "\n";
    if (!parent.empty()) text += "parent " + parent + "\n";
    text += "author A <a@example.org> 1790000000 +0000\n";
    text += "committer A <a@example.org> 1790000000 +0000\n\nm\n";
    return opsgate::oid_hex(write(GIT_OBJECT_COMMIT, text));
  }

  Repository repository() {
    auto repo = Repository::wrap_odb(m_odb.get());
    if (!repo) FAIL(repo.error().to_string());
    return std::move(*repo);
  }

 private:
  git_oid write(git_object_t type, std::string_view bytes) {
    git_oid id;
    REQUIRE(git_odb_write(&id, m_odb.get(), bytes.data(), bytes.size(), type) == 0);
    return id;
  }

  std::unique_ptr<git_odb, opsgate::GitFree<git_odb_free>> m_odb;
};

}  // namespace

TEST_CASE("Paths that add up past the bound are refused by the change; the search is linear",
          "[repo]") {
  // 2,100 directories of 255-byte names: the file lies 537 KB down, and the paths of the
  // directories on the way add up to 560 MB. The search appends each name once (537 KB); the
  // change's comparison builds every changed directory's path and refuses it.
  MemoryObjects objects;
  git_oid inner = objects.tree({{"100644", "operability.toml", objects.blob("schema = 1\n")}});
  const std::string name(255, 'n');
  std::string path = "operability.toml";
  for (int level = 0; level < 2100; ++level) {
    inner = objects.tree({{"40000", name, inner}});
    path = name + "/" + path;
  }
  const std::string empty = objects.commit(objects.tree({}));
  const std::string deep = objects.commit(inner, empty);
  Repository repo = objects.repository();
  auto tree = repo.tree_at(deep);
  REQUIRE(tree);

  auto found = (*tree)->find("operability.toml");
  REQUIRE(found);
  CHECK(*found == std::vector<std::string>{path});
  auto changed = repo.changed_paths(empty, deep);
  REQUIRE_FALSE(changed);
  CHECK(changed.error().kind == ErrorKind::invalid);
  CHECK_THAT(changed.error().message, Catch::Contains("the change: its paths add up"));
  // One path is looked up, walked once: nothing refuses it.
  CHECK((*tree)->kind(path) == EntryKind::file);
  auto history = repo.history_at(deep);
  auto change = history->last_change(path, opsgate::Seconds{});
  REQUIRE(change);
  CHECK(change->commit == deep);
}

TEST_CASE("A path deeper than git's maxTreeDepth names nothing", "[repo]") {
  MemoryObjects objects;
  git_oid inner = objects.tree({{"100644", "f", objects.blob("x\n")}});
  std::string path = "f";
  for (std::size_t level = 0; level < opsgate::k_max_tree_depth; ++level) {
    inner = objects.tree({{"40000", "d", inner}});
    path = "d/" + path;
  }
  Repository repo = objects.repository();
  auto at_limit = repo.tree_at(objects.commit(inner));
  REQUIRE(at_limit);
  CHECK((*at_limit)->kind(path) == EntryKind::file);  // 4096 directories, then the file
  inner = objects.tree({{"40000", "d", inner}});
  auto past = repo.tree_at(objects.commit(inner));
  REQUIRE(past);
  CHECK((*past)->kind("d/" + path) == EntryKind::missing);
}

TEST_CASE("nearest_listed through a malformed tree answers as the climb does", "[repo]") {
  // a/ is unsorted and names b twice: a binary search cannot be trusted there.
  MemoryObjects objects;
  const git_oid manifest = objects.blob("schema = 1\n");
  const git_oid leaf = objects.tree({{"100644", "operability.toml", manifest},
                                     {"40000", "c", objects.tree({{"100644", "x", manifest}})}});
  const git_oid a = objects.tree({{"100644", "z", manifest},
                                  {"40000", "b", leaf},
                                  {"40000", "b", objects.tree({})},
                                  {"100644", "operability.toml", manifest}});
  const git_oid root = objects.tree(
      {{"40000", "a", a}, {"40000", "b", leaf}, {"100644", "operability.toml", manifest}});
  Repository repo = objects.repository();
  auto tree = repo.tree_at(objects.commit(root));
  REQUIRE(tree);
  for (const char* dir : {"", "a", "a/b", "a/b/c", "a/b/c/d", "a/z", "b/c", "x/y", "a/bc"}) {
    auto nearest = (*tree)->nearest_listed(dir, "operability.toml");
    auto climbing = (*tree)->Tree::nearest_listed(dir, "operability.toml");
    REQUIRE(nearest);
    REQUIRE(climbing);
    CHECK(*nearest == *climbing);
  }
  CHECK((*tree)->nearest_listed("a/b/c", "operability.toml")->value_or("-") == "a/b");
}

TEST_CASE("A file and a directory of one name: the manifest is listed wherever it is asked",
          "[repo]") {
  // git's order puts "operability.toml" before "operability.toml-x" before "operability.toml/";
  // git fsck calls two entries of one name duplicateEntries, a push does not check it. A binary
  // search by name finds either of them: the manifest the search lists must not vanish from
  // --base scoping.
  MemoryObjects objects;
  const git_oid manifest = objects.blob("schema = 1\n");
  const git_oid inner = objects.tree({{"100644", "x", manifest}});
  const git_oid svc = objects.tree({{"100644", "operability.toml", manifest},
                                    {"100644", "operability.toml-x", manifest},
                                    {"40000", "operability.toml", inner},
                                    {"100644", "z", manifest}});
  Repository repo = objects.repository();
  auto tree = repo.tree_at(objects.commit(objects.tree({{"40000", "svc", svc}})));
  REQUIRE(tree);
  auto found = (*tree)->find("operability.toml");
  REQUIRE(found);
  CHECK(*found == std::vector<std::string>{"svc/operability.toml"});
  auto listed = (*tree)->is_listed_file("svc/operability.toml");
  REQUIRE(listed);
  CHECK(*listed);
  auto nearest = (*tree)->nearest_listed("svc/operability.toml", "operability.toml");
  REQUIRE(nearest);
  CHECK(nearest->value_or("-") == "svc");
}

}  // namespace repo_test
