#pragma once
// One function per subcommand, each in its own cmd_*.cpp; cli.cpp wires them to CLI11.

#include <CLI/CLI.hpp>

namespace opsgate::cli {

// Each registers its subcommand on `app`; the callback stores the exit code in `exit_code`.
void register_check(CLI::App& app, int& exit_code);
void register_window(CLI::App& app, int& exit_code);
void register_explain(CLI::App& app, int& exit_code);
void register_rules(CLI::App& app, int& exit_code);
void register_init(CLI::App& app, int& exit_code);
void register_hook(CLI::App& app, int& exit_code);
void register_version(CLI::App& app, int& exit_code);

int run(int argc, char** argv);

}  // namespace opsgate::cli
