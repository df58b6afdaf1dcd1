#include "timings.hpp"

#include <fmt/format.h>

namespace opsgate::cli {

Timings& Timings::process() {
  static Timings timings;
  return timings;
}

void Timings::start() {
  m_started = m_last = Clock::now();
  m_phases.clear();
}

void Timings::mark(std::string_view phase) {
  auto now = Clock::now();
  m_phases.emplace_back(std::string(phase),
                        std::chrono::duration<double, std::milli>(now - m_last).count());
  m_last = now;
}

std::string Timings::summary() const {
  std::string text = "timings:";
  double total = 0, init = 0;
  for (const auto& [name, ms] : m_phases) {
    text += fmt::format("{} {} {:.3f} ms", total == 0 ? "" : ",", name, ms);
    total += ms;
    if (name == "libgit2-init") init += ms;
  }
  text += fmt::format(" | in process {:.3f} ms, after libgit2 init {:.3f} ms", total, total - init);
  return text;
}

}  // namespace opsgate::cli
