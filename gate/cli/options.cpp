#include "options.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "manifest.hpp"
#include "paths.hpp"
#include "rule_sources.hpp"

namespace opsgate::cli {

void add_rules_options(CLI::App& command, CommonOptions& options) {
  command.add_option("--rules", options.rules,
                     "Rule pack: directory, .toml file, REV:PATH or installed name (repeatable; "
                     "default: baseline)");
  command.add_option("--env", options.env, "Target environment")->capture_default_str();
}

void add_output_options(CLI::App& command, CommonOptions& options) {
  command.add_flag("--no-color", options.no_color, "Plain output");
  command.add_flag("--quiet,-q", options.quiet, "Only the verdict line");
  command.add_flag("--verbose,-v", options.verbose, "Details: passing and skipped rules too");
}

int report_error(const Error& error) {
  fmt::print(stderr, "opsgate: error: {}\n", error.to_string());
  return k_exit_error;
}

bool use_color(const CommonOptions& options) {
  if (options.no_color) return false;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color && *no_color) return false;
  return isatty(STDOUT_FILENO) != 0;
}

Expected<Instant> evaluation_time(const std::string& at) {
  if (at.empty()) return now_utc();
  auto parsed = parse_rfc3339(at);
  if (!parsed) return fail(ErrorKind::usage, "--at: " + parsed.error().message);
  return parsed;
}

std::optional<Repository> try_open(const std::string& path) {
  auto repo = Repository::discover(path);
  if (!repo) return std::nullopt;
  return std::move(*repo);
}

Expected<RuleSet> load_rule_set(const CommonOptions& options, const Repository* repo) {
  auto rules = load_rules(options.rules, repo);
  if (!rules) return rules;
  if (auto ok = check_environment(*rules, options.env); !ok) return std::unexpected(ok.error());
  return rules;
}

Expected<std::unique_ptr<Tree>> open_tree(const Repository& repo, const std::string& rev,
                                          bool worktree, std::string& revision) {
  if (worktree) {
    if (auto head = repo.resolve_commit("HEAD")) revision = *head;
    return repo.work_tree();
  }
  auto commit = repo.resolve_commit(rev);
  if (!commit) return std::unexpected(commit.error());
  revision = *commit;
  return repo.tree_at(*commit);
}

Expected<std::vector<std::string>> find_manifest_paths(const std::vector<std::string>& given,
                                                       const Tree& tree) {
  std::vector<std::string> paths;
  for (const std::string& path : given) {
    auto normal = resolve_manifest_path("", path);
    if (!normal || normal->empty())
      return fail(ErrorKind::usage,
                  fmt::format("--manifest {}: not a path inside the repository", path));
    // The same manifest named twice (`x` and `./x`) is evaluated once.
    if (std::find(paths.begin(), paths.end(), *normal) == paths.end()) paths.push_back(*normal);
  }
  if (!paths.empty()) return paths;
  if (tree.kind(k_manifest_file) != EntryKind::missing)
    return std::vector{std::string(k_manifest_file)};
  auto found = tree.find(k_manifest_file);
  if (!found) return std::unexpected(found.error());
  if (found->empty()) return std::vector{std::string(k_manifest_file)};
  return found;
}

}  // namespace opsgate::cli
