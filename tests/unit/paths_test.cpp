#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

#include "paths.hpp"

namespace paths_test {

using opsgate::join_path;
using opsgate::normalize_repo_path;
using opsgate::parent_dir;
using opsgate::resolve_manifest_path;
using opsgate::split_anchor;

TEST_CASE("normalize_repo_path folds '.', '..' and repeated slashes", "[paths]") {
  CHECK(normalize_repo_path("a/./b/../c") == "a/c");
  CHECK(normalize_repo_path("docs//runbook.md") == "docs/runbook.md");
  CHECK(normalize_repo_path("./docs/") == "docs");
  CHECK(normalize_repo_path("a/b/../../c") == "c");
  CHECK(normalize_repo_path("") == "");
  CHECK(normalize_repo_path("a/..") == "");
}

TEST_CASE("normalize_repo_path refuses to climb past the repository root", "[paths]") {
  CHECK_FALSE(normalize_repo_path(".."));
  CHECK_FALSE(normalize_repo_path("../etc/passwd"));
  CHECK_FALSE(normalize_repo_path("a/../../etc/passwd"));
  CHECK_FALSE(normalize_repo_path("a/b/../../../x"));
}

TEST_CASE("A '..' component is only '..', not a name that starts with dots", "[paths]") {
  CHECK(normalize_repo_path("...") == "...");
  CHECK(normalize_repo_path("..hidden/file") == "..hidden/file");
  CHECK(normalize_repo_path("a/..b") == "a/..b");
}

namespace {

// The folding normalize_repo_path does, written the plain way (its fast path for paths already
// normal must agree with it).
std::optional<std::string> reference_normalize(std::string_view path) {
  std::vector<std::string> parts;
  std::string part;
  for (std::size_t i = 0; i <= path.size(); ++i) {
    if (i < path.size() && path[i] != '/') {
      part += path[i];
      continue;
    }
    if (part == "..") {
      if (parts.empty()) return std::nullopt;
      parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    part.clear();
  }
  std::string out;
  for (const std::string& each : parts) out += (out.empty() ? "" : "/") + each;
  return out;
}

}  // namespace

TEST_CASE("normalize_repo_path agrees with plain folding on every short path of a, '.' and '/'",
          "[paths]") {
  // Every string of up to 7 characters over {a, ., /}: 3,280 paths, normal or not.
  const std::string alphabet = "a./";
  std::vector<std::string> paths{""};
  for (std::size_t length = 1, begin = 0; length <= 7; ++length) {
    const std::size_t end = paths.size();
    for (std::size_t i = begin; i < end; ++i)
      for (char c : alphabet) paths.push_back(paths[i] + c);
    begin = end;
  }
  REQUIRE(paths.size() == 3280);
  for (const std::string& path : paths) {
    INFO("path: " << path);
    CHECK(normalize_repo_path(path) == reference_normalize(path));
  }
}

TEST_CASE("Manifest paths are relative to the manifest's directory", "[paths]") {
  CHECK(resolve_manifest_path("", "docs/runbook.md") == "docs/runbook.md");
  CHECK(resolve_manifest_path("services/orders", "docs/runbook.md") ==
        "services/orders/docs/runbook.md");
  CHECK(resolve_manifest_path("services/orders", "../shared/runbook.md") ==
        "services/shared/runbook.md");
  CHECK(resolve_manifest_path("services/orders", "./alerts.yaml") == "services/orders/alerts.yaml");
}

TEST_CASE("A leading '/' in a manifest path means the repository root", "[paths]") {
  CHECK(resolve_manifest_path("services/orders", "/docs/runbook.md") == "docs/runbook.md");
  CHECK(resolve_manifest_path("", "/docs/runbook.md") == "docs/runbook.md");
  CHECK_FALSE(resolve_manifest_path("services/orders", "/../etc/passwd"));
}

TEST_CASE("A manifest path that would leave the repository resolves to nothing", "[paths]") {
  CHECK_FALSE(resolve_manifest_path("", "../secrets.txt"));
  CHECK_FALSE(resolve_manifest_path("services/orders", "../../../etc/passwd"));
  CHECK_FALSE(resolve_manifest_path("services/orders", ""));
  // Climbing exactly to the root is fine.
  CHECK(resolve_manifest_path("services/orders", "../../README.md") == "README.md");
}

TEST_CASE("split_anchor separates the markdown anchor from the path", "[paths]") {
  auto with = split_anchor("docs/runbook.md#restore");
  CHECK(with.path == "docs/runbook.md");
  CHECK(with.anchor == "restore");

  auto without = split_anchor("docs/runbook.md");
  CHECK(without.path == "docs/runbook.md");
  CHECK(without.anchor.empty());

  auto second_hash = split_anchor("docs/runbook.md#c#-notes");
  CHECK(second_hash.path == "docs/runbook.md");
  CHECK(second_hash.anchor == "c#-notes");
}

TEST_CASE("parent_dir and join_path handle the root", "[paths]") {
  CHECK(parent_dir("services/orders/operability.toml") == "services/orders");
  CHECK(parent_dir("operability.toml") == "");
  CHECK(join_path("", "operability.toml") == "operability.toml");
  CHECK(join_path("services/orders", "") == "services/orders");
  CHECK(join_path("services/orders", "docs/x.md") == "services/orders/docs/x.md");
}

}  // namespace paths_test
