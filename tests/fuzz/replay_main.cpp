// The main() of the replay executables the normal build makes of every fuzz harness: feeds
// each file named on the command line, or each file of a named directory (sorted; names starting
// with '.' are skipped), to LLVMFuzzerTestOneInput once, and prints how many ran.
//
//   fuzz_manifest [--max-ms N] FILE|DIR...
//
// Each input ends right before an unreadable page, so reading past it faults even in libraries
// built without sanitizers. A harness that finds a bug aborts, so a failing input ends the run
// with its name on stderr.
// --max-ms N fails the run (exit 1) when one input takes more than N milliseconds: a slow input
// is a bug too (a regex blow-up, a window search that never ends).

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_support.hpp"

namespace fs = std::filesystem;

namespace {

bool read_file(const fs::path& path, std::vector<std::uint8_t>& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

// The inputs an argument names, in a stable order; false when it names nothing readable.
bool collect(const fs::path& argument, std::vector<fs::path>& out) {
  std::error_code error;
  if (fs::is_directory(argument, error)) {
    std::vector<fs::path> files;
    for (const fs::directory_entry& entry : fs::directory_iterator(argument, error))
      if (entry.is_regular_file(error) && !entry.path().filename().string().starts_with("."))
        files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    out.insert(out.end(), files.begin(), files.end());
    return !error;
  }
  if (fs::is_regular_file(argument, error)) {
    out.push_back(argument);
    return true;
  }
  return false;
}

// The input copied to the very end of readable memory, followed by a page that cannot be read:
// a read past the input faults at once, even in a library built without sanitizers (md4c).
class GuardedCopy {
 public:
  explicit GuardedCopy(const std::vector<std::uint8_t>& input) {
    const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    m_length = (input.size() + page - 1) / page * page + page;
    void* mapped =
        mmap(nullptr, m_length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapped == MAP_FAILED) {
      std::perror("replay: mmap");
      std::abort();
    }
    m_base = static_cast<std::uint8_t*>(mapped);
    mprotect(m_base + m_length - page, page, PROT_NONE);
    m_data = m_base + m_length - page - input.size();
    std::copy(input.begin(), input.end(), m_data);
  }
  ~GuardedCopy() { munmap(m_base, m_length); }
  GuardedCopy(const GuardedCopy&) = delete;
  GuardedCopy& operator=(const GuardedCopy&) = delete;

  const std::uint8_t* data() const { return m_data; }

 private:
  std::uint8_t* m_base = nullptr;
  std::uint8_t* m_data = nullptr;
  std::size_t m_length = 0;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s [--max-ms N] FILE|DIR...\n", argv[0]);
    return 2;
  }
  long max_ms = 0;
  std::vector<fs::path> inputs;
  for (int i = 1; i < argc; ++i) {
    std::string_view argument = argv[i];
    if (argument == "--max-ms" && i + 1 < argc) {
      max_ms = std::strtol(argv[++i], nullptr, 10);
      continue;
    }
    if (!collect(argv[i], inputs)) {
      std::fprintf(stderr, "replay: %s is neither a file nor a directory\n", argv[i]);
      return 2;
    }
  }

  using Clock = std::chrono::steady_clock;
  std::vector<std::uint8_t> data;
  double slowest_ms = 0;
  std::string slowest;
  for (const fs::path& input : inputs) {
    if (!read_file(input, data)) {
      std::fprintf(stderr, "replay: cannot read %s\n", input.c_str());
      return 2;
    }
    std::fprintf(stderr, "replay: %s\n", input.c_str());
    GuardedCopy copy(data);
    const auto start = Clock::now();
    LLVMFuzzerTestOneInput(copy.data(), data.size());
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    if (ms > slowest_ms) slowest_ms = ms, slowest = input.string();
  }
  std::printf("replayed %zu inputs; slowest %.1f ms (%s)\n", inputs.size(), slowest_ms,
              slowest.empty() ? "-" : slowest.c_str());
  if (max_ms > 0 && slowest_ms > static_cast<double>(max_ms)) {
    std::fprintf(stderr, "replay: %s took %.1f ms, more than --max-ms %ld\n", slowest.c_str(),
                 slowest_ms, max_ms);
    return 1;
  }
  return 0;
}
