#pragma once
// Shell completions for bash, zsh and fish, written by the build from the definitions --help
// prints (command_tree.hpp): subcommands, options, the values an option names (--format), the
// installed pack names (`opsgate rules packs`) and rule ids (`opsgate rules list`), asked of
// the opsgate being completed when the user presses TAB.

#include <string>

#include "command_tree.hpp"

namespace opsgate::cli {

// For bash-completion's directory (the file is named `opsgate`), or `source` it.
std::string bash_completion(const CommandSpec& cli);
// For a directory of $fpath (the file is named `_opsgate`).
std::string zsh_completion(const CommandSpec& cli);
// For fish's vendor_completions.d (the file is named `opsgate.fish`).
std::string fish_completion(const CommandSpec& cli);

}  // namespace opsgate::cli
