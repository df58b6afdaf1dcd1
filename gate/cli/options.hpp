#pragma once
// Options shared by the subcommands, and the one place errors become exit codes.

#include <CLI/CLI.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "check.hpp"
#include "error.hpp"
#include "timeutil.hpp"

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

// Names the values an option takes, for --help, the man pages and the shell completions
// (command_tree.hpp reads them), without checking them: the command does, with its own message
// and, for check, an error report.
CLI::Validator described_choices(const std::vector<std::string>& values);
void add_output_options(CLI::App& command, CommonOptions& options);

// Prints "opsgate: error: path:line:column: message" on stderr; returns exit code 2.
int report_error(const Error& error);

// Colour only on a terminal, never with NO_COLOR or --no-color.
bool use_color(const CommonOptions& options);

Expected<Instant> evaluation_time(const std::string& at);

}  // namespace opsgate::cli
