#pragma once
// Runs a verifier program (ssh-keygen, gpg) the safe way: posix_spawn with an explicit argv
// (never a shell), a scrubbed environment, stdin fed from memory, stdout and stderr captured,
// and a bounded time after which the program is killed.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "error.hpp"

namespace opsgate {

struct ProgramResult {
  int exit_status = -1;  // the exit code; -1 when killed or signalled
  bool timed_out = false;
  std::string out;
  std::string err;
};

// The absolute path of `name` found in $PATH, or nullopt.
std::optional<std::string> find_program(const std::string& name);

// Runs `argv` (argv[0] an absolute path) with environment `env` only. An error when the
// program cannot be started; a program that fails or times out is a result, not an error.
Expected<ProgramResult> run_program(const std::vector<std::string>& argv,
                                    const std::vector<std::string>& env, const std::string& input,
                                    std::chrono::milliseconds timeout);

// A private temporary directory (mode 0700), removed with its contents by the destructor.
class PrivateDir {
 public:
  static Expected<PrivateDir> create();
  PrivateDir(PrivateDir&& other) noexcept : m_path(std::move(other.m_path)) {
    other.m_path.clear();
  }
  PrivateDir& operator=(PrivateDir&&) = delete;
  ~PrivateDir();
  const std::string& path() const { return m_path; }
  // Writes `text` to `name` in the directory (mode 0600); the file's path.
  Expected<std::string> write(const std::string& name, const std::string& text) const;

 private:
  explicit PrivateDir(std::string path) : m_path(std::move(path)) {}
  std::string m_path;
};

}  // namespace opsgate
