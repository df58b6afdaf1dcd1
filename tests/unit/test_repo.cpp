#include "test_repo.hpp"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace fs = std::filesystem;

namespace opsgate::test {

namespace {

fs::path make_temp_dir() {
  std::string pattern = (fs::temp_directory_path() / "opsgate-test-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

std::string run(const std::string& command) {
  std::string output;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot run " + command);
  std::array<char, 4096> buffer;
  while (std::size_t n = fread(buffer.data(), 1, buffer.size(), pipe))
    output.append(buffer.data(), n);
  int status = pclose(pipe);
  if (status != 0) throw std::runtime_error("command failed: " + command);
  while (!output.empty() && output.back() == '\n') output.pop_back();
  return output;
}

}  // namespace

TempDir::TempDir() : m_path(make_temp_dir()) {}
TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(m_path, ec);
}

RulesDir::RulesDir(const std::string& text, const std::string& file) {
  std::ofstream(m_dir.path() / file) << text;
}

TempRepo::TempRepo(bool bare) : m_path(make_temp_dir()) {
  git(std::string("init -q -b main") + (bare ? " --bare" : ""));
}

TempRepo::~TempRepo() {
  std::error_code ec;
  fs::remove_all(m_path, ec);
}

void TempRepo::write(const std::string& relative, const std::string& content, bool executable) {
  fs::path file = m_path / relative;
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary | std::ios::trunc) << content;
  fs::permissions(file, executable
                            ? fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read
                            : fs::perms::owner_read | fs::perms::owner_write |
                                  fs::perms::group_read | fs::perms::others_read);
}

void TempRepo::remove(const std::string& relative) {
  fs::remove_all(m_path / relative);
}

std::string TempRepo::commit(const std::string& message, const std::string& date) {
  git("add -A");
  std::string env = "GIT_AUTHOR_DATE='" + date + "' GIT_COMMITTER_DATE='" + date + "' ";
  run("cd '" + m_path.string() + "' && " + env +
      "git -c user.name=Test -c user.email=test@example.org -c commit.gpgsign=false commit -q "
      "--allow-empty -m '" +
      message + "'");
  return git("rev-parse HEAD");
}

std::string TempRepo::commit_as(const std::string& message, const std::string& date,
                                const std::string& name, const std::string& email,
                                const std::string& options, const std::string& flags) {
  git("add -A");
  std::string env = "GIT_AUTHOR_DATE='" + date + "' GIT_COMMITTER_DATE='" + date + "' ";
  run("cd '" + m_path.string() + "' && " + env + "git -c user.name='" + name + "' -c user.email='" +
      email + "' -c commit.gpgsign=false " + options + " commit -q " + flags +
      " --allow-empty -m '" + message + "'");
  return git("rev-parse HEAD");
}

std::string TempRepo::git(const std::string& args) const {
  return run("git -C '" + m_path.string() + "' " + args);
}

}  // namespace opsgate::test
