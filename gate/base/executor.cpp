#include "executor.hpp"

#include <sched.h>

#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string_view>

namespace opsgate {

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::optional<long long> parse_number(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  long long value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<unsigned> quota_cpus(long long quota, long long period) {
  if (quota <= 0 || period <= 0) return std::nullopt;
  return static_cast<unsigned>(std::max<long long>(1, (quota + period - 1) / period));
}

// The cgroup of this process, as /proc/self/cgroup names it: "0::/path" (v2) or
// "N:cpu,cpuacct:/path" (v1).
std::optional<unsigned> cgroup_cpus() {
  std::ifstream cgroups("/proc/self/cgroup");
  std::optional<unsigned> limit;
  auto tighten = [&limit](std::optional<unsigned> found) {
    if (found && (!limit || *found < *limit)) limit = found;
  };
  for (std::string line; std::getline(cgroups, line);) {
    const std::size_t first = line.find(':');
    const std::size_t second = line.find(':', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    const std::string controllers = line.substr(first + 1, second - first - 1);
    const std::string path = line.substr(second + 1);
    if (controllers.empty()) {  // v2: the quota of this cgroup and of every parent
      for (std::string dir = path == "/" ? "" : path;; dir = dir.substr(0, dir.rfind('/'))) {
        tighten(cpu_quota_v2(read_file("/sys/fs/cgroup" + dir + "/cpu.max")));
        if (dir.empty()) break;
      }
    } else if (controllers.find("cpu") != std::string::npos &&
               (controllers == "cpu" || controllers.find("cpu,") != std::string::npos ||
                controllers.ends_with(",cpu"))) {
      for (const std::string root : {"/sys/fs/cgroup/cpu,cpuacct", "/sys/fs/cgroup/cpu"})
        for (std::string dir = path == "/" ? "" : path;; dir = dir.substr(0, dir.rfind('/'))) {
          tighten(cpu_quota_v1(read_file(root + dir + "/cpu.cfs_quota_us"),
                               read_file(root + dir + "/cpu.cfs_period_us")));
          if (dir.empty()) break;
        }
    }
  }
  return limit;
}

}  // namespace

std::optional<unsigned> cpu_quota_v2(const std::string& cpu_max_text) {
  std::istringstream fields(cpu_max_text);
  std::string quota, period;
  if (!(fields >> quota >> period) || quota == "max") return std::nullopt;
  auto q = parse_number(quota);
  auto p = parse_number(period);
  if (!q || !p) return std::nullopt;
  return quota_cpus(*q, *p);
}

std::optional<unsigned> cpu_quota_v1(const std::string& quota_text,
                                     const std::string& period_text) {
  auto q = parse_number(quota_text);
  auto p = parse_number(period_text);
  if (!q || !p) return std::nullopt;
  return quota_cpus(*q, *p);
}

unsigned usable_cpus() {
  unsigned cpus = std::max(1u, std::thread::hardware_concurrency());
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) cpus = std::max(1, CPU_COUNT(&set));
  if (auto quota = cgroup_cpus(); quota && *quota < cpus) cpus = *quota;
  return cpus;
}

Executor::Executor(unsigned threads) {
  try {
    for (unsigned i = 0; i < threads; ++i) m_threads.emplace_back([this] { work(); });
  } catch (const std::system_error&) {  // fewer threads to be had: the callers run the rest
  }
}

Executor::~Executor() {
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
  }
  m_ready.notify_all();
  for (std::thread& thread : m_threads) thread.join();
  while (run_one()) {  // nobody waited for these: they still run, their futures are dropped
  }
}

namespace {

std::mutex g_shared_mutex;
std::unique_ptr<Executor> g_shared;

}  // namespace

Executor& Executor::shared() {
  std::lock_guard lock(g_shared_mutex);
  if (!g_shared) g_shared = std::make_unique<Executor>(usable_cpus() - 1);
  return *g_shared;
}

void Executor::stop_shared() {
  std::unique_ptr<Executor> pool;
  {
    std::lock_guard lock(g_shared_mutex);
    pool = std::move(g_shared);
  }
}

void Executor::enqueue(std::function<void()> task) {
  {
    std::lock_guard lock(m_mutex);
    m_queue.push_back(std::move(task));
  }
  m_ready.notify_one();
}

bool Executor::run_one() {
  std::function<void()> task;
  {
    std::lock_guard lock(m_mutex);
    if (m_queue.empty()) return false;
    task = std::move(m_queue.front());
    m_queue.pop_front();
  }
  task();  // a packaged_task: exceptions land in its future
  return true;
}

void Executor::work() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(m_mutex);
      m_ready.wait(lock, [this] { return m_stopping || !m_queue.empty(); });
      if (m_queue.empty()) return;  // stopping, nothing left
      task = std::move(m_queue.front());
      m_queue.pop_front();
    }
    task();
  }
}

}  // namespace opsgate
