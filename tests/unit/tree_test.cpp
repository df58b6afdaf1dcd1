#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "test_repo.hpp"
#include "tree.hpp"

namespace tree_test {

namespace fs = std::filesystem;

using opsgate::DiskTree;
using opsgate::EntryKind;
using opsgate::hash_blob;
using opsgate::MemoryTree;
using opsgate::test::TempDir;

namespace {

void write_file(const fs::path& file, const std::string& content, bool executable = false) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary | std::ios::trunc) << content;
  fs::permissions(
      file, executable ? fs::perms::owner_all : fs::perms::owner_read | fs::perms::owner_write);
}

}  // namespace

// ---- hash_blob --------------------------------------------------------------------------

TEST_CASE("hash_blob gives the id git gives the same content", "[tree]") {
  // `printf 'hello\n' | git hash-object --stdin` and `git hash-object /dev/null`
  CHECK(hash_blob("hello\n") == "ce013625030ba8dba906f756967f9e9ca394464a");
  CHECK(hash_blob("") == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
}

// ---- MemoryTree -------------------------------------------------------------------------

TEST_CASE("MemoryTree tells files, executables, directories and missing paths apart",
          "[tree][memory]") {
  MemoryTree tree;
  tree.add("docs/runbook.md", "# Runbook\n");
  tree.add("scripts/rollback.sh", "#!/bin/sh\n", true);

  CHECK(tree.kind("docs/runbook.md") == EntryKind::file);
  CHECK(tree.kind("scripts/rollback.sh") == EntryKind::executable);
  CHECK(tree.kind("docs") == EntryKind::directory);
  CHECK(tree.kind("") == EntryKind::directory);
  CHECK(tree.kind("docs/missing.md") == EntryKind::missing);
  // A name that merely shares a prefix with a directory is not that directory.
  CHECK(tree.kind("doc") == EntryKind::missing);
  CHECK(tree.kind("docs/run") == EntryKind::missing);
}

TEST_CASE("MemoryTree reads content; a directory or a missing path reads as nothing",
          "[tree][memory]") {
  MemoryTree tree;
  tree.add("docs/runbook.md", "# Runbook\n");
  auto content = tree.read("docs/runbook.md");
  REQUIRE(content);
  REQUIRE(*content);
  CHECK(**content == "# Runbook\n");

  auto directory = tree.read("docs");
  REQUIRE(directory);
  CHECK_FALSE(*directory);
  auto missing = tree.read("nope.md");
  REQUIRE(missing);
  CHECK_FALSE(*missing);
}

TEST_CASE("MemoryTree finds files by name at any depth, sorted", "[tree][memory]") {
  MemoryTree tree;
  tree.add("services/orders/operability.toml", "");
  tree.add("operability.toml.bak", "");
  tree.add("services/billing/operability.toml", "");
  tree.add("services/billing/docs/x.md", "");
  auto found = tree.find("operability.toml");
  REQUIRE(found);
  CHECK(*found == std::vector<std::string>{"services/billing/operability.toml",
                                           "services/orders/operability.toml"});
}

TEST_CASE("MemoryTree lists only the files directly in a directory", "[tree][memory]") {
  MemoryTree tree;
  tree.add("rules/backup.toml", "");
  tree.add("rules/service.toml", "");
  tree.add("rules/tests/case/expect.toml", "");
  tree.add("README.md", "");
  auto rules = tree.list("rules");
  REQUIRE(rules);
  CHECK(*rules == std::vector<std::string>{"backup.toml", "service.toml"});
  auto root = tree.list("");
  REQUIRE(root);
  CHECK(*root == std::vector<std::string>{"README.md"});
}

TEST_CASE("MemoryTree blob ids are git's, and empty for missing files", "[tree][memory]") {
  MemoryTree tree;
  tree.add("a.txt", "hello\n");
  CHECK(tree.blob_id("a.txt") == "ce013625030ba8dba906f756967f9e9ca394464a");
  CHECK(tree.blob_id("b.txt").empty());
}

// ---- DiskTree ---------------------------------------------------------------------------

TEST_CASE("DiskTree reads files and the executable bit from a directory", "[tree][disk]") {
  TempDir dir;
  write_file(dir.path() / "docs/runbook.md", "# Runbook\n");
  write_file(dir.path() / "scripts/rollback.sh", "#!/bin/sh\n", true);
  DiskTree tree(dir.path().string(), "the work tree");

  CHECK(tree.describe() == "the work tree");
  CHECK(tree.kind("docs/runbook.md") == EntryKind::file);
  CHECK(tree.kind("scripts/rollback.sh") == EntryKind::executable);
  CHECK(tree.kind("docs") == EntryKind::directory);
  CHECK(tree.kind("docs/nope.md") == EntryKind::missing);
  auto content = tree.read("docs/runbook.md");
  REQUIRE(content);
  REQUIRE(*content);
  CHECK(**content == "# Runbook\n");
  CHECK(tree.blob_id("docs/runbook.md") == hash_blob("# Runbook\n"));
}

TEST_CASE("DiskTree follows a symlink that stays inside the root", "[tree][disk]") {
  TempDir dir;
  write_file(dir.path() / "docs/runbook.md", "# Runbook\n");
  fs::create_symlink("docs/runbook.md", dir.path() / "RUNBOOK.md");
  fs::create_directory_symlink("docs", dir.path() / "documentation");
  DiskTree tree(dir.path().string());

  CHECK(tree.kind("RUNBOOK.md") == EntryKind::file);
  auto content = tree.read("documentation/runbook.md");
  REQUIRE(content);
  REQUIRE(*content);
  CHECK(**content == "# Runbook\n");
}

TEST_CASE("DiskTree refuses a symlink that leaves the root", "[tree][disk]") {
  TempDir outside;
  write_file(outside.path() / "secret.txt", "s3cret\n");
  // A sibling whose name starts with the root's name must not count as inside.
  write_file(outside.path() / "repo-evil/secret.txt", "s3cret\n");
  write_file(outside.path() / "repo/README.md", "hi\n");
  fs::path root = outside.path() / "repo";
  fs::create_symlink(outside.path() / "secret.txt", root / "absolute-escape");
  fs::create_symlink("../secret.txt", root / "relative-escape");
  fs::create_symlink("../repo-evil/secret.txt", root / "prefix-escape");
  fs::create_directory_symlink("..", root / "up");
  fs::create_symlink("nowhere.txt", root / "dangling");
  DiskTree tree(root.string());

  for (const char* path : {"absolute-escape", "relative-escape", "prefix-escape", "up/secret.txt",
                           "dangling", "../secret.txt"}) {
    INFO(path);
    CHECK(tree.kind(path) == EntryKind::missing);
    auto content = tree.read(path);
    REQUIRE(content);
    CHECK_FALSE(*content);
    CHECK(tree.blob_id(path).empty());
  }
}

TEST_CASE("DiskTree never shows .git", "[tree][disk]") {
  TempDir dir;
  write_file(dir.path() / ".git/config", "[core]\n");
  write_file(dir.path() / ".git/operability.toml", "schema = 1\n");
  write_file(dir.path() / "svc/operability.toml", "schema = 1\n");
  DiskTree tree(dir.path().string());
  CHECK(tree.kind(".git/config") == EntryKind::missing);
  auto found = tree.find("operability.toml");
  REQUIRE(found);
  CHECK(*found == std::vector<std::string>{"svc/operability.toml"});
}

TEST_CASE("DiskTree finds files by name, sorted, without following symlinks", "[tree][disk]") {
  TempDir dir;
  write_file(dir.path() / "services/orders/operability.toml", "");
  write_file(dir.path() / "services/billing/operability.toml", "");
  write_file(dir.path() / "operability.toml.bak", "");
  fs::create_symlink("services/orders/operability.toml", dir.path() / "operability.toml");
  DiskTree tree(dir.path().string());
  auto found = tree.find("operability.toml");
  REQUIRE(found);
  CHECK(*found == std::vector<std::string>{"services/billing/operability.toml",
                                           "services/orders/operability.toml"});
}

TEST_CASE("DiskTree lists files of a directory; a missing directory is an error", "[tree][disk]") {
  TempDir dir;
  write_file(dir.path() / "rules/service.toml", "");
  write_file(dir.path() / "rules/backup.toml", "");
  write_file(dir.path() / "rules/tests/case/expect.toml", "");
  DiskTree tree(dir.path().string());
  auto names = tree.list("rules");
  REQUIRE(names);
  CHECK(*names == std::vector<std::string>{"backup.toml", "service.toml"});
  auto missing = tree.list("nope");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().kind == opsgate::ErrorKind::not_found);
  CHECK_THAT(missing.error().message, Catch::Contains("nope"));
}

TEST_CASE("DiskTree does not show .git through a symlink either", "[tree][disk]") {
  TempDir dir;
  write_file(dir.path() / ".git/config", "[remote \"origin\"]\nurl = https://token@host/x\n");
  fs::create_symlink(".git/config", dir.path() / "config-link");
  fs::create_directory_symlink(".git", dir.path() / "git-link");
  DiskTree tree(dir.path().string());
  CHECK(tree.kind("config-link") == EntryKind::missing);
  CHECK(tree.kind("git-link/config") == EntryKind::missing);
  auto content = tree.read("config-link");
  REQUIRE(content);
  CHECK_FALSE(*content);
}

}  // namespace tree_test
