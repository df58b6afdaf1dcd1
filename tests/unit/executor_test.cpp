#include <catch2/catch.hpp>

#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "executor.hpp"

namespace executor_test {

namespace fs = std::filesystem;

using opsgate::cpu_quota_v1;
using opsgate::cpu_quota_v2;
using opsgate::Executor;
using opsgate::usable_cpus;

TEST_CASE("executor: results and errors come back to the caller", "[executor]") {
  for (unsigned threads : {0u, 1u, 3u}) {
    Executor executor(threads);
    CHECK(executor.threads() == threads);
    auto answer = executor.submit([] { return 42; });
    auto failure = executor.submit([]() -> int { throw std::runtime_error("task failed"); });
    CHECK(executor.wait(answer) == 42);
    CHECK_THROWS_WITH(executor.wait(failure), "task failed");
  }
}

TEST_CASE("executor: a task may wait for tasks it submits, even with no thread", "[executor]") {
  Executor executor(0);
  auto outer = executor.submit([&executor] {
    auto inner = executor.submit([] { return 2; });
    return executor.wait(inner) + 1;
  });
  CHECK(executor.wait(outer) == 3);
}

TEST_CASE("executor: destroying it runs what is queued and joins", "[executor]") {
  std::atomic<int> ran = 0;
  {
    Executor executor(1);
    for (int i = 0; i < 50; ++i) (void)executor.submit([&ran] { ++ran; });
  }
  CHECK(ran == 50);
}

TEST_CASE("executor: cgroup quotas are read as whole CPUs, rounded up", "[executor]") {
  CHECK(cpu_quota_v2("max 100000\n") == std::nullopt);
  CHECK(cpu_quota_v2("200000 100000\n") == 2u);
  CHECK(cpu_quota_v2("150000 100000") == 2u);
  CHECK(cpu_quota_v2("50000 100000") == 1u);
  CHECK(cpu_quota_v2("") == std::nullopt);
  CHECK(cpu_quota_v2("garbage here") == std::nullopt);
  CHECK(cpu_quota_v1("-1\n", "100000\n") == std::nullopt);
  CHECK(cpu_quota_v1("400000\n", "100000\n") == 4u);
  CHECK(cpu_quota_v1("", "") == std::nullopt);
}

TEST_CASE("executor: the default size follows the affinity mask (taskset -c 0)", "[executor]") {
  cpu_set_t saved;
  REQUIRE(sched_getaffinity(0, sizeof saved, &saved) == 0);
  if (CPU_COUNT(&saved) < 2) {
    CHECK(usable_cpus() == 1);
    WARN("one CPU allowed already: the mask cannot be narrowed further");
    return;
  }
  int first = 0;
  while (!CPU_ISSET(first, &saved)) ++first;
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(first, &one);
  REQUIRE(sched_setaffinity(0, sizeof one, &one) == 0);
  const unsigned narrowed = usable_cpus();
  REQUIRE(sched_setaffinity(0, sizeof saved, &saved) == 0);
  CHECK(narrowed == 1);
  CHECK(usable_cpus() >= 1);
}

namespace {

// Runs usable_cpus() in a child that first moves itself into the cgroup `group` (through
// `procs`); returns what it saw.
unsigned usable_cpus_in(const fs::path& procs) {
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    std::ofstream(procs) << getpid() << "\n";
    _exit(static_cast<int>(std::min(usable_cpus(), 100u)));
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  return static_cast<unsigned>(WEXITSTATUS(status));
}

// A cgroup made for one test, removed after it.
struct TempGroup {
  fs::path path;
  bool made = false;
  explicit TempGroup(const fs::path& parent)
      : path(parent / ("opsgate-test-" + std::to_string(getpid()))) {
    std::error_code ec;
    made = fs::create_directory(path, ec) && !ec;
  }
  ~TempGroup() {
    if (made) rmdir(path.c_str());
  }
};

bool write_and_check(const fs::path& file, const std::string& value) {
  { std::ofstream(file) << value << "\n"; }
  std::ifstream in(file);
  std::string written;
  std::getline(in, written);
  return written == value;
}

}  // namespace

TEST_CASE("executor: the default size follows the cgroup's CPU quota", "[executor]") {
  // Needs root and a writable cgroup hierarchy with the cpu controller (v2, or v1 as on this
  // project's CI machines); not every container has one.
  std::ifstream v2_controllers("/sys/fs/cgroup/cgroup.controllers");
  std::string available;
  std::getline(v2_controllers, available);
  if (available.find("cpu") != std::string::npos) {
    TempGroup group("/sys/fs/cgroup");
    if (!group.made || !write_and_check(group.path / "cpu.max", "100000 100000")) {
      WARN("cgroup v2: cannot create a group with a CPU quota here; quota test skipped");
      return;
    }
    CHECK(usable_cpus_in(group.path / "cgroup.procs") == 1);
    return;
  }
  for (const fs::path root : {"/sys/fs/cgroup/cpu,cpuacct", "/sys/fs/cgroup/cpu"}) {
    if (!fs::exists(root / "cpu.cfs_quota_us")) continue;
    TempGroup group(root);
    if (!group.made || !write_and_check(group.path / "cpu.cfs_period_us", "100000") ||
        !write_and_check(group.path / "cpu.cfs_quota_us", "100000")) {
      WARN("cgroup v1: cannot create a group with a CPU quota here; quota test skipped");
      return;
    }
    CHECK(usable_cpus_in(group.path / "cgroup.procs") == 1);
    return;
  }
  WARN("no cgroup cpu controller here: quota test skipped");
}

}  // namespace executor_test
