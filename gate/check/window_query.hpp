#pragma once
// The deploy question as a library call: is the release window of a service open at an instant,
// why, and when does it next close or open? `opsgate window` renders the answer and waits on it;
// a deploy job or the fleet scan can ask it in-process.

#include <optional>
#include <string>
#include <vector>

#include "error.hpp"
#include "rules.hpp"
#include "timeutil.hpp"
#include "window.hpp"

namespace opsgate {

struct WindowRequest {
  std::string repository = ".";    // searched upwards from here
  std::vector<std::string> rules;  // --rules sources; empty: the installed baseline
  std::string environment = "production";
  std::string rev = "HEAD";
  bool worktree = false;
  std::vector<std::string> manifests;  // --manifest; empty: the one manifest of the tree
};

// What a question found out, whatever the outcome.
struct WindowAnswer {
  std::string manifest;
  std::string service;
  std::string revision;
  Schedule schedule;
  std::vector<SchemaProblem> problems;  // an invalid [release_window]: closed, never evaluated
  bool missing_manifest = false;
  bool uncommitted = false;  // missing, but in the work tree: not committed yet
  Instant at;
  WindowState state;

  // "no_manifest", "invalid", or the state's cause ("inside_allow", "deny", ...).
  std::string cause() const;
  // One sentence: why the window is open or closed.
  std::string reason() const;
};

// A service's release window, read once, asked at any instant.
class WindowQuery {
 public:
  // Opens the repository, loads the rules (checking --env against them) and reads the one
  // manifest the request selects (several: a usage error asking for --manifest).
  static Expected<WindowQuery> open(const WindowRequest& request);

  // The answer at `at`: open or closed, why, and the next transitions.
  WindowAnswer at(const Instant& at) const;

 private:
  WindowQuery() = default;
  std::string m_environment;
  RuleSet m_rules;
  WindowAnswer m_answer;  // everything but `at` and `state`
};

}  // namespace opsgate
