// The commit-graph reader against git's own files: the history it gives must be the one libgit2
// gives, for every path and cutoff, with one file, a split chain, no Bloom filters, commits
// newer than the graph, and damaged files.

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "commit_graph.hpp"
#include "git_history.hpp"
#include "repo.hpp"
#include "test_repo.hpp"
#include "timeutil.hpp"

namespace commit_graph_test {

using namespace opsgate;
namespace fs = std::filesystem;

namespace {

const std::vector<std::string> k_paths = {
    "docs/runbook.md",
    "caf\u00e9/r\u00e9sum\u00e9.md",
    "a/b/c/deep.txt",
    "top.txt",
    "side.txt",
    "gone.txt",
    "docs",
    "never/there.txt",
};

// A first-parent history of ~80 hourly commits: edits, a change and its revert, a deletion,
// a re-added file, a directory rename, and a merged side branch.
std::vector<std::string> build_history(test::TempRepo& repo, int start_hour = 0, int count = 80) {
  std::vector<std::string> commits;
  auto date = [](int hour) {
    return fmt::format("2026-01-{:02}T{:02}:00:00+00:00", 1 + hour / 24, hour % 24);
  };
  for (int i = start_hour; i < start_hour + count; ++i) {
    repo.write(fmt::format("noise/{}.txt", i % 7), std::to_string(i));
    if (i % 17 == 0) repo.write("docs/runbook.md", fmt::format("# Runbook {}\n", i));
    if (i % 23 == 5) repo.write("caf\u00e9/r\u00e9sum\u00e9.md", std::to_string(i));
    if (i % 31 == 3) repo.write("a/b/c/deep.txt", std::to_string(i));
    if (i == start_hour + 40) repo.write("top.txt", "before");
    if (i == start_hour + 60) repo.write("top.txt", "after");
    if (i == start_hour + 61) repo.write("top.txt", "before");  // reverted
    if (i == start_hour + 10) repo.write("gone.txt", "x");
    if (i == start_hour + 50) repo.remove("gone.txt");
    if (i == start_hour + 75) repo.write("gone.txt", "back");
    if (i == start_hour + 70) {
      // A side branch merged into main: its change reaches main at the merge commit.
      repo.git("checkout -q -b side");
      repo.write("side.txt", "from the side");
      repo.commit("side change", date(i));
      repo.git("checkout -q main");
      repo.write("noise/main.txt", std::to_string(i));
      repo.commit("main change", date(i));
      repo.git(
          fmt::format("-c user.name=T -c user.email=t@example.org merge -q --no-ff "
                      "--no-edit side"));
      repo.git("branch -q -D side");
      commits.push_back(repo.git("rev-parse HEAD"));
      continue;
    }
    commits.push_back(repo.commit(fmt::format("commit {}", i), date(i)));
  }
  return commits;
}

struct Answer {
  FileChange::Kind kind;
  std::string commit;
  Seconds when;
  bool operator==(const Answer&) const = default;
};

Answer ask(GitHistory& history, const std::string& path, Seconds cutoff) {
  auto change = history.last_change(path, cutoff);
  REQUIRE(change);
  return {change->kind, change->commit, change->when};
}

struct Usage {
  std::size_t from_graph = 0;
  std::size_t skipped = 0;
};

// Every path at every 5th commit's time as a cutoff: the graph's answer equals libgit2's.
Usage compare_all(const test::TempRepo& repo, const std::string& head) {
  auto opened = Repository::discover(repo.path().string());
  REQUIRE(opened);
  std::shared_ptr<git_repository> raw(opened->raw(), [](git_repository*) {});
  std::vector<Seconds> cutoffs = {Seconds{}};
  std::string times = repo.git("log --first-parent --format=%ct HEAD");
  std::istringstream in(times);
  int n = 0;
  for (std::string line; std::getline(in, line); ++n)
    if (n % 5 == 0) cutoffs.push_back(Seconds{std::chrono::seconds(std::stoll(line))});
  Usage usage;
  for (const std::string& path : k_paths) {
    GitHistory with_graph(raw, head);
    GitHistory without(raw, head);
    without.ignore_commit_graph();
    // The chain loaded on another thread first, to a cutoff in the middle of the history.
    GitHistory prefetched(raw, head);
    prefetched.prefetch(cutoffs[cutoffs.size() / 2]);
    for (Seconds cutoff : cutoffs) {
      INFO("path " << path << ", cutoff " << format_utc(cutoff));
      const auto expected = ask(without, path, cutoff);
      CHECK(ask(with_graph, path, cutoff) == expected);
      CHECK(ask(prefetched, path, cutoff) == expected);
      prefetched.prefetch(cutoff);  // again, while answers are being asked for
    }
    usage.from_graph += with_graph.commits_from_graph();
    usage.skipped += with_graph.comparisons_skipped();
    CHECK(without.commits_from_graph() == 0);
  }
  return usage;
}

fs::path graph_file(const test::TempRepo& repo) {
  return repo.path() / ".git" / "objects" / "info" / "commit-graph";
}

}  // namespace

TEST_CASE("git's murmur3: the reference vectors, and version 1's signed bytes", "[commit-graph]") {
  for (int version : {1, 2}) {
    CHECK(git_murmur3(0, "", version) == 0);
    CHECK(git_murmur3(0, "Hello world!", version) == 0x627b0c2c);
    CHECK(git_murmur3(0, "The quick brown fox jumps over the lazy dog", version) == 0x2e4ff723);
  }
  // Bytes >= 0x80 are where git's first filters differ from the corrected ones.
  CHECK(git_murmur3(0, "\xc3\xa9t\xc3\xa9", 1) != git_murmur3(0, "\xc3\xa9t\xc3\xa9", 2));
}

TEST_CASE("commit-graph: a path's key hashes it and each directory above it as git does",
          "[commit-graph]") {
  std::string deep;
  for (int i = 0; i < 300; ++i) deep += "d\xc3\xa9" + std::to_string(i) + "/";
  for (const std::string& path :
       {std::string("docs/runbook.md"), std::string("a"), std::string("a//b"), std::string("/a"),
        std::string("x/"), std::string("caf\xc3\xa9/\xff/z/0123456789abc"), deep + "f"}) {
    // Each prefix hashed on its own, as the key once did (the square of a deep path's length).
    std::vector<std::string_view> expected;
    for (std::string_view rest = path; !rest.empty();) {
      expected.push_back(rest);
      const std::size_t slash = rest.rfind('/');
      rest = rest.substr(0, slash == std::string_view::npos ? 0 : slash);
    }
    const CommitGraph::PathKey key = CommitGraph::key(path);
    REQUIRE(key.prefixes.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i)
      for (int version : {1, 2}) {
        CHECK(key.prefixes[i].hash0[version - 1] == git_murmur3(0x293ae76f, expected[i], version));
        CHECK(key.prefixes[i].hash1[version - 1] == git_murmur3(0x7e646e2c, expected[i], version));
      }
  }
}

TEST_CASE("commit-graph: a filter of up to 8 bytes probed by mask answers as bit by bit",
          "[commit-graph]") {
  std::mt19937 random(11);
  const std::vector<std::string> paths = {"docs/runbook.md", "a/b/c/deep.txt", "top.txt",
                                          "services/svc-042/docs/runbook.md",
                                          "caf\u00e9/r\u00e9sum\u00e9.md"};
  int contained = 0, ruled_out = 0;
  for (int round = 0; round < 4000; ++round) {
    const std::uint32_t bytes = 1 + random() % 12;  // beyond 8: the general path
    const std::uint8_t version = 1 + random() % 2;
    const std::uint8_t hashes = round % 10 == 0 ? 5 : 7;  // 5: not what the masks were made for
    std::vector<unsigned char> data(bytes);
    for (unsigned char& byte : data) byte = static_cast<unsigned char>(random() & random());
    // Some paths (with their directories) put in as git does, so that both answers occur.
    for (const std::string& path : paths) {
      if (random() % 3 != 0) continue;
      for (const auto& seeds : CommitGraph::key(path).prefixes)
        for (std::uint32_t i = 0; i < hashes; ++i) {
          const std::uint32_t bit =
              (seeds.hash0[version - 1] + i * seeds.hash1[version - 1]) % (bytes * 8);
          data[bit / 8] |= static_cast<unsigned char>(1u << (bit % 8));
        }
    }
    CommitGraph::Filter filter;
    filter.data = data.data();
    filter.bits = bytes * 8;
    filter.version = version;
    filter.hashes = hashes;
    CommitGraph::Filter copied = filter;
    for (std::uint32_t i = 0; i < bytes && i < 8; ++i)
      copied.word |= std::uint64_t{data[i]} << (8 * i);
    for (const std::string& path : paths) {
      const bool expected = CommitGraph::may_contain(filter, CommitGraph::key(path));
      const CommitGraph::PathKey masked = CommitGraph::key(path, 7);
      REQUIRE(masked.mask_hashes == 7);
      if (CommitGraph::may_contain(copied, masked) != expected)
        FAIL(path << ", " << bytes << " bytes, version " << int(version) << ", " << int(hashes)
                  << " hashes");
      ++(expected ? contained : ruled_out);
    }
  }
  CHECK(contained > 1000);
  CHECK(ruled_out > 1000);
}

TEST_CASE("commit-graph: the same history as libgit2, for every path and cutoff",
          "[commit-graph]") {
  test::TempRepo repo;
  std::vector<std::string> commits = build_history(repo);

  SECTION("one graph file with changed-path filters") {
    repo.git("commit-graph write --reachable --changed-paths");
    REQUIRE(fs::exists(graph_file(repo)));
    auto graph = CommitGraph::open((repo.path() / ".git" / "objects").string());
    REQUIRE(graph);
    CHECK(graph->has_bloom_filters());
    CHECK(graph->size() == std::stoul(repo.git("rev-list --all --count")));
    Usage usage = compare_all(repo, commits.back());
    CHECK(usage.from_graph > 0);
    CHECK(usage.skipped > 0);  // the filters did their work

    // Commits newer than the graph go through libgit2, then the walk joins the graph.
    std::vector<std::string> more = build_history(repo, 200, 6);
    usage = compare_all(repo, more.back());
    CHECK(usage.from_graph > 0);
  }

  SECTION("core.commitGraph = false: the graph is not read") {
    repo.git("commit-graph write --reachable --changed-paths");
    repo.git("config core.commitGraph false");
    Usage usage = compare_all(repo, commits.back());
    CHECK(usage.from_graph == 0);
  }

  SECTION("a split chain of two layers") {
    repo.git("commit-graph write --reachable --changed-paths --split");
    std::vector<std::string> more = build_history(repo, 200, 30);
    repo.git("commit-graph write --reachable --changed-paths --split=no-merge");
    REQUIRE_FALSE(fs::exists(graph_file(repo)));
    auto graph = CommitGraph::open((repo.path() / ".git" / "objects").string());
    REQUIRE(graph);
    CHECK(graph->has_bloom_filters());
    Usage usage = compare_all(repo, more.back());
    CHECK(usage.from_graph > 0);
    CHECK(usage.skipped > 0);
  }

  SECTION("a graph without changed-path filters") {
    repo.git("commit-graph write --reachable --no-changed-paths");
    auto graph = CommitGraph::open((repo.path() / ".git" / "objects").string());
    REQUIRE(graph);
    CHECK_FALSE(graph->has_bloom_filters());
    Usage usage = compare_all(repo, commits.back());
    CHECK(usage.from_graph > 0);
    CHECK(usage.skipped == 0);
  }
}

namespace {

// Resident KiB of the process's mappings of `file` (0 when none is resident).
std::size_t resident_kib(const fs::path& file) {
  const std::string wanted = fs::canonical(file).string();
  std::ifstream smaps("/proc/self/smaps");
  std::size_t total = 0;
  bool ours = false;
  for (std::string line; std::getline(smaps, line);) {
    const std::size_t space = line.find(' ');
    const std::string_view head(line.data(), space == std::string::npos ? 0 : space);
    if (head.find('-') != std::string_view::npos && head.back() != ':')  // a mapping's header
      ours = line.size() >= wanted.size() && line.ends_with(wanted);
    else if (ours && line.starts_with("Rss:"))
      total += std::stoul(line.substr(4));
  }
  return total;
}

}  // namespace

TEST_CASE("commit-graph: a walk does not keep the graph's pages resident", "[commit-graph]") {
  test::TempRepo repo;
  std::vector<std::string> commits = build_history(repo);
  repo.git("commit-graph write --reachable --changed-paths");
  const fs::path file = graph_file(repo);

  SECTION("release_pages() empties the resident set, and the graph reads the same after") {
    auto graph = CommitGraph::open((repo.path() / ".git" / "objects").string());
    REQUIRE(graph);
    std::vector<std::int64_t> times;
    for (std::uint32_t i = 0; i < graph->size(); ++i) times.push_back(graph->at(i).time);
    CHECK(resident_kib(file) > 0);
    graph->release_pages();
    CHECK(resident_kib(file) == 0);
    for (std::uint32_t i = 0; i < graph->size(); ++i) CHECK(graph->at(i).time == times[i]);
  }

  SECTION("a history releases them once its window is loaded") {
    auto opened = Repository::discover(repo.path().string());
    REQUIRE(opened);
    std::shared_ptr<git_repository> raw(opened->raw(), [](git_repository*) {});
    Executor executor(1);
    GitHistory history(raw, commits.back(), &executor);
    history.prefetch(Seconds{});  // the whole chain, on the executor's thread
    CHECK(history.commits_loaded() == std::stoul(repo.git("rev-list --first-parent --count HEAD")));
    CHECK(history.commits_from_graph() > 0);
    CHECK(resident_kib(file) == 0);
    // The answers read filters and commit ids again: right, and only what they need.
    CHECK(history.last_change("docs/runbook.md", Seconds{})->kind == FileChange::Kind::changed);
  }
}

TEST_CASE("history: the window is read whole with a graph, up to the first change without",
          "[commit-graph]") {
  test::TempRepo repo;
  std::vector<std::string> commits = build_history(repo);  // the runbook changes every 17 hours
  repo.git("commit-graph write --reachable --changed-paths");
  auto opened = Repository::discover(repo.path().string());
  REQUIRE(opened);
  std::shared_ptr<git_repository> raw(opened->raw(), [](git_repository*) {});
  const std::size_t chain = std::stoul(repo.git("rev-list --first-parent --count HEAD"));
  GitHistory with_graph(raw, commits.back());
  GitHistory without(raw, commits.back());
  without.ignore_commit_graph();
  // The window: the 20 hourly commits from 2026-01-03T12:00 on (the runbook changes at the 68th).
  const Seconds cutoff = parse_rfc3339("2026-01-03T12:00:00Z")->utc;
  const auto expected = ask(without, "docs/runbook.md", cutoff);
  CHECK(ask(with_graph, "docs/runbook.md", cutoff) == expected);
  // The whole window and the commit before it: a few array reads each, nothing older.
  CHECK(with_graph.commits_loaded() >= 21);
  CHECK(with_graph.commits_loaded() < chain);
  CHECK(with_graph.commits_from_graph() > 0);
  // A libgit2 parse each: no further than the commit before the cutoff, whose content the
  // change is compared with (a change undone inside the window is none).
  CHECK(without.commits_loaded() < 25);
  CHECK(without.commits_loaded() < chain / 2);
}

TEST_CASE("commit-graph: damaged files are refused or read safely, never a crash",
          "[commit-graph]") {
  test::TempRepo repo;
  std::vector<std::string> commits = build_history(repo, 0, 40);
  repo.git("commit-graph write --reachable --changed-paths");
  const fs::path file = graph_file(repo);
  fs::permissions(file, fs::perms::owner_write, fs::perm_options::add);
  std::string original;
  {
    std::ifstream in(file, std::ios::binary);
    original.assign(std::istreambuf_iterator<char>(in), {});
  }
  const std::string objects = (repo.path() / ".git" / "objects").string();
  auto write = [&](const std::string& bytes) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << bytes;
  };
  auto walk = [&] {
    auto opened = Repository::discover(repo.path().string());
    REQUIRE(opened);
    std::shared_ptr<git_repository> raw(opened->raw(), [](git_repository*) {});
    GitHistory history(raw, commits.back());
    for (const std::string& path : k_paths) (void)history.last_change(path, Seconds{});
  };

  SECTION("every truncation is refused") {
    for (std::size_t size = 0; size < original.size(); size += 1 + size / 16) {
      write(original.substr(0, size));
      INFO("truncated to " << size << " bytes");
      CHECK(CommitGraph::open(objects) == nullptr);
    }
  }
  SECTION("a wrong signature, version or hash is refused") {
    for (std::size_t at : {0, 3, 4, 5, 7}) {
      std::string bytes = original;
      bytes[at] = static_cast<char>(bytes[at] ^ 0x5a);
      write(bytes);
      INFO("byte " << at);
      CHECK(CommitGraph::open(objects) == nullptr);
    }
  }
  SECTION("random damage never crashes the walk") {
    std::mt19937 random(7);
    for (int round = 0; round < 300; ++round) {
      std::string bytes = original;
      for (int flips = 0; flips < 4; ++flips)
        bytes[random() % bytes.size()] = static_cast<char>(random());
      write(bytes);
      walk();  // answers may be wrong for a graph damaged inside a record, as with git
    }
  }
  SECTION("a chain file naming missing or malformed layers is refused") {
    fs::remove(file);
    fs::create_directories(file.parent_path() / "commit-graphs");
    std::ofstream(file.parent_path() / "commit-graphs" / "commit-graph-chain")
        << "0123456789012345678901234567890123456789\n";
    CHECK(CommitGraph::open(objects) == nullptr);
    std::ofstream(file.parent_path() / "commit-graphs" / "commit-graph-chain") << "../../etc\n";
    CHECK(CommitGraph::open(objects) == nullptr);
    walk();
  }
}

}  // namespace commit_graph_test
