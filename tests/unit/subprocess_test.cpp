// The verifier runner (gate/git/subprocess.hpp) with real programs: whatever a verifier does,
// run_program returns within its bound and leaves no process behind.

#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include "subprocess.hpp"
#include "test_repo.hpp"

namespace subprocess_test {

namespace fs = std::filesystem;
using namespace opsgate;
using namespace std::chrono_literals;
using opsgate::test::TempDir;

namespace {

const std::vector<std::string> k_env = {"PATH=/usr/bin:/bin", "LC_ALL=C"};

// A shell script `name` in `dir`, executable; its absolute path.
std::string script(const TempDir& dir, const std::string& name, const std::string& body) {
  const fs::path path = dir.path() / name;
  std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
  ::chmod(path.c_str(), 0755);
  return path.string();
}

// Whether the process whose pid `file` holds still runs (waits a little for a kill to land).
// A zombie does not run: an orphan killed waits there for whoever adopted it to reap it.
bool still_runs(const fs::path& file) {
  std::ifstream in(file);
  pid_t pid = 0;
  if (!(in >> pid) || pid <= 0) return false;
  for (int i = 0; i < 100; ++i) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) return false;
    // "pid (comm) S ...": the state follows the last ')'.
    const std::size_t close = line.rfind(')');
    if (close == std::string::npos || close + 2 >= line.size()) return false;
    const char state = line[close + 2];
    if (state == 'Z' || state == 'X') return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

struct Timed {
  ProgramResult result;
  std::chrono::milliseconds took;
};

Timed timed_run(const std::vector<std::string>& argv, const std::string& input,
                std::chrono::milliseconds timeout) {
  const auto start = std::chrono::steady_clock::now();
  auto result = run_program(argv, k_env, input, timeout);
  REQUIRE(result);
  return {*result, std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::steady_clock::now() - start)};
}

}  // namespace

TEST_CASE("subprocess: a verifier's output, exit status and input", "[subprocess]") {
  TempDir dir;
  const std::string echo = script(dir, "echo", "cat; echo err >&2; exit 3");
  // 1 MiB of input: more than a pipe holds, written while the output is read.
  const std::string input(1 << 20, 'x');
  auto run = timed_run({echo}, input, 10s);
  CHECK_FALSE(run.result.timed_out);
  CHECK(run.result.exit_status == 3);
  CHECK(run.result.out == input);
  CHECK(run.result.err == "err\n");
}

TEST_CASE("subprocess: a verifier that does not answer is killed at its bound", "[subprocess]") {
  TempDir dir;
  const fs::path pid_file = dir.path() / "pid";
  // Each shape of a hang: the wall-clock bounds are generous (a loaded machine) but far below
  // the 60 s the programs would take.
  SECTION("sleeps with its output open") {
    const std::string hang = script(dir, "hang", "echo $$ > '" + pid_file.string() + "'; sleep 60");
    auto run = timed_run({hang}, "", 300ms);
    CHECK(run.result.timed_out);
    CHECK(run.result.exit_status == -1);
    CHECK(run.took < 30s);
  }
  SECTION("closes its output, then sleeps") {
    const std::string hang = script(
        dir, "closed", "exec >/dev/null 2>&1; echo $$ > '" + pid_file.string() + "'; sleep 60");
    auto run = timed_run({hang}, "", 300ms);
    CHECK(run.result.timed_out);
    CHECK(run.result.exit_status == -1);
    CHECK(run.took < 30s);
  }
  SECTION("exits, leaving a child that holds its output") {
    const std::string hang = script(
        dir, "orphan", "sh -c 'echo $$ > \"" + pid_file.string() + "\"; exec sleep 60' & exit 0");
    auto run = timed_run({hang}, "", 300ms);
    CHECK(run.result.timed_out);
    CHECK(run.took < 30s);
  }
  SECTION("never reads the input it is given") {
    const std::string hang = script(dir, "deaf", "echo $$ > '" + pid_file.string() + "'; sleep 60");
    auto run = timed_run({hang}, std::string(4 << 20, 'x'), 300ms);
    CHECK(run.result.timed_out);
    CHECK(run.took < 30s);
  }
  // The whole process group went with it.
  CHECK_FALSE(still_runs(pid_file));
}

TEST_CASE("subprocess: a verifier that exits without reading its input is no failure",
          "[subprocess]") {
  TempDir dir;
  const std::string quit = script(dir, "quit", "exit 0");
  auto run = timed_run({quit}, std::string(4 << 20, 'x'), 10s);
  CHECK_FALSE(run.result.timed_out);
  CHECK(run.result.exit_status == 0);
}

TEST_CASE("subprocess: a program that cannot start is an error", "[subprocess]") {
  TempDir dir;
  auto result = run_program({(dir.path() / "missing").string()}, k_env, "", 1s);
  REQUIRE_FALSE(result);
  CHECK_THAT(result.error().message, Catch::Contains("cannot run"));
}

}  // namespace subprocess_test
