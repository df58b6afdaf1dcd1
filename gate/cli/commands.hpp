#pragma once
// One function per subcommand, each in its own cmd_*.cpp; cli.cpp wires them to CLI11.

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace opsgate::cli {

// Each registers its subcommand on `app`; the callback stores the exit code in `exit_code`.
void register_check(CLI::App& app, int& exit_code);
void register_window(CLI::App& app, int& exit_code);
void register_explain(CLI::App& app, int& exit_code);
void register_rules(CLI::App& app, int& exit_code);
void register_init(CLI::App& app, int& exit_code);
void register_schema(CLI::App& app, int& exit_code);
void register_hook(CLI::App& app, int& exit_code);
void register_fleet(CLI::App& app, int& exit_code);
void register_version(CLI::App& app, int& exit_code);

// opsgate's command line on `app`: its name, description, --version and subcommands; the man
// pages and shell completions are written from the same tree (docgen.cpp).
void define_cli(CLI::App& app, int& exit_code);

// What `opsgate version` and `opsgate --version` print: opsgate's version, then the versions of
// libgit2, toml++ and libcurl it runs with (two lines, no final newline).
std::string version_text();

// Why CLI11 refused a command line, when a word of it is no command or long option opsgate knows,
// with the nearest one: "opsgate has no command 'chek'; did you mean check? (commands: …)",
// "opsgate check has no option '--bsae'; did you mean --base? (…)". Empty when every word is
// known (CLI11's own message then says what is wrong). Asked only after CLI11 refused: the
// common path never pays for it.
std::optional<std::string> unknown_word(const CLI::App& app, int argc, const char* const* argv);

// What CLI11 says of a command line it refused, in the process's language: its usual messages
// reworded, any other kept as CLI11 wrote it.
std::string parse_error_text(const CLI::ParseError& error);

int run(int argc, char** argv);

}  // namespace opsgate::cli
