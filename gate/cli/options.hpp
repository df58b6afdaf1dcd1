#pragma once
// Options shared by the subcommands, and the one place errors become exit codes.

#include <CLI/CLI.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "error.hpp"
#include "repo.hpp"
#include "rules.hpp"
#include "timeutil.hpp"
#include "tree.hpp"

namespace opsgate::cli {

constexpr int k_exit_pass = 0;
constexpr int k_exit_fail = 1;
constexpr int k_exit_error = 2;

struct CommonOptions {
  std::string repo = ".";
  std::vector<std::string> rules;
  std::string env = "production";
  std::string at;  // RFC 3339; empty means now
  bool no_color = false;
  bool quiet = false;
  bool verbose = false;
};

void add_rules_options(CLI::App& command, CommonOptions& options);
void add_output_options(CLI::App& command, CommonOptions& options);

// Prints "opsgate: error: path:line:column: message" on stderr; returns exit code 2.
int report_error(const Error& error);

// Colour only on a terminal, never with NO_COLOR or --no-color.
bool use_color(const CommonOptions& options);

Expected<Instant> evaluation_time(const std::string& at);

// The repository at `path` when there is one (REV:PATH rule packs need it), else nullopt.
std::optional<Repository> try_open(const std::string& path);

// Loads the --rules packs and checks --env against them.
Expected<RuleSet> load_rule_set(const CommonOptions& options, const Repository* repo);

// The files to read: the work tree with `worktree`, else the tree at `rev`. `revision` gets the
// commit id (HEAD's for the work tree, "" when there is none).
Expected<std::unique_ptr<Tree>> open_tree(const Repository& repo, const std::string& rev,
                                          bool worktree, std::string& revision);

// Paths of the manifests to evaluate: `given` (--manifest), else the root operability.toml,
// else every one in the tree.
Expected<std::vector<std::string>> find_manifest_paths(const std::vector<std::string>& given,
                                                       const Tree& tree);

}  // namespace opsgate::cli
