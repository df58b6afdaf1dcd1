// Freshness cost as history grows: opens a repository, asks GitHistory when a path last changed
// within a window, and prints the commits the walk loaded, the time and the peak memory.
// Usage: opsgate_history_bench REPO PATH DAYS [AT_UNIX_TIME]

#include <fmt/format.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdlib>
#include <fstream>

#include "git_handles.hpp"
#include "git_history.hpp"
#include "repo.hpp"

int main(int argc, char** argv) {
  if (argc < 4) {
    fmt::print(stderr, "usage: {} REPO PATH DAYS [AT_UNIX_TIME]\n", argv[0]);
    return 2;
  }
  opsgate::GitLibrary git;
  auto started = std::chrono::steady_clock::now();
  auto repo = opsgate::Repository::discover(argv[1]);
  if (!repo) {
    fmt::print(stderr, "{}\n", repo.error().to_string());
    return 2;
  }
  auto head = repo->resolve_commit("HEAD");
  if (!head) return 2;
  long long at = argc > 4 ? std::atoll(argv[4]) : 1795680000LL;
  opsgate::Seconds cutoff{std::chrono::seconds(at - 86400LL * std::atoll(argv[3]))};
  const bool no_graph = std::getenv("OPSGATE_BENCH_NO_COMMIT_GRAPH") != nullptr;
  opsgate::GitHistory history(std::shared_ptr<git_repository>(repo->raw(), [](git_repository*) {}),
                              *head);
  if (no_graph) history.ignore_commit_graph();
  auto walk_started = std::chrono::steady_clock::now();
  auto change = history.last_change(argv[2], cutoff);
  auto now = std::chrono::steady_clock::now();
  auto elapsed = std::chrono::duration<double, std::milli>(now - started);
  auto walk = std::chrono::duration<double, std::milli>(now - walk_started);
  if (!change) return 2;
  if (const char* dump = std::getenv("OPSGATE_BENCH_SMAPS")) {
    std::ifstream in("/proc/self/smaps");
    std::ofstream out(dump);
    out << in.rdbuf();
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const char* kinds[] = {"changed", "unchanged", "shallow", "absent"};
  fmt::print(
      "result={} commits_walked={} from_commit_graph={} bloom_skipped={} time_ms={:.2f} "
      "walk_ms={:.2f} peak_rss_kib={}\n",
      kinds[static_cast<int>(change->kind)], history.commits_loaded(), history.commits_from_graph(),
      history.comparisons_skipped(), elapsed.count(), walk.count(), usage.ru_maxrss);
  return 0;
}
