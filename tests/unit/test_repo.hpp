#pragma once
// A real git repository in a temporary directory, built with the git command line (tests
// only: the product reads git through libgit2). Commit dates are always given explicitly.

#include <filesystem>
#include <string>

namespace opsgate::test {

class TempRepo {
 public:
  explicit TempRepo(bool bare = false);
  ~TempRepo();
  TempRepo(const TempRepo&) = delete;
  TempRepo& operator=(const TempRepo&) = delete;

  const std::filesystem::path& path() const { return m_path; }

  // Writes a file of the work tree (creating directories).
  void write(const std::string& relative, const std::string& content, bool executable = false);
  void remove(const std::string& relative);

  // Stages everything and commits at `date` (e.g. "2026-11-20T10:00:00+01:00"); returns the id.
  std::string commit(const std::string& message, const std::string& date);
  // The same by another author; `options` go before `commit` (e.g. "-c gpg.format=ssh -c
  // user.signingkey=KEY") and `flags` after it (e.g. "-S").
  std::string commit_as(const std::string& message, const std::string& date,
                        const std::string& name, const std::string& email,
                        const std::string& options = "", const std::string& flags = "");

  // Runs `git <args>` in the repository; returns its stdout (trailing newline removed).
  std::string git(const std::string& args) const;

 private:
  std::filesystem::path m_path;
};

// A fresh empty temporary directory, removed with the object.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return m_path; }

 private:
  std::filesystem::path m_path;
};

// A rules directory outside any repository holding one rule file: what --rules names.
class RulesDir {
 public:
  explicit RulesDir(const std::string& text, const std::string& file = "rules.toml");
  std::string path() const { return m_dir.path().string(); }

 private:
  TempDir m_dir;
};

}  // namespace opsgate::test
