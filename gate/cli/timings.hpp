#pragma once
// Where the time of one run goes: `opsgate check --timings` prints it on stderr (tests/bench
// reads it to tell start-up from the gate's own work).

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace opsgate::cli {

class Timings {
 public:
  using Clock = std::chrono::steady_clock;

  // The process's timings, started by main() before anything else.
  static Timings& process();

  void start();
  // Ends the phase that ran since the previous mark (or start) and names it.
  void mark(std::string_view phase);

  // "timings: libgit2-init 0.41 ms, options 0.05 ms, ... | in process 1.92 ms, after libgit2
  // init 1.51 ms": the second total is the gate's own work.
  std::string summary() const;

 private:
  Clock::time_point m_started{};
  Clock::time_point m_last{};
  std::vector<std::pair<std::string, double>> m_phases;  // name, milliseconds
};

}  // namespace opsgate::cli
