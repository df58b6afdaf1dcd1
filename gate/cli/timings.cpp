#include "timings.hpp"

#include <fmt/format.h>

#include <fstream>

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
  // Memory: the peak, and what is private (heap) versus mapped files (libraries, git's pack
  // index and commit-graph: page cache shared with every other reader).
  std::ifstream status("/proc/self/status");
  std::string peak, anon, file;
  for (std::string line; std::getline(status, line);) {
    auto value = [&](std::string_view key) {
      return line.starts_with(key) ? line.substr(line.find_first_not_of(" \t", key.size()))
                                   : std::string();
    };
    if (auto v = value("VmHWM:"); !v.empty()) peak = v;
    if (auto v = value("RssAnon:"); !v.empty()) anon = v;
    if (auto v = value("RssFile:"); !v.empty()) file = v;
  }
  if (!peak.empty())
    text += fmt::format(" | peak RSS {} (now: anonymous {}, files {})", peak, anon, file);
  return text;
}

}  // namespace opsgate::cli
