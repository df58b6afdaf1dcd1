#pragma once
// opsgate's command line as plain data, read from the CLI11 definitions that --help prints: the
// man pages (manpage.hpp) and the shell completions (completion.hpp) are written from it, so an
// option added to a command shows up in both without an edit.

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace opsgate::cli {

// What a shell may offer for a value.
enum class ValueKind {
  path,       // a file or directory (the default)
  directory,  // a directory: a repository, a rule pack directory
  choice,     // one of `choices`
  pack,       // an installed pack name (`opsgate rules packs`) or a path
  rule_id,    // a loaded rule's id (`opsgate rules list`)
  text,       // free text: nothing to offer
};

struct OptionSpec {
  std::vector<std::string> long_names;   // without "--"
  std::vector<std::string> short_names;  // without "-"
  std::string value_name;                // "TEXT", "UINT"; empty for a flag
  bool value_optional = false;           // a flag that may take `=VALUE` (--post-status[=auto])
  bool repeatable = false;
  bool required = false;
  std::string description;
  std::string default_value;
  ValueKind kind = ValueKind::path;
  std::vector<std::string> choices;
  bool takes_value() const { return !value_name.empty() && !value_optional; }
};

struct PositionalSpec {
  std::string name;  // as CLI11 names it: "repo", "git-args"
  std::string value_name;
  bool repeatable = false;
  bool required = false;
  std::string description;
  ValueKind kind = ValueKind::path;
};

struct CommandSpec {
  std::vector<std::string> path;  // {} for opsgate itself, {"rules", "list"}
  std::string name;               // the last element of path, or "opsgate"
  std::string description;
  std::vector<OptionSpec> options;  // -h/--help and --version included, hidden ones left out
  std::vector<PositionalSpec> positionals;
  std::vector<CommandSpec> subcommands;  // hidden ones left out
  bool subcommand_required = false;
  // "opsgate rules list"
  std::string full_name() const;
};

// The whole tree under `app` (every subcommand must be registered).
CommandSpec describe_cli(const CLI::App& app);

}  // namespace opsgate::cli
