#pragma once
// The one place opsgate runs work concurrently: a small pool sized by the CPUs the process may
// really use (its affinity mask and its cgroup's CPU quota, not the machine's core count: a
// 2-CPU runner pod on a 64-core node gets one worker, not 63). Tasks hand their result, or their
// exception, back through a future; whoever waits helps run queued tasks meanwhile, so waiting
// never deadlocks and a pool of zero threads runs everything on the caller. Destroying the pool
// finishes every queued task and joins every thread, error path or not.

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

namespace opsgate {

// The CPUs this process may use: sched_getaffinity, bounded by the cgroup's quota (v2
// cpu.max, v1 cpu.cfs_quota_us / cpu.cfs_period_us), rounded up; at least 1.
unsigned usable_cpus();

// The same, read from the given files (for tests): a cgroup v2 `cpu.max` line ("max 100000",
// "150000 100000") or the v1 quota and period; nullopt when they set no limit.
std::optional<unsigned> cpu_quota_v2(const std::string& cpu_max_text);
std::optional<unsigned> cpu_quota_v1(const std::string& quota_text, const std::string& period_text);

class Executor {
 public:
  // `threads` workers besides the callers who wait; 0 runs every task on the waiting caller.
  explicit Executor(unsigned threads);
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // The process-wide pool: usable_cpus() - 1 threads (the caller is the other CPU), made on
  // first use.
  static Executor& shared();
  // Finishes the shared pool's tasks and ends its threads, if it was made: main() calls it
  // before libgit2 shuts down, so that the threads' per-thread libgit2 state is freed by them.
  static void stop_shared();

  unsigned threads() const { return static_cast<unsigned>(m_threads.size()); }

  // Queues `task`; its result (or exception) comes back through the future. Wait for it with
  // wait() (which helps), not future::get() alone, unless the pool has threads to spare.
  template <class F>
  std::future<std::invoke_result_t<F>> submit(F task) {
    using R = std::invoke_result_t<F>;
    auto packaged = std::make_shared<std::packaged_task<R()>>(std::move(task));
    std::future<R> future = packaged->get_future();
    enqueue([packaged] { (*packaged)(); });
    return future;
  }

  // Runs queued tasks on this thread until `future` is ready, then returns its value (or
  // rethrows the task's exception).
  template <class R>
  R wait(std::future<R>& future) {
    // With nothing queued, the task is running elsewhere (or done): blocking is safe.
    while (future.wait_for(std::chrono::seconds(0)) != std::future_status::ready)
      if (!run_one()) future.wait();
    return future.get();
  }

 private:
  void enqueue(std::function<void()> task);
  bool run_one();  // runs one queued task here; false when none was queued
  void work();

  std::mutex m_mutex;
  std::condition_variable m_ready;
  std::deque<std::function<void()>> m_queue;
  bool m_stopping = false;
  std::vector<std::thread> m_threads;
};

}  // namespace opsgate
