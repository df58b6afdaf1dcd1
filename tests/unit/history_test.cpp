#include <catch2/catch.hpp>

#include <filesystem>
#include <thread>

#include "git_handles.hpp"
#include "history.hpp"
#include "repo.hpp"
#include "test_repo.hpp"
#include "timeutil.hpp"

namespace history_test {

using namespace opsgate;

namespace {

Seconds at(const char* text) {
  return parse_rfc3339(text)->utc;
}

}  // namespace

TEST_CASE("history: the last change inside the window is found", "[history]") {
  test::TempRepo repo;
  repo.write("docs/runbook.md", "# Runbook\n");
  repo.commit("add runbook", "2025-01-10T10:00:00+00:00");
  repo.write("docs/runbook.md", "# Runbook\n## Restore\n");
  std::string change = repo.commit("restore section", "2026-10-01T10:00:00+00:00");
  repo.write("other.txt", "x");
  std::string head = repo.commit("unrelated", "2026-11-20T10:00:00+00:00");

  auto opened = Repository::discover(repo.path().string());
  REQUIRE(opened);
  auto history = opened->history_at(head);
  auto result = history->last_change("docs/runbook.md", at("2026-09-01T00:00:00Z"));
  REQUIRE(result);
  CHECK(result->kind == FileChange::Kind::changed);
  CHECK(result->commit == change);
  CHECK(format_utc(result->when) == "2026-10-01T10:00:00Z");
}

TEST_CASE("history: a file unchanged since before the cutoff is reported so", "[history]") {
  test::TempRepo repo;
  repo.write("docs/runbook.md", "# Runbook\n");
  repo.commit("add runbook", "2024-01-10T10:00:00+00:00");
  for (int day = 10; day < 20; ++day) {
    repo.write("log.txt", std::to_string(day));
    repo.commit("noise", "2026-11-" + std::to_string(day) + "T10:00:00+00:00");
  }
  auto opened = Repository::discover(repo.path().string());
  REQUIRE(opened);
  auto history = opened->history_at(repo.git("rev-parse HEAD"));
  auto result = history->last_change("docs/runbook.md", at("2025-11-26T00:00:00Z"));
  REQUIRE(result);
  CHECK(result->kind == FileChange::Kind::unchanged);
  CHECK(result->when < at("2025-11-26T00:00:00Z"));
}

TEST_CASE("history: a root commit inside the window counts as the change", "[history]") {
  test::TempRepo repo;
  repo.write("docs/runbook.md", "# Runbook\n");
  std::string root = repo.commit("first", "2026-11-01T10:00:00+00:00");
  auto opened = Repository::discover(repo.path().string());
  REQUIRE(opened);
  auto result =
      opened->history_at(root)->last_change("docs/runbook.md", at("2026-10-01T00:00:00Z"));
  REQUIRE(result);
  CHECK(result->kind == FileChange::Kind::changed);
  CHECK(result->commit == root);
}

TEST_CASE("history: a shallow clone that ends before the cutoff says so", "[history]") {
  test::TempRepo origin;
  origin.write("docs/runbook.md", "# Runbook\n");
  origin.commit("old", "2026-01-01T10:00:00+00:00");
  for (int day = 10; day < 14; ++day) {
    origin.write("log.txt", std::to_string(day));
    origin.commit("noise", "2026-11-" + std::to_string(day) + "T10:00:00+00:00");
  }
  test::TempDir dir;
  std::string clone = (dir.path() / "clone").string();
  origin.git("clone -q --depth 2 file://" + origin.path().string() + " " + clone);
  auto opened = Repository::discover(clone);
  REQUIRE(opened);
  auto head = opened->resolve_commit("HEAD");
  REQUIRE(head);
  auto history = opened->history_at(*head);
  auto deep = history->last_change("docs/runbook.md", at("2026-06-01T00:00:00Z"));
  REQUIRE(deep);
  CHECK(deep->kind == FileChange::Kind::shallow);
  // A cutoff inside the fetched history needs nothing deeper.
  auto recent = history->last_change("docs/runbook.md", at("2026-11-13T00:00:00Z"));
  REQUIRE(recent);
  CHECK(recent->kind == FileChange::Kind::unchanged);
}

TEST_CASE("history: the walk stops at the cutoff", "[history]") {
  test::TempRepo repo;
  repo.write("a.txt", "0");
  repo.commit("c0", "2020-01-01T10:00:00+00:00");
  for (int day = 1; day <= 9; ++day) {
    repo.write("a.txt", std::to_string(day));
    repo.commit("c", "2020-0" + std::to_string(day) + "-02T10:00:00+00:00");
  }
  repo.write("b.txt", "new");
  std::string head = repo.commit("b", "2026-11-20T10:00:00+00:00");
  auto opened = Repository::discover(repo.path().string());
  REQUIRE(opened);
  auto history = opened->history_at(head);
  auto result = history->last_change("a.txt", at("2026-01-01T00:00:00Z"));
  REQUIRE(result);
  CHECK(result->kind == FileChange::Kind::unchanged);
}

TEST_CASE("history: the in-memory fake follows the same rules", "[history]") {
  MemoryHistory history({{"c3", at("2026-11-20T00:00:00Z"), {{"r.md", "v2"}}},
                         {"c2", at("2026-11-10T00:00:00Z"), {{"r.md", "v2"}}},
                         {"c1", at("2026-01-01T00:00:00Z"), {{"r.md", "v1"}}}});
  auto recent = history.last_change("r.md", at("2026-11-01T00:00:00Z"));
  REQUIRE(recent);
  CHECK(recent->kind == FileChange::Kind::changed);
  CHECK(recent->commit == "c2");
  auto narrow = history.last_change("r.md", at("2026-11-15T00:00:00Z"));
  REQUIRE(narrow);
  CHECK(narrow->kind == FileChange::Kind::unchanged);
  CHECK(history.last_change("missing.md", at("2026-11-01T00:00:00Z"))->kind ==
        FileChange::Kind::absent);
}

TEST_CASE("history: a change undone inside the window is reverted, not changed", "[history]") {
  test::TempRepo repo;
  repo.write("docs/runbook.md", "# Runbook\n");
  const std::string old = repo.commit("old", "2023-01-10T10:00:00+00:00");
  repo.write("code.c", "x");
  const std::string before = repo.commit("code", "2026-10-01T10:00:00+00:00");
  repo.write("docs/runbook.md", "# Runbook, edited\n");
  repo.commit("edit", "2026-11-20T10:00:00+00:00");
  repo.write("docs/runbook.md", "# Runbook\n");
  const std::string revert = repo.commit("revert", "2026-11-21T10:00:00+00:00");
  auto opened = Repository::discover(repo.path().string());
  REQUIRE(opened);
  auto history = opened->history_at(revert);
  auto undone = history->last_change("docs/runbook.md", at("2026-11-01T00:00:00Z"));
  REQUIRE(undone);
  CHECK(undone->kind == FileChange::Kind::reverted);
  CHECK(undone->commit == revert);
  CHECK(undone->since == before);
  // A wider window: the content at its start (2023's commit) is the same too.
  auto wide = history->last_change("docs/runbook.md", at("2024-01-01T00:00:00Z"));
  REQUIRE(wide);
  CHECK(wide->kind == FileChange::Kind::reverted);
  CHECK(wide->since == old);
  // The whole history: the last commit that made the file what it is.
  auto ever = history->last_change_ever("docs/runbook.md");
  REQUIRE(ever);
  CHECK(ever->kind == FileChange::Kind::changed);
  CHECK(ever->commit == revert);

  MemoryHistory fake({{"c4", at("2026-11-21T00:00:00Z"), {{"r.md", "v1"}}},
                      {"c3", at("2026-11-20T00:00:00Z"), {{"r.md", "v2"}}},
                      {"c2", at("2026-10-01T00:00:00Z"), {{"r.md", "v1"}}},
                      {"c1", at("2023-01-01T00:00:00Z"), {{"r.md", "v1"}}}});
  auto faked = fake.last_change("r.md", at("2026-11-01T00:00:00Z"));
  REQUIRE(faked);
  CHECK(faked->kind == FileChange::Kind::reverted);
  CHECK(faked->since == "c2");
}

namespace {

// Removes the loose object `id` of `repo` (a damaged repository).
void remove_object(const test::TempRepo& repo, const std::string& id) {
  std::filesystem::path object = repo.path() / ".git" / "objects" / id.substr(0, 2) / id.substr(2);
  REQUIRE(std::filesystem::remove(object));
}

}  // namespace

TEST_CASE("history: a tree that cannot be read is an error, never \"changed\"", "[history]") {
  test::TempRepo repo;
  repo.write("docs/runbook.md", "# Runbook\n");
  repo.commit("runbook", "2023-03-14T10:00:00+00:00");
  repo.write("other.txt", "1");
  const std::string middle = repo.commit("unrelated", "2026-11-01T10:00:00+00:00");
  repo.write("other.txt", "2");
  const std::string head = repo.commit("unrelated again", "2026-11-20T10:00:00+00:00");
  // The parent's root tree goes: the walk cannot tell whether the runbook changed there.
  const std::string lost = repo.git("rev-parse " + middle + "^{tree}");
  remove_object(repo, lost);

  auto opened = Repository::discover(repo.path().string());
  REQUIRE(opened);
  auto history = opened->history_at(head);
  auto result = history->last_change("docs/runbook.md", at("2025-11-26T00:00:00Z"));
  REQUIRE_FALSE(result);
  CHECK_THAT(result.error().message, Catch::Contains(lost));
  CHECK_THAT(result.error().message, Catch::Contains("docs/runbook.md"));
  CHECK_THAT(result.error().message, Catch::Contains("git fsck"));
  REQUIRE(history->damage());
  CHECK(history->damage()->message == result.error().message);
}

TEST_CASE("history: a missing parent that .git/shallow does not list is an error", "[history]") {
  test::TempRepo repo;
  repo.write("docs/runbook.md", "# Runbook\n");
  const std::string first = repo.commit("runbook", "2023-03-14T10:00:00+00:00");
  repo.write("other.txt", "1");
  const std::string head = repo.commit("unrelated", "2026-11-20T10:00:00+00:00");
  remove_object(repo, first);

  auto opened = Repository::discover(repo.path().string());
  REQUIRE(opened);
  auto history = opened->history_at(head);
  auto result = history->last_change("docs/runbook.md", at("2025-11-26T00:00:00Z"));
  REQUIRE_FALSE(result);
  CHECK_THAT(result.error().message, Catch::Contains(first));
}

TEST_CASE("history: a treeless partial clone names itself and the fetch that fixes it",
          "[history]") {
  test::TempRepo source;
  source.write("docs/runbook.md", "# Runbook\n");
  source.commit("runbook", "2023-03-14T10:00:00+00:00");
  source.write("other.txt", "1");
  source.commit("unrelated", "2026-11-01T10:00:00+00:00");
  source.git("config uploadpack.allowFilter true");
  test::TempDir clones;
  const std::string clone = (clones.path() / "treeless").string();
  source.git("clone -q --filter=tree:0 file://" + source.path().string() + " " + clone);

  auto opened = Repository::discover(clone);
  REQUIRE(opened);
  auto head = opened->resolve_commit("HEAD");
  REQUIRE(head);
  auto history = opened->history_at(*head);
  auto result = history->last_change("docs/runbook.md", at("2025-11-26T00:00:00Z"));
  REQUIRE_FALSE(result);
  CHECK_THAT(result.error().message, Catch::Contains("partial clone"));
  CHECK_THAT(result.error().message, Catch::Contains("git fetch --refetch"));
}

TEST_CASE("history: handles on several threads share one chain and answer alike", "[history]") {
  test::TempRepo repo;
  for (int day = 1; day <= 28; ++day) {
    const std::string date =
        "2026-11-" + std::string(day < 10 ? "0" : "") + std::to_string(day) + "T10:00:00+00:00";
    repo.write("svc-" + std::to_string(day % 4) + "/runbook.md", std::to_string(day));
    repo.commit("day " + std::to_string(day), date);
  }
  const std::string head = repo.git("rev-parse HEAD");
  bool with_graph = GENERATE(false, true);
  if (with_graph) repo.git("commit-graph write --reachable --changed-paths");
  const Seconds cutoff = at("2026-11-10T00:00:00Z");
  const std::vector<std::string> paths = {"svc-0/runbook.md", "svc-1/runbook.md",
                                          "svc-2/runbook.md", "svc-3/runbook.md", "none.md"};

  auto alone_repo = Repository::discover(repo.path().string());
  REQUIRE(alone_repo);
  auto alone = alone_repo->history_at(head);
  std::vector<FileChange> expected;
  for (const std::string& path : paths) {
    auto change = alone->last_change(path, cutoff);
    REQUIRE(change);
    expected.push_back(*change);
  }

  Executor executor(1);
  auto first_repo = Repository::discover(repo.path().string());
  REQUIRE(first_repo);
  auto first = first_repo->history_at(head, &executor);
  first->prefetch(cutoff);
  auto second_repo = Repository::discover(repo.path().string());
  REQUIRE(second_repo);
  auto second = second_repo->history_sharing(*first, head);
  // Both ask at once, the second from another thread, each through its own handle.
  std::vector<FileChange> from_second;
  std::thread other([&] {
    for (const std::string& path : paths)
      if (auto change = second->last_change(path, cutoff)) from_second.push_back(*change);
  });
  std::vector<FileChange> from_first;
  for (const std::string& path : paths)
    if (auto change = first->last_change(path, cutoff)) from_first.push_back(*change);
  other.join();
  REQUIRE(from_first.size() == paths.size());
  REQUIRE(from_second.size() == paths.size());
  for (std::size_t i = 0; i < paths.size(); ++i) {
    INFO(paths[i]);
    for (const auto* answers : {&from_first, &from_second}) {
      CHECK((*answers)[i].kind == expected[i].kind);
      CHECK((*answers)[i].commit == expected[i].commit);
      CHECK((*answers)[i].when == expected[i].when);
    }
  }
  CHECK_FALSE(first->damage());
  CHECK_FALSE(second->damage());
}

}  // namespace history_test
